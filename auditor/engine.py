"""The rule engine: loads rule packs from `rules/`, evaluates them, returns findings."""

from __future__ import annotations

from auditor.config import Settings
from auditor.context import AuditContext
from auditor.errors import ConfigError
from auditor.model import RulesOutcome


def run_rules(ctx: AuditContext) -> RulesOutcome:
    """Evaluate every enabled rule of every pack on the context's table."""
    return RulesOutcome()


def rules_table(settings: Settings) -> list[dict[str, str]]:
    """One row per loaded rule: id, severity, category, level, title, enabled."""
    return []


def explain(rule_id: str, settings: Settings) -> str:
    """The rule's docs as text (What it finds / Why it costs money / What to do)."""
    raise ConfigError(f"unknown rule id {rule_id!r}")
