"""The tracking rules of rules/tracking.toml: one per check, overridable like any rule, and the
config's [tracking] section checked. (Their cases run with every other: test_rule_cases.py.)"""

from __future__ import annotations

import pytest

from auditor.config import RuleOverride, Settings
from auditor.engine.cases import case_context
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules
from auditor.errors import ConfigError
from auditor.tracking import CHECK_MODULES
from auditor.tracking.inputs import gather

TRACKING = [r for r in load_rules(Settings()) if r.category == "tracking"]
DUPLICATE = {"conversions": [{"transaction_id": "A-1", "conversion_action": "Purchase"}] * 2}


def test_every_tracking_check_has_one_rule_with_docs() -> None:
    registered = {
        name
        for module in CHECK_MODULES
        for name in vars(module)
        if name in {r.check for r in TRACKING}
    }
    assert sorted(r.check for r in TRACKING) == sorted(registered)
    for rule in TRACKING:
        assert rule.check and rule.when is None
        assert all(rule.docs.get(k, "").strip() for k in ("what", "why", "fix")), rule.id


def test_overrides_disable_and_retune_a_check() -> None:
    settings = Settings(
        rule_overrides={
            "TRACK001": RuleOverride(enabled=False),
            "TRACK007": RuleOverride(severity="medium", params={"alpha": 0.05}),
        },
        tracking={"backend_tolerance": 0.25},
    )
    rules = {r.id: r for r in load_rules(settings)}
    assert not rules["TRACK001"].enabled
    assert rules["TRACK007"].severity == "medium" and rules["TRACK007"].param("alpha") == 0.05
    ctx = case_context(DUPLICATE, settings)
    assert gather(ctx).backend_tolerance == 0.25
    assert not run_rules(ctx, list(rules.values()), stage="tracking").findings
    on = run_rules(case_context(DUPLICATE, Settings()), stage="tracking").findings
    assert [f.rule for f in on] == ["TRACK001"]


def test_bad_tracking_config_is_a_config_error() -> None:
    for section, words in (
        ({"backend_tolerance": "ten percent"}, "backend_tolerance"),
        ({"backend_tolerence": 0.2}, "unknown key"),
    ):
        with pytest.raises(ConfigError, match=words):
            gather(case_context(DUPLICATE, Settings(tracking=section)))
