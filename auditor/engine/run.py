"""The one dispatcher of every rule of the packs.

`run_rules` runs each enabled rule: a rule with a `when` is evaluated on whole columns of its
level's metrics (`auditor.engine.workspace`), every row where the condition holds becoming one
`Finding`; a rule with a `check` calls the Python function registered under that name
(`auditor.engine.checks`: the tracking checks, NEG001 / NEG002). The audit loads the packs once
and runs the dispatcher once per stage (tracking, rules, negatives). Decisions:

- A rule whose inputs are missing (no Conversions column, no margin, no hidden-spend row, no
  keywords, no conversions at all and no target; for a check, what its family says it lacks)
  is not run; it is listed in `checks_skipped` with the reason.
- A rule that raises becomes one `internal-error` finding naming it; the other rules run.
- Overlap: a rule may say `unless = ["WASTE001"]`: it stays silent on rows another rule
  already flagged (same level, campaign, ad group and text). The default pack uses this so a
  search term costly enough for the CPA rule (WASTE001) is not repeated by the statistical
  rule (WASTE002); the CPA finding quotes the statistics too.
- Brand terms (`Settings.brand`, whole words) are not waste by the CPA or n-gram rules; the
  default pack judges them only with WASTE005 (zero conversions implausible at the rate of the
  rest of their ad group), whose message says to negate the words beside the brand.
- A finding's `cost` is the rule's `cost_metric` (default `cost`): the money at stake, e.g. the
  close variants' spend for STRUCT003, the hidden spend for VIS001. Its clicks, conversions and
  value describe the same scope: `<scope>_clicks`, `<scope>_conversions`, `<scope>_value` for a
  `cost_metric` of `<scope>_cost` (None where the scope has no such metric), never the whole
  row's while the cost is a part of it.
- Findings are sorted by severity, then cost (highest first); a check's findings follow the
  evaluated rules' of the same severity, in the order the check gave them.
- A message lists at most `SHOWN_IN_MESSAGE` items (`capped`: "... and 1,990 more"); the
  full list goes to the finding's `evidence` (cannibalisation rules: every ad group serving
  the term).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from auditor.engine.catalogue import FLAGS, METRICS, names_at
from auditor.engine.checks import CHECKS, EVALUATED, Check, stage_of
from auditor.engine.context import AuditContext
from auditor.engine.levels import SUBJECT, Value
from auditor.engine.packs import PLACEHOLDER, Rule, load_rules
from auditor.engine.skips import skip_reason
from auditor.engine.workspace import Level, Workspace
from auditor.errors import RuleError
from auditor.model import SEVERITIES, Finding, RulesOutcome, SkippedCheck
from auditor.splits import Signature, describe
from auditor.stats import format_chance, format_count

__all__ = ["evaluate_rule", "run_rules"]

_STANDARD_FIGURES = ("cost", "clicks", "conversions", "value")


def run_rules(
    ctx: AuditContext, rules: Sequence[Rule] | None = None, *, stage: str | None = None
) -> RulesOutcome:
    """Run every enabled rule of `rules` (default: every pack's) on the audit's inputs.

    The one dispatcher: a rule with a `when` is evaluated on the metrics workspace, a rule with
    a `check` calls its registered function (`auditor.engine.checks`) on its family's inputs,
    built once per call. `stage` keeps the rules of one audit stage (`checks.stage_of`); the
    evaluated rules' stage also gives the baseline and its notes.
    """
    rules = load_rules(ctx.settings) if rules is None else rules
    chosen = [r for r in rules if stage is None or stage_of(r) == stage]
    run = _Run(ctx)
    outcome = RulesOutcome()
    if stage in (None, EVALUATED):
        outcome.baseline = run.ws.baseline.as_dict()
        outcome.notes = baseline_notes(run.ws, ctx.currency)
    flagged: dict[str, set[tuple[object, ...]]] = {}
    ranked: list[tuple[tuple[int, bool, float], Finding]] = []
    ordered = _in_order(chosen)
    last_use = {r.frame: i for i, r in enumerate(ordered) if r.enabled and r.check is None}
    for i, rule in enumerate(ordered):
        for name in [n for n, last in last_use.items() if last < i]:
            run.ws.forget(name)
            del last_use[name]
        if not rule.enabled:
            continue
        reason = run.skip_reason(rule)
        if reason is not None:
            outcome.checks_skipped.append(_skipped(rule, reason))
            continue
        try:
            found = run.findings(rule)
        except Exception as exc:  # a broken rule must not stop the audit
            error = _internal_error(rule, exc)
            ranked.append((_rank(error, rule), error))
            continue
        hidden = set().union(*(flagged.get(u, set()) for u in rule.unless))
        found = [f for f in found if _key(f) not in hidden]
        flagged[rule.id] = {_key(f) for f in found}
        for f in found:
            if rule.check is None:
                apply_materiality(f, run.ws.baseline.target_cpa, run.ws.baseline.cost, ctx.currency)
            ranked.append((_rank(f, rule), f))
    run.close()
    ranked.sort(key=lambda pair: pair[0])
    outcome.findings = [f for _, f in ranked]
    return outcome


class _Run:
    """One call of the dispatcher: the metrics workspace and each check family's inputs,
    built when a rule first needs them."""

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._inputs: dict[str, object] = {}

    @cached_property
    def ws(self) -> Workspace:
        return Workspace(self.ctx)

    def close(self) -> None:
        """Free the workspace's levels (the baseline stays) and the checks' inputs."""
        if "ws" in self.__dict__:
            self.ws.clear()
        self._inputs.clear()

    def _check(self, rule: Rule) -> tuple[Check[object], object]:
        found = CHECKS.get(str(rule.check))
        if found is None:
            raise RuleError(f"no check named {rule.check!r} is registered")
        key = found.inputs.stage
        if key not in self._inputs:
            self._inputs[key] = found.inputs.build(self.ctx)
        return found, self._inputs[key]

    def skip_reason(self, rule: Rule) -> str | None:
        if rule.check is None:
            return skip_reason(rule, self.ws)
        found, inputs = self._check(rule)
        return found.inputs.lacks(found.name, inputs)

    def findings(self, rule: Rule) -> list[Finding]:
        if rule.check is None:
            return evaluate_rule(rule, self.ws, self.ctx.currency)
        found, inputs = self._check(rule)
        return found.run(inputs, rule)


def _skipped(rule: Rule, reason: str) -> SkippedCheck:
    if rule.check is None:
        return {"rule": rule.id, "reason": reason}
    return {"rule": rule.id, "check": rule.check, "reason": reason}


HIGH_MIN_SHARE = 0.002
"""A high finding's money must be at least this share of the account's listed spend."""
_MONEY_CATEGORIES = frozenset({"waste", "profit"})


def apply_materiality(
    f: Finding, target_cpa: float, account_cost: float, currency: str | None
) -> None:
    """High needs money: at least one target CPA (the account's CPA without a target) and
    `HIGH_MIN_SHARE` of the account's listed spend; a smaller high finding becomes medium and
    its message says why (`metrics.materiality_capped` = 1)."""
    if f.severity != "high" or f.category not in _MONEY_CATEGORIES or f.cost is None:
        return
    floor = max(
        target_cpa if math.isfinite(target_cpa) else 0.0,
        HIGH_MIN_SHARE * account_cost if math.isfinite(account_cost) else 0.0,
    )
    if f.cost >= floor:
        return
    f.severity = "medium"
    f.metrics["materiality_capped"] = 1.0
    f.message += (
        f" Medium, not high: {fmt(f.cost, 'money', currency)} is under"
        f" {fmt(floor, 'money', currency)}, one target CPA or"
        f" {HIGH_MIN_SHARE:.1%} of the account's spend, whichever is higher."
    )


def _rank(f: Finding, rule: Rule) -> tuple[int, bool, float]:
    """Severity first; within one, the evaluated rules' findings by cost (highest first), then
    the checks' findings in pack order (each check orders its own)."""
    checked = rule.check is not None
    return (SEVERITIES.index(f.severity), checked, 0.0 if checked else -(f.cost or 0.0))


def _key(f: Finding) -> tuple[object, ...]:
    return (f.level, f.campaign, f.ad_group, f.search_term, f.keyword, f.ngram)


def _in_order(rules: list[Rule]) -> list[Rule]:
    """Rules after the rules their `unless` names (file order otherwise)."""
    done: list[Rule] = []
    placed: set[str] = set()
    pending = list(rules)
    while pending:
        ready = [r for r in pending if set(r.unless) <= placed or not r.unless]
        if not ready:
            ready = pending[:1]
        for r in ready:
            done.append(r)
            placed.add(r.id)
        pending = [r for r in pending if r.id not in placed]
    return done


def evaluate_rule(rule: Rule, ws: Workspace, currency: str | None = None) -> list[Finding]:
    """The findings of one rule (no overlap handling, no sorting)."""
    assert rule.expr is not None
    level = ws.level(rule.frame)
    params = rule.params

    def read(name: str, at: np.ndarray) -> Value:
        return params[name] if name in params else level.get_at(name, at)

    def costly(name: str) -> bool:
        return name not in params and name in METRICS and METRICS[name].at is not None

    start = np.arange(level.size) if level.valid is None else np.flatnonzero(level.valid)
    with ws.computing():
        rows = rule.expr.select(read, start, costly)
    if level.name == "ngram":
        rows = _uncovered_ngrams(level, rows)
    if not len(rows):
        return []
    with ws.computing():
        figures = _figures(rule, level, rows)
    texts = {name: level.keys.at(name, rows) for name in level.keys}
    subjects = level.subject_at(rows)
    served = _served_by(level, rows, currency) if rule.kind == "cannibalisation" else None
    labels = yardstick_labels(ws)
    out = []
    for i in range(len(rows)):
        values = {name: float(col[i]) for name, col in figures.items()}
        row_texts = {name: col[i] for name, col in texts.items()} | {"subject": subjects[i]}
        row_texts |= labels
        if served is None:
            out.append(_finding(rule, level, row_texts, values, currency))
            continue
        shown, row_texts["split"], evidence = served[i]
        finding = _finding(rule, level, row_texts | {"served_by": shown}, values, currency)
        finding.evidence = {"served_by": evidence}
        out.append(finding)
    return out


def yardstick_labels(ws: Workspace) -> dict[str, str | None]:
    """`{cpa_label}` / `{roas_label}`: the target the user set, or the account's own figure."""
    b = ws.baseline
    return {
        "cpa_label": (
            "your target CPA" if b.target_cpa_source == "settings" else "the account's CPA"
        ),
        "roas_label": (
            "your target ROAS" if b.target_roas_source == "settings" else "the account's ROAS"
        ),
    }


def _uncovered_ngrams(level: Level, rows: np.ndarray) -> np.ndarray:
    """Flagged n-grams without a shorter flagged n-gram inside them.

    'jobb' flagged makes 'lediga jobb' redundant: one negative on the shorter n-gram covers
    every term of the longer one, so only the shorter is reported.
    """
    texts = level.keys.at("ngram", rows)
    flagged = set(texts)
    keep = [not _contains_flagged(str(t).split(" "), flagged) for t in texts]
    return rows[np.asarray(keep, dtype=bool)]


def _contains_flagged(words: list[str], flagged: set[str]) -> bool:
    n = len(words)
    return any(
        " ".join(words[i : i + size]) in flagged
        for size in range(1, n)
        for i in range(n - size + 1)
    )


def scope_figures(rule: Rule) -> dict[str, str | None]:
    """The metric behind each of a finding's cost, clicks, conversions and value.

    The row's own figures, or for a `cost_metric` `<scope>_cost` the scope's (None where the
    scope has no such metric at the rule's level).
    """
    if rule.cost_metric == "cost":
        return {name: name for name in _STANDARD_FIGURES}
    scope = rule.cost_metric.removesuffix("_cost")
    numbers, _ = names_at(rule.frame)
    out: dict[str, str | None] = {"cost": rule.cost_metric}
    for name in _STANDARD_FIGURES[1:]:
        candidate = f"{scope}_{name}"
        out[name] = candidate if scope != rule.cost_metric and candidate in numbers else None
    return out


def _figures(rule: Rule, level: Level, rows: np.ndarray) -> dict[str, np.ndarray]:
    scoped = {n for n in scope_figures(rule).values() if n is not None}
    extra = (rule.reads() | scoped) - set(_STANDARD_FIGURES)
    names = [*_STANDARD_FIGURES, *sorted(extra)]
    out: dict[str, np.ndarray] = {}
    for name in names:
        values = np.asarray(level.get_at(name, rows), dtype=float)
        out[name] = np.broadcast_to(values, rows.shape).copy()
    for name, value in rule.params.items():
        out[name] = np.full(len(rows), value)
    return out


def _finding(
    rule: Rule,
    level: Level,
    texts: dict[str, str | None],
    values: dict[str, float],
    currency: str | None,
) -> Finding:
    subject_key = SUBJECT[level.name]
    scope = {k: (values[n] if n is not None else math.nan) for k, n in scope_figures(rule).items()}
    f = Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        level=rule.level,
        title=rule.title,
        message=render(rule.message, values, texts, currency),
        campaign=texts.get("campaign"),
        ad_group=texts.get("ad_group"),
        cost=_num(scope["cost"]),
        clicks=_num(scope["clicks"]),
        conversions=_num(scope["conversions"]),
        conversion_value=_num(scope["value"]),
        metrics={
            k: _num(v) for k, v in values.items() if k not in _STANDARD_FIGURES and k not in FLAGS
        },
    )
    if subject_key in ("search_term", "keyword", "ngram"):
        setattr(f, subject_key, texts.get(subject_key))
    return f


def _num(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _served_by(
    terms: Level, rows: np.ndarray, currency: str | None
) -> list[tuple[list[str], str, list[dict[str, object]]]]:
    """For each flagged term (`rows` of the account-wide term level): the ad groups serving
    it, costliest first, as message texts; the splits (location, device, language, audience)
    that set some of them apart; and the ad groups as evidence (campaign, ad group, cost,
    conversions)."""
    ws = terms.ws
    st = ws.level("search_term")
    assert st.groups is not None and terms.groups is not None
    codes = ws.codes("search_term")
    owner_of = np.full(codes.max(initial=0) + 1, -1, dtype=np.int64)
    owner_of[codes[terms.groups.first[rows]]] = np.arange(len(rows))
    owners = owner_of[codes[st.groups.first]]
    active = st.groups.sum(ws.active_rows().astype(float)) > 0
    hits = np.flatnonzero((owners >= 0) & active)
    owners = owners[hits]
    cost, conv = st.sum("cost")[hits], st.sum("conversions")[hits]
    campaigns, ad_groups = (st.keys.at(k, hits) for k in ("campaign", "ad_group"))
    pair_splits = ws.splits()
    sig_ids = pair_splits.row_ids[st.groups.first[hits]]
    parts: list[list[tuple[float, str, dict[str, object]]]] = [[] for _ in rows]
    sigs: list[list[Signature]] = [[] for _ in rows]
    camp_sigs: list[list[Signature]] = [[] for _ in rows]
    for j, owner in enumerate(owners.tolist()):
        where = f"{campaigns[j] or '-'} > {ad_groups[j] or '-'}"
        text = f"{where} ({fmt(cost[j], 'money', currency)}, {fmt(conv[j], 'num')} conv.)"
        figures = {"cost": float(cost[j]), "conversions": float(conv[j])}
        item = {"campaign": campaigns[j], "ad_group": ad_groups[j], **figures}
        parts[owner].append((cost[j], text, item))
        sig = pair_splits.signatures[sig_ids[j]]
        if sig is not None:
            sigs[owner].append(sig)
        if campaigns[j] in pair_splits.campaigns:
            camp_sigs[owner].append(pair_splits.campaigns[campaigns[j]])
    out = []
    for p, s, c in zip(parts, sigs, camp_sigs, strict=True):
        ranked = sorted(p, key=lambda x: -x[0])
        split = describe(c if len(set(map(id, c))) >= 2 else s)
        out.append(([t for _, t, _ in ranked], split, [e for _, _, e in ranked]))
    return out


def fmt(value: float | None, style: str | None, currency: str | None = None) -> str:
    """A figure as a manager reads it (`money`, `pct`, `chance`, `int`, `num`, `ratio`)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if style == "money":
        text = f"{abs(value):,.0f}" if abs(value) >= 100 else f"{abs(value):,.2f}"
        sign = "-" if value < 0 else ""
        return f"{sign}{currency} {text}" if currency else f"{sign}{text}"
    if style == "pct":
        return f"{value:.1%}"
    if style == "chance":
        return format_chance(value)
    if style == "int":
        return f"{value:,.0f}"
    if style == "ratio":
        return f"{value:.2f}"
    return format_count(value)


SHOWN_IN_MESSAGE = 10
"""A message lists at most this many items; the finding's evidence in the JSON has them all."""


def capped(items: list[str], sep: str = "; ", limit: int = SHOWN_IN_MESSAGE) -> str:
    """Items joined by `sep`; past `limit`, the first `limit` and `... and 1,990 more`."""
    if len(items) <= limit:
        return sep.join(items)
    return f"{sep.join(items[:limit])}{sep}... and {len(items) - limit:,} more"


def render(
    template: str,
    values: dict[str, float],
    texts: dict[str, str | list[str] | None],
    currency: str | None,
) -> str:
    """Fill `{name}` / `{name:style}` placeholders (validated when the pack was loaded); a
    list of texts is `capped`, so a message stays a sentence however long the list."""

    def one(match: object) -> str:
        name, style = match.group(1), match.group(2)  # type: ignore[attr-defined]
        if name in texts:
            text = texts[name]
            if isinstance(text, list):
                return capped(text)
            return str(text) if text is not None else "-"
        return fmt(values.get(name), style, currency)

    return PLACEHOLDER.sub(one, template)


def _internal_error(rule: Rule, exc: Exception) -> Finding:
    return Finding(
        rule="internal-error",
        category=rule.category,
        severity="low",
        level=rule.level,
        title=f"Rule {rule.id} failed",
        message=f"Rule {rule.id} ({rule.name}) failed and was skipped: {type(exc).__name__}: {exc}",
        metrics={"failed_rule": rule.id},
        check=rule.check,
    )


def baseline_notes(ws: Workspace, currency: str | None) -> list[str]:
    """Sentences saying which figures the rules judged against, and where they came from."""
    b = ws.baseline
    notes = []
    if b.target_cpa_source == "account" and math.isfinite(b.cpa):
        notes.append(
            f"No target CPA set: the account's own CPA ({fmt(b.cpa, 'money', currency)})"
            " is the baseline"
        )
    if b.target_roas_source == "account" and math.isfinite(b.roas) and b.roas > 0:
        notes.append(f"No target ROAS set: the account's own ROAS ({b.roas:.2f}) is the baseline")
    if b.margin is None:
        notes.append("No margin set: break-even ROAS and POAS rules did not run (--margin)")
    if ws.settings.brand:
        notes.append(
            "Brand terms (" + ", ".join(ws.settings.brand) + ") are judged apart: only"
            " WASTE005 flags them, when the rest of their ad group converts and they do not"
        )
    return notes
