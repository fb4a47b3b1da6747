"""Negatives already in the account: what they block, and findings about them.

Built-in rules (stable ids; declared with docs, params and test cases in rules/negatives.toml,
documented in the README). They carry `check = "<name>"` and no `when`: their functions are
registered here with `@check(name, EXISTING)` and the rule dispatcher runs them (stage
`negatives`) with the rule as the packs and the user's overrides give it.
- NEG001 (structure, high): an existing negative blocks search terms that converted in this
  report. Either it was added after they converted (check it was meant to block them) or it
  is too broad: it is switching off converting traffic. What to do: narrow it (phrase ->
  exact, a longer phrase) or remove it.
- NEG002 (structure, low): an existing negative is redundant: another existing negative at
  the same or a wider level already blocks every query it blocks (`free` broad makes
  `free download` phrase redundant). What to do: remove it to keep lists short.

A negative in a shared list applies to the campaigns the list is attached to; exports rarely
say which, so a list negative is replayed against every campaign (the widest, most cautious
reading for NEG001).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditor import format as fmt
from auditor import schema
from auditor.engine.checks import Inputs, check
from auditor.engine.context import AuditContext
from auditor.engine.packs import Rule
from auditor.model import Finding
from auditor.terms.matching import (
    BROAD,
    EXACT,
    LEVEL_AD_GROUP,
    LEVEL_CAMPAIGN,
    LEVEL_SHARED,
    TermIndex,
    blocks_query,
    effective_match_type,
    normalize,
    pad_words,
    padded_block_mask,
    scope_mask,
    term_index,
    words,
)

RULE_BLOCKS_CONVERTING = "NEG001"
RULE_REDUNDANT = "NEG002"
_SHOWN = 5


@dataclass(frozen=True)
class ExistingNegative:
    """One negative keyword already in the account."""

    text: str
    match_type: str
    level: str
    campaign: str | None = None
    ad_group: str | None = None
    list_name: str | None = None
    line: int = 0

    def rows(self, index: TermIndex, platform: str = "google") -> np.ndarray:
        """Rows of the report this negative blocks, at its level."""
        scope = scope_mask(index, self.level, self.campaign, self.ad_group)
        return index.row_mask(self.text, self.match_type, platform) & scope

    def where(self) -> str:
        if self.level == LEVEL_SHARED:
            return f"list '{self.list_name or '?'}'"
        if self.level == LEVEL_AD_GROUP:
            return f"ad group '{self.ad_group}' of campaign '{self.campaign}'"
        if self.campaign:
            return f"campaign '{self.campaign}'"
        return "the account"

    def label(self) -> str:
        return fmt.keyword(self.text, self.match_type)


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _level(campaign: str | None, ad_group: str | None, list_name: str | None) -> str:
    if list_name:
        return LEVEL_SHARED
    if ad_group:
        return LEVEL_AD_GROUP
    return LEVEL_CAMPAIGN


def read_existing(ctx: AuditContext) -> list[ExistingNegative]:
    """Every existing negative given (`--existing-negatives`, or a negatives file as report)."""
    out: list[ExistingNegative] = []
    for report in ctx.reports:
        if report.kind != schema.KIND_NEGATIVES:
            continue
        t = report.table
        lists = t["list_name"] if "list_name" in t.columns else pd.Series(pd.NA, index=t.index)
        for kw, mt, camp, group, name, line in zip(
            t["keyword"],
            t["keyword_match_type"],
            t["campaign"],
            t["ad_group"],
            lists,
            t[schema.LINE_COLUMN],
            strict=True,
        ):
            text = _text(kw)
            if text is None:
                continue
            c, g, n = _text(camp), _text(group), _text(name)
            out.append(
                ExistingNegative(text, _text(mt) or BROAD, _level(c, g, n), c, g, n, int(line))
            )
    return out


def existing_blocked(
    existing: list[ExistingNegative], index: TermIndex, platform: str = "google"
) -> np.ndarray:
    """Rows of the report (boolean mask) that any of the existing negatives blocks at its
    level: the account already excludes these search terms."""
    blocked = np.zeros(len(index.codes), dtype=bool)
    for neg in existing:
        blocked |= neg.rows(index, platform)
    return blocked


def negated_rows(ctx: AuditContext) -> np.ndarray:
    """Rows of `ctx.table` the existing negatives given (`--existing-negatives`) block."""
    return existing_blocked(read_existing(ctx), term_index(ctx.table), ctx.settings.platform)


@dataclass(frozen=True)
class Existing:
    """What NEG001 and NEG002 read: the audit and the negatives already in the account."""

    ctx: AuditContext
    negatives: list[ExistingNegative]


def existing_inputs(ctx: AuditContext) -> Existing:
    """The existing negatives given; none are judged when the reports have no search terms."""
    return Existing(ctx, read_existing(ctx) if not ctx.table.empty else [])


EXISTING = Inputs("negatives", existing_inputs)
"""What the checks of the account's existing negatives read."""


