"""Account settings: a TOML config file (`--config`) with command-line overrides.

```toml
[account]
name = "Acme Outdoor"    # the account's name in list names, file names and outputs
target_cpa = 40.0        # currency units per conversion
target_roas = 4.0        # conversion value / cost
margin = 0.35            # gross margin; break-even ROAS = 1 / margin
brand = ["acme"]         # brand terms: never negated, judged apart
protect = ["acme pro"]   # other terms no negative may contain
competitors = ["globex"] # competitors' brands: negated where the account does not bid on them

[rules]
packs = ["my-rules.toml"]          # extra rule packs, relative to the config file
[rules.WASTE001]
enabled = true
severity = "medium"
params = { min_clicks = 30 }

[negatives]
platform = "google"                # google | microsoft (limits and match semantics)
irrelevant = ["wholesale", "jobb"] # account-specific irrelevant words
lexicons = ["my-lexicon.toml"]     # extra lexicons, relative to the config file
review_limit = 50                  # wasteful candidates listed for review (held back)

[tracking]
backend_tolerance = 0.10           # platform may exceed shop orders by this share
```
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.tomlfile import non_finite, read_toml

LIMITS: dict[str, tuple[float, float]] = {
    "target_cpa": (0.0, 1e9),
    "target_roas": (0.0, 1e4),
    "margin": (0.0, 1.0),
}
"""(exclusive lower, inclusive upper) bound of each account setting."""

_SECTIONS: dict[str, set[str] | None] = {
    "account": {"name", "target_cpa", "target_roas", "margin", "brand", "protect", "competitors"},
    "rules": None,
    "negatives": {"platform", "irrelevant", "lexicons", "shared_list_name", "review_limit"},
    "tracking": None,
}


@dataclass(frozen=True)
class RuleOverride:
    enabled: bool | None = None
    severity: str | None = None
    params: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Everything an audit can be told; the engine reads only this."""

    account_name: str | None = None
    """`[account] name`; without it the name comes from the reports (`auditor.account`)."""
    target_cpa: float | None = None
    target_roas: float | None = None
    margin: float | None = None
    brand: tuple[str, ...] = ()
    protect: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    """Competitors' brand names: proposed as negatives where the account does not bid on them."""
    rule_packs: tuple[Path, ...] = ()
    rule_overrides: dict[str, RuleOverride] = field(default_factory=dict)
    platform: str = "google"
    irrelevant: tuple[str, ...] = ()
    lexicons: tuple[Path, ...] = ()
    shared_list_name: str = "auditor negatives"
    review_limit: int = 50
    """At most this many wasteful candidates listed for review (held back, kind `review`)."""
    tracking: dict[str, Any] = field(default_factory=dict)
    conversions: tuple[Path, ...] = ()
    by_action: tuple[Path, ...] = ()
    by_day: tuple[Path, ...] = ()
    orders: tuple[Path, ...] = ()
    existing_negatives: tuple[Path, ...] = ()
    keywords: tuple[Path, ...] = ()

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with every change that is not None applied (CLI flags over the file)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _number(section: str, key: str, value: Any, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"[{section}] {key} must be a number, not {value!r}", path=path)
    if not math.isfinite(value) or abs(value) > 1e15:
        raise ConfigError(f"[{section}] {key} must be a finite number, not {value!r}", path=path)
    return float(value)


def _strings(section: str, key: str, value: Any, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[{section}] {key} must be a list of strings", path=path)
    if not all(v.strip() for v in value):
        raise ConfigError(f"[{section}] {key} holds an empty string", path=path)
    return tuple(v.strip() for v in value)


def _name(value: Any, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("[account] name must be a non-empty string", path=path)
    return value.strip()


def _rule_overrides(rules: dict[str, Any], path: Path) -> dict[str, RuleOverride]:
    out: dict[str, RuleOverride] = {}
    for rule_id, body in rules.items():
        if rule_id == "packs":
            continue
        if not isinstance(body, dict):
            raise ConfigError(f"[rules.{rule_id}] must be a table", path=path)
        unknown = set(body) - {"enabled", "severity", "params"}
        if unknown:
            raise ConfigError(
                f"[rules.{rule_id}] unknown key(s): {', '.join(sorted(unknown))}", path=path
            )
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise ConfigError(f"[rules.{rule_id}] params must be a table", path=path)
        out[rule_id] = RuleOverride(
            enabled=body.get("enabled"),
            severity=body.get("severity"),
            params={k: _number(f"rules.{rule_id}", k, v, path) for k, v in params.items()},
        )
    return out


def load_config(path: Path | None) -> Settings:
    """Read a config file into Settings; no file gives the defaults."""
    if path is None:
        return Settings()
    data = read_toml(path, "config file")
    bad = non_finite(data)
    if bad:
        raise ConfigError(f"{bad} must be a finite number, not NaN or infinity", path=path)
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}", path=path)
    for name, keys in _SECTIONS.items():
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise ConfigError(f"[{name}] must be a table", path=path)
        if keys is not None and set(section) - keys:
            bad = ", ".join(sorted(set(section) - keys))
            raise ConfigError(f"[{name}] unknown key(s): {bad}", path=path)
    base = path.parent
    account = data.get("account", {})
    rules = data.get("rules", {})
    negatives = data.get("negatives", {})
    changes: dict[str, Any] = {}
    for key in ("target_cpa", "target_roas", "margin"):
        if key in account:
            changes[key] = _number("account", key, account[key], path)
    if "name" in account:
        changes["account_name"] = _name(account["name"], path)
    for key in ("brand", "protect", "competitors"):
        if key in account:
            changes[key] = _strings("account", key, account[key], path)
    if "packs" in rules:
        packs = _strings("rules", "packs", rules["packs"], path)
        changes["rule_packs"] = tuple(base / p for p in packs)
    changes["rule_overrides"] = _rule_overrides(rules, path)
    if "platform" in negatives:
        if negatives["platform"] not in ("google", "microsoft"):
            raise ConfigError("[negatives] platform must be 'google' or 'microsoft'", path=path)
        changes["platform"] = negatives["platform"]
    if "irrelevant" in negatives:
        changes["irrelevant"] = _strings("negatives", "irrelevant", negatives["irrelevant"], path)
    if "lexicons" in negatives:
        lex = _strings("negatives", "lexicons", negatives["lexicons"], path)
        changes["lexicons"] = tuple(base / p for p in lex)
    if "shared_list_name" in negatives:
        changes["shared_list_name"] = str(negatives["shared_list_name"])
    if "review_limit" in negatives:
        limit = negatives["review_limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 10_000:
            raise ConfigError("[negatives] review_limit must be a whole number 0-10000", path=path)
        changes["review_limit"] = limit
    changes["tracking"] = dict(data.get("tracking", {}))
    settings = Settings(**changes)
    validate_settings(settings, path)
    return settings


def validate_settings(settings: Settings, path: Path | None = None) -> None:
    """Reject values no account can have (NaN, infinity, a margin of 0 or above 1, negative
    or absurd targets), from the config file or the command line alike."""
    for name, (low, high) in LIMITS.items():
        value = getattr(settings, name)
        if value is None:
            continue
        if not math.isfinite(value):
            raise ConfigError(f"{name} must be a finite number, not {value}", path=path)
        if not low < value <= high:
            raise ConfigError(
                f"{name} must be above {low:g} and at most {high:g}, not {value}", path=path
            )
