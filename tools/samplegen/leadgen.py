"""A second deterministic sample account: lead generation for a US solar installer.

`python -m tools.samplegen.leadgen [--out DIR]` (re)writes `sample_reports/leadgen/`. Same
bytes on every run: a fixed numpy seed, no clock. The download format and the truth's
plumbing come from `tools.samplegen.common`, so the files look exactly like the Swedish shop's
downloads. Over 500 lines because most of it is the account as data (ad groups, families,
planted terms), read beside the code that draws from it.

The account: SunPeak Solar, a residential solar installer in the US Sun Belt that buys leads
(quote requests). USD, 30 days (1-30 October 2026), four Search campaigns ("Solar -
Installation", "Solar - Financing", "Brand - SunPeak Solar", "Batteries"), nine ad groups,
30 enabled keywords in all three match types plus two paused ones. A conversion is a lead,
counted once per click, each worth a fixed `LEAD_VALUE` (150 USD). Account CVR about 7%.

Files:
- `google-ads-search-terms-en.csv`: Google Ads UI download, English, UTF-8, comma, the same
  columns as `sample_reports/google-ads-search-terms-en.csv` (title and date lines, header,
  rows, `Total:` rows incl. `Total: Other search terms`, the hidden share of the spend).
- `google-ads-keywords-en.csv`: the "Search keyword report" of the bought keywords (status
  and metrics; each keyword's terms plus its share of the hidden spend).
- `truth.json`: `{"version", "seed", "files", "accounts": {"leadgen": ACCOUNT}}` with ACCOUNT
  shaped as in `tools.samplegen.shop` (name, currency, period, brand, totals, hidden, cpa, cvr,
  roas, thresholds, keywords, families, terms) plus `lead_value`; each TERM also holds
  `buying_question`.

What is planted (labels as in `tools.samplegen.shop`; `close_variant_worse` and
`already_excluded` do not occur here):
- Buying questions that convert: "free solar quote", "free solar estimate" and their city /
  state / near-me variants, "solar panel cost", "how much do solar panels cost", "solar
  installers near me", "solar financing", "solar lease vs buy", "solar loan rates", "solar
  panel installation company", "price of solar panels for home". `free` is a funnel here:
  no negative may block "free ... quote" / "free ... estimate".
- Buying questions with zero conversions in the period that are still relevant ("solar panel
  cost calculator", "solar loan rates texas", "solar lease near me", long-tail ones):
  `relevant` true, `buying_question` true, label `relevant_nonconverting`.
- `buying_question`: a relevant term holding price / cost / how much / quote / estimate /
  financing / finance / loan / lease / installer / near me / company / hire / buy (or their
  plurals). Off-intent family terms are never buying questions, even "tesla solar roof cost"
  or "solar installer jobs near me".
- Irrelevant families (`family`, with `word` = what a negative would target; label
  `irrelevant`): jobs (jobs, hiring, salary, careers, typo jbos), diy (diy, how to build,
  how to install), free (free solar panels, grants, low income: free-seekers, not quote
  requests), education (course, training, certification, nabcep), wrong_meaning (solar
  eclipse, solar system planets, solar plexus, solar flare), competitor (sunrun, sun run,
  tesla, sunpower, sunnova, vivint: no competitor keyword or ad group exists), used (used,
  refurbished, second hand). None converts; each term is cheap (below the CPA, p_zero >
  0.2); each family costs at least 2 account CPAs together.
- Brand: "sunpeak solar", "sun peak solar", "sunpeak", "sunpeek solar" (typo); converting.
- Planted waste (zero conversions, statistically clear or >= 2.5x CPA): "solar panels for
  home" (a phrase keyword itself, many clicks, 3x CPA), "residential solar panels", "best
  solar panels 2026", "solar battery cost" (a relevant buying question), and the off-topic
  "solar panel efficiency" (relevant false, no family).
- Traps: "home solar system cost" and "solar system for home" convert (a PV system) while
  "solar system planets" is the wrong meaning; "solar installers near me" converts while
  "solar installer jobs near me" is jobs intent; "free solar quote" converts while "free
  solar panels government program" is a free-seeker.
- Cannibalisation: four queries served by two ad groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor import schema
from tools.samplegen import common
from tools.samplegen.common import (
    PERIOD,
    THRESHOLDS,
    TRUTH_FILE,
    Account,
    Family,
    Planted,
    account_rates,
    check_waste,
    contains,
    families,
    json_text,
    keyword_metrics,
    keyword_row,
    p_zero_of,
    place_planted,
    render_keywords,
    render_ui,
    round_metrics,
    row_labels,
    serve,
    settle,
    sums,
    term_frame,
    term_record,
)

SEED = 20261101
VERSION = 1
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_reports" / "leadgen"
ACCOUNT_KEY = "leadgen"
ACCOUNT_NAME = "SunPeak Solar"
CURRENCY = "USD"
LEAD_VALUE = 150.0
HIDDEN_SHARE = 0.3
FAMILY_FLOOR = 2.2
BRAND = ("sunpeak solar", "sun peak solar", "sunpeak", "sun peak", "sunpeek solar")

FILE_EN = "google-ads-search-terms-en.csv"
FILE_KEYWORDS = "google-ads-keywords-en.csv"

BUYING_WORDS = (
    "price", "prices", "pricing", "cost", "costs", "how much", "quote", "quotes", "estimate",
    "estimates", "financing", "finance", "loan", "loans", "lease", "leasing", "installer",
    "installers", "near me", "company", "companies", "hire", "buy", "buying",
)  # fmt: skip


# --------------------------------------------------------------------------- the account


@dataclass(frozen=True)
class LeadAdGroup:
    campaign: str
    name: str
    keywords: tuple[tuple[str, str], ...]
    """(text, match type): exact / phrase / broad; the first broad one catches broad traffic."""
    heads: tuple[str, ...]
    mods: tuple[str, ...]
    cpc: float
    cvr: float
    tail: int
    paused: tuple[tuple[str, str], ...] = ()


PLACES: tuple[str, ...] = (
    "phoenix", "tucson", "mesa", "scottsdale", "las vegas", "henderson", "san diego",
    "los angeles", "sacramento", "fresno", "riverside", "denver", "colorado springs", "austin",
    "dallas", "houston", "san antonio", "el paso", "orlando", "tampa", "miami", "jacksonville",
    "atlanta", "charlotte", "raleigh", "albuquerque", "salt lake city", "boise", "arizona",
    "california", "texas", "florida", "nevada", "colorado", "north carolina", "new jersey",
    "utah", "new mexico", "georgia", "az", "ca", "tx", "fl",
)  # fmt: skip
GENERIC_MODS: tuple[str, ...] = (
    "near me", "best", "affordable", "cheap", "residential", "for home", "for house", "2026",
    "reviews", "tax credit", "rebates", "incentives", "top rated", "local", "roof",
    "monocrystalline", "6kw", "8kw", "10kw", "with battery", "net metering", "worth it",
    "pros and cons", "payback", "savings", "federal tax credit", "house", "homeowners",
)  # fmt: skip
BUY_MODS: tuple[str, ...] = (
    "cost", "price", "prices", "quote", "quotes", "estimate", "companies", "company",
    "installers", "installation", "financing", "buy",
)  # fmt: skip

C_INSTALL = "Solar - Installation"
C_FINANCE = "Solar - Financing"
C_BRAND = "Brand - SunPeak Solar"
C_BATTERY = "Batteries"

G_PANELS = "Solar Panels"
G_INSTALLERS = "Solar Installers"
G_QUOTES = "Solar Quotes"
G_COST = "Solar Cost"
G_FINANCING = "Solar Financing"
G_LEASE = "Solar Lease"
G_BRAND = "SunPeak Solar"
G_BATTERY = "Home Batteries"
G_BACKUP = "Battery Installation"

AD_GROUPS: tuple[LeadAdGroup, ...] = (
    LeadAdGroup(
        C_INSTALL, G_PANELS,
        (("solar panel installation", "exact"), ("solar panels for home", "phrase"),
         ("home solar", "phrase"), ("solar panels", "broad")),
        ("solar panels", "solar panel installation", "home solar", "residential solar",
         "solar panel system", "rooftop solar", "solar power for home", "home solar system"),
        PLACES + GENERIC_MODS + BUY_MODS, 11.0, 0.05, 120,
        paused=(("cheap solar panels", "phrase"),),
    ),
    LeadAdGroup(
        C_INSTALL, G_INSTALLERS,
        (("solar installers near me", "exact"), ("solar panel installation company", "exact"),
         ("solar installer", "phrase"), ("solar companies", "broad")),
        ("solar installers", "solar installer", "solar companies", "solar company",
         "solar contractors", "solar installation companies"),
        PLACES + GENERIC_MODS, 12.0, 0.075, 95,
    ),
    LeadAdGroup(
        C_INSTALL, G_QUOTES,
        (("free solar quote", "exact"), ("solar quote", "phrase"), ("solar estimate", "phrase"),
         ("solar panel quotes", "broad")),
        ("solar quote", "solar estimate", "solar panel quote", "solar quotes", "solar estimates",
         "solar installation quote"),
        PLACES + GENERIC_MODS, 10.0, 0.09, 60,
    ),
    LeadAdGroup(
        C_INSTALL, G_COST,
        (("solar panel cost", "exact"), ("how much do solar panels cost", "phrase"),
         ("solar panel price", "broad")),
        ("solar panel cost", "cost of solar panels", "solar panel price", "solar panels price",
         "solar cost", "price of solar panels", "solar installation cost", "solar system cost"),
        PLACES + GENERIC_MODS, 9.0, 0.055, 90,
    ),
    LeadAdGroup(
        C_FINANCE, G_FINANCING,
        (("solar financing", "exact"), ("solar loan", "phrase"),
         ("solar panel financing", "broad")),
        ("solar financing", "solar loan", "solar loans", "solar panel financing",
         "finance solar panels", "solar loan rates"),
        PLACES + GENERIC_MODS, 10.0, 0.065, 60,
    ),
    LeadAdGroup(
        C_FINANCE, G_LEASE,
        (("solar lease vs buy", "exact"), ("solar lease", "phrase"),
         ("solar panel lease", "broad")),
        ("solar lease", "solar leasing", "lease solar panels", "solar ppa",
         "solar power purchase agreement"),
        PLACES + GENERIC_MODS, 8.0, 0.055, 45,
    ),
    LeadAdGroup(
        C_BRAND, G_BRAND,
        (("sunpeak solar", "exact"), ("sun peak solar", "exact"), ("sunpeak", "phrase"),
         ("sunpeak solar", "broad")),
        ("sunpeak solar", "sunpeak"),
        ("reviews", "phone number", "quote", "cost", "near me", "phoenix", "arizona", "tucson",
         "las vegas", "customer service", "financing", "warranty", "installation", "contact",
         "complaints", "bbb", "address", "battery", "promo", "referral", "texas", "denver"),
        3.2, 0.13, 25,
    ),
    LeadAdGroup(
        C_BATTERY, G_BATTERY,
        (("home solar battery", "exact"), ("solar battery", "phrase"),
         ("home battery backup", "broad")),
        ("solar battery", "home battery", "solar battery storage", "home battery storage",
         "solar batteries", "home solar battery"),
        PLACES + GENERIC_MODS + BUY_MODS, 9.0, 0.045, 70,
        paused=(("powerwall alternative", "phrase"),),
    ),
    LeadAdGroup(
        C_BATTERY, G_BACKUP,
        (("battery backup for home", "exact"), ("home battery installation", "phrase"),
         ("whole home battery backup", "broad")),
        ("battery backup for home", "whole home battery backup", "home battery installation",
         "solar battery installation", "battery backup"),
        PLACES + GENERIC_MODS, 9.5, 0.05, 50,
    ),
)  # fmt: skip


FAMILIES: tuple[Family, ...] = (
    Family(
        "jobs", "jobs",
        (("jobs", 5, None), ("jbos", 2, "jobs"), ("hiring", 3, None), ("salary", 2, None),
         ("careers", 2, None)),
        (("solar", G_PANELS), ("solar installer", G_INSTALLERS),
         ("solar panel installer", G_INSTALLERS), ("solar company", G_INSTALLERS),
         ("solar panel technician", G_PANELS), ("solar sales", G_PANELS),
         ("solar battery installer", G_BACKUP), ("solar companies", G_INSTALLERS)),
        (("solar jobs", G_PANELS, "jobs"), ("solar installer jobs", G_INSTALLERS, "jobs"),
         ("solar panel technician salary", G_PANELS, "salary"),
         ("solar installer jobs near me", G_INSTALLERS, "jobs"),
         ("solar companies hiring", G_INSTALLERS, "hiring")),
    ),
    Family(
        "diy", "diy",
        (("diy", 5, None), ("how to build", 2, None), ("how to install", 3, None)),
        (("solar panels", G_PANELS), ("solar panel", G_PANELS), ("solar battery", G_BATTERY),
         ("solar panel system", G_PANELS), ("home battery backup", G_BACKUP),
         ("solar generator", G_PANELS)),
        (("diy solar panels", G_PANELS, "diy"),
         ("how to build a solar panel", G_PANELS, "how to build"),
         ("solar panel kit diy", G_PANELS, "diy"),
         ("how to install solar panels yourself", G_PANELS, "how to install")),
    ),
    Family(
        "free", "free",
        (),
        (),
        (("free solar panels government program", G_PANELS, "free solar panels"),
         ("free solar panels for low income", G_PANELS, "low income"),
         ("free solar panels", G_PANELS, "free solar panels"),
         ("free solar panels california", G_PANELS, "free solar panels"),
         ("free solar panels program", G_PANELS, "free solar panels"),
         ("free solar panels no cost", G_PANELS, "free solar panels"),
         ("solar grants", G_FINANCING, "grants"),
         ("solar grants for homeowners", G_FINANCING, "grants"),
         ("government solar grants", G_FINANCING, "grants"),
         ("solar panel grants texas", G_FINANCING, "grants"),
         ("low income solar program", G_FINANCING, "low income"),
         ("solar panels for low income families", G_PANELS, "low income"),
         ("free solar battery program", G_BATTERY, "free solar battery")),
    ),
    Family(
        "education", "education",
        (("course", 3, None), ("training", 3, None), ("certification", 2, None),
         ("class", 2, None)),
        (("solar panel installation", G_PANELS), ("solar installer", G_INSTALLERS),
         ("solar energy", G_PANELS), ("solar pv", G_PANELS), ("solar design", G_PANELS),
         ("battery storage", G_BATTERY)),
        (("solar panel course", G_PANELS, "course"),
         ("nabcep certification", G_INSTALLERS, "nabcep"),
         ("nabcep exam", G_INSTALLERS, "nabcep"),
         ("nabcep pv associate", G_INSTALLERS, "nabcep")),
    ),
    Family(
        "wrong_meaning", "wrong_meaning",
        (),
        (),
        (("solar eclipse", G_PANELS, "eclipse"), ("solar eclipse 2026", G_PANELS, "eclipse"),
         ("next solar eclipse", G_PANELS, "eclipse"),
         ("solar eclipse glasses", G_PANELS, "eclipse"),
         ("solar system planets", G_PANELS, "planets"),
         ("solar system planets in order", G_PANELS, "planets"),
         ("planets of the solar system", G_PANELS, "planets"),
         ("solar plexus", G_PANELS, "plexus"), ("solar plexus pain", G_PANELS, "plexus"),
         ("solar plexus chakra", G_PANELS, "plexus"), ("solar flare", G_PANELS, "flare"),
         ("solar flare today", G_PANELS, "flare")),
    ),
    Family(
        "competitor", "competitor",
        (),
        (),
        (("sunrun", G_INSTALLERS, "sunrun"), ("sunrun solar", G_INSTALLERS, "sunrun"),
         ("sunrun reviews", G_INSTALLERS, "sunrun"), ("sunrun login", G_INSTALLERS, "sunrun"),
         ("sunrun customer service", G_INSTALLERS, "sunrun"),
         ("sun run solar", G_INSTALLERS, "sun run"),
         ("tesla solar roof", G_PANELS, "tesla"), ("tesla solar roof cost", G_COST, "tesla"),
         ("tesla solar panels", G_PANELS, "tesla"), ("sunpower", G_INSTALLERS, "sunpower"),
         ("sunpower solar panels", G_PANELS, "sunpower"),
         ("sunpower reviews", G_INSTALLERS, "sunpower"),
         ("sunnova login", G_FINANCING, "sunnova"), ("sunnova", G_FINANCING, "sunnova"),
         ("vivint solar", G_INSTALLERS, "vivint")),
    ),
    Family(
        "used", "used",
        (("used", 5, None), ("refurbished", 2, None), ("second hand", 2, None)),
        (("solar panels", G_PANELS), ("solar panels for sale", G_PANELS),
         ("solar batteries", G_BATTERY), ("solar inverter", G_PANELS), ("solar panel", G_PANELS),
         ("home battery", G_BATTERY)),
        (("used solar panels for sale", G_PANELS, "used"),),
    ),
)  # fmt: skip
MISSPELLINGS = {"jbos": "jobs", "sun run": "sunrun"}


PLANTED: tuple[Planted, ...] = (
    Planted("solar panels for home", G_PANELS, "significant", 3.0, True),
    Planted("residential solar panels", G_PANELS, "significant", 2.0, True),
    Planted("best solar panels 2026", G_PANELS, "expensive", 2.6, True, clicks=24),
    Planted("solar battery cost", G_BATTERY, "expensive", 2.8, True, clicks=28),
    Planted("solar panel efficiency", G_PANELS, "significant", 1.9, False),
)

# (term, ad group, clicks, conversions, match_type or None for "derive").
FIXED: tuple[tuple[str, str, int, float, str | None], ...] = (
    ("sunpeak solar", G_BRAND, 420, 62, None),
    ("sun peak solar", G_BRAND, 95, 13, None),
    ("sunpeek solar", G_BRAND, 16, 2, schema.MATCH_EXACT_CV),
    ("sunpeak", G_BRAND, 60, 7, None),
    ("sunpeak solar reviews", G_BRAND, 48, 4, None),
    ("sunpeak solar quote", G_BRAND, 30, 5, None),
    ("sunpeak solar arizona", G_BRAND, 18, 2, None),
    ("sunpeak solar phone number", G_BRAND, 22, 1, None),
    ("sunpeak solar customer service", G_BRAND, 9, 0, None),
    ("free solar quote", G_QUOTES, 160, 15, None),
    ("free solar estimate", G_QUOTES, 110, 9, None),
    ("free solar quote near me", G_QUOTES, 45, 4, None),
    ("free solar estimate near me", G_QUOTES, 30, 3, None),
    ("free quote solar panels", G_QUOTES, 34, 3, None),
    ("free solar panel quote", G_QUOTES, 40, 3, None),
    ("free solar estimate phoenix", G_QUOTES, 16, 2, None),
    ("free solar quote california", G_QUOTES, 20, 2, None),
    ("free solar estimate texas", G_QUOTES, 14, 1, None),
    ("solar quote", G_QUOTES, 120, 8, None),
    ("solar estimate", G_QUOTES, 80, 5, None),
    ("solar panel quotes", G_QUOTES, 70, 4, None),
    ("solar quote online", G_QUOTES, 7, 0, None),
    ("solar panel cost", G_COST, 260, 14, None),
    ("solar panels cost", G_COST, 40, 2, schema.MATCH_EXACT_CV),
    ("how much do solar panels cost", G_COST, 190, 11, None),
    ("how much does solar cost", G_COST, 60, 3, None),
    ("price of solar panels for home", G_COST, 85, 5, None),
    ("how much do solar panels cost in arizona", G_COST, 24, 2, None),
    ("solar panel cost florida", G_COST, 30, 2, None),
    ("cost of solar panels texas", G_COST, 26, 1, None),
    ("solar panel price", G_COST, 110, 5, None),
    ("solar panel cost calculator", G_COST, 8, 0, None),
    ("solar installers near me", G_INSTALLERS, 240, 19, None),
    ("solar panel installation company", G_INSTALLERS, 130, 9, None),
    ("solar installer", G_INSTALLERS, 90, 5, None),
    ("solar companies near me", G_INSTALLERS, 120, 8, None),
    ("solar installers phoenix", G_INSTALLERS, 40, 3, None),
    ("solar installers san diego", G_INSTALLERS, 34, 2, None),
    ("solar installation companies in florida", G_INSTALLERS, 22, 1, None),
    ("best solar installers near me", G_INSTALLERS, 28, 2, None),
    ("hire solar installer", G_INSTALLERS, 10, 1, None),
    ("solar installer denver", G_INSTALLERS, 6, 0, None),
    ("solar panel installation", G_PANELS, 180, 10, None),
    ("solar panels", G_PANELS, 300, 12, None),
    ("home solar system cost", G_PANELS, 45, 3, None),
    ("solar system for home", G_PANELS, 60, 3, None),
    ("buy solar panels for home", G_PANELS, 35, 2, None),
    ("solar financing", G_FINANCING, 150, 11, None),
    ("solar loan rates", G_FINANCING, 60, 4, None),
    ("solar loan", G_FINANCING, 70, 4, None),
    ("solar panel financing", G_FINANCING, 55, 3, None),
    ("solar financing bad credit", G_FINANCING, 18, 1, None),
    ("0 down solar financing", G_FINANCING, 25, 2, None),
    ("solar loan rates texas", G_FINANCING, 8, 0, None),
    ("solar lease vs buy", G_LEASE, 70, 4, None),
    ("solar lease", G_LEASE, 50, 2, None),
    ("solar lease california", G_LEASE, 16, 1, None),
    ("should i lease or buy solar panels", G_LEASE, 20, 1, None),
    ("solar lease near me", G_LEASE, 6, 0, None),
    ("home solar battery", G_BATTERY, 90, 4, None),
    ("solar battery installation", G_BACKUP, 30, 2, None),
    ("battery backup for home", G_BACKUP, 70, 3, None),
    ("home battery backup cost", G_BACKUP, 25, 1, None),
    ("whole home battery backup", G_BACKUP, 45, 2, None),
)
# The same query served by two ad groups: (term, [ad groups], clicks per row, conv per row).
CANNIBALS: tuple[tuple[str, tuple[str, ...], tuple[int, ...], tuple[float, ...]], ...] = (
    ("solar panel installation cost", (G_COST, G_PANELS), (40, 22), (2, 1)),
    ("solar installation companies near me", (G_INSTALLERS, G_PANELS), (35, 15), (3, 1)),
    ("solar battery backup", (G_BATTERY, G_BACKUP), (30, 14), (2, 1)),
    ("solar panel financing options", (G_FINANCING, G_LEASE), (20, 10), (1, 1)),
)


# --------------------------------------------------------------------------- drawing terms


def _group(name: str) -> LeadAdGroup:
    return next(g for g in AD_GROUPS if g.name == name)


def _keywords() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for g in AD_GROUPS:
        rows.extend(keyword_row(text, match, g, "enabled") for text, match in g.keywords)
        rows.extend(keyword_row(text, match, g, "paused") for text, match in g.paused)
    return rows


def _route(term: str, g: LeadAdGroup, forced: str | None) -> tuple[str, str, str]:
    """(keyword text, keyword match type, search-term match type) that served `term` in g."""
    if forced == schema.MATCH_EXACT_CV:
        return next(k for k, m in g.keywords if m == "exact"), "exact", forced
    for text, match in g.keywords:
        if match == "exact" and term == text:
            return text, "exact", schema.MATCH_EXACT
    for text, match in g.keywords:
        if match == "phrase" and contains(term, text):
            return text, "phrase", schema.MATCH_PHRASE
    broad = next(k for k, m in g.keywords if m == "broad")
    return broad, "broad", schema.MATCH_BROAD


def is_buying_question(term: str) -> bool:
    """The query holds a buying word (price, cost, quote, financing, near me, ...)."""
    return any(contains(term, w) for w in BUYING_WORDS)


def _off_intent(term: str) -> bool:
    """The query holds a family word (as a phrase) or `free`: no long-tail term may."""
    words = {w for f in FAMILIES for w, _, _ in f.words} | {
        w for f in FAMILIES for _, _, w in f.terms
    }
    return any(contains(term, w) for w in (*sorted(words), "free", "efficiency"))


def _long_tail(rng: np.random.Generator, g: LeadAdGroup, n: int, taken: set[str]) -> list[str]:
    """`n` distinct on-topic queries: a head plus one or two modifiers, in either order."""
    out: list[str] = []
    tries = 0
    while len(out) < n and tries < n * 40:
        tries += 1
        head = g.heads[int(rng.integers(len(g.heads)))]
        k = 1 if rng.random() < 0.7 else 2
        words = [g.mods[int(i)] for i in rng.choice(len(g.mods), size=k, replace=False)]
        parts = [head, *words] if rng.random() < 0.75 else [*words, head]
        term = " ".join(parts)
        repeated = len(set(term.split())) < len(term.split()) or sum(w in PLACES for w in words) > 1
        if term in taken or repeated or _off_intent(term):
            continue
        if g.name != G_BRAND and any(contains(term, b) for b in BRAND):
            continue
        taken.add(term)
        out.append(term)
    return out


def _fam_row(term: str, group: str, fam: Family, word: str) -> dict[str, Any]:
    return {
        "search_term": term,
        "ad_group": group,
        "family": fam.name,
        "word": word,
        "misspelling": word in MISSPELLINGS,
        "relevant": False,
        "kind": "family",
    }


def _family_terms(rng: np.random.Generator, fam: Family, taken: set[str]) -> list[dict[str, Any]]:
    """Queries of one irrelevant family: written-out ones, then each word x distinct contexts."""
    rows: list[dict[str, Any]] = []
    for term, group, word in fam.terms:
        if term not in taken:
            taken.add(term)
            rows.append(_fam_row(term, group, fam, word))
    for word, count, _typo_of in fam.words:
        order = rng.permutation(len(fam.contexts))
        for idx in order:
            if sum(r["word"] == word for r in rows) >= count:
                break
            ctx, group = fam.contexts[int(idx)]
            prefix = word.startswith("how to") or rng.random() < 0.5
            term = f"{word} {ctx}" if prefix else f"{ctx} {word}"
            if term in taken:
                continue
            taken.add(term)
            rows.append(_fam_row(term, group, fam, word))
    return rows


def _base_rows(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Every (term, ad group) of the account, with its kind and any planted figures."""
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    for term, group, clicks, conv, match in FIXED:
        taken.add(term)
        rows.append(
            {"search_term": term, "ad_group": group, "kind": "fixed", "clicks": clicks,
             "conversions": float(conv), "match": match, "relevant": True}
        )  # fmt: skip
    for term, groups, clicks_each, convs in CANNIBALS:
        taken.add(term)
        for group, c, v in zip(groups, clicks_each, convs, strict=True):
            rows.append(
                {"search_term": term, "ad_group": group, "kind": "fixed", "clicks": c,
                 "conversions": float(v), "match": None, "relevant": True}
            )  # fmt: skip
    for p in PLANTED:
        taken.add(p.term)
        rows.append(
            {"search_term": p.term, "ad_group": p.ad_group, "kind": "planted", "planted": p,
             "relevant": p.relevant}
        )  # fmt: skip
    for fam in FAMILIES:
        rows.extend(_family_terms(rng, fam, taken))
    for g in AD_GROUPS:
        for term in _long_tail(rng, g, g.tail, taken):
            rows.append({"search_term": term, "ad_group": g.name, "kind": "tail", "relevant": True})
    return rows


