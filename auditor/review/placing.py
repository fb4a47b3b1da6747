"""Where a negative can go: the targets (shared list, campaigns, ad groups) with what it would
block and cost at each, the suggested one, the next level in the cycle, and the user's own
negative drafted at a target. A part of `ReviewState` (it reads the audit, the settings and the
safety check from it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from auditor.model import (
    NegativeProposal,
)
from auditor.review.rows import (
    KIND_REVIEW,
    LEVEL_CYCLE,
    TARGETS_PER_LEVEL,
    USER_FAMILY,
    HeldRow,
    Target,
    user_proposal_id,
)
from auditor.terms.matching import words


def _spend(rows: pd.DataFrame, by: list[str]) -> list[tuple[Any, int, float]]:
    """(group, distinct terms, cost) of `rows` grouped `by`, costliest first."""
    if rows.empty:
        return []
    grouped = rows.groupby(by, dropna=True, observed=True, sort=False).agg(
        terms=("search_term", "nunique"), cost=("cost", "sum")
    )
    grouped = grouped.sort_values("cost", ascending=False, kind="stable")
    return [
        (g, int(t), float(c))
        for g, t, c in zip(grouped.index, grouped["terms"], grouped["cost"], strict=True)
    ]


class Placing:
    """Targets and drafts of `ReviewState` (see the module docstring)."""

    def level_changes(self, proposal_id: str) -> dict[str, Any]:
        """The fields of the next level in the cycle, with its target taken from the terms
        the proposal blocks (the campaign / ad group where they cost the most)."""
        row = self.row(proposal_id)
        p = row.current
        i = LEVEL_CYCLE.index(p.level) if p.level in LEVEL_CYCLE else -1
        level = LEVEL_CYCLE[(i + 1) % len(LEVEL_CYCLE)]
        spend = self._spend_by_target([*row.original.blocked_terms, *p.blocked_terms])
        return self._level_fields(level, spend, p, row.original.campaigns)

    def _level_fields(
        self, level: str, spend: pd.DataFrame, p: NegativeProposal, campaigns: list[str]
    ) -> dict[str, Any]:
        """The fields that put `p` at `level`, targeted where `spend` (`_spend_by_target`)
        is: the costliest ad group / campaign, or a shared list attached to every campaign
        of `spend` and of `campaigns`."""
        if level == "shared_list":
            found = set(spend["campaign"].dropna().tolist()) | set(campaigns)
            return {
                "level": level,
                "list_name": p.list_name or self.settings.shared_list_name,
                "campaigns": sorted(found) or list(p.campaigns),
                "campaign": None,
                "ad_group": None,
            }
        top = spend.iloc[0] if not spend.empty else None
        campaign = top["campaign"] if top is not None else p.campaign
        ad_group = top["ad_group"] if top is not None else p.ad_group
        if level == "ad_group" and (pd.isna(ad_group) or pd.isna(campaign)):
            level, ad_group = "campaign", None
        return {
            "level": level,
            "campaign": None if pd.isna(campaign) else str(campaign),
            "ad_group": None if level == "campaign" or pd.isna(ad_group) else str(ad_group),
            "list_name": None,
            "campaigns": [],
        }

    def held_proposal(self, item: HeldRow) -> NegativeProposal:
        """The negative `item` becomes when proposed: its text and match type, on the
        campaign where the terms it blocks spend, or on a shared list attached to those
        campaigns when they spend in several (checked by `propose_held`, not here)."""
        h = item.held
        text = " ".join(words(h.text))
        kind = "review item" if item.kind == KIND_REVIEW else "negative held back as unsafe"
        draft = NegativeProposal(
            id="",
            text=text,
            match_type=h.match_type,
            level="shared_list",
            family=USER_FAMILY,
            reason=f"Proposed by you from a {kind}: {item.reason}",
        )
        spend = self._spend_by_target(self.check(draft).blocked_terms)
        paying = spend.loc[spend["cost"] > 0, "campaign"].dropna()
        spans = paying.nunique() >= 2 or spend["campaign"].dropna().empty
        fields = self._level_fields("shared_list" if spans else "campaign", spend, draft, [])
        placed = replace(draft, **fields)
        return replace(placed, id=user_proposal_id(placed))

    def targets(
        self, text: str, match_type: str, hint: NegativeProposal | None = None
    ) -> list[Target]:
        """Where a negative of `text` can go: the shared list attached to every campaign
        where the terms it blocks spend, then those campaigns and ad groups (the costliest
        `TARGETS_PER_LEVEL` of each), each with the terms it would block there and their
        spend. `hint` (the proposal being edited) is listed even when it blocks nothing."""
        draft = NegativeProposal(
            id="", text=text, match_type=match_type, level="shared_list", family=USER_FAMILY
        )
        blocked = self.check(draft).blocked_terms if text.strip() else []
        cols = ["campaign", "ad_group", "search_term", "cost"]
        rows = self.spend.frame(self.result.table, blocked, cols)
        attached = hint.campaigns if hint is not None and hint.level == "shared_list" else []
        out = [self._list_target(rows, attached)]
        by_campaign = _spend(rows, ["campaign"])[:TARGETS_PER_LEVEL]
        out += [Target("campaign", c, None, (), t, v) for c, t, v in by_campaign]
        by_group = _spend(rows, ["campaign", "ad_group"])[:TARGETS_PER_LEVEL]
        out += [Target("ad_group", c, g, (), t, v) for (c, g), t, v in by_group]
        if hint is not None and hint.level != "shared_list" and hint.campaign:
            place = Target(hint.level, hint.campaign, hint.ad_group)
            if place.key not in {t.key for t in out}:
                out.append(place)
        return out

    def _list_target(self, rows: pd.DataFrame, attached: list[str]) -> Target:
        """The shared list, attached to every campaign of `rows` and of `attached`."""
        found = rows["campaign"].dropna().astype(str).unique().tolist()
        campaigns = tuple(sorted({*found, *attached}))
        terms = int(rows["search_term"].nunique())
        return Target("shared_list", None, None, campaigns, terms, float(rows["cost"].sum()))

    @staticmethod
    def suggested(targets: list[Target]) -> int:
        """The target to start from: the shared list when the terms spend in several
        campaigns, the costliest campaign when in one (the held-back item's rule)."""
        campaigns = [t for t in targets if t.level == "campaign" and t.cost > 0]
        if len(campaigns) == 1:
            return targets.index(campaigns[0])
        if not campaigns:
            placed = [i for i, t in enumerate(targets) if t.level != "shared_list"]
            return placed[0] if placed else 0
        return 0

    def draft(self, text: str, match_type: str, target: Target, reason: str) -> NegativeProposal:
        """A user's negative of `text` at `target` (not checked yet), with its id."""
        p = NegativeProposal(
            id="",
            text=" ".join(words(text)),
            match_type=match_type,
            level=target.level,
            family=USER_FAMILY,
            reason=reason,
        )
        placed = replace(p, **target.fields(self.settings.shared_list_name))
        return replace(placed, id=user_proposal_id(placed))

    def _spend_by_target(self, terms: list[str]) -> pd.DataFrame:
        """Spend of `terms` per campaign and ad group, costliest first."""
        table = self.result.table
        if table is None or table.empty or not terms:
            return pd.DataFrame(columns=["campaign", "ad_group", "cost"])
        rows = self.spend.frame(table, terms, ["campaign", "ad_group", "cost"])
        grouped = rows.groupby(["campaign", "ad_group"], dropna=False, sort=False)["cost"].sum()
        return grouped.sort_values(ascending=False).reset_index()
