"""Conversion-tracking QA: checks of category `tracking`, and their weight on other findings.

`run_tracking(ctx)` gathers the tracking inputs (`auditor.tracking.inputs`), runs every enabled
check of rules/tracking.toml that the inputs allow, and returns its findings (sorted by
severity). A check that crashes becomes an `internal-error` finding naming its rule; the audit
goes on. `tracking_skipped(ctx)` lists the checks the inputs could not feed, and what they need.
`apply_reliability` is the policy in `auditor.tracking.reliability`.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.context import AuditContext
from auditor.model import Finding
from auditor.tracking import actions, backend, outage, values
from auditor.tracking.coverage import skipped_checks
from auditor.tracking.inputs import TrackingInputs, gather
from auditor.tracking.reliability import apply_reliability
from auditor.tracking.rules import TrackingRule, load_tracking_rules
from auditor.tracking.text import SEVERITY_ORDER

__all__ = ["CHECKS", "apply_reliability", "run_checks", "run_tracking", "tracking_skipped"]

Check = Callable[[TrackingInputs, TrackingRule], list[Finding]]

CHECKS: dict[str, Check] = {
    "duplicate_transactions": values.duplicate_transactions,
    "double_counting": actions.double_counting,
    "conversions_exceed_clicks": actions.conversions_exceed_clicks,
    "missing_value": values.missing_value,
    "default_value": values.default_value,
    "negative_value": values.negative_value,
    "outage": outage.outage,
    "backend_mismatch": backend.backend_mismatch,
    "currency_mismatch": values.currency_mismatch,
    "implausible_roas": backend.implausible_roas,
    "no_conversions": actions.no_conversions,
}


def _crashed(rule: TrackingRule, exc: Exception) -> Finding:
    return Finding(
        rule="internal-error",
        category="tracking",
        severity="low",
        level=rule.level,
        title=f"Tracking check {rule.id} failed",
        message=f"Rule {rule.id} ({rule.check}) could not run: {type(exc).__name__}: {exc}",
        check=rule.check,
        evidence={"rule": rule.id},
    )


def run_checks(inputs: TrackingInputs, rules: dict[str, TrackingRule]) -> list[Finding]:
    """Run each enabled rule's check on `inputs`; sorted by severity, then check order."""
    out: list[Finding] = []
    for name, check in CHECKS.items():
        rule = rules.get(name)
        if rule is None:
            continue
        try:
            out.extend(check(inputs, rule))
        except Exception as exc:  # a crashing check must not stop the audit
            out.append(_crashed(rule, exc))
    return sorted(out, key=lambda f: SEVERITY_ORDER.index(f.severity))


def run_tracking(ctx: AuditContext) -> list[Finding]:
    """Run every tracking check the inputs allow."""
    return run_checks(gather(ctx), load_tracking_rules(ctx.settings))


def tracking_skipped(ctx: AuditContext) -> list[dict[str, str]]:
    """`[{rule, check, reason}]`: the tracking checks these inputs could not feed."""
    return skipped_checks(gather(ctx, aggregate=False), load_tracking_rules(ctx.settings))
