"""Deterministic tracking sample accounts: a faulty one with every fault planted, a clean twin.

`python -m tools.samplegen.tracking [FOLDER]` (re)writes, by default into
`sample_reports/tracking/` (overwriting: the folder is generated):

    faulty/search-terms-by-day.csv   Google Ads UI search-terms report segmented by Day
    faulty/by-action.csv             the same terms segmented by Conversion action / category
    faulty/conversions.csv           conversion-level export (offline-import layout + Order ID)
    faulty/orders.csv                the shop's orders and revenue per day
    clean/...                        the same four files of the healthy twin
    truth.json                       what was planted where

The account: an outdoor-gear shop (SEK) with four campaigns (Brand, Generic - Boots,
Generic - Jackets, Generic - Tents), 30 days (2026-10-01 to 2026-10-30). Purchases are drawn
per search term and day from the clicks at each campaign's rate; every purchase has its own
order value; the shop's orders are the ads' purchases plus other channels. Both twins credit
the last 3 days only partly (conversion lag), which must not be called an outage.

Planted in the faulty twin only (all listed in truth.json):
- an outage: no conversions in Generic - Jackets on 2026-10-13..15 (clicks normal);
- double counting: "GA4 purchase (imported)" is a primary Purchase action beside the tag
  (the clean twin has it as secondary), and it sends values in öre (x100): implausible ROAS;
- duplicate transaction IDs: some orders recorded twice by the tag, and three Tents rows where
  a reloading thank-you page records one order seven times (conversions exceed clicks);
- missing values, a default value of 1.00 on many purchases, two negative values, and
  purchases recorded in EUR in the SEK account;
- so the platform reports more purchases and value than the shop's orders (backend mismatch).

Over 500 lines: the two accounts, the faults planted into one of them and the four files'
layouts belong together; none of it ships (it is a tool of the checkout).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.output.csvio import csv_text, write_atomic

SEED = 20261001
START = pd.Timestamp("2026-10-01")
DAYS = 30
CURRENCY = "SEK"
TAG = "Purchase (Google Ads tag)"
GA4 = "GA4 purchase (imported)"
SIGNUP = "Newsletter signup"
LAG_CREDIT = (0.8, 0.55, 0.25)
"""Share of the last three days' purchases already credited when the report was pulled."""
OUTAGE = ("Generic - Jackets", ("2026-10-13", "2026-10-14", "2026-10-15"))
PRICES = np.array([299, 449, 599, 899, 1199, 1499, 1899, 2299, 2799, 3499, 4299], dtype=float)


@dataclass(frozen=True)
class Campaign:
    name: str
    ad_group: str
    terms: tuple[str, ...]
    daily_clicks: float
    cvr: float
    cpc: float


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign(
        "Brand",
        "Brand - core",
        (
            "fjallgear",
            "fjallgear outdoor",
            "fjallgear jacket",
            "fjallgear boots",
            "fjallgear sale",
            "fjallgear store stockholm",
        ),
        70.0,
        0.09,
        1.8,
    ),
    Campaign(
        "Generic - Boots",
        "Hiking boots",
        (
            "hiking boots",
            "waterproof hiking boots",
            "womens hiking boots",
            "mens hiking boots",
            "leather hiking boots",
            "hiking boots sale",
            "best hiking boots",
            "lightweight hiking boots",
            "gore tex hiking boots",
            "winter hiking boots",
            "trail running shoes",
            "walking boots",
            "hiking boots wide fit",
            "approach shoes",
            "mountain boots",
            "trekking boots",
            "hiking shoes women",
            "hiking boots men size 45",
            "vegan hiking boots",
            "hiking socks",
        ),
        210.0,
        0.034,
        6.2,
    ),
    Campaign(
        "Generic - Jackets",
        "Shell jackets",
        (
            "rain jacket",
            "waterproof jacket",
            "hardshell jacket",
            "softshell jacket",
            "down jacket",
            "womens rain jacket",
            "mens waterproof jacket",
            "gore tex jacket",
            "insulated jacket",
            "fleece jacket",
            "windbreaker",
            "ski jacket",
            "parka women",
            "lightweight rain jacket",
            "packable down jacket",
            "hiking jacket",
            "winter jacket men",
            "rain jacket sale",
        ),
        240.0,
        0.031,
        7.1,
    ),
    Campaign(
        "Generic - Tents",
        "Tents",
        (
            "2 person tent",
            "tent",
            "backpacking tent",
            "ultralight tent",
            "family tent",
            "4 season tent",
            "dome tent",
            "tunnel tent",
            "camping tent sale",
            "tent 3 person",
            "lightweight tent",
            "winter tent",
            "tent footprint",
            "hilleberg tent",
        ),
        120.0,
        0.028,
        8.4,
    ),
)


