"""N-gram table: every 1-3 word n-gram with the summed figures of the terms holding it."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from auditor import schema
from auditor.terms.ngrams import ngram_table

TERMS = [
    ("hiking boots", 12.5, 10, 1.0),
    ("Hiking Boots", 2.5, 2, 0.0),
    ("hiking boots jobs", 8.0, 6, 0.0),
    ("hiking  boots jobs", 1.0, 1, 0.0),
    ("womens hiking boots sale", 20.0, 14, 2.0),
    ("new york new york boots", 3.0, 3, 0.0),
    ("boots", 40.0, 30, 3.0),
    (None, 9.0, 3, 0.0),
]


def _table(rows: list[tuple]) -> pd.DataFrame:
    t = schema.empty_table(len(rows))
    t["search_term"] = pd.array([r[0] for r in rows], dtype="string[pyarrow]")
    t["cost"] = [r[1] for r in rows]
    t["clicks"] = [float(r[2]) for r in rows]
    t["conversions"] = [r[3] for r in rows]
    return t


def _naive(rows: list[tuple]) -> dict[str, tuple[float, float, float, int]]:
    """One term at a time, each n-gram once per distinct lower-cased term."""
    per_term: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for text, cost, clicks, conv in rows:
        if text is None:
            continue
        key = " ".join(text.lower().split())
        per_term[key] = [a + b for a, b in zip(per_term[key], (cost, clicks, conv), strict=True)]
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for term, figures in per_term.items():
        w = term.split()
        grams = {" ".join(w[i : i + n]) for n in (1, 2, 3) for i in range(len(w) - n + 1)}
        for g in grams:
            o = out[g]
            out[g] = [o[0] + figures[0], o[1] + figures[1], o[2] + figures[2], o[3] + 1]
    return {k: tuple(v) for k, v in out.items()}


def test_matches_a_term_by_term_count() -> None:
    got = ngram_table(_table(TERMS)).set_index("ngram")
    expected = _naive(TERMS)
    assert set(got.index) == set(expected)
    for gram, (cost, clicks, conv, terms) in expected.items():
        row = got.loc[gram]
        assert row["cost"] == pytest.approx(cost)
        assert row["clicks"] == pytest.approx(clicks)
        assert row["conversions"] == pytest.approx(conv)
        assert row["terms"] == terms
        assert row["n"] == len(gram.split())


def test_repeated_words_count_once_per_term() -> None:
    got = ngram_table(_table(TERMS)).set_index("ngram")
    assert got.loc["new york", "terms"] == 1
    assert got.loc["new york", "cost"] == pytest.approx(3.0)


def test_unknown_metric_stays_unknown() -> None:
    got = ngram_table(_table(TERMS))
    assert got["conversion_value"].isna().all()
    assert got["cost"].notna().all()


def test_sizes_and_empty_table() -> None:
    only_pairs = ngram_table(_table(TERMS), sizes=(2,))
    assert set(only_pairs["n"]) == {2}
    empty = ngram_table(schema.empty_table(0))
    assert list(empty.columns) == [
        "ngram",
        "n",
        "cost",
        "clicks",
        "impressions",
        "conversions",
        "conversion_value",
        "terms",
        "clicked_terms",
    ]
    assert len(empty) == 0


def test_clicked_terms_count_only_terms_with_a_click() -> None:
    """The n-gram rules count the terms with clicks; `clicked_terms` counts the same."""
    rows = [*TERMS, ("cheap boots", 0.0, 0, 0.0), ("boots outlet", 0.0, 0, 0.0)]
    got = ngram_table(_table(rows)).set_index("ngram")
    assert got.loc["boots", "terms"] == 7  # case and spacing variants are one term
    assert got.loc["boots", "clicked_terms"] == 5
    assert got.loc["cheap", "clicked_terms"] == 0


def test_random_account_against_naive() -> None:
    rng = np.random.default_rng(7)
    vocab = ["hiking", "boots", "jobs", "free", "tent", "cheap", "used", "kids", "sale"]
    rows = [
        (" ".join(rng.choice(vocab, size=rng.integers(1, 6))), float(c), int(k), float(v))
        for c, k, v in zip(
            rng.random(300) * 10, rng.integers(0, 9, 300), rng.random(300) < 0.1, strict=True
        )
    ]
    got = ngram_table(_table(rows)).set_index("ngram")
    expected = _naive(rows)
    assert len(got) == len(expected)
    for gram, (cost, _, conv, terms) in expected.items():
        assert got.loc[gram, "cost"] == pytest.approx(cost)
        assert got.loc[gram, "conversions"] == pytest.approx(conv)
        assert got.loc[gram, "terms"] == terms


def test_costly_ngrams_holding_a_phrase_are_those_a_full_scan_finds() -> None:
    from pathlib import Path

    from auditor.readers import read_report
    from auditor.terms.ngrams import costly_ngrams_holding

    samples = Path(__file__).resolve().parents[1] / "sample_reports"
    report = read_report(samples / "google-ads-search-terms-en.csv").table
    grams = ngram_table(report)
    padded = " " + grams["ngram"].astype(str) + " "
    costly = (grams["n"] >= 2) & (grams["cost"] > 0)
    probes = [*grams.loc[grams["n"] == 1, "ngram"].astype(str)[:150], "hiking boots", "x y"]
    probes += grams.loc[grams["n"] == 2, "ngram"].astype(str)[:100].tolist()
    copied = grams.copy()  # not made by ngram_table: its texts are split instead
    rows = np.flatnonzero((grams["n"] == 1) | costly)
    assert len(rows) < len(grams)
    part = ngram_table(report, keep=lambda *_: rows)  # the word codes of every costly n-gram
    short = ngram_table(report, keep=lambda *_: rows[1::2])  # lacks some: its texts are split
    for text in probes:
        want = grams[costly & padded.str.contains(f" {text} ", regex=False)].index
        assert costly_ngrams_holding(grams, text).index.tolist() == want.tolist(), text
        assert costly_ngrams_holding(copied, text).index.tolist() == want.tolist(), text
        got = rows[costly_ngrams_holding(part, text).index]
        assert got.tolist() == want.tolist(), text
        got = rows[1::2][costly_ngrams_holding(short, text).index]
        assert got.tolist() == want.intersection(rows[1::2]).tolist(), text


def test_kept_rows_are_those_rows_of_the_whole_table() -> None:
    rng = np.random.default_rng(11)
    vocab = ["new", "york", "boots", "hiking", "jobs", "free", "tent"]
    rows = [*TERMS, ("", 1.0, 1, 0.0), ("--", 2.0, 1, 0.0), ("new york new york", 3.0, 2, 0.0)]
    rows += [(" ".join(rng.choice(vocab, size=rng.integers(1, 6))), 1.0, 1, 0.0) for _ in range(60)]
    table = _table(rows)
    for sizes in ((1, 2, 3), (1, 3), (2,), (3, 1)):
        whole = ngram_table(table, sizes)
        texts = whole["ngram"].astype(str)
        probes = [*texts[::3], "york new york", "boots hiking x", "new  york", " new", "", "tent"]
        assert ngram_table(table, sizes, keep=lambda _, find: find(["x y", "new x y"])).empty
        picks = [
            lambda c: np.flatnonzero(c["cost"] > 2),
            lambda c: np.zeros(0, dtype=np.int64),
            lambda c: np.arange(len(c["n"])),
            lambda c: np.flatnonzero(rng.random(len(c["n"])) < 0.3),
        ]
        for pick in picks:
            seen: dict[str, np.ndarray] = {}

            def keep(columns, find, pick=pick, seen=seen, probes=probes):
                seen["found"] = find(probes)
                seen["chosen"] = pick(columns)
                return seen["chosen"]

            got = ngram_table(table, sizes, keep=keep)
            want = whole.iloc[seen["chosen"]].reset_index(drop=True)
            assert got.equals(want), sizes
            assert seen["found"].tolist() == np.flatnonzero(texts.isin(probes)).tolist(), sizes


def test_some_rows_count_as_the_table_of_those_rows_alone() -> None:
    table = _table(TERMS * 3)
    for rows in ([6, 0, 7, 2, 9, 4], [1, 3], [], list(range(len(table)))[::-2]):
        alone = ngram_table(table.iloc[rows].reset_index(drop=True))
        assert ngram_table(table, rows=np.array(rows, dtype=np.int64)).equals(alone), rows


def test_costliest_keeps_what_every_consumer_takes_of_the_whole_table() -> None:
    from auditor.output.xlsx import NGRAM_ROWS, ngram_rows
    from auditor.review.frames import prepare_ngrams
    from auditor.review.rows import NGRAM_CAP
    from auditor.terms.ngrams import KEPT, costliest

    assert NGRAM_CAP <= KEPT and NGRAM_ROWS <= KEPT
    rng = np.random.default_rng(3)
    size = 400
    cost = rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, np.nan], size=size)
    grams = pd.DataFrame(
        {
            "ngram": pd.array([f"g{i}" for i in range(size)], dtype="string[pyarrow]"),
            "n": rng.integers(1, 4, size),
            "cost": cost,
            "clicks": rng.integers(0, 5, size).astype(float),
            "conversions": rng.choice([0.0, 1.0, np.nan], size=size),
            "conversion_value": 0.0,
            "clicked_terms": rng.integers(0, 5, size),
        }
    )
    known = int((~np.isnan(cost)).sum())
    for limit in (1, 37, 150, known, known + 5, size):
        kept = costliest(grams, limit)
        assert len(kept) == limit
        assert kept.index.is_monotonic_increasing
        for k in (1, limit // 2, limit):
            want = grams.nlargest(k, "cost")
            assert kept.nlargest(k, "cost").index.tolist() == want.index.tolist(), (limit, k)
        if limit == known + 5:
            assert kept["cost"].isna().sum() == 5
    assert costliest(grams, size + 1) is grams
    small = costliest(grams, 150)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("auditor.review.frames.NGRAM_CAP", 100)
        patch.setattr("auditor.output.xlsx.NGRAM_ROWS", 120)
        assert prepare_ngrams(small).equals(prepare_ngrams(grams))
        assert ngram_rows(small) == ngram_rows(grams)