# --------------------------------------------------------------------------- figures


def _stretch(n: int) -> float:
    """How far past significance the n-th planted waste row's clicks go."""
    return 1.3 + 0.1 * n


def _figures(rows: list[dict[str, Any]], rng: np.random.Generator) -> pd.DataFrame:
    """Clicks, impressions, cost, leads and value for every row (planted ones later)."""
    df = term_frame(rows)
    n = len(df)
    groups = [_group(a) for a in df["ad_group"]]
    df["campaign"] = [g.campaign for g in groups]
    kind = df["kind"].to_numpy()
    zero = rng.random(n) < 0.45
    tail = np.minimum(np.floor(rng.lognormal(np.log(2.0), 1.0, n)).astype(int) + 1, 60)
    clicks = np.where(kind == "tail", np.where(zero, 0, tail), 0)
    clicks = np.where(kind == "family", rng.integers(1, 7, n), clicks)
    fixed = kind == "fixed"
    fixed_clicks = np.nan_to_num(pd.to_numeric(df["clicks"], errors="coerce").to_numpy())
    clicks = np.where(fixed, fixed_clicks, clicks)
    cpc = np.array([g.cpc for g in groups]) * rng.lognormal(0, 0.25, n)
    cpc = np.where(kind == "family", cpc * 0.7, cpc)
    term_cvr = np.array([g.cvr for g in groups]) * rng.lognormal(0, 0.35, n)
    conv = np.where(kind == "tail", rng.poisson(clicks * term_cvr), 0).astype(float)
    fixed_conv = np.nan_to_num(pd.to_numeric(df["conversions"], errors="coerce").to_numpy())
    conv = np.minimum(np.where(fixed, fixed_conv, conv), clicks)
    brand = df["ad_group"].to_numpy() == G_BRAND
    ctr = np.clip(rng.beta(2.0, 22.0, n) * np.where(brand, 3.5, 1.0), 0.01, 0.6)
    zero_impr = 1 + rng.geometric(0.35, n)
    impr = np.where(clicks > 0, np.maximum(clicks + 1, np.round(clicks / ctr)), zero_impr)
    df["clicks"] = clicks.astype(int)
    df["impressions"] = impr.astype(int)
    df["cpc"] = cpc
    df["cost"] = np.round(clicks * cpc, 2)
    df["conversions"] = conv
    df["conversion_value"] = np.round(conv * LEAD_VALUE, 2)
    df["ctr"] = ctr
    return df


