"""The short human summary `auditor audit` prints (plain text, no colours needed)."""

from __future__ import annotations

from collections import Counter

from auditor import format as fmt
from auditor.model import SEVERITIES, AuditResult, Finding
from auditor.spend_coverage import coverage_line

UNKNOWN = "unknown"


def money(value: float | None, currency: str | None = None) -> str:
    return fmt.money(value, currency, missing=UNKNOWN)


def count(value: float | None) -> str:
    return fmt.number(value, missing=UNKNOWN)


def _finding_line(f: Finding, currency: str | None) -> str:
    subject = f.search_term or f.keyword or f.ngram or f.ad_group or f.campaign or "account"
    cost = money(f.cost, currency) if f.cost is not None else ""
    return f"  {f.severity.upper():<6} {f.rule:<9} {subject[:38]:<38} {cost:>14}  {f.message}"


def _baseline_lines(result: AuditResult) -> list[str]:
    """What the rules judged against: targets (and whether the account's own), margin."""
    b = result.baseline
    if not b:
        return []
    parts = []
    if b.get("target_cpa") is not None:
        src = "your target" if b.get("target_cpa_source") == "settings" else "account's own"
        parts.append(f"CPA {money(b['target_cpa'], result.currency)} ({src})")
    if b.get("target_roas") is not None:
        src = "your target" if b.get("target_roas_source") == "settings" else "account's own"
        parts.append(f"ROAS {b['target_roas']:.2f} ({src})")
    if b.get("cvr") is not None:
        parts.append(f"conversion rate {fmt.percent(b['cvr'])}")
    if b.get("margin") is not None and b.get("break_even_roas") is not None:
        parts.append(
            f"margin {fmt.share(b['margin'])} (break-even ROAS {b['break_even_roas']:.2f})"
        )
    return [f"Judged by:   {', '.join(parts)}"] if parts else []


def _skipped_lines(skipped: list[dict[str, str]]) -> list[str]:
    """`Not checked: A, B: needs X`, one line per distinct reason."""
    by_reason: dict[str, list[str]] = {}
    for c in skipped:
        name = f"{c['rule']} ({c['check']})" if c.get("check") else c["rule"]
        by_reason.setdefault(c["reason"], []).append(name)
    return [f"Not checked: {', '.join(names)}: {reason}" for reason, names in by_reason.items()]


def summary_lines(result: AuditResult, top: int = 10) -> list[str]:
    """The summary as lines: inputs, period, totals, hidden share, findings, negatives."""
    cur = result.currency
    t = result.totals
    rows = sum(i.rows for i in result.inputs if i.role == "report" and i.kind == "search_terms")
    skipped = sum(len(i.skipped) for i in result.inputs)
    files = len(result.inputs)
    lines = [f"Read {files} file(s): {rows:,} search-term rows, {skipped:,} rows skipped."]
    for i in result.inputs:
        form = f"{i.format}, {i.locale}" if i.locale else i.format
        lines.append(f"  {i.path} ({i.kind}, {form}, {i.rows:,} rows)")
        lines.extend(f"    skipped line {s.line}: {s.reason}" for s in i.skipped[:5])
        if len(i.skipped) > 5:
            lines.append(f"    ... and {len(i.skipped) - 5} more skipped rows (see the JSON)")
        lines.extend(f"    note: {n}" for n in i.notes)
    if result.account:
        lines.append(f"Account:     {result.account}")
    if result.period is not None:
        p = result.period
        lines.append(f"Period:      {p.start} to {p.end} ({p.days} days)")
    cpa = fmt.ratio(t.get("cost"), t.get("conversions"))
    roas = fmt.ratio(t.get("conversion_value"), t.get("cost"))
    lines.append(
        f"Cost:        {money(t.get('cost'), cur)}   clicks {count(t.get('clicks'))}"
        f"   impressions {count(t.get('impressions'))}"
    )
    lines.append(
        f"Conversions: {count(t.get('conversions'))}"
        f"   value {money(t.get('conversion_value'), cur)}"
        f"   CPA {money(cpa, cur) if cpa is not None else '-'}"
        f"   ROAS {fmt.figure('roas', roas) if roas is not None else '-'}"
    )
    if result.hidden_cost is not None:
        lines.append(
            f"Hidden:      {fmt.share(result.hidden_cost)} of search cost went to terms the"
            f" platform does not list ({money(result.hidden_cost_amount, cur)})"
        )
    if result.coverage is not None:
        lines.append(f"Coverage:    {coverage_line(result.coverage, cur)}")
    lines.extend(_baseline_lines(result))
    lines.extend(f"Note: {n}" for n in result.notes)
    lines.extend(_skipped_lines(result.checks_skipped))
    by_sev = Counter(f.severity for f in result.findings)
    parts = ", ".join(f"{s} {by_sev[s]}" for s in SEVERITIES if by_sev[s])
    lines.append(f"Findings:    {len(result.findings)}" + (f" ({parts})" if parts else ""))
    by_rule = Counter(f.rule for f in result.findings)
    if by_rule:
        lines.append("  by rule:  " + ", ".join(f"{r} {n}" for r, n in sorted(by_rule.items())))
    ranked = sorted(result.findings, key=lambda f: f.cost or 0.0, reverse=True)[:top]
    if ranked:
        lines.append("Top findings by cost:")
        lines.extend(_finding_line(f, cur) for f in ranked)
    if result.negatives or result.held_back:
        blocked = result.negatives_covered_cost
        if blocked is None:
            blocked = sum(p.blocked_cost for p in result.negatives)
        review = [h for h in result.held_back if h.kind == "review"]
        lines.append(
            f"Negatives:   {len(result.negatives)} proposed, covering {money(blocked, cur)};"
            f" {len(result.held_back) - len(review)} held back as unsafe;"
            f" {len(review)} wasteful term(s) to review (see held_back)"
        )
    return lines
