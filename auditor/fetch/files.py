"""One account's folder, in formats the readers already take.

- `search-terms.csv`: `search_term_view`, Search terms by ad group and keyword (read as a
  `google_ads_api` search-terms report);
- `search-terms-pmax.csv`: `campaign_search_term_view`, Performance Max terms by campaign (the
  same format);
- `keywords.csv`: `keyword_view`, the bought keywords with status and metrics (a keyword report);
- `conversions-by-action.csv`: search terms by conversion action (a by-action report);
- `campaigns-by-day.csv`: Search and Performance Max campaigns by day (a campaign report with a
  day column: the tracking checks' daily figures);
- `existing-negatives.csv`: campaign, ad-group and shared-list negatives (a Google Ads Editor
  negatives table);
- `fetch.json`: the account, the period and the rows per file (not a report, never read as one).

The report files are GAQL dumps: the fields' GAQL names as the header and the values as the
API gives them (cost in micros, enum names). They are written as they are, not made safe for
spreadsheets like the auditor's own outputs: a search term is kept exactly as searched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from auditor.fetch.api import Account, GoogleAds, dashed
from auditor.fetch.gaql import (
    AD_GROUP_NEGATIVES,
    BY_ACTION,
    BY_DAY,
    CAMPAIGN_NEGATIVES,
    KEYWORDS,
    LIST_CAMPAIGNS,
    PMAX_TERMS,
    SEARCH_TERMS,
    SHARED_NEGATIVES,
    Period,
    Query,
)
from auditor.output.csvio import write_atomic

REPORTS: dict[str, Query] = {
    "search-terms.csv": SEARCH_TERMS,
    "search-terms-pmax.csv": PMAX_TERMS,
    "keywords.csv": KEYWORDS,
    "conversions-by-action.csv": BY_ACTION,
    "campaigns-by-day.csv": BY_DAY,
}
NEGATIVES_FILE = "existing-negatives.csv"
EDITOR_COLUMNS = ["Account", "Campaign", "Ad group", "Keyword", "Criterion Type", "Shared set name"]
"""Google Ads Editor's columns, led by Account as in its exports (the auditor's own negatives
file has no Account column, and is known and skipped by that)."""
MICROS = 1_000_000


@dataclass(frozen=True)
class Fetched:
    """One account written: its folder, the rows of each file and its search cost."""

    account: Account
    folder: Path
    rows: dict[str, int]
    cost: float


def folder_name(account: Account) -> str:
    """`<name>-<id>`: readable, and the same folder name every week."""
    name = re.sub(r"[^\w.-]+", "_", account.name).strip("._")
    return f"{name}-{account.customer_id}" if name else account.customer_id


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _editor_rows(
    frame: pd.DataFrame, account: str, prefix: str, text: str, match: str, **where: str
) -> pd.DataFrame:
    """Negatives as Google Ads Editor rows (`Campaign Negative Phrase`, ...)."""
    kinds = frame[match].astype(str).str.lower().str.capitalize()
    out = pd.DataFrame(
        {
            "Account": account,
            "Campaign": frame[where["campaign"]] if "campaign" in where else "",
            "Ad group": frame[where["ad_group"]] if "ad_group" in where else "",
            "Keyword": frame[text],
            "Criterion Type": prefix + kinds,
            "Shared set name": frame[where["list"]] if "list" in where else "",
        },
        columns=EDITOR_COLUMNS,
    )
    return out


def existing_negatives(api: GoogleAds, account: Account, period: Period) -> pd.DataFrame:
    """Campaign, ad-group and shared-list negatives in Editor's layout; a shared list counts
    only when it is attached to a campaign."""
    customer_id = account.customer_id
    campaign = api.frame(customer_id, CAMPAIGN_NEGATIVES, period)
    ad_group = api.frame(customer_id, AD_GROUP_NEGATIVES, period)
    shared = api.frame(customer_id, SHARED_NEGATIVES, period)
    attached = api.frame(customer_id, LIST_CAMPAIGNS, period)["shared_set.name"]
    shared = shared.loc[shared["shared_set.name"].isin(attached)]
    parts = [
        _editor_rows(
            campaign,
            account.name,
            "Campaign Negative ",
            "campaign_criterion.keyword.text",
            "campaign_criterion.keyword.match_type",
            campaign="campaign.name",
        ),
        _editor_rows(
            ad_group,
            account.name,
            "Negative ",
            "ad_group_criterion.keyword.text",
            "ad_group_criterion.keyword.match_type",
            campaign="campaign.name",
            ad_group="ad_group.name",
        ),
        _editor_rows(
            shared,
            account.name,
            "Negative ",
            "shared_criterion.keyword.text",
            "shared_criterion.keyword.match_type",
            list="shared_set.name",
        ),
    ]
    return pd.concat(parts, ignore_index=True)


def fetch_account(
    api: GoogleAds, account: Account, period: Period, out_dir: Path, *, force: bool
) -> Fetched:
    """Run every query for one account and write its folder (nothing is written when a query
    fails, so a folder is never half of one fetch and half of another)."""
    api.login_as(account.via)
    frames = {name: api.frame(account.customer_id, q, period) for name, q in REPORTS.items()}
    frames[NEGATIVES_FILE] = existing_negatives(api, account, period)
    folder = out_dir / folder_name(account)
    for name, frame in frames.items():
        write_atomic(folder / name, _csv(frame), force=force)
    rows = {name: len(frame) for name, frame in frames.items()}
    terms = (frames["search-terms.csv"], frames["search-terms-pmax.csv"])
    micros = sum(int(f["metrics.cost_micros"].sum()) for f in terms)
    about = {
        "customer_id": dashed(account.customer_id),
        "name": account.name,
        "currency": account.currency,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "rows": rows,
    }
    text = json.dumps(about, indent=2, ensure_ascii=False) + "\n"
    write_atomic(folder / "fetch.json", text, force=force)
    return Fetched(account, folder, rows, micros / MICROS)
