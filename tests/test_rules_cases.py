"""Every rule of the default packs: docs present, and its test cases (kept as data beside the
rule in rules/*.toml) give exactly the findings they expect."""

from __future__ import annotations

import pytest

from auditor.config import Settings
from auditor.engine import run_rules
from auditor.packs import case_context, load_rules

RULES = load_rules(Settings())
EVALUATED = [r for r in RULES if r.check is None]
CASES = [
    pytest.param(rule, case, id=f"{rule.id}-{i}")
    for rule in EVALUATED
    for i, case in enumerate(rule.cases)
]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_docs(rule):
    for key in ("what", "why", "fix"):
        assert len(rule.docs.get(key, "").split()) >= 5, f"{rule.id} docs.{key} is too thin"
    assert rule.title and rule.name


@pytest.mark.parametrize("rule", EVALUATED, ids=[r.id for r in EVALUATED])
def test_every_evaluated_rule_has_a_case_that_flags_something(rule):
    assert any(case["expect"] for case in rule.cases), f"{rule.id} has no positive case"


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_rule_case(rule, case):
    outcome = run_rules(case_context(case, Settings()))
    errors = [f.message for f in outcome.findings if f.rule == "internal-error"]
    assert not errors
    found = sorted(
        f.search_term or f.keyword or f.ngram or f.ad_group or f.campaign or "account"
        for f in outcome.findings
        if f.rule == rule.id
    )
    assert found == sorted(case["expect"]), case["name"]
    for f in outcome.findings:
        if f.rule == rule.id:
            assert "{" not in f.message and "n/a" not in f.message, f.message
