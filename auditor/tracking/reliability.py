"""When tracking is unreliable, the waste and profit findings built on it say so and drop a level.

Policy (documented in the README, section "Conversion-tracking QA"):
- Only tracking findings of severity medium or above count: an info-level dip at the end of the
  period (conversion lag) does not.
- *Count* faults (`outage`, `no_conversions`, `double_counting`, `duplicate_transactions`,
  `conversions_exceed_clicks`, `backend_mismatch`) make conversion counts, CPA and everything
  judged against them unreliable: they affect `waste` and `profit` findings.
- *Value* faults (`missing_value`, `default_value`, `negative_value`, `implausible_roas`,
  `currency_mismatch`) make values and ROAS unreliable: they affect `profit` findings only.
- Scope: a fault named for campaigns (`campaign`, or `evidence["campaigns"]` of an outage)
  affects the findings of those campaigns; any other fault affects the whole account.
- An affected finding drops one severity level (high -> medium -> low -> info; never
  further), gets one sentence appended to its message naming the faults (rule id, check, and
  the days for an outage), and `metrics["tracking_caveat"]` lists the tracking rule ids.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from auditor.model import Finding
from auditor.tracking.text import day_span, listing, lower

COUNT_CHECKS = frozenset(
    {
        "outage",
        "no_conversions",
        "double_counting",
        "duplicate_transactions",
        "conversions_exceed_clicks",
        "backend_mismatch",
    }
)
VALUE_CHECKS = frozenset(
    {"missing_value", "default_value", "negative_value", "implausible_roas", "currency_mismatch"}
)
TRIGGER_SEVERITIES = frozenset({"high", "medium"})


@dataclass(frozen=True)
class Fault:
    """One unreliable-tracking fact: which check, which campaigns (None = whole account)."""

    rule: str
    check: str
    campaigns: frozenset[str] | None
    categories: frozenset[str]
    words: str


def _fault(f: Finding) -> Fault | None:
    if f.category != "tracking" or f.severity not in TRIGGER_SEVERITIES or f.check is None:
        return None
    if f.check in COUNT_CHECKS:
        categories = frozenset({"waste", "profit"})
    elif f.check in VALUE_CHECKS:
        categories = frozenset({"profit"})
    else:
        return None
    campaigns: frozenset[str] | None = None
    named = f.evidence.get("campaigns") if f.check == "outage" else None
    if f.campaign:
        campaigns = frozenset({f.campaign})
    elif named:
        campaigns = frozenset(named)
    words = f.check.replace("_", " ")
    if f.check == "outage" and f.evidence.get("days"):
        words = f"outage on {day_span(f.evidence['days'])}"
    return Fault(f.rule, f.check, campaigns, categories, f"{words} ({f.rule})")


def _applies(fault: Fault, f: Finding) -> bool:
    if f.category not in fault.categories:
        return False
    return fault.campaigns is None or (f.campaign is not None and f.campaign in fault.campaigns)


CONSEQUENCE: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"outage", "no_conversions"}), "its zero conversions may be missing data"),
    (
        COUNT_CHECKS - {"outage", "no_conversions"},
        "conversions are over-counted, so the CPA and conversion rate it is judged against"
        " look better than they are",
    ),
    (VALUE_CHECKS, "conversion values are unreliable, so its ROAS is off"),
)
"""What each kind of fault does to a finding built on it, in the caveat sentence."""


def _caveat(f: Finding, faults: list[Fault]) -> Finding:
    rules = sorted({x.rule for x in faults})
    checks = {x.check for x in faults}
    effects = [words for kind, words in CONSEQUENCE if kind & checks]
    sentence = (
        f" Tracking caveat ({listing([x.words for x in faults], limit=4)}):"
        f" {'; '.join(effects)}. Severity lowered one level."
    )
    metrics = {**f.metrics, "tracking_caveat": rules}
    return replace(f, severity=lower(f.severity), message=f.message + sentence, metrics=metrics)


def apply_reliability(findings: list[Finding], tracking: list[Finding]) -> list[Finding]:
    """Lower the severity of waste/profit findings that rest on unreliable tracking, and say so."""
    faults = [x for x in (_fault(t) for t in tracking) if x is not None]
    if not faults:
        return findings
    out = []
    for f in findings:
        hits = [x for x in faults if _applies(x, f)]
        out.append(_caveat(f, hits) if hits else f)
    return out
