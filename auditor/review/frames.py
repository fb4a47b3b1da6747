"""The frames the review's tabs filter (findings, n-grams, search terms, spend by day) and the
index of where each term spends, prepared once when the review loads so that a key press only
filters small tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditor.model import (
    SEVERITIES,
    AuditResult,
    Finding,
    NegativeProposal,
)
from auditor.review.rows import NGRAM_CAP, finding_subject

REPLAYS_KEPT = 128
"""Safety replays remembered per review (`ReviewState.check`): a match type cycled back, a
target list opened again or a save after the editor's check replays nothing."""


def replay_key(p: NegativeProposal) -> tuple[Any, ...]:
    """What a safety replay depends on: the text, match type and where the negative goes."""
    return (p.text, p.match_type, p.level, p.campaign, p.ad_group, tuple(p.campaigns))


@dataclass(frozen=True)
class SpendIndex:
    """Where each search term of the report spends, indexed once per audit (in the load
    worker): the rows of a list of terms are read by position, without a pass over the
    report, so a target list or a level change costs what the terms cost, not a million rows.
    """

    terms: pd.Index
    """The distinct search terms as written in the report (a hash lookup per term)."""
    order: np.ndarray
    """Row numbers grouped by term; term i's rows are `order[offsets[i]:offsets[i + 1]]`."""
    offsets: np.ndarray

    @classmethod
    def build(cls, table: pd.DataFrame | None) -> SpendIndex:
        if table is None or table.empty or "search_term" not in table:
            return cls(pd.Index([], dtype=object), np.zeros(0, np.int64), np.zeros(1, np.int64))
        codes, uniques = pd.factorize(table["search_term"])
        order = np.argsort(codes, kind="stable")[np.count_nonzero(codes < 0) :]
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        terms = pd.Index(uniques)
        terms.get_indexer(terms[:1])  # the hash table is built here, not at the first key
        return cls(terms, order, np.r_[0, np.cumsum(counts)].astype(np.int64))

    def rows(self, terms: Sequence[str]) -> np.ndarray:
        """Row numbers of `terms` in the report, in the report's order (unknown terms have
        none)."""
        if not len(terms) or not len(self.terms):
            return np.zeros(0, np.int64)
        ids = self.terms.get_indexer(pd.Index(list(dict.fromkeys(terms))))
        ids = ids[ids >= 0]
        starts, sizes = self.offsets[ids], self.offsets[ids + 1] - self.offsets[ids]
        total = int(sizes.sum())
        if not total:
            return np.zeros(0, np.int64)
        shift = np.repeat(starts - np.r_[0, np.cumsum(sizes)[:-1]], sizes)
        return np.sort(self.order[shift + np.arange(total)])

    def frame(
        self, table: pd.DataFrame | None, terms: Sequence[str], cols: list[str]
    ) -> pd.DataFrame:
        """`cols` of the report's rows of `terms`, in the report's order."""
        if table is None or table.empty:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
        positions = [table.columns.get_loc(c) for c in cols]
        return table.iloc[self.rows(terms), positions]


SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


FINDING_SORTS: dict[str, tuple[list[str], list[bool]]] = {
    "cost": (["cost", "sev_rank"], [False, True]),
    "severity": (["sev_rank", "cost"], [True, False]),
    "rule": (["rule", "cost"], [True, False]),
    "campaign": (["campaign", "cost"], [True, False]),
    "subject": (["subject", "cost"], [True, False]),
}


NGRAM_SORTS: dict[str, str] = {
    "cost": "cost",
    "clicks": "clicks",
    "conversions": "conversions",
    "terms": "terms",
}


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """One row per finding (`pos` = index in the audit's list), for filtering and sorting."""
    frame = pd.DataFrame(
        {
            "pos": range(len(findings)),
            "severity": [f.severity for f in findings],
            "category": [f.category for f in findings],
            "rule": [f.rule for f in findings],
            "subject": [finding_subject(f) for f in findings],
            "campaign": [f.campaign or "" for f in findings],
            "ad_group": [f.ad_group or "" for f in findings],
            "cost": [f.cost if f.cost is not None else float("nan") for f in findings],
            "clicks": [f.clicks if f.clicks is not None else float("nan") for f in findings],
            "conversions": [
                f.conversions if f.conversions is not None else float("nan") for f in findings
            ],
            "message": [f.message for f in findings],
            "level": [f.level for f in findings],
        }
    )
    text = ["rule", "subject", "campaign", "ad_group", "message", "severity", "category", "level"]
    frame[text] = frame[text].astype("string[pyarrow]")  # an empty list must stay text too
    frame["sev_rank"] = frame["severity"].map(SEVERITY_RANK).fillna(len(SEVERITIES)).astype(float)
    frame["haystack"] = (
        frame["rule"] + " " + frame["subject"] + " " + frame["campaign"] + " " + frame["message"]
    ).str.casefold()
    return frame


