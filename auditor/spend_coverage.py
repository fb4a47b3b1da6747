"""How much of the account's spend the audited search-term rows cover.

A search-terms download ends with the file's own totals: `Total: Search terms` (the listed rows),
`Total: Other search terms` (queries the platform hides), `Total: Account` (or `Campaign` /
`Manager account`: every cost of the account in the period, whatever the campaign type) and one
total per campaign type (`Total: Search`, `Total: Smart`, `Total: Performance Max`, ...). The
audit judges only the listed rows; `spend_coverage` says what share of the account's spend that
is, and per campaign type, so a report whose spend sits mostly in a Smart campaign (whose search
terms it does not list) says so instead of looking complete.

`coverage` in the audit JSON: `{account_cost, audited_cost, hidden_cost, outside_cost, share,
source, by_campaign_type: [{campaign_type, cost, audited_cost, share}]}` (None when no
search-terms report has an account-level total). `outside_cost` is spend neither in the rows nor
in `Total: Other search terms`: campaigns or networks without search terms in this report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from auditor import format as fmt
from auditor import schema
from auditor.model import Report

ACCOUNT_LABELS = ("account", "manager_account", "campaign")
"""Total rows that hold the whole spend of what was downloaded, in order of preference."""
CAMPAIGN_TYPE_LABELS = (
    "search",
    "smart",
    "performance_max",
    "shopping",
    "display",
    "video",
    "demand_gen",
)
OUTSIDE_NOTE_SHARE = 0.2
"""A note when this share of the account's spend is outside both the rows and the hidden ones."""

Coverage = dict[str, object]


def spend_coverage(reports: Sequence[Report], roles: Sequence[str]) -> Coverage | None:
    """The coverage of the search-terms reports given as reports (see the module docstring)."""
    parts = [
        r
        for r, role in zip(reports, roles, strict=True)
        if role == "report" and r.kind == schema.KIND_SEARCH_TERMS
    ]
    account = audited = hidden = 0.0
    by_type: dict[str, list[float]] = {}
    sources: list[str] = []
    for r in parts:
        label = next((k for k in ACCOUNT_LABELS if k in r.file_totals), None)
        cost = r.file_totals.get(label, {}).get("cost") if label else None
        if cost is None or "cost" not in r.columns_present:
            continue
        sources.append(label or "")
        account += cost
        audited += float(r.table["cost"].sum())
        hidden += r.file_totals.get("other_search_terms", {}).get("cost") or 0.0
        for kind in CAMPAIGN_TYPE_LABELS:
            total = r.file_totals.get(kind, {}).get("cost")
            if total is not None:
                rows = r.table.loc[r.table["campaign_type"] == kind, "cost"].sum()
                pair = by_type.setdefault(kind, [0.0, 0.0])
                pair[0] += total
                pair[1] += float(rows)
    if not sources or account <= 0:
        return None
    return {
        "account_cost": round(account, 2),
        "audited_cost": round(audited, 2),
        "hidden_cost": round(hidden, 2),
        "outside_cost": round(max(account - audited - hidden, 0.0), 2),
        "share": audited / account,
        "source": sources[0],
        "by_campaign_type": [
            {
                "campaign_type": kind,
                "cost": round(cost, 2),
                "audited_cost": round(rows, 2),
                "share": rows / cost if cost > 0 else None,
            }
            for kind, (cost, rows) in sorted(by_type.items(), key=lambda kv: -kv[1][0])
        ],
    }


def _type_name(kind: str) -> str:
    return kind.replace("_", " ").title()


def coverage_line(cov: Coverage, currency: str | None) -> str:
    """One summary line: the share of the account's spend the audited rows hold, by type."""
    label = str(cov["source"]).replace("_", " ")
    text = (
        f"{float(cov['share']):.1%} of the {label}'s spend"  # type: ignore[arg-type]
        f" ({fmt.money(float(cov['account_cost']), currency)}, its Total row) is in the"  # type: ignore[arg-type]
        " audited search-term rows"
    )
    types = cov["by_campaign_type"]
    assert isinstance(types, list)
    if types:
        text += "; by campaign type: " + ", ".join(
            f"{_type_name(t['campaign_type'])}"
            f" {'-' if t['share'] is None else format(t['share'], '.0%')}"
            f" of {fmt.money(t['cost'], currency)}"
            for t in types
        )
    return text


def coverage_note(cov: Coverage, currency: str | None) -> str | None:
    """A note when much of the spend is outside both the rows and the hidden terms."""
    outside = float(cov["outside_cost"])  # type: ignore[arg-type]
    account = float(cov["account_cost"])  # type: ignore[arg-type]
    if account <= 0 or outside / account < OUTSIDE_NOTE_SHARE or not math.isfinite(outside):
        return None
    types = cov["by_campaign_type"]
    assert isinstance(types, list)
    missing = [
        f"{_type_name(t['campaign_type'])} {fmt.money(t['cost'] - t['audited_cost'], currency)}"
        for t in types
        if t["cost"] - t["audited_cost"] >= 0.01
    ]
    where = f" ({', '.join(missing)})" if missing else ""
    label = str(cov["source"]).replace("_", " ")
    return (
        f"{outside / account:.1%} of the {label}'s spend ({fmt.money(outside, currency)}) is in"
        f" neither the search-term rows nor 'Other search terms'{where}: campaign types or"
        " networks whose search terms this report does not list, so no finding covers it"
    )