def _terms() -> pd.DataFrame:
    """One row per search term: campaign, ad group, its share of the campaign's clicks."""
    rows = []
    for c in CAMPAIGNS:
        weights = 1.0 / np.arange(1, len(c.terms) + 1) ** 0.9
        weights /= weights.sum()
        rows.extend(
            (t, c.name, c.ad_group, w, c.daily_clicks, c.cvr, c.cpc)
            for t, w in zip(c.terms, weights, strict=True)
        )
    cols = ["search_term", "campaign", "ad_group", "weight", "daily_clicks", "cvr", "cpc"]
    return pd.DataFrame(rows, columns=cols)


def _grid(rng: np.random.Generator) -> pd.DataFrame:
    """Term x day rows with impressions, clicks and cost (rows without impressions dropped)."""
    terms = _terms()
    days = pd.date_range(START, periods=DAYS, freq="D")
    grid = terms.merge(pd.DataFrame({"day": days}), how="cross")
    weekend = np.where(grid["day"].dt.day_of_week >= 5, 0.85, 1.0)
    grid["clicks"] = rng.poisson(grid["daily_clicks"] * grid["weight"] * weekend)
    ctr = rng.uniform(0.04, 0.11, len(grid))
    grid["impressions"] = np.ceil((grid["clicks"] + rng.poisson(1.5, len(grid))) / ctr)
    cpc = grid["cpc"] * rng.lognormal(0.0, 0.15, len(grid))
    grid["cost"] = np.round(grid["clicks"] * cpc, 2)
    grid["match_type"] = rng.choice(
        ["Exact match", "Phrase match", "Exact match (close variant)", "Broad match"],
        len(grid),
        p=[0.4, 0.3, 0.15, 0.15],
    )
    return grid.loc[grid["impressions"] > 0].reset_index(drop=True)


def _order_values(rng: np.random.Generator, n: int) -> np.ndarray:
    """Order totals: 1-3 items from the price list, shipping 0 or 49, sometimes 10% off."""
    items = rng.choice(PRICES, (n, 3)) * (np.arange(3) < rng.integers(1, 4, n)[:, None])
    total = items.sum(axis=1) + rng.choice([0.0, 49.0], n, p=[0.7, 0.3])
    return np.round(np.where(rng.random(n) < 0.15, total * 0.9, total), 2)


def _purchases(rng: np.random.Generator, grid: pd.DataFrame) -> pd.DataFrame:
    """Every true purchase (one row each): grid row, order value, whether credited yet."""
    n = rng.binomial(grid["clicks"].to_numpy(), grid["cvr"].to_numpy())
    row = np.repeat(np.arange(len(grid)), n)
    events = pd.DataFrame({"row": row, "value": _order_values(rng, len(row))})
    day_index = (grid["day"].to_numpy()[row] - START.to_datetime64()) // np.timedelta64(1, "D")
    credit = np.ones(len(row))
    for back, share in enumerate(reversed(LAG_CREDIT)):
        credit[day_index == DAYS - 1 - back] = share
    events["credited"] = rng.random(len(row)) < credit
    events["seconds"] = rng.integers(6 * 3600, 23 * 3600, len(row))
    events["ga4"] = rng.random(len(row)) < 0.93
    return events


