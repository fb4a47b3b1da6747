"""The metric catalogue: every name the condition language can read, what it needs (columns, a
margin, keywords, ...), the levels it exists at, and how it is computed
(`auditor.engine.figures`). `auditor rules explain ID` lists a rule's metrics with their
one-line docs from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.engine.figures import (
    baseline_cvr,
    close_variant_cpa_at,
    competing,
    distinct,
    distinct_at,
    divide,
    expected_conversions,
    hidden_figure,
    is_added,
    is_brand_at,
    is_keyword_at,
    margin,
    match_expected,
    match_p_low,
    match_ratio,
    match_sum,
    p_low,
    p_zero,
    scalar,
    summed,
    variant_figures_at,
)
from auditor.engine.levels import COUNTERPART, Value

if TYPE_CHECKING:
    from auditor.engine.workspace import Level


@dataclass(frozen=True)
class Metric:
    """A name the condition language can read, what it needs, and how to compute it."""

    doc: str
    compute: Callable[[Level], Value]
    columns: frozenset[str] = frozenset()
    needs: str | None = None
    """`margin`, `hidden_share`, `keywords`, `ngrams` or `match_type`: what beyond columns."""
    flag: bool = False
    levels: frozenset[str] | None = None
    """Levels the metric exists at (None: all)."""
    at: Callable[[Level, np.ndarray], Value] | None = None
    """For a costly metric: its values at some level rows only (`Level.get_at`); the rules
    read it at the rows their other conditions let through."""


def _at_rows(doc: str, at: Callable[[Level, np.ndarray], Value], **kw: Any) -> Metric:
    """A costly metric computed row by row (`Metric.at`); whole, it is `at` every row."""
    return Metric(doc, lambda lv: at(lv, np.arange(lv.size)), at=at, **kw)


_CONV = frozenset({"conversions"})
_CLICK_CONV = frozenset({"clicks", "conversions"})
_GROUPED = frozenset({"search_term", "keyword", "ad_group", "campaign", "account", "term_account"})
_MATCH_LEVELS = frozenset({"keyword", "ad_group", "campaign", "account"})
_TEXT_LEVELS = frozenset({"search_term", "keyword", "ngram", "term_account"})


def _metric_table() -> dict[str, Metric]:
    m: dict[str, Metric] = {
        "cost": Metric("cost in the account currency", summed("cost"), frozenset({"cost"})),
        "clicks": Metric("clicks", summed("clicks"), frozenset({"clicks"})),
        "impressions": Metric("impressions", summed("impressions"), frozenset({"impressions"})),
        "conversions": Metric("conversions", summed("conversions"), _CONV),
        "value": Metric(
            "conversion value", summed("conversion_value"), frozenset({"conversion_value"})
        ),
        "ctr": Metric(
            "clicks / impressions",
            lambda lv: divide(lv.sum("clicks"), lv.sum("impressions")),
            frozenset({"clicks", "impressions"}),
        ),
        "cpc": Metric(
            "cost / clicks",
            lambda lv: divide(lv.sum("cost"), lv.sum("clicks")),
            frozenset({"cost", "clicks"}),
        ),
        "cvr": Metric(
            "conversions / clicks",
            lambda lv: divide(lv.sum("conversions"), lv.sum("clicks")),
            _CLICK_CONV,
        ),
        "cpa": Metric(
            "cost / conversions (NaN without conversions)",
            lambda lv: divide(lv.sum("cost"), lv.sum("conversions")),
            frozenset({"cost", "conversions"}),
        ),
        "roas": Metric(
            "conversion value / cost",
            lambda lv: divide(lv.sum("conversion_value"), lv.sum("cost")),
            frozenset({"cost", "conversion_value"}),
        ),
        "poas": Metric(
            "gross profit / cost = value x margin / cost (above 1 pays for itself)",
            lambda lv: np.asarray(lv.get("roas")) * margin(lv),
            frozenset({"cost", "conversion_value"}),
            needs="margin",
        ),
        "profit": Metric(
            "value x margin - cost (gross profit after ad cost)",
            lambda lv: lv.sum("conversion_value") * margin(lv) - lv.sum("cost"),
            frozenset({"cost", "conversion_value"}),
            needs="margin",
        ),
        "gross_profit": Metric(
            "value x margin (gross profit before ad cost)",
            lambda lv: lv.sum("conversion_value") * margin(lv),
            frozenset({"conversion_value"}),
            needs="margin",
        ),
        "hidden_cost": Metric(
            "cost of the search terms the platform does not list (account level)",
            hidden_figure("cost"),
            frozenset({"cost"}),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "hidden_clicks": Metric(
            "clicks of the search terms the platform does not list (account level)",
            hidden_figure("clicks"),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "hidden_conversions": Metric(
            "conversions of the search terms the platform does not list (account level)",
            hidden_figure("conversions"),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "hidden_value": Metric(
            "conversion value of the search terms the platform does not list (account level)",
            hidden_figure("conversion_value"),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "break_even_roas": Metric(
            "1 / margin", scalar(lambda b: b.break_even_roas), needs="margin"
        ),
        "margin": Metric("gross margin (settings)", scalar(lambda b: b.margin), needs="margin"),
        "account_cpa": Metric(
            "the account's CPA", scalar(lambda b: b.cpa), frozenset({"cost", "conversions"})
        ),
        "account_roas": Metric(
            "the account's ROAS",
            scalar(lambda b: b.roas),
            frozenset({"cost", "conversion_value"}),
        ),
        "account_cvr": Metric(
            "the account's conversion rate", scalar(lambda b: b.cvr), _CLICK_CONV
        ),
        "target_cpa": Metric(
            "target CPA from settings, else the account's CPA",
            scalar(lambda b: b.target_cpa),
            frozenset({"cost", "conversions"}),
        ),
        "target_roas": Metric(
            "target ROAS from settings, else the account's ROAS",
            scalar(lambda b: b.target_roas),
            frozenset({"cost", "conversion_value"}),
        ),
        "target_cpas": Metric(
            "cost / target_cpa: how many target CPAs the row cost",
            lambda lv: (
                lv.sum("cost") / lv.ws.baseline.target_cpa
                if lv.ws.baseline.target_cpa > 0
                else np.full(lv.size, np.nan)
            ),
            frozenset({"cost", "conversions"}),
        ),
        "hidden_share": Metric(
            "share of search cost on terms the platform does not list (0-1)",
            scalar(lambda b: b.hidden_share),
            needs="hidden_share",
        ),
        "cost_share": Metric(
            "share of the account's listed cost (0-1)",
            lambda lv: lv.sum("cost") / lv.ws.baseline.cost if lv.ws.baseline.cost > 0 else np.nan,
            frozenset({"cost"}),
        ),
        "baseline_cvr": Metric(
            "conversion rate this row is judged against (shrunk parent rate)",
            baseline_cvr,
            _CLICK_CONV,
        ),
        "expected_conversions": Metric("clicks x baseline_cvr", expected_conversions, _CLICK_CONV),
        "p_zero": Metric(
            "chance of zero conversions at the baseline rate (Poisson)", p_zero, _CLICK_CONV
        ),
        "p_low": Metric(
            "chance of at most the observed conversions at the baseline rate (Poisson)",
            p_low,
            _CLICK_CONV,
        ),
        "terms": Metric(
            "distinct search terms",
            distinct(("search_term",)),
            at=distinct_at(("search_term",)),
        ),
        "words": Metric(
            "number of words in the n-gram (1-3)",
            lambda lv: lv.sums["n"],
            levels=frozenset({"ngram"}),
        ),
        "ad_groups": Metric(
            "distinct ad groups that served it with clicks or cost",
            distinct(("campaign", "ad_group"), active=True),
            levels=_GROUPED,
            at=distinct_at(("campaign", "ad_group"), active=True),
        ),
        "campaigns": Metric(
            "distinct campaigns that served it with clicks or cost",
            distinct(("campaign",), active=True),
            levels=_GROUPED,
            at=distinct_at(("campaign",), active=True),
        ),
        "close_variant_conversions": _at_rows(
            "conversions of the term's close variants (same words in another order, singular"
            " / plural, fuzzy >= 90 with as many words) across the account; computed for"
            " zero-conversion terms at or above the data floor, 0 for others",
            lambda lv, rows: variant_figures_at(lv, rows)[:, 0],
            columns=_CONV,
            levels=frozenset({"search_term", "term_account", "ngram"}),
        ),
        "close_variant_cpa": _at_rows(
            "the term judged with its converting close variants: (its cost + theirs) / their"
            " conversions (missing when no close variant converted)",
            close_variant_cpa_at,
            columns=frozenset({"cost", "conversions"}),
            levels=frozenset({"search_term", "term_account", "ngram"}),
        ),
        "competing_ad_groups": Metric(
            "serving ad groups that reach the same searches as another one (campaigns or ad"
            " groups split by location, device, language or audience do not compete)",
            competing,
            levels=frozenset({"term_account"}),
        ),
        "is_brand": _at_rows(
            "the text contains a brand term (--brand) as whole words", is_brand_at, flag=True
        ),
        "is_keyword": _at_rows(
            "the text is already a bought keyword (any match type, normalised)",
            is_keyword_at,
            needs="keywords",
            flag=True,
            levels=_TEXT_LEVELS,
        ),
        "is_added": Metric(
            "Added/Excluded says the term is already a keyword or a negative",
            is_added,
            flag=True,
            levels=_GROUPED,
        ),
    }
    kinds = (
        ("exact", "exact"),
        ("strict", "exact and phrase (not close-variant)"),
        ("variant", "close-variant"),
        ("broad", "broad"),
    )
    for kind, words in kinds:
        m[f"{kind}_clicks"] = Metric(
            f"clicks from {words} matches",
            match_sum(kind, "clicks"),
            frozenset({"clicks"}),
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_cost"] = Metric(
            f"cost of {words} matches",
            match_sum(kind, "cost"),
            frozenset({"cost"}),
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_conversions"] = Metric(
            f"conversions from {words} matches",
            match_sum(kind, "conversions"),
            _CONV,
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_cvr"] = Metric(
            f"conversion rate of {words} matches",
            match_ratio(kind, "conversions", "clicks"),
            _CLICK_CONV,
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_cpa"] = Metric(
            f"CPA of {words} matches",
            match_ratio(kind, "cost", "conversions"),
            frozenset({"cost", "conversions"}),
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        if kind in COUNTERPART:
            base = COUNTERPART[kind]
            m[f"{kind}_expected"] = Metric(
                f"conversions {words} clicks would bring at the {base} conversion rate",
                match_expected(kind),
                _CLICK_CONV,
                needs="match_type",
                levels=_MATCH_LEVELS,
            )
            m[f"{kind}_p_low"] = Metric(
                f"chance of at most the {words} conversions at the {base} rate (Poisson)",
                match_p_low(kind),
                _CLICK_CONV,
                needs="match_type",
                levels=_MATCH_LEVELS,
            )
    m["conversion_value"] = m["value"]
    return m


METRICS: dict[str, Metric] = _metric_table()
FLAGS: frozenset[str] = frozenset(n for n, m in METRICS.items() if m.flag)


def names_at(level: str) -> tuple[frozenset[str], frozenset[str]]:
    """(number metrics, flag metrics) a rule at `level` may read."""
    ok = {n for n, m in METRICS.items() if m.levels is None or level in m.levels}
    return frozenset(ok - FLAGS), frozenset(ok & FLAGS)