def filter_findings(
    frame: pd.DataFrame,
    *,
    severity: str | None = None,
    category: str | None = None,
    campaign: str = "",
    text: str = "",
    sort: str = "cost",
) -> pd.DataFrame:
    """The findings that pass every filter, sorted (all of them; the widget caps the rows)."""
    mask = pd.Series(True, index=frame.index)
    if severity:
        mask &= frame["severity"] == severity
    if category:
        mask &= frame["category"] == category
    if campaign.strip():
        mask &= (
            frame["campaign"].str.casefold().str.contains(campaign.strip().casefold(), regex=False)
        )
    for word in text.casefold().split():
        mask &= frame["haystack"].str.contains(word, regex=False)
    by, ascending = FINDING_SORTS[sort]
    return frame[mask].sort_values(by, ascending=ascending, na_position="last", kind="stable")


def prepare_ngrams(ngrams: pd.DataFrame | None) -> pd.DataFrame:
    """The costliest n-grams with a casefolded key, sorted by cost; `terms` counts the terms
    with a click, as the n-gram findings do."""
    cols = ["ngram", "n", "cost", "clicks", "conversions", "conversion_value", "clicked_terms"]
    if ngrams is None or ngrams.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
        return empty.rename(columns={"clicked_terms": "terms"}).assign(key="")
    top = ngrams.nlargest(NGRAM_CAP, "cost").reset_index(drop=True)
    out = top.reindex(columns=cols).rename(columns={"clicked_terms": "terms"})
    out["key"] = out["ngram"].astype(str).str.casefold()
    return out


def filter_ngrams(
    frame: pd.DataFrame,
    *,
    text: str = "",
    n: int | None = None,
    non_converting: bool = False,
) -> pd.DataFrame:
    """The n-grams that pass the filters, in `frame`'s order (see `ReviewState.ngrams_by`)."""
    mask = pd.Series(True, index=frame.index)
    if n:
        mask &= frame["n"] == n
    if non_converting:
        mask &= frame["conversions"].fillna(0) <= 0
    needle = text.strip().casefold()
    if needle:
        mask &= frame["key"].str.contains(needle, regex=False)
    return frame[mask]


def term_stats(table: pd.DataFrame | None) -> pd.DataFrame:
    """Cost, clicks and conversions per search term (all rows of the report)."""
    cols = ["cost", "clicks", "conversions", "conversion_value"]
    if table is None or table.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    return table.groupby("search_term", sort=False, observed=True)[cols].sum(min_count=1)


def daily_cost(table: pd.DataFrame | None) -> pd.Series:
    """Spend per day when the report is segmented by day; empty otherwise."""
    if table is None or "day" not in table or table["day"].notna().sum() == 0:
        return pd.Series(dtype="float64")
    return table.groupby("day", sort=True)["cost"].sum()


def non_converting_cost(terms: pd.DataFrame, result: AuditResult) -> float | None:
    """Spend on search terms without a conversion (None when conversions are unknown)."""
    if terms.empty or result.totals.get("conversions") is None:
        return None
    return float(terms.loc[terms["conversions"].fillna(0) <= 0, "cost"].sum())


def all_spend(result: AuditResult) -> float:
    """Spend on the listed search terms plus the spend the platform hides (`Total: Other
    search terms`): the base of the overview's chart and of its `of all spend` shares."""
    return float(result.totals.get("cost") or 0.0) + float(result.hidden_cost_amount or 0.0)


def tracking_skipped(result: AuditResult) -> list[dict[str, str]]:
    """The tracking checks the audit could not run (`checks_skipped` also lists other rules,
    e.g. the profit rules without a margin)."""
    return [c for c in result.checks_skipped if "check" in c]
