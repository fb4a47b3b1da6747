"""A sample account split by state, with the truth: `sample_reports/splits/`.

Sunridge Solar (USD, 1-30 November 2026) runs one Search campaign per state (`Solar - CA`,
`Solar - TX`, `Solar - FL`, `Solar - AZ`, `Solar - NV`), each with the ad groups `Solar Panels`,
`Installation` and `Batteries`, and a brand campaign. Every generic query is served in every
state campaign on purpose (`split` in the truth): not cannibalisation. Two queries are also
served by two ad groups of one state campaign (`cannibalised`): real overlap inside one split.
State-specific queries (`solar panels houston`) are served once.

`truth.json` lists every row with its labels and the findings the default rules must give:
`expect.STRUCT001` (the cannibalised queries) and `expect.STRUCT005` (the split ones), both
above the rules' data floor (a quarter of the account CPA). Deterministic (fixed seed, no
clock): `python -m tools.samplegen.splits` rewrites the folder byte for byte.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from auditor.output.csvio import write_atomic
from auditor.resources import bundled

SEED = 11
STATES = ("CA", "TX", "FL", "AZ", "NV")
GROUPS = ("Solar Panels", "Installation", "Batteries")
REPORT = "google-ads-search-terms-states.csv"
HEADER = (
    "Search term,Match type,Added/Excluded,Campaign,Ad group,Clicks,Impr.,CTR,Currency code,"
    "Avg. CPC,Cost,Campaign type,Conv. rate,Conversions,Cost / conv."
)
GENERIC: dict[str, str] = {
    "solar panels": "Solar Panels",
    "solar panels for home": "Solar Panels",
    "best solar panels": "Solar Panels",
    "solar panels cost": "Solar Panels",
    "solar panel financing": "Solar Panels",
    "solar installers near me": "Installation",
    "solar panel installation": "Installation",
    "solar companies near me": "Installation",
    "solar installation cost": "Installation",
    "home solar battery": "Batteries",
    "tesla powerwall": "Batteries",
    "solar battery backup": "Batteries",
}
"""Generic queries and the ad group that serves them in every state."""
OVERLAP = {
    ("TX", "solar panel installation"): "Solar Panels",
    ("CA", "home solar battery"): "Solar Panels",
}
"""Queries a second ad group of the same state campaign also serves."""
LOCAL = {
    "CA": ("solar incentives california", "solar panels los angeles", "solar san diego"),
    "TX": ("solar panels houston", "solar companies dallas", "texas solar rebate"),
    "FL": ("solar panels miami", "florida solar tax credit", "solar orlando"),
    "AZ": ("solar panels phoenix", "arizona solar companies", "solar tucson"),
    "NV": ("solar panels las vegas", "nevada solar incentives", "solar reno"),
}
BRAND = ("sunridge solar", "sunridge solar reviews")
HIDDEN_SHARE = 0.35
CVR = 0.06


def _row(rng: np.random.Generator, term: str, campaign: str, group: str, scale: float) -> dict:
    clicks = int(rng.integers(12, 60) * scale) + 1
    cpc = float(rng.uniform(4.0, 9.0))
    conversions = int(rng.binomial(clicks, CVR))
    impressions = int(clicks * rng.uniform(8, 20))
    match = "Phrase match" if " " in term and rng.random() < 0.6 else "Broad match"
    return {
        "search_term": term,
        "match_type": match,
        "campaign": campaign,
        "ad_group": group,
        "clicks": clicks,
        "impressions": impressions,
        "cost": round(clicks * cpc, 2),
        "conversions": float(conversions),
    }


def build_rows() -> list[dict[str, Any]]:
    """Every search-term row with its labels (see the module docstring)."""
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, Any]] = []
    for state in STATES:
        campaign = f"Solar - {state}"
        for term, group in GENERIC.items():
            rows.append(_row(rng, term, campaign, group, 1.0) | {"labels": ["split"]})
            second = OVERLAP.get((state, term))
            if second:
                rows[-1]["labels"].append("cannibalised")
                overlap = _row(rng, term, campaign, second, 0.6)
                rows.append(overlap | {"labels": ["split", "cannibalised"]})
        for term in LOCAL[state]:
            rows.append(_row(rng, term, campaign, "Solar Panels", 0.5) | {"labels": ["local"]})
    for term in BRAND:
        row = _row(rng, term, "Brand - Sunridge", "Sunridge", 1.5)
        rows.append(row | {"match_type": "Exact match", "labels": ["brand"]})
    return rows


def _cells(r: dict[str, Any]) -> list[str]:
    clicks, impr, cost, conv = r["clicks"], r["impressions"], r["cost"], r["conversions"]
    return [
        r["search_term"],
        r["match_type"],
        "None",
        r["campaign"],
        r["ad_group"],
        _count(clicks),
        _count(impr),
        f"{clicks / impr:.2%}" if impr else " --",
        "USD",
        f"{cost / clicks:.2f}" if clicks else "0",
        f"{cost:.2f}",
        "Search",
        f"{conv / clicks:.2%}" if clicks else " --",
        f"{conv:.2f}",
        f"{cost / conv:.2f}" if conv else "0",
    ]


def _count(n: float) -> str:
    return f'"{n:,.0f}"' if n >= 1000 else f"{n:.0f}"


def _sums(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {
        k: float(sum(r[k] for r in rows)) for k in ("clicks", "impressions", "cost", "conversions")
    }


def _total(label: str, m: dict[str, float], ctype: str = "") -> str:
    r = {"search_term": f"Total: {label}", **m, "match_type": "", "campaign": "", "ad_group": ""}
    cells = _cells(r)
    cells[1:5] = ["", "", "", ""]
    cells[11] = ctype
    return ",".join(cells)


def render(rows: list[dict[str, Any]]) -> str:
    """The Google Ads UI download (English, comma, title and date lines, Total rows)."""
    listed = _sums(rows)
    hidden = {k: round(v * HIDDEN_SHARE / (1 - HIDDEN_SHARE)) for k, v in listed.items()}
    hidden["cost"] = round(listed["cost"] * HIDDEN_SHARE / (1 - HIDDEN_SHARE), 2)
    account = {k: listed[k] + hidden[k] for k in listed}
    lines = ["Search terms report", '"November 1, 2026 - November 30, 2026"', HEADER]
    lines += [",".join(_cells(r)) for r in rows]
    lines += [
        _total("Search terms", listed),
        _total("Other search terms", hidden),
        _total("Account", account),
        _total("Search", account, "Search"),
    ]
    return "\n".join(lines) + "\n"


def truth(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows, labels and the STRUCT001 / STRUCT005 findings the default rules must give."""
    sums = _sums(rows)
    floor = 0.25 * sums["cost"] / sums["conversions"]
    cost: dict[str, float] = {}
    for r in rows:
        cost[r["search_term"]] = cost.get(r["search_term"], 0.0) + r["cost"]
    over = {r["search_term"] for r in rows if "cannibalised" in r["labels"]}
    split = {r["search_term"] for r in rows if "split" in r["labels"]} - over
    return {
        "account": "Sunridge Solar",
        "currency": "USD",
        "seed": SEED,
        "data_floor": round(floor, 2),
        "expect": {
            "STRUCT001": sorted(t for t in over if cost[t] >= floor),
            "STRUCT005": sorted(t for t in split if cost[t] >= floor),
        },
        "rows": [
            {k: r[k] for k in ("search_term", "campaign", "ad_group", "cost", "labels")}
            for r in rows
        ],
    }


def render_all() -> dict[str, bytes]:
    rows = build_rows()
    return {
        REPORT: render(rows).encode("utf-8"),
        "truth.json": (json.dumps(truth(rows), indent=1, ensure_ascii=False) + "\n").encode(),
    }


def write(out: Path | None = None) -> list[Path]:
    folder = out or bundled("sample_reports") / "splits"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render_all().items():
        path = folder / name
        write_atomic(path, data, force=True)
        written.append(path)
    return written


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[1]) if len(args) == 2 and args[0] == "--out" else None
    for path in write(out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