@dataclass
class Account:
    """One twin: the term x day grid and the tag's and GA4's recorded conversions."""

    grid: pd.DataFrame
    tag: pd.DataFrame
    ga4: pd.DataFrame
    signups: pd.DataFrame
    true: pd.DataFrame


def _signups(rng: np.random.Generator, grid: pd.DataFrame) -> pd.DataFrame:
    n = rng.binomial(grid["clicks"].to_numpy(), 0.01)
    return pd.DataFrame({"row": np.repeat(np.arange(len(grid)), n)})


def _ids(events: pd.DataFrame) -> pd.DataFrame:
    ids = [f"FG-{100001 + i}" for i in range(len(events))]
    return events.assign(transaction_id=ids, currency=CURRENCY)


def _account(seed: int) -> tuple[Account, Account]:
    """The clean twin and the faulty twin, drawn from the same purchases."""
    rng = np.random.default_rng(seed)
    grid = _grid(rng)
    true = _ids(_purchases(rng, grid))
    signups = _signups(rng, grid)
    tag = true.loc[true["credited"]].reset_index(drop=True)
    clean = Account(grid, tag, tag.loc[tag["ga4"]], signups, true)
    return clean, _plant(rng, clean)


def _outage_mask(grid: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    campaign, days = OUTAGE
    rows = grid.index[(grid["campaign"] == campaign) & grid["day"].isin(pd.to_datetime(days))]
    return events["row"].isin(rows).to_numpy()


def _plant(rng: np.random.Generator, clean: Account) -> Account:
    grid = clean.grid
    tag = clean.tag.loc[~_outage_mask(grid, clean.tag)].reset_index(drop=True)
    tag = _plant_reloads(rng, grid, tag)
    tag = _plant_values(rng, tag)
    ga4 = tag.loc[tag["ga4"] & ~tag["copy"]].assign(value=lambda t: t["value"].abs() * 100)
    return Account(grid, tag, ga4, clean.signups, clean.true)


def _plant_reloads(rng: np.random.Generator, grid: pd.DataFrame, tag: pd.DataFrame) -> pd.DataFrame:
    """Duplicates: 12 orders recorded twice; 3 Tents rows where one order is recorded 7 times."""
    tag = tag.assign(copy=False)
    twice = tag.loc[rng.choice(len(tag), 12, replace=False)]
    small = grid.index[(grid["campaign"] == "Generic - Tents") & grid["clicks"].between(1, 3)]
    candidates = tag.loc[tag["row"].isin(small)].drop_duplicates("row")
    reloads = candidates.loc[rng.choice(candidates.index, 3, replace=False)]
    copies = pd.concat([twice, *[reloads] * 6]).assign(copy=True)
    copies["seconds"] = copies["seconds"] + rng.integers(20, 300, len(copies))
    return pd.concat([tag, copies], ignore_index=True)


def _plant_values(rng: np.random.Generator, tag: pd.DataFrame) -> pd.DataFrame:
    """Missing (15), default 1.00 (40), negative (2) and EUR (8) values on distinct orders."""
    originals = tag.index[
        ~tag["copy"] & ~tag["transaction_id"].isin(tag.loc[tag["copy"], "transaction_id"])
    ]
    picked = rng.choice(originals, 15 + 40 + 2 + 8, replace=False)
    missing, default, negative, euro = np.split(picked, [15, 55, 57])
    tag = tag.assign(fault="")
    tag.loc[missing, ["value", "fault"]] = [np.nan, "missing_value"]
    tag.loc[default, ["value", "fault"]] = [1.0, "default_value"]
    tag.loc[negative, "value"] = -tag.loc[negative, "value"]
    tag.loc[negative, "fault"] = "negative_value"
    tag.loc[euro, "value"] = np.round(tag.loc[euro, "value"] / 11.5, 2)
    tag.loc[euro, ["currency", "fault"]] = ["EUR", "currency_mismatch"]
    return tag


# --------------------------------------------------------------------------- files


def _count(value: float) -> str:
    """Counts as Google writes them: `"1,457"` from 1,000 on."""
    return f"{value:,.0f}"


def _ratio(num: pd.Series, den: pd.Series, pct: bool) -> pd.Series:
    out = (num / den.where(den > 0)).fillna(-1.0)
    text = out.map(lambda v: " --" if v < 0 else (f"{v:.2%}" if pct else f"{v:.2f}"))
    return text.astype(object)


def _per_row(events: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(events["row"], minlength=n).astype(float)
    values = np.bincount(events["row"], weights=events["value"].fillna(0.0), minlength=n)
    return counts, values


def _preamble(title: str) -> str:
    end = START + pd.Timedelta(days=DAYS - 1)
    return f'{title}\r\n"{START:%B} {START.day}, {START.year} - {end:%B} {end.day}, {end.year}"\r\n'


REPORT_HEADER = (
    "Day",
    "Search term",
    "Match type",
    "Added/Excluded",
    "Campaign",
    "Ad group",
    "Clicks",
    "Impr.",
    "CTR",
    "Currency code",
    "Avg. CPC",
    "Cost",
    "Conv. rate",
    "Conversions",
    "Conv. value",
    "Cost / conv.",
    "All conv.",
)


def report_frame(acc: Account, ga4_primary: bool) -> pd.DataFrame:
    """The by-day search-terms rows with the figures the platform shows."""
    g = acc.grid.copy()
    n = len(g)
    tag_n, tag_v = _per_row(acc.tag, n)
    ga4_n, ga4_v = _per_row(acc.ga4, n)
    sign_n = np.bincount(acc.signups["row"], minlength=n).astype(float)
    g["conversions"] = tag_n + (ga4_n if ga4_primary else 0.0)
    g["conversion_value"] = np.round(tag_v + (ga4_v if ga4_primary else 0.0), 2)
    g["all_conversions"] = tag_n + ga4_n + sign_n
    return g


def _report_text(g: pd.DataFrame) -> str:
    rows = pd.DataFrame(
        {
            "Day": g["day"].dt.strftime("%Y-%m-%d"),
            "Search term": g["search_term"],
            "Match type": g["match_type"],
            "Added/Excluded": "None",
            "Campaign": g["campaign"],
            "Ad group": g["ad_group"],
            "Clicks": g["clicks"].map(_count),
            "Impr.": g["impressions"].map(_count),
            "CTR": _ratio(g["clicks"], g["impressions"], pct=True),
            "Currency code": CURRENCY,
            "Avg. CPC": (g["cost"] / g["clicks"].where(g["clicks"] > 0))
            .fillna(0)
            .map("{:.2f}".format),
            "Cost": g["cost"].map("{:.2f}".format),
            "Conv. rate": _ratio(g["conversions"], g["clicks"], pct=True),
            "Conversions": g["conversions"].map("{:,.2f}".format),
            "Conv. value": g["conversion_value"].map("{:.2f}".format),
            "Cost / conv.": (g["cost"] / g["conversions"].where(g["conversions"] > 0))
            .fillna(0)
            .map("{:.2f}".format),
            "All conv.": g["all_conversions"].map("{:,.2f}".format),
        }
    )
    totals = _total_rows(g)
    return _preamble("Search terms report") + csv_text(
        REPORT_HEADER, [*rows.itertuples(index=False), *totals]
    )


def _total_rows(g: pd.DataFrame) -> list[list[str]]:
    clicks, impr, cost = g["clicks"].sum(), g["impressions"].sum(), round(g["cost"].sum(), 2)
    conv, value, allc = (
        g["conversions"].sum(),
        round(g["conversion_value"].sum(), 2),
        g["all_conversions"].sum(),
    )

    def row(label: str, c: float, i: float, k: float, v: float, cv: float, a: float) -> list[str]:
        ctr = f"{c / i:.2%}" if i else " --"
        cpc = f"{k / c:.2f}" if c else "0"
        rate = f"{v / c:.2%}" if c else " --"
        cpa = f"{k / v:.2f}" if v else "0"
        return [
            label,
            "",
            "",
            "",
            "",
            "",
            _count(c),
            _count(i),
            ctr,
            CURRENCY,
            cpc,
            f"{k:.2f}",
            rate,
            f"{v:,.2f}",
            f"{cv:.2f}",
            cpa,
            f"{a:,.2f}",
        ]

    other = (round(cost * 0.22, 2), round(clicks * 0.25))
    return [
        row("Total: Search terms", clicks, impr, cost, conv, value, allc),
        row("Total: Other search terms", other[1], 0, other[0], 0, 0, 0),
        row(
            "Total: Account", clicks + other[1], impr, round(cost + other[0], 2), conv, value, allc
        ),
    ]


BY_ACTION_HEADER = (
    "Search term",
    "Match type",
    "Campaign",
    "Ad group",
    "Conversion action",
    "Conversion category",
    "Clicks",
    "Impr.",
    "Cost",
    "Conversions",
    "Conv. value",
    "All conv.",
)


def _by_action_text(acc: Account, ga4_primary: bool) -> str:
    """Terms (over the period) x conversion action; clicks and cost are `--` per action."""
    keys = ["search_term", "match_type", "campaign", "ad_group"]
    g = acc.grid[keys].drop_duplicates("search_term")
    parts = []
    for events, action, category, primary in (
        (acc.tag, TAG, "Purchase", True),
        (acc.ga4, GA4, "Purchase", ga4_primary),
        (acc.signups.assign(value=0.0), SIGNUP, "Sign-up", False),
    ):
        per = events.assign(search_term=acc.grid["search_term"].to_numpy()[events["row"]])
        agg = per.groupby("search_term", sort=True).agg(
            n=("row", "size"), v=("value", lambda s: s.fillna(0).sum())
        )
        agg = agg.reset_index().merge(g, on="search_term")
        parts.append(
            pd.DataFrame(
                {
                    "Search term": agg["search_term"],
                    "Match type": agg["match_type"],
                    "Campaign": agg["campaign"],
                    "Ad group": agg["ad_group"],
                    "Conversion action": action,
                    "Conversion category": category,
                    "Clicks": " --",
                    "Impr.": " --",
                    "Cost": " --",
                    "Conversions": (agg["n"] if primary else agg["n"] * 0).map("{:,.2f}".format),
                    "Conv. value": (agg["v"] if primary else agg["v"] * 0).map("{:.2f}".format),
                    "All conv.": agg["n"].map("{:,.2f}".format),
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True).sort_values(
        ["Campaign", "Search term", "Conversion action"], kind="stable"
    )
    return _preamble("Search terms report") + csv_text(
        BY_ACTION_HEADER, rows.itertuples(index=False)
    )


CONVERSIONS_HEADER = (
    "Google Click ID",
    "Conversion Name",
    "Conversion Time",
    "Conversion Value",
    "Conversion Currency",
    "Order ID",
    "Campaign",
)


def _conversions_text(acc: Account, rng: np.random.Generator) -> str:
    """Tag purchases and signups, one row each, ordered by time (offline-import layout)."""
    tag = acc.tag
    signups = acc.signups.assign(
        value=np.nan,
        transaction_id="",
        currency="",
        seconds=rng.integers(6 * 3600, 23 * 3600, len(acc.signups)),
    )
    both = pd.concat([tag.assign(action=TAG), signups.assign(action=SIGNUP)], ignore_index=True)
    when = acc.grid["day"].to_numpy()[both["row"]] + both["seconds"].to_numpy() * np.timedelta64(
        1, "s"
    )
    both["time"] = pd.to_datetime(when)
    both = both.sort_values(["time", "transaction_id"], kind="stable").reset_index(drop=True)
    gclid = [
        f"Cj0KCQiA{i:06d}{s:05d}" for i, s in zip(both["row"], both["seconds"] % 99991, strict=True)
    ]
    rows = zip(
        gclid,
        both["action"],
        both["time"].dt.strftime("%Y-%m-%d %H:%M:%S+01:00"),
        [("" if v != v else (float(v) if v < 0 else f"{v:.2f}")) for v in both["value"]],
        both["currency"],
        both["transaction_id"],
        acc.grid["campaign"].to_numpy()[both["row"]],
        strict=True,
    )
    return "Parameters:TimeZone=+0100\r\n" + csv_text(CONVERSIONS_HEADER, rows)


def _orders_text(acc: Account, rng: np.random.Generator) -> str:
    """Shop orders per day: every true ads purchase plus other channels (about 35% more)."""
    day = acc.grid["day"].to_numpy()[acc.true["row"]]
    ads = acc.true.assign(day=day).groupby("day").agg(n=("row", "size"), v=("value", "sum"))
    ads = ads.reindex(pd.date_range(START, periods=DAYS, freq="D"), fill_value=0)
    other = rng.poisson(ads["n"].mean() * 0.35, DAYS)
    other_value = np.array([_order_values(rng, k).sum() for k in other])
    orders = ads["n"].to_numpy() + other
    revenue = np.round(ads["v"].to_numpy() + other_value, 2)
    rows = zip(
        ads.index.strftime("%Y-%m-%d"),
        orders,
        [f"{v:.2f}" for v in revenue],
        [CURRENCY] * DAYS,
        strict=True,
    )
    return csv_text(("Date", "Orders", "Revenue", "Currency"), rows)


def _truth(faulty: Account) -> dict[str, object]:
    tag = faulty.tag
    grid = faulty.grid
    dup = tag.loc[tag["copy"], "transaction_id"].unique().tolist()
    reload_rows = tag.loc[tag["copy"]].groupby("row").size()
    reload_rows = reload_rows.loc[reload_rows > 3].index
    faults = {
        f: sorted(tag.loc[tag["fault"] == f, "transaction_id"])
        for f in ("missing_value", "default_value", "negative_value", "currency_mismatch")
    }
    return {
        "period": {"start": START.date().isoformat(), "days": DAYS},
        "lag_days": [
            (START + pd.Timedelta(days=DAYS - 3 + i)).date().isoformat() for i in range(3)
        ],
        "faulty": {
            "outage": {"campaign": OUTAGE[0], "days": list(OUTAGE[1])},
            "double_counting": {"actions": [TAG, GA4], "category": "Purchase"},
            "implausible_roas": {"action": GA4, "factor": 100},
            "duplicate_transactions": {"action": TAG, "ids": sorted(dup)},
            "conversions_exceed_clicks": {
                "campaign": "Generic - Tents",
                "rows": [
                    {
                        "day": grid.at[r, "day"].date().isoformat(),
                        "search_term": grid.at[r, "search_term"],
                    }
                    for r in sorted(reload_rows)
                ],
            },
            "missing_value": {"action": TAG, "ids": faults["missing_value"]},
            "default_value": {"action": TAG, "value": 1.0, "ids": faults["default_value"]},
            "negative_value": {"action": TAG, "ids": faults["negative_value"]},
            "currency_mismatch": {"currency": "EUR", "ids": faults["currency_mismatch"]},
            "backend_mismatch": {"measures": ["conversions", "conversion_value"]},
        },
        "clean": {},
    }


def write_samples(folder: Path, seed: int = SEED) -> dict[str, object]:
    """Write both twins and truth.json into `folder` (overwriting); return the truth."""
    clean, faulty = _account(seed)
    for name, acc, primary in (("clean", clean, False), ("faulty", faulty, True)):
        rng = np.random.default_rng(seed + (1 if primary else 2))
        out = folder / name
        files = {
            "search-terms-by-day.csv": _report_text(report_frame(acc, primary)),
            "by-action.csv": _by_action_text(acc, primary),
            "conversions.csv": _conversions_text(acc, rng),
            "orders.csv": _orders_text(acc, rng),
        }
        for file, text in files.items():
            write_atomic(out / file, text, force=True)
    truth = _truth(faulty)
    write_atomic(folder / "truth.json", json.dumps(truth, indent=2) + "\n", force=True)
    return truth


def default_folder() -> Path:
    return Path(__file__).resolve().parents[2] / "sample_reports" / "tracking"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else default_folder()
    write_samples(folder)
    print(f"Wrote the tracking sample accounts to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
