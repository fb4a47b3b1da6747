"""Rule packs: TOML files of rules, loaded with `tomllib`, validated all at once.

A pack is `[pack]` (name, description) and `[[rules]]`, one table per rule:

    id, name, title, category, severity, level     required
    when                                          the condition (see `auditor.engine.expressions`)
    kind = "metric" | "cannibalisation"           optional, default "metric"
    params = { min_cost_share = 0.25 }            numbers the condition and message may read
    message = "..."                               `{name}` / `{name:money}` placeholders;
                                                  {cpa_label} / {roas_label}: "your target
                                                  CPA" or "the account's CPA" (ROAS alike)
    unless = ["WASTE001"]                         no finding where one of these rules found one
    cost_metric = "variant_cost"                  the figure put in the finding's `cost`
                                                  (default `cost`: the row's whole cost)
    enabled = true
    [rules.docs]  what, why, fix, example
    [[rules.cases]]  name, expect, and the inputs (see `auditor.engine.cases`)

Check rules (`rules/tracking.toml`, `rules/negatives.toml`) carry `check = "<name>"` instead of
`when`: they are validated and listed here, and the dispatcher
(`auditor.engine.run.run_rules`) calls the Python function registered under that name
(`auditor.engine.checks`).

Every problem of every pack (unknown keys, duplicate ids across packs, unknown names and bad
expressions, bad severities / levels / categories, overrides of unknown rules) is collected and
raised together as one `RuleError`, one line per problem naming the file and the rule id.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from auditor.config import RuleOverride, Settings
from auditor.engine.cases import check_case
from auditor.engine.catalogue import METRICS, names_at
from auditor.engine.expressions import Expr, ExprError, compile_expr
from auditor.errors import ConfigError, RuleError
from auditor.model import CATEGORIES, LEVELS, SEVERITIES
from auditor.resources import bundled
from auditor.tomlfile import read_toml

KINDS: dict[str, str] = {
    "metric": "the condition over the metrics of one row of the rule's level",
    "cannibalisation": "one row per search term across the account (search_term level), with"
    " `ad_groups`, `competing_ad_groups` and `campaigns` serving it; the message may use"
    " {served_by} and {split} (the location, device, language or audience splits among them)",
}
"""The named rule kinds implemented in Python (kept small on purpose)."""

RULE_KEYS = frozenset(
    {
        "id",
        "name",
        "title",
        "category",
        "severity",
        "level",
        "kind",
        "when",
        "params",
        "message",
        "docs",
        "cases",
        "check",
        "enabled",
        "unless",
        "cost_metric",
    }
)
DOC_KEYS = frozenset({"what", "why", "fix", "example"})
TEXT_FIELDS = frozenset({"subject", "campaign", "ad_group", "search_term", "keyword", "ngram"})
LABELS = frozenset({"cpa_label", "roas_label"})
"""Message words naming the yardstick: "your target CPA" when one is set, else "the account's
CPA" (the same for ROAS); filled by the engine."""
FORMATS = frozenset({"money", "pct", "chance", "int", "num", "ratio"})
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}")
_ID = re.compile(r"^[A-Z]{2,12}[0-9]{3}$")


@dataclass(frozen=True)
class Rule:
    """One rule of a pack, validated, with the user's overrides applied."""

    id: str
    name: str
    title: str
    category: str
    severity: str
    level: str
    source: Path
    when: str | None = None
    kind: str = "metric"
    params: dict[str, float] = field(default_factory=dict)
    message: str = ""
    docs: dict[str, str] = field(default_factory=dict)
    cases: tuple[dict[str, Any], ...] = ()
    check: str | None = None
    enabled: bool = True
    unless: tuple[str, ...] = ()
    cost_metric: str = "cost"
    expr: Expr | None = None

    @property
    def frame(self) -> str:
        """The metrics level the condition is evaluated on."""
        return "term_account" if self.kind == "cannibalisation" else self.level

    def param(self, name: str) -> float:
        """A numeric parameter; a missing one is a pack error, not a silent default."""
        try:
            return self.params[name]
        except KeyError:
            raise RuleError(f"{self.source}: {self.id}: missing param {name!r}") from None

    def reads(self) -> frozenset[str]:
        """Metric names the condition and the message read."""
        used = set(self.expr.names) if self.expr else set()
        used |= {n for n, _ in PLACEHOLDER.findall(self.message) if n in METRICS}
        used.add(self.cost_metric)
        return frozenset(used - set(self.params))


