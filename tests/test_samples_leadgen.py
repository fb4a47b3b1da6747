"""The solar lead-generation sample (`tools.samplegen.leadgen`): reproducible, readable, and
holding the facts it promises (free quotes convert, families never do, each costs 2+ CPAs)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from auditor.readers import read_report
from tools.samplegen import leadgen as gen

SAMPLES = gen.SAMPLE_DIR
TRUTH = gen.load_truth()
ACCOUNT = TRUTH["accounts"][gen.ACCOUNT_KEY]
FAMILIES = ("jobs", "diy", "free", "education", "wrong_meaning", "competitor", "used")


@pytest.fixture(scope="module")
def terms() -> pd.DataFrame:
    return gen.truth_terms()


def _ui_rows() -> list[dict[str, str]]:
    """Data rows of the search-terms download, read with the csv module (no auditor code)."""
    lines = (SAMPLES / gen.FILE_EN).read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[2:]))))
    return [r for r in rows if not r["Search term"].startswith("Total:")]


def test_two_runs_write_the_same_bytes_as_the_committed_files(tmp_path: Path) -> None:
    first = gen.write_samples(tmp_path / "a")
    second = gen.write_samples(tmp_path / "b")
    assert {p.name for p in first} == {gen.FILE_EN, gen.FILE_KEYWORDS, gen.TRUTH_FILE}
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes() == (SAMPLES / a.name).read_bytes(), a.name


def test_main_writes_into_out(tmp_path: Path) -> None:
    lines: list[str] = []
    assert gen.main(["--out", str(tmp_path)], echo=lines.append) == 0
    assert len(lines) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [gen.FILE_EN, gen.FILE_KEYWORDS, gen.TRUTH_FILE]
    )


def test_the_reader_reads_the_truth_totals() -> None:
    report = read_report(SAMPLES / gen.FILE_EN)
    entry = TRUTH["files"][gen.FILE_EN]
    assert report.kind == "search_terms"
    assert report.currency == "USD"
    assert len(report.table) == entry["rows"] == len(ACCOUNT["terms"])
    assert report.table["cost"].sum() == pytest.approx(ACCOUNT["totals"]["cost"], abs=0.01)
    assert report.table["clicks"].sum() == ACCOUNT["totals"]["clicks"]
    assert report.table["conversions"].sum() == pytest.approx(ACCOUNT["totals"]["conversions"])
    other = report.file_totals["other_search_terms"]
    assert other["cost"] == pytest.approx(ACCOUNT["hidden"]["cost"], abs=0.01)
    assert not report.notes


def test_the_keyword_report_is_read_with_every_bought_keyword() -> None:
    report = read_report(SAMPLES / gen.FILE_KEYWORDS)
    assert report.kind == "keywords"
    rows = TRUTH["files"][gen.FILE_KEYWORDS]["rows"]
    assert len(report.table) == len(ACCOUNT["keywords"]) == rows
    assert {k["match_type"] for k in ACCOUNT["keywords"]} == {"exact", "phrase", "broad"}
    assert {k["status"] for k in ACCOUNT["keywords"]} == {"enabled", "paused"}


def test_truth_rows_are_the_report_rows() -> None:
    rows = _ui_rows()
    in_file = {(r["Search term"], r["Campaign"], r["Ad group"]): r for r in rows}
    assert len(in_file) == len(rows) == len(ACCOUNT["terms"])
    for t in ACCOUNT["terms"]:
        row = in_file[(t["search_term"], t["campaign"], t["ad_group"])]
        assert float(row["Cost"]) == pytest.approx(t["cost"], abs=0.005)
        assert int(row["Clicks"].replace(",", "")) == t["clicks"]
        assert float(row["Conversions"]) == pytest.approx(t["conversions"])
        assert row["Currency code"] == "USD"


def test_account_shape(terms: pd.DataFrame) -> None:
    assert 600 <= len(terms) <= 900
    assert 0.05 <= ACCOUNT["cvr"] <= 0.08
    assert 3 <= terms["campaign"].nunique() <= 4
    assert 8 <= terms["ad_group"].nunique() <= 10
    assert 25 <= len(ACCOUNT["keywords"]) <= 35
    values = terms.loc[terms["conversions"] > 0]
    assert (values["conversion_value"] == values["conversions"] * ACCOUNT["lead_value"]).all()


def test_free_quote_and_estimate_terms_convert(terms: pd.DataFrame) -> None:
    free = terms[
        terms["search_term"].str.contains("free")
        & terms["search_term"].str.contains("quote|estimate")
    ]
    assert len(free) >= 6
    assert (free["conversions"] > 0).all()
    assert free["relevant"].all() and free["buying_question"].all()
    for q in ("free solar quote", "free solar estimate"):
        assert terms.loc[terms["search_term"] == q, "conversions"].sum() >= 5


@pytest.mark.parametrize(
    "term",
    [
        "solar panel cost",
        "how much do solar panels cost",
        "solar installers near me",
        "solar financing",
        "solar lease vs buy",
        "solar loan rates",
        "solar panel installation company",
        "price of solar panels for home",
    ],
)
def test_buying_questions_convert(terms: pd.DataFrame, term: str) -> None:
    rows = terms[terms["search_term"] == term]
    assert len(rows) == 1
    assert rows["conversions"].iloc[0] > 0
    assert rows["buying_question"].iloc[0] and rows["relevant"].iloc[0]


def test_some_buying_questions_do_not_convert_but_stay_relevant(terms: pd.DataFrame) -> None:
    quiet = terms[terms["buying_question"] & (terms["conversions"] == 0)]
    assert len(quiet) >= 10
    assert quiet["relevant"].all() and quiet["family"].isna().all()


def test_every_family_term_has_zero_conversions(terms: pd.DataFrame) -> None:
    family = terms[terms["family"].notna()]
    assert set(family["family"]) == set(FAMILIES)
    assert (family["conversions"] == 0).all()
    assert not family["relevant"].any() and not family["buying_question"].any()
    assert family["is_irrelevant"].all()
    assert (family["cost"] < ACCOUNT["cpa"]).all(), "cheap one by one"


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_costs_at_least_two_cpas(terms: pd.DataFrame, family: str) -> None:
    cost = terms.loc[terms["family"] == family, "cost"].sum()
    assert cost >= 2 * ACCOUNT["cpa"]
    assert ACCOUNT["families"][family]["cost"] == pytest.approx(cost, abs=0.01)


def test_brand_terms_convert(terms: pd.DataFrame) -> None:
    for q in ("sunpeak solar", "sun peak solar"):
        row = terms[terms["search_term"] == q]
        assert row["is_brand"].all() and (row["conversions"] > 0).all()
    assert not terms.loc[terms["family"].notna(), "is_brand"].any()


def test_expensive_relevant_non_converters_are_planted(terms: pd.DataFrame) -> None:
    waste = terms[terms["is_planted_waste"]]
    assert (waste["conversions"] == 0).all()
    home = waste[waste["search_term"] == "solar panels for home"]
    assert len(home) == 1 and home["relevant"].all()
    assert home["cost"].iloc[0] >= 2.5 * ACCOUNT["cpa"] and home["clicks"].iloc[0] >= 40
    other = terms[~terms["is_planted_waste"] & (terms["conversions"] == 0)]
    assert (other["cost"] < ACCOUNT["cpa"]).all()


def test_traps_keep_their_sense(terms: pd.DataFrame) -> None:
    by_term = terms.set_index("search_term")
    assert by_term.at["home solar system cost", "conversions"] > 0
    assert by_term.at["solar system planets", "family"] == "wrong_meaning"
    assert by_term.at["solar installer jobs near me", "family"] == "jobs"
    assert by_term.at["free solar panels government program", "family"] == "free"
    assert by_term.at["tesla solar roof cost", "family"] == "competitor"
