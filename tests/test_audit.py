"""The audit as one pipeline: stages that change each other's results."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from auditor import schema
from auditor.audit import ALREADY_NEGATED, _EarlyNgrams, audit
from auditor.config import Settings
from auditor.inputs import _KEYWORD_COLUMNS, _first_rows, _keywords, build_context
from auditor.model import Finding

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
REPORT = SAMPLES / "google-ads-search-terms-en.csv"


def test_findings_on_terms_the_account_already_negates_drop_to_info(tmp_path: Path) -> None:
    existing = tmp_path / "negatives.txt"
    existing.write_text("jobb\n[skidjacka]\n", encoding="utf-8")
    before = audit([REPORT], Settings())
    after = audit([REPORT], Settings(existing_negatives=(existing,)))

    def subject(f: Finding) -> str | None:
        return f.search_term or f.ngram

    was = {(f.rule, subject(f)): f.severity for f in before.findings}
    now = {(f.rule, subject(f)): f for f in after.findings}
    assert was[("WASTE001", "skidjacka")] == "high"
    assert now[("WASTE001", "skidjacka")].severity == "info"
    assert now[("WASTE001", "skidjacka")].message.endswith(ALREADY_NEGATED)
    assert now[("WASTE004", "jobb")].severity == "info"
    assert now[("WASTE001", "fjallgear jobb")].severity == "info", "phrase `jobb` blocks it"
    negated = {"skidjacka", "jobb"}
    untouched = [k for k in now if not negated & set(str(k[1]).split())]
    assert untouched
    assert all(now[k].severity == was[k] for k in untouched if k in was)


def test_the_json_says_what_the_proposals_cover_once() -> None:
    result = audit([REPORT], Settings())
    per_proposal = sum(p.blocked_cost for p in result.negatives)
    assert result.negatives_covered_cost is not None
    assert 0 < result.negatives_covered_cost <= per_proposal + 0.005


def test_tracking_files_in_a_folder_keep_their_kinds_and_roles() -> None:
    result = audit([SAMPLES / "tracking" / "faulty"], Settings())
    roles = {i.path.name: (i.kind, i.role) for i in result.inputs}
    assert roles["conversions.csv"] == ("conversions", "report")
    assert roles["by-action.csv"] == ("search_terms", "by_action")


def test_an_account_that_records_no_conversion_is_a_tracking_alarm(tmp_path: Path) -> None:
    with REPORT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[2]
    zero = [header.index(c) for c in ("Conversions", "Conv. value", "Conv. rate", "Cost / conv.")]
    for r in rows[3:]:
        for i in zero:
            if len(r) > i and r[i] not in ("", " --"):
                r[i] = "0"
    silent = tmp_path / "silent.csv"
    with silent.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = audit([silent], Settings(target_cpa=150.0))
    (alarm,) = [f for f in result.findings if f.check == "no_conversions"]
    assert alarm.severity == "high" and alarm.clicks == result.totals["clicks"]
    waste = [f for f in result.findings if f.category == "waste"]
    assert waste and all("TRACK011" in f.metrics.get("tracking_caveat", []) for f in waste)
    assert not any(f.severity == "high" for f in waste)
    assert any("nothing converts" in n for n in result.notes)


def test_a_keyword_report_alone_says_what_to_add() -> None:
    result = audit([SAMPLES / "google-ads-keywords-en.csv"], Settings())
    assert any("add the search-terms report" in n for n in result.notes)


def test_proposals_count_only_spend_the_existing_negatives_do_not_block(tmp_path: Path) -> None:
    existing = tmp_path / "negatives.csv"
    existing.write_text(
        'Campaign,Ad group,Keyword,Criterion Type\n"Generic - Kängor, Skor",,"""jobb""",'
        "Campaign Negative Phrase\n",
        encoding="utf-8",
    )
    before = {p.text: p for p in audit([REPORT], Settings()).negatives}
    after = {p.text: p for p in audit([REPORT], Settings(existing_negatives=(existing,))).negatives}
    assert after["jobb"].blocked_cost < before["jobb"].blocked_cost
    assert "not counting" in after["jobb"].reason


def fresh_codes(column: pd.Series) -> tuple[list[int], list[str]]:
    """`schema.text_codes` of a copy of the column's arrow data (nothing cached for it)."""
    copy = pa.chunked_array(column.array.__arrow_array__().chunks)
    codes, texts = schema.text_codes(pd.Series(pd.arrays.ArrowStringArray(copy)))
    return codes.tolist(), texts.to_pylist()


