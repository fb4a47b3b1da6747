"""The one rule dispatcher: check rules run like evaluated ones (skips, crashes, overrides), and
an audit reads every rule pack once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import auditor.audit  # noqa: F401  (imports every module that registers a check)
import auditor.engine.packs as packs
from auditor.audit import audit
from auditor.config import Settings
from auditor.engine.cases import case_context
from auditor.engine.checks import CHECKS, Check
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules
from auditor.errors import RuleError

ROOT = Path(__file__).resolve().parents[1]
FAULTY = ROOT / "sample_reports" / "tracking" / "faulty"
DUPLICATE = {"conversions": [{"transaction_id": "A-1", "conversion_action": "Purchase"}] * 2}


def test_a_crashing_check_becomes_an_internal_error_naming_its_rule(monkeypatch) -> None:
    def boom(inputs: object, rule: object) -> list:
        raise ZeroDivisionError("no orders")

    found = CHECKS["duplicate_transactions"]
    monkeypatch.setitem(CHECKS, found.name, Check(found.name, boom, found.inputs))
    outcome = run_rules(case_context(DUPLICATE, Settings()), stage="tracking")
    (error,) = [f for f in outcome.findings if f.rule == "internal-error"]
    assert error.metrics["failed_rule"] == "TRACK001" and error.check == "duplicate_transactions"
    assert "TRACK001" in error.message and "ZeroDivisionError: no orders" in error.message


def test_a_check_its_inputs_cannot_feed_is_skipped_with_the_reason_and_not_run() -> None:
    outcome = run_rules(case_context(DUPLICATE, Settings()), stage="tracking")
    assert [f.rule for f in outcome.findings] == ["TRACK001"]
    skipped = {c["rule"]: c for c in outcome.checks_skipped}
    assert skipped["TRACK007"] == {
        "rule": "TRACK007",
        "check": "outage",
        "reason": "needs a report segmented by day (--by-day FILE, or a Day column)",
    }
    assert "TRACK001" not in skipped


def test_a_rule_naming_an_unknown_check_is_a_rule_error() -> None:
    rules = load_rules(Settings())
    track = next(r for r in rules if r.id == "TRACK001")
    with pytest.raises(RuleError, match="no check named 'duplicates'"):
        run_rules(case_context(DUPLICATE, Settings()), [replace(track, check="duplicates")])


def test_an_audit_reads_each_rule_pack_once(monkeypatch) -> None:
    read: list[Path] = []
    real = packs.read_toml

    def counting(path: Path, what: str) -> dict:
        read.append(path)
        return real(path, what)

    monkeypatch.setattr(packs, "read_toml", counting)
    result = audit([FAULTY], Settings())
    assert {f.rule for f in result.findings} >= {"TRACK001", "TRACK007"}
    assert sorted(read) == sorted(packs.default_pack_paths())