def rules_dir() -> Path:
    """The bundled default packs: the repo's `rules/` or the installed copy."""
    return bundled("rules")


def default_pack_paths() -> list[Path]:
    return sorted(rules_dir().glob("*.toml"))


def load_rules(settings: Settings) -> list[Rule]:
    """Every rule of the default and the user's packs, validated, overrides applied."""
    problems: list[str] = []
    rules: list[Rule] = []
    for path in [*default_pack_paths(), *settings.rule_packs]:
        rules.extend(_load_pack(path, problems))
    _check_ids(rules, problems)
    rules = _apply_overrides(rules, settings.rule_overrides, problems)
    if problems:
        head = f"{len(problems)} problem(s) in rule packs:" if len(problems) > 1 else ""
        raise RuleError("\n  ".join([head, *problems]) if head else problems[0])
    return rules


def _load_pack(path: Path, problems: list[str]) -> list[Rule]:
    try:
        data = read_toml(path, "rule pack")
    except ConfigError as exc:
        problems.append(exc.one_line())
        return []
    unknown = set(data) - {"pack", "rules"}
    if unknown:
        problems.append(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    bodies = data.get("rules", [])
    if not isinstance(bodies, list):
        problems.append(f"{path}: `rules` must be an array of tables ([[rules]])")
        return []
    out = []
    for i, body in enumerate(bodies):
        rule = _parse_rule(path, i, body, problems)
        if rule is not None:
            out.append(rule)
    return out


def _parse_rule(path: Path, index: int, body: Any, problems: list[str]) -> Rule | None:
    if not isinstance(body, dict):
        problems.append(f"{path}: rules[{index}] must be a table")
        return None
    rid = str(body.get("id", f"rules[{index}]"))
    before = len(problems)

    def bad(text: str) -> None:
        problems.append(f"{path}: {rid}: {text}")

    for key in sorted(set(body) - RULE_KEYS):
        bad(f"unknown key {key!r}{_near(key, RULE_KEYS)}")
    if not _ID.match(rid):
        bad("id must be a family prefix and three digits, e.g. WASTE001")
    is_check = "check" in body
    for key in ("name", "title", "category", "severity", *(() if is_check else ("level",))):
        if not isinstance(body.get(key), str) or not body.get(key):
            bad(f"missing or empty {key!r}")
    _choice(body, "category", CATEGORIES, bad)
    _choice(body, "severity", SEVERITIES, bad)
    _choice(body, "level", LEVELS, bad)
    kind = body.get("kind", "metric")
    if kind not in KINDS:
        bad(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if kind == "cannibalisation" and body.get("level") != "search_term":
        bad("kind 'cannibalisation' works at level 'search_term'")
    params = _params(body.get("params", {}), bad)
    docs = _docs(body.get("docs"), bad)
    cases = _cases(body.get("cases", []), bad)
    unless = body.get("unless", [])
    if not isinstance(unless, list) or not all(isinstance(u, str) for u in unless):
        bad("unless must be a list of rule ids")
        unless = []
    if not isinstance(body.get("enabled", True), bool):
        bad("enabled must be true or false")
    rule = Rule(
        id=rid,
        name=str(body.get("name", "")),
        title=str(body.get("title", "")),
        category=str(body.get("category", "")),
        severity=str(body.get("severity", "")),
        level=str(body.get("level", "account")),
        source=path,
        when=body.get("when"),
        kind=kind if kind in KINDS else "metric",
        params=params,
        message=str(body.get("message", "")),
        docs=docs,
        cases=tuple(cases),
        check=body.get("check"),
        enabled=bool(body.get("enabled", True)),
        unless=tuple(unless),
        cost_metric=str(body.get("cost_metric", "cost")),
    )
    if is_check:
        if "when" in body:
            bad("a `check` rule (run in Python) has `check` and no `when`")
        if not isinstance(rule.check, str) or not rule.check:
            bad("check must be the name of a check written in Python")
    elif rule.level in LEVELS and len(problems) == before:
        rule = _compile(rule, bad)
    return rule if len(problems) == before else None


def _near(word: str, choices: Any) -> str:
    near = get_close_matches(word, sorted(choices), n=3)
    return f" (did you mean {', '.join(near)}?)" if near else ""


def _choice(body: dict[str, Any], key: str, allowed: tuple[str, ...], bad: Any) -> None:
    value = body.get(key)
    if value is not None and value not in allowed:
        bad(f"{key} {value!r} is not one of {', '.join(allowed)}")


def _params(params: Any, bad: Any) -> dict[str, float]:
    if not isinstance(params, dict):
        bad("params must be a table of numbers")
        return {}
    out: dict[str, float] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            bad(f"param {name!r} must be a number, not {value!r}")
        elif not math.isfinite(value):
            bad(f"param {name!r} must be a finite number, not {value!r}")
        elif name in METRICS or name.startswith("_") or not name.isidentifier():
            bad(f"param name {name!r} is not allowed (a metric name or not a plain name)")
        else:
            out[name] = float(value)
    return out


def _docs(docs: Any, bad: Any) -> dict[str, str]:
    if not isinstance(docs, dict):
        bad("missing [rules.docs] with what, why and fix")
        return {}
    for key in sorted(set(docs) - DOC_KEYS):
        bad(f"unknown docs key {key!r} (use what, why, fix, example)")
    for key in ("what", "why", "fix"):
        if not isinstance(docs.get(key), str) or not docs[key].strip():
            bad(f"docs.{key} is missing")
    return {k: str(v) for k, v in docs.items() if k in DOC_KEYS}


def _cases(cases: Any, bad: Any) -> list[dict[str, Any]]:
    if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        bad("cases must be an array of tables ([[rules.cases]])")
        return []
    if not cases:
        bad("needs at least one [[rules.cases]] (inputs in, expected findings out)")
    for i, case in enumerate(cases):
        check_case(case, f"cases[{i}]", bad, _near)
    return cases


def _compile(rule: Rule, bad: Any) -> Rule:
    numbers, flags = names_at(rule.frame)
    allowed = numbers | frozenset(rule.params)
    expr = None
    if not isinstance(rule.when, str):
        bad("missing `when` (the condition) or `check`")
    else:
        try:
            expr = compile_expr(rule.when, allowed, flags)
        except ExprError as exc:
            bad(f"when: {exc}")
    if not rule.message:
        bad("missing `message`")
    if rule.cost_metric not in numbers:
        bad(f"cost_metric {rule.cost_metric!r} is not a metric of level {rule.level}")
    extra = {"served_by", "split"} if rule.kind == "cannibalisation" else set()
    texts = TEXT_FIELDS | LABELS | extra
    for name, fmt in PLACEHOLDER.findall(rule.message):
        if name not in allowed | flags | texts:
            bad(f"message: unknown placeholder {{{name}}}{_near(name, allowed | texts)}")
        if fmt and fmt not in FORMATS:
            bad(f"message: unknown format {fmt!r} in {{{name}:{fmt}}} ({', '.join(FORMATS)})")
    return replace(rule, expr=expr)


def _check_ids(rules: list[Rule], problems: list[str]) -> None:
    seen: dict[str, Path] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(f"{rule.source}: {rule.id}: duplicate id (also in {seen[rule.id]})")
        seen.setdefault(rule.id, rule.source)
    for rule in rules:
        for other in rule.unless:
            if other not in seen:
                problems.append(f"{rule.source}: {rule.id}: unless names unknown rule {other!r}")


def _apply_overrides(
    rules: list[Rule], overrides: dict[str, RuleOverride], problems: list[str]
) -> list[Rule]:
    by_id = {r.id: r for r in rules}
    for rid, ov in overrides.items():
        if rid not in by_id:
            problems.append(f"config [rules.{rid}]: no such rule{_near(rid, by_id)}")
            continue
        rule = by_id[rid]
        if ov.severity is not None and ov.severity not in SEVERITIES:
            problems.append(
                f"config [rules.{rid}]: severity {ov.severity!r} is not one of"
                f" {', '.join(SEVERITIES)}"
            )
        unknown = set(ov.params) - set(rule.params)
        for name in sorted(unknown):
            problems.append(
                f"config [rules.{rid}]: unknown param {name!r}"
                f" (params: {', '.join(sorted(rule.params)) or 'none'})"
            )
        if ov.enabled is not None and not isinstance(ov.enabled, bool):
            problems.append(f"config [rules.{rid}]: enabled must be true or false")
        by_id[rid] = replace(
            rule,
            enabled=rule.enabled if ov.enabled is None else bool(ov.enabled),
            severity=ov.severity if ov.severity in SEVERITIES else rule.severity,
            params={**rule.params, **{k: v for k, v in ov.params.items() if k not in unknown}},
        )
    return [by_id[r.id] for r in rules]
