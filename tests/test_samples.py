"""The bundled sample reports: reproducible, consistent with their truth, readable.

Later issues assert their rules and negatives on these files and on `truth.json`, so the
promises the generator makes (see `tools.samplegen.shop`) are checked here from the files
themselves, not from the generator's internals.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from auditor.readers import read_report
from tools.samplegen import shop as samplegen

SAMPLES = samplegen.SAMPLE_DIR
TRUTH = samplegen.load_truth()
GOOGLE = TRUTH["accounts"]["google"]
SEARCH_TERM_FILES = [n for n, f in TRUTH["files"].items() if f["kind"] == "search_terms"]


def _ui_rows(name: str = samplegen.FILE_EN) -> list[dict[str, str]]:
    """Data rows of the English UI download, read with the csv module (no auditor code)."""
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[2:]))))
    return [r for r in rows if not r["Search term"].startswith("Total:")]


def _number(cell: str) -> float:
    return float(cell.replace(",", "")) if cell.strip() not in ("", "--") else 0.0


def _terms(account: str = "google") -> pd.DataFrame:
    return samplegen.truth_terms(account)


def test_generator_rewrites_the_same_bytes(tmp_path: Path) -> None:
    written = samplegen.write_samples(tmp_path)
    assert {p.name for p in written} == {*TRUTH["files"], samplegen.TRUTH_FILE}
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), path.name


def test_every_truth_term_is_a_row_of_the_report_and_nothing_else() -> None:
    rows = _ui_rows()
    in_file = {(r["Search term"], r["Campaign"], r["Ad group"]) for r in rows}
    truth = {(t["search_term"], t["campaign"], t["ad_group"]) for t in GOOGLE["terms"]}
    assert len(rows) == len(in_file) == len(GOOGLE["terms"])
    assert in_file == truth


def test_truth_figures_match_the_report_row_by_row() -> None:
    by_key = {(r["Search term"], r["Campaign"], r["Ad group"]): r for r in _ui_rows()}
    for t in GOOGLE["terms"]:
        row = by_key[(t["search_term"], t["campaign"], t["ad_group"])]
        assert _number(row["Cost"]) == pytest.approx(t["cost"], abs=0.005)
        assert _number(row["Clicks"]) == t["clicks"]
        assert _number(row["Conversions"]) == pytest.approx(t["conversions"], abs=0.005)


def test_report_total_row_equals_the_truth_totals() -> None:
    lines = (SAMPLES / samplegen.FILE_EN).read_text(encoding="utf-8").splitlines()
    total = next(csv.reader([next(x for x in lines if x.startswith("Total: Search terms"))]))
    header = next(csv.reader([lines[2]]))
    cells = dict(zip(header, total, strict=True))
    totals = GOOGLE["totals"]
    assert _number(cells["Cost"]) == pytest.approx(totals["cost"], abs=0.01)
    assert _number(cells["Clicks"]) == totals["clicks"]
    assert _number(cells["Conversions"]) == pytest.approx(totals["conversions"], abs=0.01)


def test_planted_waste_is_expensive_and_never_converts() -> None:
    terms = _terms()
    cpa, cvr = GOOGLE["cpa"], GOOGLE["cvr"]
    waste = terms[terms["is_planted_waste"]]
    assert len(waste) >= 10
    assert (waste["conversions"] == 0).all()
    p_zero = (1 - cvr) ** waste["clicks"]
    clear = (waste["cost"] >= 1.5 * cpa) & (p_zero <= 0.05)
    assert (clear | (waste["cost"] >= 2.5 * cpa)).all()
    assert clear.sum() >= 5 and (~clear).sum() >= 3, "both kinds: significant and not yet"
    assert waste["relevant"].any() and (~waste["relevant"]).any()


def test_only_planted_terms_look_like_clear_waste() -> None:
    terms = _terms()
    cpa, cvr = GOOGLE["cpa"], GOOGLE["cvr"]
    other = terms[(terms["conversions"] == 0) & ~terms["is_planted_waste"]]
    assert (other["cost"] < cpa).all()
    assert ((1 - cvr) ** other["clicks"] > 0.2).all()


def test_account_figures_are_the_figures_of_the_rows() -> None:
    terms = _terms()
    cost, conv = terms["cost"].sum(), terms["conversions"].sum()
    assert GOOGLE["cpa"] == pytest.approx(cost / conv, abs=0.01)
    assert GOOGLE["cvr"] == pytest.approx(conv / terms["clicks"].sum(), abs=1e-4)
    assert 1500 <= len(terms) <= 4000


def test_converting_labels_follow_the_conversions() -> None:
    for account in ("google", "microsoft"):
        terms = _terms(account)
        assert (terms["is_converting"] == (terms["conversions"] > 0)).all()
        assert (terms.loc[terms["is_harvest"], "conversions"] >= 2).all()
        assert terms["is_converting"].sum() >= 30


def test_irrelevant_families_have_misspellings_and_cost_together() -> None:
    terms = _terms()
    irrelevant = terms[terms["is_irrelevant"]]
    assert (irrelevant["conversions"] == 0).all()
    families = GOOGLE["families"]
    assert {"jobs", "free", "used", "kids", "diy", "education", "wrong_meaning"} <= set(families)
    typos = {w for f in families.values() for w, d in f["words"].items() if d["misspelling_of"]}
    assert {"jbos", "jbob", "gratiss", "begagand", "lagga", "kidz", "freee"} <= typos
    assert set(irrelevant.loc[irrelevant["misspelling"], "word"]) == typos
    for name, fam in families.items():
        alone = irrelevant[(irrelevant["family"] == name) & ~irrelevant["is_planted_waste"]]
        assert (alone["cost"] < GOOGLE["cpa"]).all(), name
        if name != "wrong_meaning":
            assert fam["cost"] >= 2 * GOOGLE["cpa"], f"{name} is not costly together"


def test_each_negatable_word_is_shared_by_several_queries() -> None:
    for account in ("google", "microsoft"):
        for name, fam in TRUTH["accounts"][account]["families"].items():
            for word, data in fam["words"].items():
                assert data["terms"] >= 2, (account, name, word)


def _words(text: str) -> list[str]:
    return text.split()


def test_over_blocking_traps_are_in_place() -> None:
    terms = _terms()
    converting = terms[terms["is_converting"]]
    irrelevant = terms[terms["is_irrelevant"]]
    keywords = {k["keyword"] for k in GOOGLE["keywords"]}
    for word in ("free", "kids", "barn", "repair"):
        assert converting["search_term"].map(lambda t, w=word: w in _words(t)).any(), word
        assert irrelevant["search_term"].map(lambda t, w=word: w in _words(t)).any(), word
    assert {"kids hiking boots", "barn vandringskängor", "tent repair kit"} <= keywords
    kids = irrelevant[irrelevant["family"] == "kids"]
    assert not (kids["campaign"] == samplegen.C_BOOTS).any(), "kids boots are a product line"
    brand_jobs = terms[terms["is_brand"] & terms["is_irrelevant"]]
    assert not brand_jobs.empty and (brand_jobs["family"] == "jobs").all()


def test_relevant_noise_never_contains_a_family_word_unless_a_trap() -> None:
    terms = _terms()
    noise = terms[terms["is_relevant_nonconverting"]]
    family_words = {w for f in GOOGLE["families"].values() for w in f["words"]}
    hits = noise["search_term"].map(lambda t: any(w in _words(t) for w in family_words))
    trapped = noise[hits]
    assert not trapped.empty
    allowed = trapped["search_term"].str.contains("free shipping") | (
        trapped["ad_group"] == "Barnkängor"
    )
    assert allowed.all(), trapped.loc[~allowed, "search_term"].tolist()


def test_cannibalised_terms_are_served_by_several_ad_groups() -> None:
    terms = _terms()
    groups = terms.groupby("search_term")["ad_group"].nunique()
    cannibal = terms[terms["is_cannibalised"]]
    assert cannibal["search_term"].nunique() >= 8
    assert (groups[cannibal["search_term"]] >= 2).all()
    assert set(groups[groups >= 2].index) == set(cannibal["search_term"])


def test_close_variants_convert_far_below_their_keyword() -> None:
    terms = _terms()
    worse = terms[terms["is_close_variant_worse"]]
    assert set(worse["match_type"]) <= {"exact_close_variant", "phrase_close_variant"}
    assert worse["keyword"].nunique() >= 3
    for keyword, rows in worse.groupby("keyword"):
        own = terms[(terms["keyword"] == keyword) & ~terms["match_type"].str.endswith("variant")]
        own_rate = own["conversions"].sum() / own["clicks"].sum()
        assert rows["conversions"].sum() / rows["clicks"].sum() < own_rate / 2, keyword


def test_bought_keywords_cover_all_match_types() -> None:
    kinds = {k["match_type"] for k in GOOGLE["keywords"]}
    assert kinds == {"exact", "phrase", "broad"}
    statuses = {k["status"] for k in GOOGLE["keywords"]}
    assert statuses == {"enabled", "paused"}


def test_raw_formats_are_the_platforms_own() -> None:
    utf16 = (SAMPLES / samplegen.FILE_UTF16).read_bytes()
    assert utf16.startswith(b"\xff\xfe")
    text16 = utf16[2:].decode("utf-16-le")
    assert text16.splitlines()[2].startswith("Search term\tMatch type\tAdded/Excluded\t")
    sv = (SAMPLES / samplegen.FILE_SV).read_text(encoding="utf-8")
    assert sv.splitlines()[1] == "1 oktober 2026 - 30 oktober 2026"
    assert sv.splitlines()[2].startswith("Sökterm;Matchningstyp;")
    assert "Totalt: Andra söktermer;" in sv and "\u00a0" in sv
    ms = (SAMPLES / samplegen.FILE_MICROSOFT).read_text(encoding="utf-8-sig")
    assert ms.startswith('"Report Name: Search term report"')
    assert ms.rstrip().endswith('"©2026 Microsoft Corporation. All rights reserved. "')
    api = (SAMPLES / samplegen.FILE_API).read_text(encoding="utf-8")
    assert "NEAR_EXACT" in api and "metrics.cost_micros" in api.splitlines()[0]
    en = (SAMPLES / samplegen.FILE_EN).read_text(encoding="utf-8")
    assert '"""vandringskängor dam"""' in en and '"Generic - Kängor, Skor"' in en


@pytest.mark.parametrize("name", sorted(TRUTH["files"]))
def test_each_sample_reads_with_the_truths_totals(name: str) -> None:
    entry = TRUTH["files"][name]
    report = read_report(
        SAMPLES / name, role="keywords" if entry["kind"] == "keywords" else "report"
    )
    assert report.kind == entry["kind"]
    assert len(report.table) == entry["rows"]
    assert not report.skipped
    assert report.currency == "SEK"
    allowance = max(0.01, 0.005 * entry["rows"] / 1000)
    for metric, expected in entry["totals"].items():
        got = float(report.table[metric].sum())
        assert math.isclose(got, expected, abs_tol=allowance), (metric, got, expected)
    if entry["hidden"]:
        other = report.file_totals["other_search_terms"]["cost"]
        assert other == pytest.approx(entry["hidden"]["cost"], abs=0.01)


@pytest.mark.parametrize("name", SEARCH_TERM_FILES)
def test_each_sample_reads_into_the_truths_rows(name: str) -> None:
    entry = TRUTH["files"][name]
    account = TRUTH["accounts"][entry["account"]]
    report = read_report(SAMPLES / name)
    keys = ["search_term", "campaign", "ad_group"]
    got = report.table.set_index(keys).sort_index()
    want = pd.DataFrame(account["terms"]).set_index(keys).sort_index()
    assert got.index.equals(want.index)
    assert (got["cost"].round(2) == want["cost"]).all()
    assert (got["conversions"].round(2) == want["conversions"]).all()
    expected_match = want["match_type"]
    if entry["format"].startswith("microsoft"):
        expected_match = expected_match.str.replace("_close_variant", "")
    assert (got["match_type"] == expected_match).all()
    if entry["format"] != "google_api":
        assert report.period is not None
        period = (str(report.period.start), str(report.period.end))
        assert period == (account["period"]["start"], account["period"]["end"])


def _largegen() -> ModuleType:
    """bench/largegen.py (bench/ is scripts, not a package)."""
    path = Path(__file__).resolve().parent.parent / "bench" / "largegen.py"
    spec = importlib.util.spec_from_file_location("largegen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_report_reads_with_its_own_totals(tmp_path: Path) -> None:
    largegen = _largegen()
    path = tmp_path / "large.csv"
    path.write_bytes(largegen.render_report(6000, seed=3))
    report = read_report(path)
    table = report.table
    assert len(table) == 6000 and not report.skipped
    assert 0.55 <= table["search_term"].nunique() / len(table) <= 0.65
    listed = report.file_totals["search_terms"]
    for metric in ("cost", "clicks", "impressions", "conversions", "conversion_value"):
        assert float(table[metric].sum()) == pytest.approx(listed[metric], abs=0.05), metric
    share = report.file_totals["other_search_terms"]["cost"] / (
        listed["cost"] + report.file_totals["other_search_terms"]["cost"]
    )
    assert share == pytest.approx(0.4, abs=0.01)
    assert (table["conversions"] > 0).sum() >= 20
    assert (table["cost"] > 100).any(), "a long tail has a few expensive terms"


def test_bench_queries_are_unique_and_come_in_misspelling_families() -> None:
    queries = _largegen().make_queries(5000, seed=1)
    assert len(queries) == len(set(queries)) == 5000
    words = {w for q in queries for w in q.split()}
    assert {"jobs", "jbos", "free", "freee", "kids", "kidz"} <= words
    swapped = {q.replace("jbos", "jobs") for q in queries if "jbos" in q.split()}
    assert swapped & set(queries), "a misspelt query has its correctly spelt sibling"


def test_keyword_report_reads_as_the_truths_bought_keywords() -> None:
    table = read_report(SAMPLES / samplegen.FILE_KEYWORDS, role="keywords").table
    cols = ["keyword", "keyword_match_type", "campaign", "ad_group", "status"]
    got = set(table[cols].itertuples(index=False, name=None))
    want = {
        (k["keyword"], k["match_type"], k["campaign"], k["ad_group"], k["status"])
        for k in GOOGLE["keywords"]
    }
    assert got == want
