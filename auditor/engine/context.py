"""What every stage of an audit reads: the canonical table, the bought keywords, settings."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from auditor.config import Settings
from auditor.model import Period, Report


@dataclass
class AuditContext:
    """The inputs of one audit, read and combined; stages never read files themselves."""

    table: pd.DataFrame
    """Canonical search-terms rows of every search-terms report (see `auditor.schema`)."""
    columns_present: frozenset[str]
    """Canonical metric columns every search-terms report had (unknown ones are all-NaN)."""
    keywords: pd.DataFrame
    """Bought keywords: `keyword`, `keyword_match_type`, `campaign`, `ad_group`, `status`,
    from keyword reports and the search-terms report's Keyword column."""
    settings: Settings
    period: Period | None = None
    currency: str | None = None
    hidden_share: float | None = None
    reports: list[Report] = field(default_factory=list)
    """Every input read, each with its `role` in `roles` at the same index."""
    roles: list[str] = field(default_factory=list)
    input_notes: list[str] = field(default_factory=list)
    """What reading the inputs left out and why (the tool's own outputs in a folder)."""

    def reports_with_role(self, role: str) -> list[Report]:
        return [r for r, ro in zip(self.reports, self.roles, strict=True) if ro == role]
