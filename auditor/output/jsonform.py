"""The JSON form of an audit: built here and only here (CLI, TUI and tests all use it).

The top-level keys `inputs`, `period`, `currency`, `totals`, `hidden_cost`, `findings` and
`negatives` are a public contract (README, "Audit JSON"); keys are added, never renamed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from auditor import __version__
from auditor.model import HELD_REVIEW, AuditResult, Finding, HeldBack, NegativeProposal
from auditor.output.csvio import write_atomic

SCHEMA_VERSION = 1


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None, paths and dates to strings."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    try:
        if value != value:  # pandas NA / NaT
            return None
    except (TypeError, ValueError):
        return None
    return str(value)


def finding_to_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "title": f.title,
        "category": f.category,
        "severity": f.severity,
        "level": f.level,
        "campaign": f.campaign,
        "ad_group": f.ad_group,
    }
    for key in ("search_term", "keyword", "ngram"):
        if getattr(f, key) is not None:
            out[key] = getattr(f, key)
    out |= {
        "cost": f.cost,
        "clicks": f.clicks,
        "conversions": f.conversions,
        "conversion_value": f.conversion_value,
        "metrics": f.metrics,
        "message": f.message,
    }
    if f.check is not None:
        out["check"] = f.check
    if f.check is not None or f.evidence:
        out["evidence"] = f.evidence
    return _clean(out)


def proposal_to_dict(p: NegativeProposal) -> dict[str, Any]:
    return _clean(asdict(p))


REVIEW_MARKER = "review: "
"""How the JSON's `reason` of a review item starts (the public form since `kind` was added)."""


def held_back_to_dict(h: HeldBack) -> dict[str, Any]:
    out = asdict(h)
    if h.kind == HELD_REVIEW:
        out["reason"] = REVIEW_MARKER + h.reason
    return _clean(out)


def audit_to_dict(result: AuditResult) -> dict[str, Any]:
    """The whole audit as the documented JSON object."""
    period = None
    if result.period is not None:
        period = {
            "start": result.period.start.isoformat(),
            "end": result.period.end.isoformat(),
            "days": result.period.days,
        }
    head = _clean(
        {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "auditor", "version": __version__},
            "account": result.account,
            "inputs": [
                {
                    "path": str(i.path),
                    "kind": i.kind,
                    "format": i.format,
                    "locale": i.locale,
                    "rows": i.rows,
                    "skipped": [{"line": s.line, "reason": s.reason} for s in i.skipped],
                    "role": i.role,
                    "unknown_columns": i.unknown_columns,
                    "notes": i.notes,
                }
                for i in result.inputs
            ],
            "period": period,
            "currency": result.currency,
            "totals": result.totals,
            "hidden_cost": result.hidden_cost,
            "hidden_cost_amount": result.hidden_cost_amount,
            "coverage": result.coverage,
            "baseline": result.baseline,
            "notes": result.notes,
            "checks_skipped": result.checks_skipped,
        }
    )
    return head | {
        "findings": [finding_to_dict(f) for f in result.findings],
        "negatives": [proposal_to_dict(p) for p in result.negatives],
        "negatives_covered_cost": _clean(result.negatives_covered_cost),
        "held_back": [held_back_to_dict(h) for h in result.held_back],
    }


def audit_to_json(result: AuditResult) -> str:
    return json.dumps(audit_to_dict(result), indent=2, ensure_ascii=False) + "\n"


def write_audit_json(result: AuditResult, path: Path, *, force: bool = False) -> None:
    write_atomic(path, audit_to_json(result), force=force)
