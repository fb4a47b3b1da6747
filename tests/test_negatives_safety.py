"""Safety of a negative: its blast radius in the report, at its level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditor import schema
from auditor.config import Settings
from auditor.model import NegativeProposal
from auditor.negatives.safety import check_proposal, keyword_scopes, limit_problems
from auditor.terms.matching import blocks, word_set, words

ROWS = [
    # term, campaign, ad group, clicks, cost, conversions, value
    ("hiking boots jobs", "Boots", "Hiking", 12, 30.0, 0, 0),
    ("jobs hiking boots", "Tents", "Family", 4, 9.0, 0, 0),
    ("steve jobs biography", "Boots", "Hiking", 3, 6.0, 0, 0),
    ("hiking boots", "Boots", "Hiking", 80, 160.0, 6, 540.0),
    ("free shipping hiking boots", "Boots", "Hiking", 20, 44.0, 1, 90.0),
    ("free hiking boots", "Boots", "Hiking", 7, 14.0, 0, 0),
    ("acme boots", "Brand", "Acme", 30, 20.0, 4, 300.0),
    ("boot repair kit", "Boots", "Repair", 5, 11.0, 0, 25.0),
]


def _table() -> pd.DataFrame:
    t = schema.empty_table(len(ROWS))
    for i, col in enumerate(["search_term", "campaign", "ad_group"]):
        t[col] = pd.array([r[i] for r in ROWS], dtype="string[pyarrow]")
    for i, col in enumerate(["clicks", "cost", "conversions", "conversion_value"], start=3):
        t[col] = [float(r[i]) for r in ROWS]
    return t


KEYWORDS = pd.DataFrame(
    {
        "keyword": pd.array(["hiking boots", "tents for families"], dtype="string[pyarrow]"),
        "campaign": pd.array(["Boots", "Tents"], dtype="string[pyarrow]"),
        "ad_group": pd.array(["Hiking", "Family"], dtype="string[pyarrow]"),
    }
)


def _neg(text: str, match: str = "phrase", level: str = "campaign", **kw) -> NegativeProposal:
    return NegativeProposal(id="t", text=text, match_type=match, level=level, **kw)


def test_safe_negative_reports_its_blast_radius() -> None:
    verdict = check_proposal(_neg("jobs", campaign="Boots"), _table(), KEYWORDS, Settings())
    assert verdict.safe, verdict.reasons
    assert verdict.blocked_terms == ["hiking boots jobs", "steve jobs biography"]
    assert verdict.blocked_cost == pytest.approx(36.0)
    assert verdict.blocked_clicks == pytest.approx(15)
    assert verdict.blocked_conversions == 0


def test_level_decides_what_is_reached() -> None:
    shared = _neg("jobs", level="shared_list", campaigns=["Boots", "Tents"])
    verdict = check_proposal(shared, _table(), KEYWORDS, Settings())
    assert set(verdict.blocked_terms) == {
        "hiking boots jobs",
        "jobs hiking boots",
        "steve jobs biography",
    }
    group = _neg("jobs", level="ad_group", campaign="Tents", ad_group="Family")
    assert check_proposal(group, _table(), KEYWORDS, Settings()).blocked_terms == [
        "jobs hiking boots"
    ]


def test_blocking_a_converting_term_is_unsafe_and_names_it() -> None:
    verdict = check_proposal(_neg("free", campaign="Boots"), _table(), KEYWORDS, Settings())
    assert not verdict.safe
    assert "free shipping hiking boots" in verdict.reasons[0]
    assert verdict.blocked_conversions == 1


def test_conversion_value_alone_counts_as_converting() -> None:
    verdict = check_proposal(_neg("repair", campaign="Boots"), _table(), KEYWORDS, Settings())
    assert not verdict.safe
    assert "boot repair kit" in " ".join(verdict.reasons)


def test_the_same_negative_is_safe_where_the_converting_term_is_not() -> None:
    narrow = _neg("free hiking", campaign="Boots")
    assert check_proposal(narrow, _table(), KEYWORDS, Settings()).safe
    elsewhere = _neg("free", campaign="Tents")
    assert check_proposal(elsewhere, _table(), KEYWORDS, Settings()).safe


def test_blocking_a_bought_keyword_in_scope_is_unsafe() -> None:
    hit = _neg("families", match="broad", campaign="Tents")
    verdict = check_proposal(hit, _table(), KEYWORDS, Settings())
    assert not verdict.safe
    assert "tents for families" in " ".join(verdict.reasons)
    other_campaign = _neg("families", match="broad", campaign="Boots")
    assert check_proposal(other_campaign, _table(), KEYWORDS, Settings()).safe


def test_protected_terms_and_brand_are_never_negated() -> None:
    settings = Settings(brand=("acme",), protect=("steve jobs",))
    assert not check_proposal(
        _neg("acme jobs", campaign="Boots"), _table(), KEYWORDS, settings
    ).safe
    verdict = check_proposal(_neg("jobs", campaign="Boots"), _table(), KEYWORDS, settings)
    assert not verdict.safe
    assert "steve jobs" in verdict.reasons[0]


@pytest.mark.parametrize(
    ("text", "platform", "fragment"),
    [
        ("one two three four five six seven eight nine ten eleven", "google", "11 words"),
        ("x" * 81, "google", "81 characters"),
        ("x" * 101, "microsoft", "101 characters"),
        ("boots!", "google", "characters the ad platforms reject"),
        ("50% off", "google", "characters the ad platforms reject"),
    ],
)
def test_platform_limits(text: str, platform: str, fragment: str) -> None:
    settings = Settings(platform=platform)
    verdict = check_proposal(_neg(text, campaign="Boots"), _table(), KEYWORDS, settings)
    assert not verdict.safe
    assert fragment in " ".join(verdict.reasons)


def test_microsoft_reads_broad_as_phrase() -> None:
    broad = _neg("boots jobs", match="broad", campaign="Tents")
    assert check_proposal(broad, _table(), KEYWORDS, Settings()).blocked_terms == [
        "jobs hiking boots"
    ]
    ms = check_proposal(broad, _table(), KEYWORDS, Settings(platform="microsoft"))
    assert ms.blocked_terms == []


def test_a_negative_without_its_target_or_level_is_refused_not_crashed() -> None:
    no_campaign = _neg("jobs")
    verdict = check_proposal(no_campaign, _table(), KEYWORDS, Settings())
    assert not verdict.safe and "needs its campaign" in verdict.reasons[0]
    odd = _neg("jobs", level="account", campaign="Boots")
    assert not check_proposal(odd, _table(), KEYWORDS, Settings()).safe
    empty = check_proposal(
        _neg("jobs", campaign="Boots"), pd.DataFrame(), pd.DataFrame(), Settings()
    )
    assert empty.safe and empty.blocked_terms == []


def test_match_type_syntax_inside_the_text_is_refused() -> None:
    assert any("match-type syntax" in p for p in limit_problems("[jobb", "google"))
    assert any("match-type syntax" in p for p in limit_problems('jobb "x"', "microsoft"))
    assert limit_problems("lediga jobb", "google") == []


def _sample_keywords() -> pd.DataFrame:
    from auditor.readers import read_report

    samples = Path(__file__).resolve().parents[1] / "sample_reports"
    table = read_report(samples / "google-ads-keywords-en.csv").table
    return table[["keyword", "campaign", "ad_group"]].reset_index(drop=True)


@pytest.mark.parametrize("platform", ["google", "microsoft"])
def test_the_keyword_index_finds_what_a_full_replay_finds(platform: str) -> None:
    """The word index over the bought keywords reads only the keywords holding a negative's
    words; it must block exactly what replaying the negative over every keyword blocks."""
    kws = _sample_keywords()
    texts = sorted(word_set(kws["keyword"]))
    texts += [" ".join(words(k)[i : i + 2]) for k in kws["keyword"] for i in range(3)]
    texts += [f"{a} {b}" for a, b in zip(texts[::7], texts[3::5], strict=False)]
    texts = sorted({t for t in texts if t})
    for text in texts:
        for match in ("broad", "phrase", "exact"):
            hit = blocks(text, match, kws["keyword"].astype(str), platform).to_numpy()
            want = sorted(set(zip(kws["campaign"][hit], kws["ad_group"][hit], strict=True)))
            assert keyword_scopes(text, match, kws, platform) == want, (text, match)


def test_a_keyword_of_unknown_campaign_counts_everywhere() -> None:
    kws = pd.DataFrame(
        {
            "keyword": pd.array(["tents for families", "tent jobs"], dtype="string[pyarrow]"),
            "campaign": pd.array(["Tents", pd.NA], dtype="string[pyarrow]"),
            "ad_group": pd.array(["Family", pd.NA], dtype="string[pyarrow]"),
        }
    )
    for neg in (
        _neg("jobs", campaign="Boots"),
        _neg("jobs", level="ad_group", campaign="Boots", ad_group="Hiking"),
        _neg("jobs", level="shared_list", campaigns=["Boots"]),
    ):
        verdict = check_proposal(neg, _table(), kws, Settings())
        assert "1 bought keyword(s): 'tent jobs'" in " ".join(verdict.reasons), neg.level
    group = _neg("families", level="ad_group", campaign="Tents", ad_group="Other")
    assert check_proposal(group, _table(), kws, Settings()).safe
    assert keyword_scopes("jobs", "phrase", kws, "google") == [("", "")]


@pytest.mark.parametrize("platform", ["google", "microsoft"])
def test_protected_terms_are_checked_all_at_once_as_one_by_one(platform: str) -> None:
    from auditor.negatives.safety import protected_among

    terms = ("acme", "steve jobs", "Free Shipping", "t-shirt", "kid's", "", "near me", "jobs")
    negatives = ["jobs", "steve", "free", "free shipping", "t shirt", "kids", "me near", "acme x"]
    for text in negatives:
        for match in ("broad", "phrase", "exact"):
            want = [
                t
                for t in terms
                if words(t)
                and (
                    f" {' '.join(words(t))} " in f" {' '.join(words(text))} "
                    or blocks(text, match, pd.Series([" ".join(words(t))]), platform).iloc[0]
                )
            ]
            assert protected_among(text, match, terms, platform) == want, (text, match)


def test_table_figures_are_the_columns_with_nan_as_zero_read_only() -> None:
    """A column of finite figures is used as it is (no copy); one with NaN or inf is cleaned
    as `np.nan_to_num` cleans it; neither can be written, nor is the table changed."""
    import numpy as np

    from auditor.negatives.safety import FIGURES, table_figures

    table = schema.empty_table(4)
    table["search_term"] = pd.array(["a", "b", None, "a"], dtype="string[pyarrow]")
    table["cost"] = [1.5, 0.0, 2.0, 3.25]
    table["clicks"] = [1.0, np.nan, 2.0, 0.0]
    table["conversions"] = [0.0, np.inf, 1.0, 0.0]
    table["conversion_value"] = [np.nan, np.nan, np.nan, np.nan]
    before = table.copy()
    figures = table_figures(table)
    for col in FIGURES:
        column = table[col].to_numpy(dtype=np.float64, na_value=np.nan)
        assert figures[col].tolist() == np.nan_to_num(column).tolist(), col
        assert not figures[col].flags.writeable
    assert np.shares_memory(figures["cost"], table["cost"].to_numpy())
    assert not np.shares_memory(figures["clicks"], table["clicks"].to_numpy())
    assert table.equals(before)
