"""The tracking checks as rules: id, severity, level, params and message from rules/tracking.toml.

The rule engine (`auditor.engine.load_rules`) validates and lists every pack, this one included,
and applies the user's overrides (enabled, severity, params). Tracking rules carry
`check = "<name>"` and no `when`: the engine does not evaluate them; `auditor.tracking` runs them
and reads their settings here. When the engine cannot give them (not built yet in a checkout), the
pack is read directly and `Settings.rule_overrides` applied the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.config import Settings
from auditor.errors import ConfigError
from auditor.resources import bundled

CHECKS: tuple[str, ...] = (
    "duplicate_transactions",
    "double_counting",
    "conversions_exceed_clicks",
    "missing_value",
    "default_value",
    "negative_value",
    "outage",
    "backend_mismatch",
    "currency_mismatch",
    "implausible_roas",
    "no_conversions",
)


@dataclass(frozen=True)
class TrackingRule:
    """What a tracking check needs from its rule: identity, severity, level, params, words."""

    id: str
    check: str
    severity: str
    level: str
    title: str
    message: str
    params: dict[str, float] = field(default_factory=dict)
    enabled: bool = True

    def param(self, name: str) -> float:
        """A numeric parameter; a missing one is a pack error, not a silent default."""
        try:
            return float(self.params[name])
        except KeyError:
            raise ConfigError(f"rule {self.id} has no param {name!r}") from None


def pack_path() -> Path:
    """rules/tracking.toml in the repo, or the copy bundled into an installed package."""
    return bundled("rules/tracking.toml")


def _from_engine(settings: Settings) -> list[Any] | None:
    try:
        from auditor.engine import load_rules
    except ImportError:
        return None
    return [r for r in load_rules(settings) if getattr(r, "check", None)]


def _from_pack(settings: Settings) -> list[dict[str, Any]]:
    path = pack_path()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = [dict(r) for r in data.get("rules", [])]
    for rule in rules:
        override = settings.rule_overrides.get(rule["id"])
        if override is None:
            continue
        if override.enabled is not None:
            rule["enabled"] = override.enabled
        if override.severity is not None:
            rule["severity"] = override.severity
        rule["params"] = {**rule.get("params", {}), **override.params}
    return rules


def _get(rule: Any, key: str, default: Any = None) -> Any:
    if isinstance(rule, dict):
        return rule.get(key, default)
    return getattr(rule, key, default)


TRACKING_KEYS = frozenset({"backend_tolerance"})
"""Keys of the config's [tracking] section."""


def _tracking_config(settings: Settings) -> dict[str, float]:
    """The [tracking] section, checked: known keys, numbers (0 or more)."""
    section = settings.tracking
    unknown = sorted(set(section) - TRACKING_KEYS)
    if unknown:
        raise ConfigError(f"[tracking] unknown key(s): {', '.join(unknown)}")
    out: dict[str, float] = {}
    for key, value in section.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"[tracking] {key} must be a number of 0 or more, not {value!r}")
        out[key] = float(value)
    return out


def _tracking_rule(rule: Any, config: dict[str, float]) -> TrackingRule:
    params = dict(_get(rule, "params", {}) or {})
    if _get(rule, "check") == "backend_mismatch" and "backend_tolerance" in config:
        params["tolerance"] = config["backend_tolerance"]
    return TrackingRule(
        id=str(_get(rule, "id")),
        check=str(_get(rule, "check")),
        severity=str(_get(rule, "severity", "medium")),
        level=str(_get(rule, "level", "account")),
        title=str(_get(rule, "title", "")),
        message=str(_get(rule, "message", "")),
        params=params,
        enabled=bool(_get(rule, "enabled", True)),
    )


def load_tracking_rules(settings: Settings) -> dict[str, TrackingRule]:
    """Enabled tracking rules by check name (the engine's view when it has one)."""
    config = _tracking_config(settings)
    found = _from_engine(settings)
    raw: list[Any] = found if found else _from_pack(settings)
    rules = [_tracking_rule(r, config) for r in raw if _get(r, "check") in CHECKS]
    return {r.check: r for r in rules if r.enabled}
