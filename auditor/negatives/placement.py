"""Where a negative goes: the broadest level where it is safe and where its spend is.

- A shared list (`Settings.shared_list_name`, attached to every campaign) when the candidate's
  spend spans two or more campaigns and no campaign has a term it must not block;
- else one campaign negative in each campaign where it spends and is safe;
- else, in a campaign where it is not safe, ad-group negatives in the ad groups where it spends
  and is safe.
Spend it cannot reach safely is left to narrower candidates (`auditor.negatives.propose`).

`subsumes` tells when one proposal makes another redundant: it blocks every query the other
blocks, in a scope at least as wide (the phrase `free` in a campaign makes the phrase
`free download` in that campaign noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.model import NegativeProposal
from auditor.terms.matching import (
    BROAD,
    EXACT,
    LEVEL_AD_GROUP,
    LEVEL_CAMPAIGN,
    LEVEL_SHARED,
    PHRASE,
    blocks_query,
    effective_match_type,
    words,
)


@dataclass
class Split:
    """Why a negative was placed only at narrower levels than its spend asked for."""

    wider: str
    rows: np.ndarray
    """Every row the negative blocks (before its level is applied)."""
    bad_rows: np.ndarray
    keywords: list[tuple[str, str]]


@dataclass(frozen=True)
class Target:
    """One place for a negative: its level and campaign / ad group (None for a shared list)."""

    level: str
    campaign: str | None = None
    ad_group: str | None = None


def targets(
    spend_campaigns: set[str],
    spend_groups: dict[str, set[str]],
    bad_campaigns: set[str],
    bad_groups: set[tuple[str, str]],
    spans: bool,
) -> list[Target]:
    """The places a negative goes, broadest first (see the module docstring)."""
    if spans and not bad_campaigns:
        return [Target(LEVEL_SHARED)]
    out = [Target(LEVEL_CAMPAIGN, c) for c in sorted(spend_campaigns - bad_campaigns - {""})]
    for camp in sorted(spend_campaigns & bad_campaigns):
        for group in sorted(spend_groups.get(camp, set())):
            if group and (camp, group) not in bad_groups:
                out.append(Target(LEVEL_AD_GROUP, camp, group))
    return out


def where(p: NegativeProposal) -> str:
    """The proposal's place in words."""
    if p.level == LEVEL_SHARED:
        return f"in the shared list '{p.list_name}'"
    if p.level == LEVEL_CAMPAIGN:
        return f"in campaign '{p.campaign}'"
    return f"in ad group '{p.ad_group}' of campaign '{p.campaign}'"


def _covers_scope(wide: NegativeProposal, narrow: NegativeProposal) -> bool:
    if wide.level == LEVEL_SHARED:
        if narrow.level == LEVEL_SHARED:
            return set(narrow.campaigns) <= set(wide.campaigns) or not wide.campaigns
        return not wide.campaigns or narrow.campaign in wide.campaigns
    if narrow.level == LEVEL_SHARED or wide.campaign != narrow.campaign:
        return False
    return wide.level == LEVEL_CAMPAIGN or wide.ad_group == narrow.ad_group


def _covers_text(wide: NegativeProposal, narrow: NegativeProposal, platform: str) -> bool:
    """Whether `wide` blocks every query `narrow` blocks (match semantics only)."""
    kind = effective_match_type(wide.match_type, platform)
    other = effective_match_type(narrow.match_type, platform)
    if other == EXACT:
        return blocks_query(wide.text, wide.match_type, narrow.text, platform)
    if kind == EXACT:
        return False
    own, theirs = words(wide.text), words(narrow.text)
    if kind == BROAD:
        return set(own) <= set(theirs)
    if other == PHRASE:
        return blocks_query(wide.text, PHRASE, narrow.text, platform)
    return len(own) == 1 and own[0] in theirs


def subsumes(wide: NegativeProposal, narrow: NegativeProposal, platform: str) -> bool:
    """`wide` makes `narrow` redundant: it blocks all `narrow` blocks, in a scope as wide."""
    if wide is narrow or wide.id == narrow.id:
        return False
    return _covers_scope(wide, narrow) and _covers_text(wide, narrow, platform)


def consolidate(proposals: list[NegativeProposal], platform: str) -> list[NegativeProposal]:
    """The proposals without those another proposal subsumes (the first of equals stays)."""
    by_word: dict[str, list[int]] = {}
    for i, p in enumerate(proposals):
        for w in set(words(p.text)):
            by_word.setdefault(w, []).append(i)
    dropped: set[int] = set()
    for i, narrow in enumerate(proposals):
        shared = {j for w in set(words(narrow.text)) for j in by_word.get(w, [])}
        for j in sorted(shared - {i} - dropped):
            wide = proposals[j]
            if subsumes(wide, narrow, platform) and not (
                subsumes(narrow, wide, platform) and i < j
            ):
                dropped.add(i)
                break
    return [p for i, p in enumerate(proposals) if i not in dropped]