def random_texts(rng: np.random.Generator, n: int, values: int) -> pd.Series:
    """`n` texts out of `values` distinct ones, some missing."""
    pool = np.array([f"v{i}" for i in range(values)], dtype=object)
    texts = pool[rng.integers(0, values, n)]
    texts[rng.random(n) < 0.1] = None
    return pd.Series(texts, dtype=schema.STRING_DTYPE)


@pytest.mark.parametrize(("seed", "with_keyword"), [(0, 1.0), (1, 0.6), (2, 0.02)])
def test_bought_keywords_from_codes_are_what_dropping_duplicates_gives(
    seed: int, with_keyword: float
) -> None:
    """`_keywords` (codes stacked, first rows found by hashing) against the plain pandas form,
    the one it falls back to without search-term keywords; the columns' codes known."""
    rng = np.random.default_rng(seed)
    cols = list(_KEYWORD_COLUMNS)
    tables = [pd.DataFrame({c: random_texts(rng, 400, n) for c in cols}) for n in (6, 9)]
    terms = pd.DataFrame({c: random_texts(rng, 900, 8) for c in cols})
    terms.loc[rng.random(900) >= with_keyword, "keyword"] = pd.NA
    reports = [SimpleNamespace(kind=schema.KIND_KEYWORDS, table=t) for t in tables]
    got = _keywords(reports, terms)  # type: ignore[arg-type]
    from_terms = terms.loc[terms["keyword"].notna(), cols].assign(status=pd.NA)
    want = pd.concat([*tables, from_terms], ignore_index=True).drop_duplicates(ignore_index=True)
    pd.testing.assert_frame_equal(got, want.astype(schema.STRING_DTYPE))
    for col in cols:
        codes, texts = schema.text_codes(got[col])
        assert (codes.tolist(), texts.to_pylist()) == fresh_codes(got[col])


def test_first_rows_of_wide_codes_are_those_pandas_finds() -> None:
    """Code columns whose combined numbering overflows 62 bits (renumbered on the way)."""
    rng = np.random.default_rng(3)
    pool = rng.integers(-1, 1 << 20, size=(50, 5))
    codes = pool[rng.integers(0, 50, 2_000)]
    want = pd.DataFrame(codes).drop_duplicates().index.to_numpy()
    assert _first_rows(list(codes.T.copy()), len(codes)).tolist() == want.tolist()
    assert _first_rows([], 0).tolist() == []


@pytest.mark.parametrize("threads", ["1", "2"])
def test_the_search_terms_are_read_with_their_codes(
    threads: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoded by the proposals' n-gram table, which the audit starts once they are read
    (in a second thread while the keyword reports are read, or when the proposals ask)."""
    monkeypatch.setenv("AUDITOR_THREADS", threads)
    early = _EarlyNgrams(Settings())
    terms = build_context([REPORT], Settings(), on_terms=early.start).table["search_term"]
    assert early.result() is not None
    assert id(terms.array.__arrow_array__()) in schema._ENCODED
    codes, texts = schema.text_codes(terms)
    assert (codes.tolist(), texts.to_pylist()) == fresh_codes(terms)


def test_a_report_without_a_keyword_column_adds_no_empty_bought_keyword() -> None:
    """An API dump has no Keyword column: the bought keywords are the keyword report's, with
    no all-empty row beside them (there was one)."""
    api = REPORT.parent / "google-ads-api-search-terms.csv"
    assert build_context([api], Settings()).keywords.empty
    bought = REPORT.parent / "google-ads-keywords-en.csv"
    keywords = build_context([api], Settings(keywords=(bought,))).keywords
    assert len(keywords) and keywords.notna().any(axis=1).all()
