"""Skip reasons: why a rule cannot run on this audit's inputs (a column the report lacks, no
margin, no hidden-spend row, no keywords, no conversions and no target, ...). A skipped rule is
listed in `checks_skipped` with the reason, never run on made-up figures."""

from __future__ import annotations

import numpy as np

from auditor.engine.catalogue import METRICS
from auditor.engine.levels import SUBJECT
from auditor.engine.packs import Rule
from auditor.engine.workspace import Workspace


def missing_reason(ws: Workspace, names: frozenset[str], level: str) -> str | None:
    """Why metrics `names` cannot be computed on this audit's inputs, or None."""
    if not len(ws.table):
        return "the reports have no search-term rows"
    lacking = sorted({c for n in names if n in METRICS for c in METRICS[n].columns} - ws.present)
    if lacking:
        heads = ", ".join(c.replace("_", " ") for c in lacking)
        return f"needs {heads}; the report has no such column"
    needs = {METRICS[n].needs for n in names if n in METRICS} - {None}
    if "margin" in needs and ws.baseline.margin is None:
        return "needs a margin (--margin or [account] margin in the config)"
    if "hidden_share" in needs and ws.baseline.hidden_share is None:
        return "needs the report's 'Total: Other search terms' row (hidden spend)"
    if "keywords" in needs and not ws.has_keywords():
        return "needs the bought keywords (a Keyword column or --keywords FILE)"
    if "match_type" in needs and not ws.has_match_types():
        return "needs the Match type column"
    key = "search_term" if level == "ngram" else SUBJECT[level]
    if key is not None and not ws.table[key].notna().any():
        name = _COLUMN_NAMES[key]
        if key == "keyword" and ws.has_keywords():
            return (
                "judges each keyword by its search terms, from the search-terms report's"
                " Keyword column, which this report lacks; a keyword report (--keywords)"
                " does not feed it"
            )
        return f"works per {key.replace('_', ' ')}; the report has no {name} column"
    return None


_COLUMN_NAMES = {
    "campaign": "Campaign",
    "ad_group": "Ad group",
    "keyword": "Keyword",
    "search_term": "Search term",
}


_SCALAR_TARGETS = {
    "target_cpa": "no conversions in the report and no target CPA (--target-cpa)",
    "target_roas": "no conversion value in the report and no target ROAS (--target-roas)",
    "account_cvr": "no clicks in the report, so there is no conversion rate",
    "baseline_cvr": "no clicks in the report, so there is no conversion rate",
}


def skip_reason(rule: Rule, ws: Workspace) -> str | None:
    names = rule.reads()
    reason = missing_reason(ws, names, rule.frame)
    if reason is not None:
        return reason
    base = ws.level("account")
    for name, text in _SCALAR_TARGETS.items():
        if name in names:
            value = np.asarray(base.get(name), dtype=float).ravel()
            if value.size and not np.isfinite(value).any():
                return text
    return None
