"""The tracking rules of rules/tracking.toml: complete, and their cases (kept as data) hold."""

from __future__ import annotations

import tomllib
from typing import Any

import pandas as pd
import pytest

from auditor import schema
from auditor.config import RuleOverride, Settings
from auditor.errors import ConfigError
from auditor.tracking import CHECKS, run_checks
from auditor.tracking.inputs import TrackingInputs, daily_table
from auditor.tracking.rules import load_tracking_rules, pack_path

PACK = tomllib.loads(pack_path().read_text(encoding="utf-8"))["rules"]
CASES = [(rule, case) for rule in PACK for case in rule.get("cases", [])]


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"])
    frame[schema.LINE_COLUMN] = range(2, len(frame) + 2)
    return schema.conform(frame)


def _conversions(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = _table(rows)
    for col in ("transaction_id", "gclid"):
        table[col] = table.get(col, pd.Series(pd.NA, index=table.index)).astype(schema.STRING_DTYPE)
    table["conversions"] = table["conversions"].fillna(1.0)
    return table


def inputs_from_case(case: dict[str, Any]) -> TrackingInputs:
    """TrackingInputs from a case's tables (conversions, daily, by_action, orders, rows)."""
    orders = None
    if "orders" in case:
        orders = _table(case["orders"])
    return TrackingInputs(
        conversions=_conversions(case["conversions"]) if "conversions" in case else None,
        by_action=_table(case["by_action"]) if "by_action" in case else None,
        daily=daily_table(_table(case["daily"])) if "daily" in case else None,
        rows=_table(case["rows"]) if "rows" in case else None,
        orders=orders,
        currency="SEK",
    )


def test_every_check_has_one_rule_with_docs_and_cases() -> None:
    checks = [r["check"] for r in PACK]
    assert sorted(checks) == sorted(CHECKS)
    for rule in PACK:
        assert rule["category"] == "tracking" and "when" not in rule
        assert all(rule["docs"].get(k, "").strip() for k in ("what", "why", "fix")), rule["id"]
        assert rule.get("cases"), f"{rule['id']} has no test case"
        assert any(c["expect"] > 0 for c in rule["cases"]), f"{rule['id']} never fires"


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r['id']}: {c['name']}" for r, c in CASES])
def test_rule_case(rule: dict[str, Any], case: dict[str, Any]) -> None:
    rules = load_tracking_rules(Settings())
    found = run_checks(inputs_from_case(case), {rule["check"]: rules[rule["check"]]})
    assert all(f.check == rule["check"] and f.rule == rule["id"] for f in found)
    assert len(found) == case["expect"], [f.message for f in found]
    for f in found:
        assert f.category == "tracking" and f.message and "{" not in f.message


def test_overrides_disable_and_retune_a_check() -> None:
    settings = Settings(
        rule_overrides={
            "TRACK001": RuleOverride(enabled=False),
            "TRACK007": RuleOverride(severity="medium", params={"alpha": 0.05}),
        },
        tracking={"backend_tolerance": 0.25},
    )
    rules = load_tracking_rules(settings)
    assert "duplicate_transactions" not in rules
    assert rules["outage"].severity == "medium" and rules["outage"].param("alpha") == 0.05
    assert rules["backend_mismatch"].param("tolerance") == 0.25


def test_bad_tracking_config_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="backend_tolerance"):
        load_tracking_rules(Settings(tracking={"backend_tolerance": "ten percent"}))
    with pytest.raises(ConfigError, match="unknown key"):
        load_tracking_rules(Settings(tracking={"backend_tolerence": 0.2}))
