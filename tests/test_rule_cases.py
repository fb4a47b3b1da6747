"""Every rule of every default pack, evaluated or check: docs present, and its test cases give
exactly the findings they expect when the dispatcher runs the rule's stage on them (cases are
kept as data beside the rule in rules/*.toml, in one format: `auditor.engine.cases`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import auditor.audit  # noqa: F401  (imports every module that registers a check)
from auditor.config import Settings
from auditor.engine.cases import case_context, subject
from auditor.engine.checks import CHECKS, stage_of
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules
from auditor.errors import RuleError

RULES = load_rules(Settings())
CASES = [
    pytest.param(rule, case, id=f"{rule.id}-{i}")
    for rule in RULES
    for i, case in enumerate(rule.cases)
]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_docs(rule):
    for key in ("what", "why", "fix"):
        assert len(rule.docs.get(key, "").split()) >= 5, f"{rule.id} docs.{key} is too thin"
    assert rule.title and rule.name


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_a_case_that_flags_something(rule):
    assert any(case["expect"] for case in rule.cases), f"{rule.id} has no positive case"


def test_every_check_rule_has_its_function_and_every_function_a_rule():
    named = [r.check for r in RULES if r.check]
    assert sorted(named) == sorted(CHECKS)
    assert {stage_of(r) for r in RULES} == {"tracking", "rules", "negatives"}


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_rule_case(rule, case):
    outcome = run_rules(case_context(case, Settings()), RULES, stage=stage_of(rule))
    errors = [f.message for f in outcome.findings if f.rule == "internal-error"]
    assert not errors
    found = [f for f in outcome.findings if f.rule == rule.id]
    assert sorted(subject(f) for f in found) == sorted(case["expect"]), case["name"]
    for f in found:
        assert f.title == rule.title and f.category == rule.category
        assert "{" not in f.message and "n/a" not in f.message, f.message


def test_the_cases_of_check_rules_are_validated(tmp_path: Path):
    pack = tmp_path / "house.toml"
    pack.write_text(
        """
[[rules]]
id = "HOUSE901"
name = "dup"
title = "Duplicate IDs, again"
category = "tracking"
severity = "low"
check = "duplicate_transactions"
message = "{ids}"
params = { min_ids = 1, material_share = 0.01 }
[rules.docs]
what = "w"
why = "y"
fix = "f"
[[rules.cases]]
name = "a typo"
expect = 1
conversion = [{ transaction_id = "A" }]
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as err:
        load_rules(Settings(rule_packs=(pack,)))
    text = str(err.value)
    assert "HOUSE901: cases[0]: unknown key 'conversion' (did you mean conversions?)" in text
    assert "HOUSE901: cases[0]: expect must be a list" in text
