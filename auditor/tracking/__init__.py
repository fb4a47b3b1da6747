"""Conversion-tracking QA: checks of category `tracking`."""

from __future__ import annotations

from auditor.context import AuditContext
from auditor.model import Finding


def run_tracking(ctx: AuditContext) -> list[Finding]:
    """Run every tracking check the inputs allow."""
    return []


def apply_reliability(findings: list[Finding], tracking: list[Finding]) -> list[Finding]:
    """Lower the severity of waste findings that rest on unreliable tracking, and say so."""
    return findings
