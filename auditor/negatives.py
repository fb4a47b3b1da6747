"""Negative-keyword proposals: families of irrelevant queries, each proven safe."""

from __future__ import annotations

from auditor.context import AuditContext
from auditor.model import NegativesOutcome


def propose_negatives(ctx: AuditContext) -> NegativesOutcome:
    """Propose the few negatives that cover each irrelevant family's spend."""
    return NegativesOutcome()