def _hidden_totals(df: pd.DataFrame) -> dict[str, float]:
    """`Total: Other search terms`: `HIDDEN_SHARE` of the account's cost, at a similar CVR."""
    scale = HIDDEN_SHARE / (1 - HIDDEN_SHARE)
    conv = round(float(df["conversions"].sum()) * scale * 0.9)
    return {
        "impressions": round(df["impressions"].sum() * scale * 1.4),
        "clicks": round(df["clicks"].sum() * scale * 1.08),
        "cost": round(float(df["cost"].sum()) * scale, 2),
        "conversions": float(conv),
        "conversion_value": round(conv * LEAD_VALUE, 2),
    }


# --------------------------------------------------------------------------- labels


def _labels(df: pd.DataFrame, keywords: list[dict[str, str]]) -> pd.DataFrame:
    cpa, cvr = account_rates(df)
    df["p_zero"] = p_zero_of(df["clicks"].to_numpy(), cvr)
    df["buying_question"] = [
        bool(rel) and is_buying_question(t)
        for t, rel in zip(df["search_term"], df["relevant"], strict=True)
    ]
    bought = {k["keyword"] for k in keywords}
    counts = df.groupby("search_term")["ad_group"].transform("size")
    df["labels"] = [
        row_labels(row, n, cpa, bought, BRAND)
        for row, n in zip(df.itertuples(index=False), counts, strict=True)
    ]
    return df


