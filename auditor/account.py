"""The account's name, as every output that carries it says it.

`[account] name` in the config wins; otherwise the report's `Account` column (Microsoft
exports and manager-account downloads have one); otherwise the campaigns, named the way the
review app names an account it recognised by its campaigns (`Brand - Fjällgear + 4 more`).
"""

from __future__ import annotations

import re

import pandas as pd

from auditor.config import Settings

UNNAMED = "unnamed account"


def _names(table: pd.DataFrame | None, column: str) -> list[str]:
    if table is None or column not in table.columns:
        return []
    values = table[column].dropna().astype(str).str.strip()
    return sorted(v for v in values.unique().tolist() if v)


def account_name(table: pd.DataFrame | None, settings: Settings) -> str:
    """The account's name for list names, file names and output headers."""
    if settings.account_name:
        return settings.account_name
    accounts = _names(table, "account")
    if accounts:
        return ", ".join(accounts)
    campaigns = _names(table, "campaign")
    if not campaigns:
        return UNNAMED
    more = f" + {len(campaigns) - 1} more" if len(campaigns) > 1 else ""
    return f"{campaigns[0]}{more}"


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe form of a name: letters (any script), digits, `-`; `account` if none."""
    words = re.findall(r"\w+", text.casefold())
    out = "-".join(words).replace("_", "-")[:limit].strip("-")
    return out or "account"
