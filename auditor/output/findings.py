"""Findings as a CSV a manager can sort and filter in a spreadsheet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from auditor.model import SEVERITIES, Finding
from auditor.output.csvio import write_csv
from auditor.output.jsonform import finding_to_dict

COLUMNS = (
    "rule",
    "title",
    "category",
    "severity",
    "level",
    "campaign",
    "ad_group",
    "search_term",
    "keyword",
    "ngram",
    "cost",
    "clicks",
    "conversions",
    "conversion_value",
    "message",
    "check",
    "metrics",
)


def _rank(f: Finding) -> tuple[int, float]:
    severity = SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES)
    return (severity, -(f.cost or 0.0))


def write_findings_csv(path: Path, findings: Sequence[Finding], *, force: bool = False) -> None:
    """One row per finding, by severity then cost (as the summary and JSON); `metrics` as
    compact JSON."""
    rows = []
    for f in sorted(findings, key=_rank):
        d = finding_to_dict(f)
        d["metrics"] = json.dumps(d.get("metrics") or {}, ensure_ascii=False, sort_keys=True)
        rows.append([d.get(c) for c in COLUMNS])
    write_csv(path, COLUMNS, rows, force=force, encoding="utf-8-sig")