# --------------------------------------------------------------------------- account build


def build_account() -> Account:
    """Draw the account's terms and figures, plant the problems and label everything."""
    rng = np.random.default_rng(SEED)
    df = _figures(_base_rows(rng), rng)
    place_planted(df, _stretch)
    settle(df, FAMILY_FLOOR, _stretch, rounds=40, lead_value=LEAD_VALUE)
    serve(df, lambda term, group, forced: _route(term, _group(group), forced))
    keywords = _keywords()
    df = _labels(df, keywords)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    _check(df)
    return Account(df, _hidden_totals(df), keywords)


def _check(df: pd.DataFrame) -> None:
    """The promises of the module docstring; a generator change that breaks one fails here."""
    cpa = check_waste(df)
    family = df[df["family"].notna()]
    if (family["conversions"] > 0).any() or family["buying_question"].any():
        raise AssertionError("a family term converts or counts as a buying question")
    if (family.groupby("family")["cost"].sum() < 2 * cpa).any():
        raise AssertionError("a family costs less than two CPAs")


# --------------------------------------------------------------------------- formatting


# --------------------------------------------------------------------------- truth


def account_truth(acc: Account) -> dict[str, Any]:
    df = acc.rows
    cpa, cvr = account_rates(df)
    listed = sums(df)
    return {
        "name": ACCOUNT_NAME,
        "currency": CURRENCY,
        "period": {"start": PERIOD[0], "end": PERIOD[1]},
        "brand": list(BRAND),
        "lead_value": LEAD_VALUE,
        "totals": round_metrics(listed),
        "hidden": round_metrics(acc.hidden),
        "cpa": round(cpa, 2),
        "cvr": round(cvr, 5),
        "roas": round(listed["conversion_value"] / listed["cost"], 3),
        "thresholds": {
            **THRESHOLDS,
            "family": "each family: no conversions, cost >= 2*cpa together",
            "buying_question": "relevant and holds one of " + ", ".join(BUYING_WORDS),
        },
        "keywords": acc.keywords,
        "families": families(
            df[df["family"].notna()], MISSPELLINGS, {f.name: f.intent for f in FAMILIES}
        ),
        "terms": [term_record(r, ("buying_question",)) for r in df.to_dict("records")],
    }


