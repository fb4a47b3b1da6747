"""`auditor rules` and `auditor rules explain ID`: the rules as a table, and one rule's docs,
condition, params and the metrics it reads."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from difflib import get_close_matches

from auditor.config import Settings
from auditor.engine.catalogue import METRICS
from auditor.engine.packs import Rule, load_rules
from auditor.errors import ConfigError


def _rule_by_id(rule_id: str, settings: Settings) -> Rule:
    rules = {r.id: r for r in load_rules(settings)}
    key = rule_id.strip().upper()
    if key in rules:
        return rules[key]

    near = get_close_matches(key, sorted(rules), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(near)}?" if near else "; `auditor rules` lists them"
    raise ConfigError(f"unknown rule id {rule_id!r}{hint}")


def rules_table(settings: Settings) -> list[dict[str, str]]:
    """One row per loaded rule: id, severity, category, level, title, enabled."""
    return [
        {
            "id": r.id,
            "severity": r.severity,
            "category": r.category,
            "level": r.level,
            "title": r.title,
            "enabled": "yes" if r.enabled else "no",
        }
        for r in load_rules(settings)
    ]


def explain(rule_id: str, settings: Settings) -> str:
    """The rule's docs as text (What it finds / Why it costs money / What to do)."""
    r = _rule_by_id(rule_id, settings)
    wrap: Callable[[str], str] = _indent
    lines = [
        f"{r.id} ({r.name}): {r.title}",
        f"Category {r.category}, severity {r.severity}, level {r.level}"
        + ("" if r.enabled else " - disabled"),
        f"Pack: {r.source}",
        "",
        "What it finds",
        wrap(r.docs.get("what", "")),
        "",
        "Why it costs money",
        wrap(r.docs.get("why", "")),
        "",
        "What to do",
        wrap(r.docs.get("fix", "")),
    ]
    if r.docs.get("example"):
        lines += ["", "Example", wrap(r.docs["example"])]
    if r.when:
        lines += ["", "Condition", f"    when = {r.when}"]
    if r.check:
        runner = "auditor.tracking" if r.category == "tracking" else "auditor.negatives.existing"
        lines += ["", "Check", f"    {r.check} (a check written in Python, run by {runner})"]
    if r.params:
        lines += ["", "Params (override in the config: [rules." + r.id + "] params = {...})"]
        lines += [f"    {k} = {v:g}" for k, v in r.params.items()]
    if r.unless:
        lines += ["", "Silent where " + ", ".join(r.unless) + " already found the same row"]
    if r.when:
        lines += ["", "Metrics read"]
        lines += [f"    {n}: {METRICS[n].doc}" for n in sorted(r.reads()) if n in METRICS]
    return "\n".join(lines)


def _indent(text: str) -> str:

    return textwrap.fill(
        " ".join(text.split()), width=96, initial_indent="    ", subsequent_indent="    "
    )
