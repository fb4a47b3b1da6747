"""Negative-keyword semantics: the case table in tests/data/matching_cases.toml, and levels."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditor import schema
from auditor.terms.matching import (
    blocks,
    blocks_query,
    effective_match_type,
    normalize,
    pad_words,
    padded_block_hits,
    padded_block_mask,
    scope_mask,
    stable_order,
    term_index,
    words,
)

CASES = tomllib.loads((Path(__file__).parent / "data" / "matching_cases.toml").read_text())["case"]


@pytest.mark.parametrize("platform", ["google", "microsoft"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c['negative']}|{c['query']}" for c in CASES])
def test_case_table(case: dict, platform: str) -> None:
    got = blocks_query(case["negative"], case["match"], case["query"], platform)
    assert got is case[platform], case["why"]


@pytest.mark.parametrize("platform", ["google", "microsoft"])
def test_whole_column_agrees_with_one_by_one(platform: str) -> None:
    queries = pd.Series([c["query"] for c in CASES], index=range(100, 100 + len(CASES)))
    for case in CASES:
        mask = blocks(case["negative"], case["match"], queries, platform)
        assert list(mask.index) == list(queries.index)
        expected = [blocks_query(case["negative"], case["match"], q, platform) for q in queries]
        assert mask.tolist() == expected


def test_microsoft_broad_is_phrase_and_unknown_types_are_refused() -> None:
    assert effective_match_type("broad", "microsoft") == "phrase"
    assert effective_match_type("broad", "google") == "broad"
    with pytest.raises(ValueError, match="match type"):
        effective_match_type("broad match modifier", "google")


def test_words_drop_separators_and_old_modifier_plus() -> None:
    assert words(' +Free  "Download", ') == ["free", "download"]


def _table() -> pd.DataFrame:
    t = schema.empty_table(4)
    t["search_term"] = pd.array(
        ["hiking boots jobs", "hiking boots jobs", "boot repair", "jobs"], dtype="string[pyarrow]"
    )
    t["campaign"] = pd.array(["Boots", "Tents", "Boots", "Boots"], dtype="string[pyarrow]")
    t["ad_group"] = pd.array(["Hiking", "Family", "Repair", "Hiking"], dtype="string[pyarrow]")
    return t


def test_levels_limit_what_a_negative_reaches() -> None:
    index = term_index(_table())
    hit = index.row_mask("jobs", "broad")
    assert hit.tolist() == [True, True, False, True]
    ad_group = hit & scope_mask(index, "ad_group", "Boots", "Hiking")
    assert ad_group.tolist() == [True, False, False, True]
    campaign = hit & scope_mask(index, "campaign", "Tents")
    assert campaign.tolist() == [False, True, False, False]
    shared = hit & scope_mask(index, "shared_list", campaigns=["Boots", "Tents"])
    assert shared.tolist() == [True, True, False, True]


def test_term_index_is_cached_per_table_and_rebuilt_for_another() -> None:
    table = _table()
    assert term_index(table) is term_index(table)
    other = _table()
    other.loc[0, "search_term"] = "tent repair"
    assert not term_index(other).row_mask("jobs", "phrase")[0]
    assert np.array_equal(
        term_index(table).row_mask("boots jobs", "phrase"),
        blocks("boots jobs", "phrase", table["search_term"]).to_numpy(),
    )


@pytest.mark.parametrize("platform", ["google", "microsoft"])
def test_word_index_agrees_with_the_case_table(platform: str) -> None:
    t = schema.empty_table(len(CASES))
    t["search_term"] = pd.array([c["query"] for c in CASES], dtype="string[pyarrow]")
    index = term_index(t)
    for case in CASES:
        mask = index.row_mask(case["negative"], case["match"], platform)
        expected = blocks(case["negative"], case["match"], t["search_term"], platform)
        assert mask.tolist() == expected.tolist(), case["why"]
        rows = np.sort(index.blocked_rows(case["negative"], case["match"], platform))
        assert rows.tolist() == np.flatnonzero(mask).tolist()


@pytest.mark.parametrize("platform", ["google", "microsoft"])
def test_few_texts_are_matched_as_the_arrow_mask_does(platform: str) -> None:
    padded = pad_words(normalize([c["query"] for c in CASES]))
    for case in CASES:
        mask = padded_block_mask(padded, case["negative"], case["match"], platform)
        hits = padded_block_hits(padded.to_pylist(), case["negative"], case["match"], platform)
        assert hits == np.flatnonzero(mask).tolist(), case["why"]


def test_stable_order_is_a_stable_argsort() -> None:
    keys = np.random.default_rng(5).integers(0, 50, 10_000)
    for some in (keys, keys[:1], keys[:0], np.array([2**61, 1, 2**61])):
        assert stable_order(some).tolist() == np.argsort(some, kind="stable").tolist()