def _file_entry(kind: str, rows: int, totals: dict[str, float], hidden: Any) -> dict[str, Any]:
    return {
        "account": ACCOUNT_KEY,
        "format": "google_ui",
        "kind": kind,
        "rows": rows,
        "totals": round_metrics(totals),
        "hidden": hidden,
    }


# --------------------------------------------------------------------------- writing


def render_all() -> dict[str, bytes]:
    """Every file's bytes, keyed by file name (truth.json included)."""
    acc = build_account()
    kw_totals = sums(keyword_metrics(acc))
    truth = {
        "version": VERSION,
        "seed": SEED,
        "files": {
            FILE_EN: _file_entry(
                "search_terms", len(acc.rows), sums(acc.rows), round_metrics(acc.hidden)
            ),
            FILE_KEYWORDS: _file_entry("keywords", len(acc.keywords), kw_totals, None),
        },
        "accounts": {ACCOUNT_KEY: account_truth(acc)},
    }
    return {
        FILE_EN: render_ui(acc, CURRENCY).encode("utf-8"),
        FILE_KEYWORDS: render_keywords(acc, CURRENCY).encode("utf-8"),
        TRUTH_FILE: (json_text(truth) + "\n").encode("utf-8"),
    }


def write_samples(out: Path = SAMPLE_DIR) -> list[Path]:
    """Write every file into `out` (atomically, replacing what is there)."""
    return common.write_files(render_all(), out)


# --------------------------------------------------------------------------- for tests


def load_truth(folder: Path = SAMPLE_DIR) -> dict[str, Any]:
    """truth.json as a dict."""
    return common.load_truth(folder)


def truth_terms(folder: Path = SAMPLE_DIR, account: str = ACCOUNT_KEY) -> pd.DataFrame:
    """The account's TERM records as a DataFrame, one bool column per label (`is_<label>`)."""
    return common.truth_terms(folder, account)


def main(argv: Iterable[str] | None = None, echo: Callable[[str], None] = print) -> int:
    return common.cli(
        argv, echo, "python -m tools.samplegen.leadgen",
        "Write the solar lead-generation sample reports and their truth.", SAMPLE_DIR,
        write_samples,
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
