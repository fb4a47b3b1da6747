"""Rule test cases: kept as data beside each rule (`[[rules.cases]]`), one format for every rule.

A case is the inputs of a tiny audit and the findings the rule must give on them:

    name = "one pricey term among cheap ones"
    expect = ["gore tex jacka"]       # the subjects the rule flags ([] for none), any order
    rows = [...]                      # search-terms report rows (`auditor/schema.py` columns)
    keywords = [...]                  # bought keywords (keyword, keyword_match_type, ...)
    existing = [...]                  # negatives already in the account (keyword, match_type,
                                      #   campaign / ad_group / list_name for their level)
    conversions = [...]               # a conversion-level export (transaction_id, ...)
    by_action = [...]                 # a report segmented by conversion action
    daily = [...]                     # a report segmented by day (`day = 2026-10-01`)
    orders = [...]                    # the shop's orders per day (day, orders, revenue)
    settings = { target_cpa = 40.0 }  # target_cpa, target_roas, margin, brand, platform
    hidden_share = 0.3                # share of cost in `Total: Other search terms`

A finding's subject is its search term, keyword, n-gram, ad group or campaign, else `account`.
Rows of `rows` default to campaign "Search - Generic" and ad group "Running shoes"; a metric
column no row gives is unknown (absent from the report), as in a real download. `case_context`
turns a case into the `AuditContext` of that audit (each table a report of its kind, as the
readers would give it), so the dispatcher runs a check rule on a case exactly as in an audit;
`tests/test_rule_cases.py` runs every case of every pack through the dispatcher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from auditor import schema
from auditor.config import Settings
from auditor.engine.context import AuditContext
from auditor.model import Finding, Report

CASE_DEFAULTS = {"campaign": "Search - Generic", "ad_group": "Running shoes", "status": "none"}
"""Values a row of `rows` gets for the columns it does not give."""

REPORT_COLUMNS = frozenset({*schema.TEXT_COLUMNS, *schema.METRIC_COLUMNS, *schema.DATE_COLUMNS})
TABLES: dict[str, frozenset[str]] = {
    "rows": REPORT_COLUMNS,
    "keywords": frozenset({"keyword", "keyword_match_type", "campaign", "ad_group", "status"}),
    "existing": frozenset({"keyword", "match_type", "campaign", "ad_group", "list_name"}),
    "conversions": REPORT_COLUMNS | {"transaction_id", "gclid"},
    "by_action": REPORT_COLUMNS,
    "daily": REPORT_COLUMNS,
    "orders": frozenset({"day", "orders", "revenue", "currency"}),
}
"""Each table a case may give, and the columns its rows may have."""
CASE_KEYS = frozenset({"name", "expect", "settings", "hidden_share", *TABLES})
CASE_SETTINGS = frozenset({"target_cpa", "target_roas", "margin", "brand", "platform"})


def check_case(case: Any, where: str, bad: Callable[[str], None], near: Callable[..., str]) -> None:
    """Report every problem of one case through `bad` (`where` names it, e.g. `cases[0]`)."""
    if not isinstance(case, dict):
        bad(f"{where}: must be a table")
        return
    for key in sorted(set(case) - CASE_KEYS):
        bad(f"{where}: unknown key {key!r}{near(key, CASE_KEYS)}")
    if not isinstance(case.get("name"), str) or not case.get("name"):
        bad(f"{where}: missing `name`")
    given = [key for key in TABLES if key in case]
    if not given:
        bad(f"{where}: gives no input (rows, existing, conversions, by_action, daily or orders)")
    for key in given:
        rows = case[key]
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            bad(f"{where}: {key} must be a non-empty array of tables")
            continue
        for col in sorted({c for r in rows for c in r} - TABLES[key]):
            bad(f"{where}: unknown {key} column {col!r}{near(col, TABLES[key])}")
    expect = case.get("expect")
    if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
        bad(f"{where}: expect must be a list of the subjects the rule flags ([] for none)")
    settings = case.get("settings", {})
    if not isinstance(settings, dict):
        bad(f"{where}: settings must be a table")
        return
    for key in sorted(set(settings) - CASE_SETTINGS):
        bad(f"{where}: unknown setting {key!r}{near(key, CASE_SETTINGS)}")


def _table(rows: list[dict[str, Any]], defaults: dict[str, str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame([(defaults or {}) | row for row in rows])
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"])
    frame[schema.LINE_COLUMN] = range(2, len(frame) + 2)
    return schema.conform(frame)


def _present(rows: list[dict[str, Any]]) -> frozenset[str]:
    return frozenset(c for c in schema.METRIC_COLUMNS if any(c in r for r in rows))


def _conversions(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = _table(rows)
    for col in ("transaction_id", "gclid"):
        table[col] = table.get(col, pd.Series(pd.NA, index=table.index)).astype(schema.STRING_DTYPE)
    table["conversions"] = table["conversions"].fillna(1.0)
    return table


def _existing(rows: list[dict[str, Any]]) -> pd.DataFrame:
    renamed = [
        {k if k != "match_type" else "keyword_match_type": v for k, v in r.items()} for r in rows
    ]
    table = _table(renamed)
    table["list_name"] = [r.get("list_name") for r in rows]
    return table


_REPORTS: dict[str, tuple[str, str, Callable[[list[dict[str, Any]]], pd.DataFrame]]] = {
    "existing": (schema.KIND_NEGATIVES, "existing_negatives", _existing),
    "conversions": (schema.KIND_CONVERSIONS, "conversions", _conversions),
    "by_action": (schema.KIND_SEARCH_TERMS, "by_action", _table),
    "daily": (schema.KIND_SEARCH_TERMS, "by_day", _table),
    "orders": (schema.KIND_ORDERS, "orders", _table),
}
"""Case table -> (report kind, the role it is given with, its canonical table)."""


def _reports(case: dict[str, Any]) -> tuple[list[Report], list[str]]:
    reports, roles = [], []
    for key, (kind, role, build) in _REPORTS.items():
        if key in case:
            present = frozenset() if key == "existing" else _present(case[key])
            reports.append(Report(Path(f"{key}.csv"), kind, "csv", build(case[key]), present))
            roles.append(role)
    return reports, roles


def case_context(case: dict[str, Any], settings: Settings) -> AuditContext:
    """The audit context of one case: `rows` the search-terms table, each other table a report
    of its kind given with its role (keywords join the bought keywords)."""
    rows = case.get("rows", [])
    table = _table(rows, CASE_DEFAULTS) if rows else schema.empty_table()
    keywords = pd.DataFrame(
        [CASE_DEFAULTS | k for k in case.get("keywords", [])],
        columns=["keyword", "keyword_match_type", "campaign", "ad_group", "status"],
    ).astype(schema.STRING_DTYPE)
    from_rows = table.loc[table["keyword"].notna(), list(keywords.columns)]
    extra = dict(case.get("settings", {}))
    if "brand" in extra:
        extra["brand"] = tuple(extra["brand"])
    reports, roles = _reports(case)
    return AuditContext(
        table=table,
        columns_present=_present(rows),
        keywords=pd.concat([keywords, from_rows], ignore_index=True),
        settings=replace(settings, **extra),
        hidden_share=case.get("hidden_share"),
        currency="SEK",
        reports=reports,
        roles=roles,
    )


def subject(f: Finding) -> str:
    """What a finding is about: its search term, keyword, n-gram, ad group, campaign, else
    `account`."""
    return f.search_term or f.keyword or f.ngram or f.ad_group or f.campaign or "account"