def _converting_finding(
    neg: ExistingNegative, ctx: AuditContext, index: TermIndex, rule: Rule
) -> Finding | None:
    table = ctx.table
    rows = np.flatnonzero(neg.rows(index, ctx.settings.platform))
    if not len(rows):
        return None
    conv = table["conversions"].to_numpy(dtype=np.float64, na_value=0.0)[rows]
    value = table["conversion_value"].to_numpy(dtype=np.float64, na_value=0.0)[rows]
    hit = rows[(conv > 0) | (value > 0)]
    if not len(hit):
        return None
    sub = table.iloc[hit]
    per = sub.groupby("search_term", sort=False)[["conversions", "conversion_value", "cost"]].sum()
    per = per.sort_values("conversions", ascending=False)
    shown = ", ".join(f"'{t}' ({c:g} conv.)" for t, c in per["conversions"].head(_SHOWN).items())
    more = f" and {len(per) - _SHOWN} more" if len(per) > _SHOWN else ""
    total = float(per["conversions"].sum())
    if total < rule.param("min_conversions"):
        return None
    return Finding(
        rule=rule.id,
        title=rule.title,
        category=rule.category,
        severity=rule.severity,
        level="ad_group" if neg.level == LEVEL_AD_GROUP else "campaign",
        campaign=neg.campaign,
        ad_group=neg.ad_group,
        keyword=neg.text,
        cost=float(per["cost"].sum()),
        conversions=total,
        conversion_value=float(per["conversion_value"].sum()),
        metrics={"match_type": neg.match_type, "terms": len(per), "line": neg.line},
        message=rule.message.format_map(
            {
                "negative": neg.label(),
                "where": neg.where(),
                "terms": len(per),
                "conversions": f"{total:g}",
                "shown": f"{shown}{more}",
            }
        ),
    )


def _covers_scope(wide: ExistingNegative, narrow: ExistingNegative) -> bool:
    if wide.level == LEVEL_SHARED or (wide.level == LEVEL_CAMPAIGN and not wide.campaign):
        return True
    if wide.campaign != narrow.campaign or narrow.level == LEVEL_SHARED:
        return False
    return wide.level == LEVEL_CAMPAIGN or wide.ad_group == narrow.ad_group


def subsumes(wide: ExistingNegative, narrow: ExistingNegative, platform: str) -> bool:
    """Whether `wide` blocks every query `narrow` blocks (text semantics only)."""
    wide_type = effective_match_type(wide.match_type, platform)
    narrow_type = effective_match_type(narrow.match_type, platform)
    if wide_type == EXACT and narrow_type != EXACT:
        return False
    if narrow_type == BROAD and wide_type != BROAD and len(words(wide.text)) > 1:
        return False
    return blocks_query(wide.text, wide.match_type, " ".join(words(narrow.text)), platform)


def _redundant(narrow: ExistingNegative, wide: ExistingNegative, rule: Rule) -> Finding:
    return Finding(
        rule=rule.id,
        title=rule.title,
        category=rule.category,
        severity=rule.severity,
        level="ad_group" if narrow.level == LEVEL_AD_GROUP else "campaign",
        campaign=narrow.campaign,
        ad_group=narrow.ad_group,
        keyword=narrow.text,
        metrics={"covered_by": wide.text, "line": narrow.line},
        message=rule.message.format_map(
            {
                "negative": narrow.label(),
                "where": narrow.where(),
                "covered_by": wide.label(),
                "covered_where": wide.where(),
            }
        ),
    )


def _redundant_findings(
    existing: list[ExistingNegative], platform: str, rule: Rule
) -> list[Finding]:
    """One NEG002 per negative another one covers (text replayed as a query, vectorised)."""
    padded = pad_words(normalize([n.text for n in existing]))
    covered: dict[int, Finding] = {}
    for j, wide in enumerate(existing):
        hits = np.flatnonzero(padded_block_mask(padded, wide.text, wide.match_type, platform))
        for i in hits.tolist():
            narrow = existing[i]
            if i == j or i in covered or not _covers_scope(wide, narrow):
                continue
            same = (words(wide.text), wide.match_type, wide.level) == (
                words(narrow.text),
                narrow.match_type,
                narrow.level,
            )
            if same and j > i:
                continue
            if subsumes(wide, narrow, platform):
                covered[i] = _redundant(narrow, wide, rule)
    return [covered[i] for i in sorted(covered)]


@check("blocks_converting", EXISTING)
def blocks_converting(inputs: Existing, rule: Rule) -> list[Finding]:
    """NEG001: one finding per existing negative that blocks converting search terms."""
    if not inputs.negatives:
        return []
    index = term_index(inputs.ctx.table)
    found = [_converting_finding(n, inputs.ctx, index, rule) for n in inputs.negatives]
    return [f for f in found if f is not None]


@check("redundant", EXISTING)
def redundant(inputs: Existing, rule: Rule) -> list[Finding]:
    """NEG002 (all against all, up to `max_negatives` existing negatives)."""
    if not inputs.negatives or len(inputs.negatives) > rule.param("max_negatives"):
        return []
    return _redundant_findings(inputs.negatives, inputs.ctx.settings.platform, rule)
