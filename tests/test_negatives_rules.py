"""NEG001 / NEG002 as rules of rules/negatives.toml: listed, explained, overridable. (Their
cases run with every other rule's: test_rule_cases.py.)"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import auditor.negatives.existing  # noqa: F401  (registers NEG001 / NEG002)
from auditor.audit import audit
from auditor.cli import main
from auditor.config import RuleOverride, Settings
from auditor.engine.cases import case_context
from auditor.engine.explain import explain
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_reports" / "google-ads-search-terms-en.csv"

NEG_RULES = [r for r in load_rules(Settings()) if r.id.startswith("NEG")]


def _run(case: dict, settings: Settings) -> list:
    return run_rules(case_context(case, settings), stage="negatives").findings


def _sample_audit(tmp_path: Path, settings: Settings) -> list:
    """The sample account audited with an existing-negatives file giving NEG001 and NEG002."""
    existing = tmp_path / "negatives.txt"
    existing.write_text('jobb\n"lediga jobb"\n[vandringskängor]\n', encoding="utf-8")
    settings = replace(settings, existing_negatives=(existing,))
    return [f for f in audit([SAMPLE], settings).findings if f.rule.startswith("NEG")]


def test_both_rules_are_declared_as_checks_with_docs_and_a_positive_case() -> None:
    assert [r.id for r in NEG_RULES] == ["NEG001", "NEG002"]
    for rule in NEG_RULES:
        assert rule.check and rule.when is None and rule.category == "structure"
        assert any(case["expect"] for case in rule.cases), rule.id
        assert any(not case["expect"] for case in rule.cases), rule.id
    assert {r.id: r.severity for r in NEG_RULES} == {"NEG001": "high", "NEG002": "low"}


def test_auditor_rules_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) in (0, None)
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    assert "high" in lines["NEG001"] and "structure" in lines["NEG001"]
    assert "low" in lines["NEG002"]


def test_explain_gives_the_docs() -> None:
    text = explain("NEG001", Settings())
    rule = next(r for r in NEG_RULES if r.id == "NEG001")
    assert text.startswith("NEG001")
    assert " ".join(rule.docs["why"].split()[:6]) in " ".join(text.split())
    assert "What to do" in text and "min_conversions" in text


def test_overrides_disable_and_retune_on_the_sample_account(tmp_path: Path) -> None:
    base = _sample_audit(tmp_path, Settings())
    assert {f.rule for f in base} == {"NEG001", "NEG002"}
    off = _sample_audit(tmp_path, Settings(rule_overrides={"NEG002": RuleOverride(enabled=False)}))
    assert [f.rule for f in off] == [f.rule for f in base if f.rule != "NEG002"]
    retuned = Settings(rule_overrides={"NEG001": RuleOverride(severity="medium")})
    neg001 = [f for f in _sample_audit(tmp_path, retuned) if f.rule == "NEG001"]
    assert neg001 and all(f.severity == "medium" for f in neg001)


def test_min_conversions_param_silences_small_converters() -> None:
    case = next(c for r in NEG_RULES for c in r.cases if r.id == "NEG001" and c["expect"])
    blocked = max(t.get("conversions", 0.0) for t in case["rows"])
    high = {"NEG001": RuleOverride(params={"min_conversions": blocked + 1})}
    assert not [f for f in _run(case, Settings(rule_overrides=high)) if f.rule == "NEG001"]
