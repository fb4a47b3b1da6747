"""Deterministic sample reports with planted problems, and the truth about them.

`python -m tools.samplegen.shop [--out DIR]` (re)writes `sample_reports/` (not its `tracking/`
folder, which the tracking checks own). Same bytes on every run: a fixed seed, no clock.

The account: Fjällgear AB, a Swedish outdoor-gear shop (hiking boots, kids' boots, trail
shoes, rain/down/shell jackets, tents, sleeping bags, backpacks, repair kits, socks), SEK,
30 days (1-30 October 2026), five Search campaigns, thirteen ad groups, 42 keywords in all
three match types. Queries mix Swedish and English as Swedish searchers do.

Files (one account unless said otherwise):
- `google-ads-search-terms-en.csv`: Google Ads UI download, English, UTF-8, comma, with the
  Keyword, Conversions and Conv. value columns; title and date lines; `Total:` rows incl.
  `Total: Other search terms` (the hidden third of the spend).
- `google-ads-search-terms-en-utf16.csv`: the same rows as the UTF-16LE-with-BOM, tab
  separated download.
- `google-ads-search-terms-sv.csv`: the same rows in the Swedish UI locale: Swedish headers,
  match types and `Totalt:` labels, `;` delimiter, decimal comma, no-break-space thousands,
  `2,33 %` ratios, Swedish date line.
- `google-ads-keywords-en.csv`: the account's "Search keyword report" (bought keywords with
  status and metrics; `Total:` labels in the third column as in the real download).
- `google-ads-api-search-terms.csv`: the same search terms as a Google Ads API (GAQL) dump:
  `search_term_view.search_term`, `segments.search_term_match_type` (EXACT, NEAR_EXACT, ...),
  `metrics.cost_micros`, ...; no total rows.
- `microsoft-ads-search-terms.csv`: the same shop on Microsoft Advertising (a second,
  smaller account with its own terms): `Report Name:` preamble, every cell quoted, `Spend`,
  `Conv.`, `Revenue`, bid and delivered match types, copyright footer.
- `truth.json`: what the generator planted (below).

Format decisions (from the real downloads in `../shared/real-reports/`): LF line ends; money
with two decimals and no thousands separator; a cell holding a comma is quoted in every
delimiter (Google quotes `"10,708"` even in its tab-separated file, so the Swedish file
quotes `"4,93"`); Avg. CPC `0` without clicks; Cost / conv. `0.00` without conversions. The
keyword report's figures are each keyword's search terms plus a share of the hidden spend
in proportion to its cost, so its `Total: Account` equals the search-terms report's. The
Microsoft file has no hidden-spend row (Microsoft does not report one) and no total rows.
The generator builds rows with small Python loops: it is not engine code, and runs in half
a second. Over 500 lines because most of it is the account itself (ad groups, keywords,
families, planted terms as data), read top to bottom beside the code that draws from it; the
download format and the truth's plumbing are in `common`.

truth.json::

    {"version": 1, "seed": ...,
     "files": {name: {"account": "google"|"microsoft", "format": ..., "kind": ...,
                      "rows": n, "totals": {impressions, clicks, cost, conversions,
                      conversion_value}, "hidden": {...} | null}},
     "accounts": {"google": ACCOUNT, "microsoft": ACCOUNT}}

    ACCOUNT = {"name", "currency", "period": {"start", "end"}, "brand": [spellings],
               "totals": {...listed rows...}, "hidden": {...Total: Other search terms...},
               "cpa", "cvr", "roas",          # of the listed rows
               "thresholds": {...},           # the cut-offs the labels below use
               "keywords": [{"keyword", "match_type", "campaign", "ad_group", "status"}],
               "families": {family: {"intent", "words": {word: {"terms", "cost",
                            "misspelling_of"}}, "terms", "cost", "clicks"}},
               "terms": [TERM, ...]}

    TERM = {"search_term", "campaign", "ad_group", "keyword", "keyword_match_type",
            "match_type" (auditor.schema names), "status", "impressions", "clicks", "cost",
            "conversions", "conversion_value", "p_zero", "relevant", "family", "word",
            "misspelling", "labels": [...]}

A TERM is keyed by (search_term, campaign, ad_group): unique per account. Labels:
- `brand`: holds a brand spelling (fjallgear, fjällgear, fjall gear, fjälgear).
- `converting`: conversions > 0.
- `planted_waste`: zero conversions and either statistically clear (cost >= 1.5 x account
  CPA and `p_zero` <= 0.05, where p_zero = (1 - account CVR) ** clicks) or expensive (cost >=
  2.5 x CPA, too few clicks to be sure yet). `relevant` says whether the query is on-topic
  (lower the bid / fix the page) or not (negate it). A waste rule must flag every one.
  No other zero-conversion term costs as much as the account CPA or has p_zero <= 0.2.
- `too_early`: zero conversions, cost between a quarter of the CPA and the CPA: a rule may
  say "watch", nothing is asserted.
- `irrelevant`: off-intent query of a `family` (jobs, free, used, kids, diy, education, info,
  wrong_meaning), matched by its `word` (`misspelling` true for typo forms such as jbos,
  gratiss, begagand, lagga). Each costs little; together they cost a lot. The kids family
  is irrelevant only outside the boots campaign: the shop sells kids' boots.
- `relevant_nonconverting`: on-topic, no conversions, not planted waste: cheap noise that no
  negative may block.
- `cannibalised`: the same query served by two or more ad groups / campaigns.
- `harvest`: conversions >= 2 at or below the account CPA, not yet a keyword of the account.
- `close_variant_worse`: a close-variant match of a keyword whose close variants convert at
  less than half the rate of the keyword's own text.
- `already_excluded`: Added/Excluded says Excluded.

Traps against over-blocking, on purpose: "free shipping hiking boots" converts while "free
hiking maps" is irrelevant; kids' and barn boots convert (keywords "kids hiking boots",
"barn vandringskängor") while kids' jackets and sleeping bags are not sold; "tent repair kit"
is a converting keyword while "repair hiking boots" is DIY intent; brand queries include
"fjallgear jobb" (jobs intent, but no negative may contain the brand).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor import schema
from auditor.output.csvio import safe_cell
from tools.samplegen import common
from tools.samplegen.common import (
    EN,
    PERIOD,
    THRESHOLDS,
    TRUTH_FILE,
    Family,
    Planted,
    account_rates,
    check_waste,
    contains,
    families,
    join_cells,
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

SEED = 20261030
VERSION = 1
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_reports"
CURRENCY = "SEK"
BRAND = ("fjallgear", "fjällgear", "fjall gear", "fjälgear")

FILE_EN = "google-ads-search-terms-en.csv"
FILE_UTF16 = "google-ads-search-terms-en-utf16.csv"
FILE_SV = "google-ads-search-terms-sv.csv"
FILE_KEYWORDS = "google-ads-keywords-en.csv"
FILE_API = "google-ads-api-search-terms.csv"
FILE_MICROSOFT = "microsoft-ads-search-terms.csv"


# --------------------------------------------------------------------------- the account


@dataclass(frozen=True)
class AdGroup:
    campaign: str
    name: str
    keywords: tuple[tuple[str, str], ...]
    """(text, match type): exact / phrase / broad. The first broad one catches broad traffic."""
    heads: tuple[str, ...]
    """Product phrases the long tail is built from."""
    mods: tuple[str, ...]
    cpc: float
    cvr: float
    aov: float
    tail: int
    """Long-tail terms to draw."""
    paused: tuple[tuple[str, str], ...] = ()


GENERAL_MODS: tuple[str, ...] = (
    "dam", "herr", "rea", "pris", "köpa", "online", "bäst i test", "test", "stockholm",
    "göteborg", "malmö", "uppsala", "fri frakt", "svart", "grön", "blå", "röd", "2026",
    "lätt", "lätta", "bästa", "billig", "erbjudande", "butik", "sverige", "recension",
    "haglöfs", "fjällräven", "salomon", "norrøna", "arcteryx", "patagonia", "mammut",
)  # fmt: skip
BOOT_MODS: tuple[str, ...] = (
    "storlek 38", "storlek 39", "storlek 40", "storlek 41", "storlek 42", "storlek 43",
    "storlek 44", "storlek 45", "vattentäta", "läder", "goretex", "breda", "höga", "låga",
    "meindl", "lowa", "hanwag", "scarpa", "la sportiva", "vinter", "sommar", "vegan",
)  # fmt: skip
EN_MODS: tuple[str, ...] = (
    "women", "men", "womens", "mens", "waterproof", "sale", "sweden", "best", "wide",
    "leather", "lightweight", "size 42", "size 39", "gore tex", "review", "cheap", "online",
    "stockholm", "free shipping",
)  # fmt: skip
JACKET_MODS: tuple[str, ...] = (
    "goretex", "vattentät", "vindtät", "med huva", "xl", "xs", "l", "m", "s", "lång",
    "kort", "lättvikt", "packbar", "hållbar", "återvunnen", "vinter", "höst",
)  # fmt: skip
CAMP_MODS: tuple[str, ...] = (
    "1 person", "2 personer", "3 personer", "4 personer", "ultralätt", "lättvikt", "vinter",
    "sommar", "3 säsong", "fjäll", "kupol", "tunnel", "dun", "syntet", "-10", "-20", "komfort",
    "hilleberg", "msr", "nordisk", "exped", "sea to summit", "osprey", "deuter", "30 liter",
    "40 liter", "50 liter", "65 liter",
)  # fmt: skip

C_BRAND = "Brand - Fjällgear"
C_BOOTS = "Generic - Kängor, Skor"
C_JACKETS = "Generic - Jackor"
C_CAMP = "Generic - Tält & Sovsäckar"
C_GEAR = "Generic - Tillbehör"

AD_GROUPS: tuple[AdGroup, ...] = (
    AdGroup(
        C_BRAND, "Fjällgear",
        (("fjallgear", "exact"), ("fjällgear", "exact"), ("fjallgear", "phrase"),
         ("fjall gear", "broad")),
        ("fjallgear", "fjällgear"),
        ("vandringskängor", "regnjacka", "tält", "sovsäck", "ryggsäck", "dunjacka", "rabatt",
         "kampanj", "adress", "telefon", "outlet", "rea", "butik", "göteborg", "stockholm",
         "presentkort", "frakt", "leverans", "kängor", "jackor", "skaljacka", "trailskor"),
        2.1, 0.11, 1500, 30,
    ),
    AdGroup(
        C_BOOTS, "Vandringskängor",
        (("vandringskängor", "exact"), ("vandringskängor dam", "phrase"),
         ("vandringskängor herr", "phrase"), ("vandringskängor", "broad"),
         ("goretex kängor", "exact")),
        ("vandringskängor", "vandringskänga", "kängor vandring", "vandringsskor", "fjällkängor",
         "kängor"),
        GENERAL_MODS + BOOT_MODS, 6.5, 0.034, 1900, 260,
        paused=(("vandringskängor rea", "phrase"),),
    ),
    AdGroup(
        C_BOOTS, "Hiking Boots",
        (("hiking boots", "exact"), ("hiking boots women", "phrase"), ("hiking shoes", "broad")),
        ("hiking boots", "hiking boot", "hiking shoes", "walking boots", "trekking boots"),
        EN_MODS, 6.0, 0.03, 1800, 150,
    ),
    AdGroup(
        C_BOOTS, "Barnkängor",
        (("barnkängor", "exact"), ("kids hiking boots", "phrase"),
         ("barn vandringskängor", "broad")),
        ("barnkängor", "kängor barn", "barn vandringskängor", "kids hiking boots",
         "kids boots"),
        ("storlek 28", "storlek 30", "storlek 32", "storlek 34", "vattentäta", "vinter",
         "rea", "fri frakt", "kavat", "viking", "merrell", "billiga", "flicka", "pojke",
         "sweden", "waterproof", "size 30"),
        4.5, 0.04, 800, 90,
    ),
    AdGroup(
        C_BOOTS, "Trailskor",
        (("trailskor", "exact"), ("trail running shoes", "phrase"),
         ("löparskor terräng", "broad")),
        ("trailskor", "trailsko", "terrängskor", "löparskor terräng", "trail running shoes"),
        (*GENERAL_MODS, "hoka", "altra", "inov8", "storlek 42", "storlek 39", "goretex"),
        5.5, 0.03, 1400, 170,
    ),
    AdGroup(
        C_JACKETS, "Regnjackor",
        (("regnjacka", "exact"), ("regnjacka dam", "phrase"), ("regnjacka herr", "broad")),
        ("regnjacka", "regnställ", "regnkläder", "rain jacket"),
        GENERAL_MODS + JACKET_MODS, 5.0, 0.03, 1300, 200,
    ),
    AdGroup(
        C_JACKETS, "Dunjackor",
        (("dunjacka", "exact"), ("dunjacka herr", "phrase"), ("down jacket", "broad")),
        ("dunjacka", "dunväst", "down jacket", "vinterjacka dun"),
        GENERAL_MODS + JACKET_MODS, 6.0, 0.025, 2200, 180,
    ),
    AdGroup(
        C_JACKETS, "Skaljackor",
        (("skaljacka", "exact"), ("goretex jacka", "phrase"), ("shell jacket", "broad")),
        ("skaljacka", "skalbyxor", "goretex jacka", "shell jacket", "hardshell"),
        GENERAL_MODS + JACKET_MODS, 7.0, 0.025, 2800, 170,
    ),
    AdGroup(
        C_CAMP, "Tält",
        (("tält", "exact"), ("tält 2 personer", "phrase"), ("tunneltält", "broad")),
        ("tält", "tunneltält", "kupoltält", "fjälltält", "tent"),
        GENERAL_MODS + CAMP_MODS, 6.5, 0.025, 3200, 190,
    ),
    AdGroup(
        C_CAMP, "Sovsäckar",
        (("sovsäck", "exact"), ("sovsäck dun", "phrase"), ("sleeping bag", "broad")),
        ("sovsäck", "dunsovsäck", "sleeping bag", "liggunderlag"),
        GENERAL_MODS + CAMP_MODS, 5.0, 0.03, 1600, 160,
    ),
    AdGroup(
        C_CAMP, "Ryggsäckar",
        (("ryggsäck", "exact"), ("vandringsryggsäck", "phrase"), ("hiking backpack", "broad")),
        ("ryggsäck", "vandringsryggsäck", "dagsryggsäck", "hiking backpack"),
        GENERAL_MODS + CAMP_MODS, 4.5, 0.03, 1200, 170,
    ),
    AdGroup(
        C_GEAR, "Reparation & vård",
        (("tent repair kit", "exact"), ("reparationskit tält", "phrase"),
         ("impregnering", "broad")),
        ("impregnering", "impregneringsspray", "skovax", "tent repair kit", "lagningstejp"),
        ("skor", "kängor", "tält", "jacka", "goretex", "läder", "nikwax", "grangers", "köpa",
         "bäst i test", "spray", "pris"),
        3.0, 0.05, 250, 60,
    ),
    AdGroup(
        C_GEAR, "Strumpor & underställ",
        (("ullstrumpor", "exact"), ("underställ merinoull", "phrase"),
         ("hiking socks", "broad")),
        ("ullstrumpor", "vandringsstrumpor", "underställ", "merinoull", "hiking socks"),
        (*GENERAL_MODS, "merino", "smartwool", "woolpower", "devold", "storlek 40-42"),
        3.5, 0.04, 400, 150,
    ),
)  # fmt: skip


_JOB_CTX = (
    ("fjallgear", "Fjällgear"), ("friluftsbutik", "Ryggsäckar"), ("outdoor butik", "Ryggsäckar"),
    ("sportbutik stockholm", "Vandringskängor"), ("klätterbutik", "Trailskor"),
    ("fjällräven butik", "Skaljackor"), ("haglöfs", "Skaljackor"),
    ("outdoor store", "Hiking Boots"),
    ("hiking store", "Hiking Boots"), ("lager göteborg", "Tält"), ("butik göteborg", "Regnjackor"),
    ("friluft", "Sovsäckar"), ("sportaffär", "Trailskor"), ("skobutik", "Vandringskängor"),
)  # fmt: skip
_USED_CTX = (
    ("vandringskängor", "Vandringskängor"), ("tält", "Tält"), ("hilleberg tält", "Tält"),
    ("dunjacka", "Dunjackor"), ("ryggsäck", "Ryggsäckar"), ("sovsäck", "Sovsäckar"),
    ("skaljacka", "Skaljackor"), ("fjällräven jacka", "Skaljackor"), ("kängor", "Vandringskängor"),
    ("hiking boots", "Hiking Boots"), ("regnjacka", "Regnjackor"), ("trailskor", "Trailskor"),
    ("osprey ryggsäck", "Ryggsäckar"), ("arcteryx jacka", "Skaljackor"),
)  # fmt: skip
_KIDS_CTX = (
    ("regnjacka", "Regnjackor"), ("regnställ", "Regnjackor"), ("dunjacka", "Dunjackor"),
    ("sovsäck", "Sovsäckar"), ("ryggsäck", "Ryggsäckar"), ("tält", "Tält"),
    ("skaljacka", "Skaljackor"), ("vinterjacka", "Dunjackor"), ("rain jacket", "Regnjackor"),
    ("sleeping bag", "Sovsäckar"), ("backpack", "Ryggsäckar"), ("down jacket", "Dunjackor"),
)  # fmt: skip
_DIY_CTX = (
    ("tält", "Tält"), ("dragkedja jacka", "Skaljackor"), ("kängor", "Vandringskängor"),
    ("dunjacka", "Dunjackor"), ("sovsäck", "Sovsäckar"), ("ryggsäck", "Ryggsäckar"),
    ("regnjacka", "Regnjackor"), ("tältstång", "Tält"), ("sula kängor", "Vandringskängor"),
    ("hål i dunjacka", "Dunjackor"),
)  # fmt: skip
_EDU_CTX = (
    ("vandring", "Vandringskängor"), ("fjällvandring", "Vandringskängor"),
    ("klättring", "Trailskor"),
    ("friluftsliv", "Ryggsäckar"), ("överlevnad", "Tält"), ("vildmark", "Tält"),
    ("fjällsäkerhet", "Skaljackor"), ("trailrunning", "Trailskor"),
)  # fmt: skip

FAMILIES: tuple[Family, ...] = (
    Family(
        "jobs", "jobs",
        (("jobb", 9, None), ("jbob", 2, "jobb"), ("jobs", 4, None), ("jbos", 2, "jobs"),
         ("lediga jobb", 3, None), ("jobba", 3, None), ("karriär", 3, None),
         ("careers", 2, None)),
        _JOB_CTX,
    ),
    Family(
        "free", "free",
        (("gratis", 8, None), ("gratiss", 2, "gratis"), ("freee", 2, "free")),
        (("tält", "Tält"), ("sovsäck", "Sovsäckar"), ("karta vandring", "Vandringskängor"),
         ("vandringsleder karta", "Vandringskängor"), ("tältplats", "Tält"),
         ("camping", "Tält"), ("ryggsäck", "Ryggsäckar"), ("hiking maps", "Hiking Boots"),
         ("packlista fjällvandring", "Ryggsäckar"), ("app vandring", "Vandringskängor")),
        (("free hiking maps", "Hiking Boots", "free"),
         ("free hiking app", "Hiking Boots", "free"),
         ("free hiking trails sweden", "Hiking Boots", "free"),
         ("free camping sweden", "Tält", "free"),
         ("free camping spots", "Tält", "free"),
         ("free camping stockholm", "Tält", "free")),
    ),
    Family(
        "used", "used",
        (("begagnad", 4, None), ("begagnade", 6, None), ("begagand", 2, "begagnad"),
         ("begagnat", 3, None), ("used", 4, None), ("second hand", 3, None),
         ("blocket", 4, None)),
        _USED_CTX,
    ),
    Family(
        "kids", "kids",
        (("barn", 6, None), ("kids", 4, None), ("kid", 2, None), ("kidz", 2, "kids")),
        _KIDS_CTX,
    ),
    Family(
        "diy", "diy",
        (("laga", 5, None), ("lagga", 2, "laga"), ("reparera", 3, None), ("diy", 3, None)),
        _DIY_CTX,
        (("repair hiking boots", "Hiking Boots", "repair"),
         ("boot repair stockholm", "Hiking Boots", "repair"),
         ("jacket zipper repair", "Skaljackor", "repair")),
    ),
    Family(
        "education", "education",
        (("kurs", 4, None), ("kurser", 2, None), ("utbildning", 3, None), ("course", 2, None)),
        _EDU_CTX,
    ),
    Family(
        "info", "info",
        (("wiki", 3, None), ("betyder", 3, None)),
        (("goretex", "Skaljackor"), ("softshell", "Skaljackor"), ("dunfyllning", "Dunjackor"),
         ("cuben fiber", "Tält")),
        (("hur tvättar man dunjacka", "Dunjackor", "hur"),
         ("hur impregnerar man kängor", "Vandringskängor", "hur"),
         ("hur packar man ryggsäck", "Ryggsäckar", "hur"),
         ("hur sätter man upp tält", "Tält", "hur"),
         ("vad är goretex", "Skaljackor", "vad är"),
         ("vad är softshell", "Skaljackor", "vad är")),
    ),
    Family(
        "wrong_meaning", "wrong_meaning",
        (),
        (),
        (("car boot sale", "Hiking Boots", "car boot"),
         ("car boot sale stockholm", "Hiking Boots", "car boot"),
         ("car boot liner", "Hiking Boots", "car boot"),
         ("boot camp stockholm", "Hiking Boots", "boot camp"),
         ("boot camp träning", "Hiking Boots", "boot camp"),
         ("partytält", "Tält", "partytält"), ("partytält 3x6", "Tält", "partytält"),
         ("festtält hyra", "Tält", "festtält"), ("festtält", "Tält", "festtält"),
         ("regnjacka hund", "Regnjackor", "hund"), ("hund regnjacka", "Regnjackor", "hund"),
         ("dunjacka hund", "Dunjackor", "hund"), ("sovsäck hund", "Sovsäckar", "hund")),
    ),
)  # fmt: skip


PLANTED: tuple[Planted, ...] = (
    Planted("vandringskängor bäst i test", "Vandringskängor", "significant", 3.2, True),
    Planted("billiga vandringskängor", "Vandringskängor", "significant", 2.2, True),
    Planted("outdoor kläder", "Skaljackor", "significant", 2.8, True),
    Planted("friluftsbutik", "Ryggsäckar", "significant", 1.8, True),
    Planted("tält test", "Tält", "significant", 2.4, True),
    Planted("skidjacka", "Skaljackor", "significant", 4.5, False),
    Planted("goretex jacka herr xxl", "Skaljackor", "expensive", 3.1, True, clicks=42),
    Planted("dunjacka 800 fill", "Dunjackor", "expensive", 2.9, True, clicks=35),
    Planted("ultralätt tält 1 person", "Tält", "expensive", 3.0, True, clicks=51),
    Planted("meindl vandringskängor", "Vandringskängor", "expensive", 2.7, True, clicks=58),
    Planted("fjallgear jobb", "Fjällgear", "significant", 2.0, False, 0, "jobs", "jobb"),
    Planted("lediga jobb friluftsbutik", "Ryggsäckar", "expensive", 2.6, False, 60, "jobs",
            "lediga jobb"),
    Planted("begagnade vandringskängor", "Vandringskängor", "significant", 2.1, False, 0,
            "used", "begagnade"),
)  # fmt: skip

# (term, ad group, clicks, conversions, match_type or None for "derive").
FIXED: tuple[tuple[str, str, int, float, str | None], ...] = (
    ("fjallgear", "Fjällgear", 900, 96, None),
    ("fjällgear", "Fjällgear", 410, 41, None),
    ("fjälgear", "Fjällgear", 44, 4, schema.MATCH_EXACT_CV),
    ("fjall gear", "Fjällgear", 52, 5, None),
    ("fjallgear rabattkod", "Fjällgear", 120, 9, None),
    ("fjallgear stockholm", "Fjällgear", 82, 6, None),
    ("fjallgear butik", "Fjällgear", 61, 7, None),
    ("fjallgear rea", "Fjällgear", 45, 4, None),
    ("fjallgear outlet", "Fjällgear", 36, 3, None),
    ("fjallgear öppettider", "Fjällgear", 31, 1, None),
    ("fjallgear retur", "Fjällgear", 12, 0, None),
    ("fjallgear kundtjänst", "Fjällgear", 18, 0, None),
    ("vandringskängor", "Vandringskängor", 520, 19, None),
    ("goretex kängor", "Vandringskängor", 160, 6, None),
    ("vandringskängor herr", "Vandringskängor", 190, 7, None),
    ("hiking boots", "Hiking Boots", 260, 8, None),
    ("hiking boots women", "Hiking Boots", 95, 3, None),
    ("free shipping hiking boots", "Hiking Boots", 40, 3, None),
    ("hiking boots free shipping", "Hiking Boots", 22, 1, None),
    ("barnkängor", "Barnkängor", 240, 11, None),
    ("kids hiking boots", "Barnkängor", 110, 6, None),
    ("barn vandringskängor", "Barnkängor", 96, 5, None),
    ("kids hiking boots size 30", "Barnkängor", 9, 0, None),
    ("barn vandringskängor storlek 28", "Barnkängor", 7, 0, None),
    ("trailskor", "Trailskor", 230, 7, None),
    ("trail running shoes", "Trailskor", 120, 3, None),
    ("regnjacka", "Regnjackor", 420, 22, None),
    ("regnjacka dam", "Regnjackor", 150, 6, None),
    ("dunjacka", "Dunjackor", 300, 9, None),
    ("dunjacka herr", "Dunjackor", 120, 4, None),
    ("skaljacka", "Skaljackor", 260, 7, None),
    ("goretex jacka", "Skaljackor", 140, 4, None),
    ("tält", "Tält", 380, 10, None),
    ("tält 2 personer", "Tält", 130, 4, None),
    ("sovsäck", "Sovsäckar", 200, 7, None),
    ("sovsäck dun", "Sovsäckar", 90, 3, None),
    ("ryggsäck", "Ryggsäckar", 260, 8, None),
    ("vandringsryggsäck", "Ryggsäckar", 120, 4, None),
    ("tent repair kit", "Reparation & vård", 70, 4, None),
    ("repair kit tent", "Reparation & vård", 18, 1, None),
    ("reparationskit tält", "Reparation & vård", 52, 3, None),
    ("ullstrumpor", "Strumpor & underställ", 210, 10, None),
    ("underställ merinoull", "Strumpor & underställ", 110, 5, None),
    # Close variants far below their keyword (labelled close_variant_worse).
    ("regnjackor", "Regnjackor", 160, 1, schema.MATCH_EXACT_CV),
    ("regn jacka", "Regnjackor", 14, 0, schema.MATCH_EXACT_CV),
    ("regnjaka", "Regnjackor", 12, 0, schema.MATCH_EXACT_CV),
    ("rengjacka", "Regnjackor", 9, 0, schema.MATCH_EXACT_CV),
    ("regnjackan", "Regnjackor", 13, 0, schema.MATCH_EXACT_CV),
    ("dunjackor", "Dunjackor", 110, 1, schema.MATCH_EXACT_CV),
    ("dun jacka", "Dunjackor", 13, 0, schema.MATCH_EXACT_CV),
    ("dunjaka", "Dunjackor", 11, 0, schema.MATCH_EXACT_CV),
    ("dunjackan", "Dunjackor", 8, 0, schema.MATCH_EXACT_CV),
    ("vandringskänga dam", "Vandringskängor", 90, 1, schema.MATCH_PHRASE_CV),
    ("vandrings kängor dam", "Vandringskängor", 11, 0, schema.MATCH_PHRASE_CV),
    ("vandringskängor damer", "Vandringskängor", 12, 0, schema.MATCH_PHRASE_CV),
    ("vandringskangor dam", "Vandringskängor", 14, 0, schema.MATCH_PHRASE_CV),
    ("vandringskängor dam", "Vandringskängor", 210, 9, None),
    ("vandringskängor dam rea", "Vandringskängor", 60, 3, None),
    ("vandringskängor dam goretex", "Vandringskängor", 45, 2, None),
    # Close variants as good as the keyword (no label: the control case).
    ("sovsäckar", "Sovsäckar", 80, 3, schema.MATCH_EXACT_CV),
    ("sovsäk", "Sovsäckar", 22, 1, schema.MATCH_EXACT_CV),
)
CLOSE_VARIANT_KEYWORDS = {
    ("regnjacka", "Regnjackor"),
    ("dunjacka", "Dunjackor"),
    ("vandringskängor dam", "Vandringskängor"),
}

# The same query served by two ad groups: (term, [ad groups], clicks per row, conv per row).
CANNIBALS: tuple[tuple[str, tuple[str, ...], tuple[int, ...], tuple[float, ...]], ...] = (
    ("fjallgear vandringskängor", ("Fjällgear", "Vandringskängor"), (70, 25), (8, 1)),
    ("fjallgear regnjacka", ("Fjällgear", "Regnjackor"), (40, 18), (4, 1)),
    ("hiking boots dam", ("Vandringskängor", "Hiking Boots"), (35, 30), (1, 1)),
    ("vandringskängor barn", ("Barnkängor", "Vandringskängor"), (48, 22), (3, 0)),
    ("goretex kängor dam", ("Vandringskängor", "Trailskor"), (40, 16), (2, 0)),
    ("vinterjacka dam", ("Dunjackor", "Skaljackor"), (55, 30), (2, 0)),
    ("skaljacka goretex", ("Skaljackor", "Regnjackor"), (44, 20), (2, 0)),
    ("trail running shoes women", ("Trailskor", "Hiking Boots"), (26, 14), (1, 0)),
    ("ullstrumpor vandring", ("Strumpor & underställ", "Vandringskängor"), (30, 12), (2, 0)),
    ("tält 2 personer lätt", ("Tält", "Ryggsäckar"), (38, 11), (1, 0)),
    ("dunsovsäck", ("Sovsäckar", "Dunjackor"), (34, 12), (2, 0)),
)
EXCLUDED: tuple[tuple[str, str, int], ...] = (
    ("fjällräven kånken", "Ryggsäckar", 6),
    ("hilleberg nammatj begagnad blocket", "Tält", 3),
)


@dataclass(frozen=True)
class AccountSpec:
    key: str
    name: str
    seed: int
    planted: tuple[Planted, ...]
    scale: float = 1.0
    """Share of the long tail and of the family terms drawn."""
    fixed_factor: float = 1.0
    """Share of the written-out (FIXED, CANNIBALS) clicks and conversions."""
    fixed_step: int = 1
    """Take every n-th FIXED term."""
    cannibals: int = len(CANNIBALS)
    full_history: bool = True
    """Paused keywords and already excluded terms (the Google account has them)."""
    cpc_factor: float = 1.0
    aov_factor: float = 1.0
    hidden_share: float = 0.0
    """Share of the account's cost in `Total: Other search terms`."""
    family_floor: float = 0.0
    """Each irrelevant family costs at least this many account CPAs together."""


GOOGLE = AccountSpec(
    "google",
    "Fjällgear AB",
    SEED,
    PLANTED,
    cpc_factor=1.3,
    aov_factor=0.75,
    hidden_share=0.36,
    family_floor=2.2,
)
MICROSOFT = AccountSpec(
    "microsoft",
    "Fjällgear AB - Microsoft",
    SEED + 1,
    tuple(p for p in PLANTED if p.term in ("billiga vandringskängor", "skidjacka", "tält test")),
    scale=0.22,
    fixed_factor=0.18,
    fixed_step=6,
    cannibals=4,
    full_history=False,
    cpc_factor=0.95,
    aov_factor=0.75,
)


# --------------------------------------------------------------------------- drawing terms


def _group(name: str) -> AdGroup:
    return next(g for g in AD_GROUPS if g.name == name)


def _keywords(spec: AccountSpec) -> list[dict[str, str]]:
    rows = []
    for g in AD_GROUPS:
        for text, match in g.keywords:
            rows.append(keyword_row(text, match, g, "enabled"))
        if spec.full_history:
            rows.extend(keyword_row(text, match, g, "paused") for text, match in g.paused)
    return rows


def _route(term: str, g: AdGroup, forced: str | None) -> tuple[str, str, str]:
    """(keyword text, keyword match type, search-term match type) that served `term` in g."""
    enabled = g.keywords
    if forced == schema.MATCH_EXACT_CV:
        text = next(k for k, m in enabled if m == "exact")
        return text, "exact", forced
    if forced == schema.MATCH_PHRASE_CV:
        text = next(k for k, m in enabled if m == "phrase")
        return text, "phrase", forced
    for text, match in enabled:
        if match == "exact" and term == text:
            return text, "exact", schema.MATCH_EXACT
    for text, match in enabled:
        if match == "phrase" and contains(term, text):
            return text, "phrase", schema.MATCH_PHRASE
    broad = next(k for k, m in enabled if m == "broad")
    return broad, "broad", schema.MATCH_BROAD


def _family_words() -> set[str]:
    words = {w for f in FAMILIES for w, _, _ in f.words}
    return {t for w in words for t in w.split()} | {"free", "repair", "car", "hund", "hur"}


def _long_tail(rng: np.random.Generator, g: AdGroup, n: int, taken: set[str]) -> list[str]:
    """`n` distinct on-topic queries: a head plus one or two modifiers, in either order."""
    banned = _family_words()
    out: list[str] = []
    tries = 0
    while len(out) < n and tries < n * 40:
        tries += 1
        head = g.heads[int(rng.integers(len(g.heads)))]
        k = 1 if rng.random() < 0.6 else 2
        mods = list(rng.choice(len(g.mods), size=k, replace=False))
        words = [g.mods[i] for i in mods]
        parts = [head, *words] if rng.random() < 0.75 else [*words, head]
        term = " ".join(parts)
        if term[0] in "=+-@":
            term = " ".join([head, *words])
        tokens = set(term.split())
        allowed = {"free"} if "free shipping" in term else set()
        if g.name == "Barnkängor":
            allowed |= {"barn", "kids"}
        if term in taken or (tokens & banned) - allowed:
            continue
        if g.name != C_BRAND and any(b in term for b in BRAND):
            continue
        taken.add(term)
        out.append(term)
    return out


def _family_terms(
    rng: np.random.Generator, fam: Family, scale: float, taken: set[str]
) -> list[dict[str, Any]]:
    """Queries of one irrelevant family: each word x distinct contexts, plus written-out ones."""
    rows: list[dict[str, Any]] = []
    for word, count, typo_of in fam.words:
        want = max(2, round(count * max(scale, 0.5))) if scale < 1 else count
        order = rng.permutation(len(fam.contexts))
        for idx in order:
            if sum(r["word"] == word for r in rows) >= want:
                break
            ctx, group = fam.contexts[int(idx)]
            term = f"{word} {ctx}" if rng.random() < 0.5 else f"{ctx} {word}"
            if term in taken:
                continue
            taken.add(term)
            rows.append(_fam_row(term, group, fam, word, typo_of is not None))
    written = fam.terms if scale >= 1 else fam.terms[: max(2, round(len(fam.terms) * scale))]
    for term, group, word in written:
        if term not in taken:
            taken.add(term)
            rows.append(_fam_row(term, group, fam, word, False))
    return rows


def _fam_row(term: str, group: str, fam: Family, word: str, typo: bool) -> dict[str, Any]:
    return {
        "search_term": term,
        "ad_group": group,
        "family": fam.name,
        "word": word,
        "misspelling": typo,
        "relevant": False,
        "kind": "family",
    }


def _base_rows(spec: AccountSpec, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Every (term, ad group) of the account, with its kind and any planted figures."""
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    fixed = FIXED[:: spec.fixed_step]
    for term, group, clicks, conv, match in fixed:
        taken.add(term)
        rows.append(
            {"search_term": term, "ad_group": group, "kind": "fixed", "clicks": clicks,
             "conversions": conv, "match": match, "relevant": True}
        )  # fmt: skip
    cannibals = CANNIBALS[: spec.cannibals]
    for term, groups, clicks, convs in cannibals:
        taken.add(term)
        for group, c, v in zip(groups, clicks, convs, strict=True):
            rows.append(
                {"search_term": term, "ad_group": group, "kind": "fixed", "clicks": c,
                 "conversions": float(v), "match": None, "relevant": True}
            )  # fmt: skip
    for p in spec.planted:
        taken.add(p.term)
        rows.append(
            {"search_term": p.term, "ad_group": p.ad_group, "kind": "planted", "planted": p,
             "relevant": p.relevant, "family": p.family, "word": p.word, "misspelling": False}
        )  # fmt: skip
    for fam in FAMILIES:
        rows.extend(_family_terms(rng, fam, spec.scale, taken))
    if spec.full_history:
        for term, group, clicks in EXCLUDED:
            taken.add(term)
            rows.append(
                {"search_term": term, "ad_group": group, "kind": "excluded", "clicks": clicks,
                 "conversions": 0.0, "relevant": False}
            )  # fmt: skip
    for g in AD_GROUPS:
        n = max(8, round(g.tail * spec.scale))
        for term in _long_tail(rng, g, n, taken):
            rows.append({"search_term": term, "ad_group": g.name, "kind": "tail", "relevant": True})
    return rows


# --------------------------------------------------------------------------- figures


def _tail_clicks(rng: np.random.Generator, n: int) -> np.ndarray:
    zero = rng.random(n) < 0.45
    clicks = np.floor(rng.lognormal(np.log(2.2), 1.0, n)).astype(int) + 1
    return np.where(zero, 0, np.minimum(clicks, 90))


def _stretch(n: int) -> float:
    """How far past significance the n-th planted waste row's clicks go (1.2x to 1.8x)."""
    return 1.2 + 0.15 * (n % 5)


def _figures(
    spec: AccountSpec, rows: list[dict[str, Any]], rng: np.random.Generator
) -> pd.DataFrame:
    """Clicks, impressions, cost, conversions and value for every row (planted ones later)."""
    df = term_frame(rows)
    n = len(df)
    groups = [_group(a) for a in df["ad_group"]]
    df["campaign"] = [g.campaign for g in groups]
    base_cpc = np.array([g.cpc for g in groups]) * spec.cpc_factor
    cvr = np.array([g.cvr for g in groups])
    aov = np.array([g.aov for g in groups]) * spec.aov_factor
    kind = df["kind"].to_numpy()
    clicks = np.where(kind == "tail", _tail_clicks(rng, n), 0)
    clicks = np.where(kind == "family", rng.integers(1, 9, n), clicks)
    fixed_clicks = pd.to_numeric(df.get("clicks"), errors="coerce").to_numpy()
    fixed = np.isin(kind, ("fixed", "excluded"))
    scale = spec.fixed_factor
    clicks = np.where(fixed, np.maximum(1, np.round(np.nan_to_num(fixed_clicks) * scale)), clicks)
    cpc = base_cpc * rng.lognormal(0, 0.25, n)
    conv_fixed = pd.to_numeric(df.get("conversions"), errors="coerce").to_numpy()
    conv_fixed = np.where(
        fixed & (scale < 1), np.round(np.nan_to_num(conv_fixed) * scale), conv_fixed
    )
    term_cvr = cvr * rng.lognormal(0, 0.35, n)
    conv = np.where(kind == "tail", rng.poisson(clicks * term_cvr), 0).astype(float)
    conv = np.where(fixed, np.nan_to_num(conv_fixed), conv)
    conv = np.minimum(conv, clicks)
    partial = (conv >= 2) & (rng.random(n) < 0.12) & (kind == "tail")
    conv = np.where(partial, conv - 0.5, conv)
    ctr = np.clip(
        rng.beta(2.0, 22.0, n) * np.where(df["ad_group"] == "Fjällgear", 3.5, 1.0), 0.01, 0.6
    )
    zero_impr = 1 + rng.geometric(0.35, n)
    impr = np.where(clicks > 0, np.maximum(clicks + 1, np.round(clicks / ctr)), zero_impr)
    df["clicks"] = clicks.astype(int)
    df["impressions"] = impr.astype(int)
    df["cpc"] = cpc
    df["cost"] = np.round(clicks * cpc, 2)
    df["conversions"] = conv
    df["aov"] = aov * rng.lognormal(0, 0.3, n)
    df["conversion_value"] = np.round(conv * df["aov"], 2)
    df["ctr"] = ctr
    return df


def _hidden_totals(df: pd.DataFrame, share: float) -> dict[str, float]:
    """`Total: Other search terms`: `share` of the account's cost, at a similar CVR."""
    if share <= 0:
        return {}
    scale = share / (1 - share)
    cost = round(float(df["cost"].sum()) * scale, 2)
    clicks = round(df["clicks"].sum() * scale * 1.08)
    conv = round(float(df["conversions"].sum()) * scale * 0.92, 2)
    value = round(float(df["conversion_value"].sum()) * scale * 0.9, 2)
    impr = round(df["impressions"].sum() * scale * 1.4)
    return {"impressions": impr, "clicks": clicks, "cost": cost, "conversions": conv,
            "conversion_value": value}  # fmt: skip


# --------------------------------------------------------------------------- labels


def _labels(df: pd.DataFrame, keywords: list[dict[str, str]]) -> pd.DataFrame:
    cpa, cvr = account_rates(df)
    df["p_zero"] = p_zero_of(df["clicks"].to_numpy(), cvr)
    bought = {k["keyword"] for k in keywords}
    counts = df.groupby("search_term")["ad_group"].transform("size")
    labels: list[list[str]] = []
    for row, n_groups in zip(df.itertuples(index=False), counts, strict=True):
        labels.append(row_labels(row, n_groups, cpa, bought, BRAND))
    df["labels"] = labels
    _close_variant_labels(df)
    return df


def _close_variant_labels(df: pd.DataFrame) -> None:
    for keyword, group in CLOSE_VARIANT_KEYWORDS:
        rows = df[(df["keyword"] == keyword) & (df["ad_group"] == group)]
        cv = rows["match_type"].isin([schema.MATCH_EXACT_CV, schema.MATCH_PHRASE_CV])
        own = rows[~cv]
        var = rows[cv]
        if var.empty or own["clicks"].sum() == 0:
            continue
        own_rate = own["conversions"].sum() / own["clicks"].sum()
        var_rate = var["conversions"].sum() / max(1, var["clicks"].sum())
        if var_rate < own_rate / 2:
            for i in var.index:
                df.at[i, "labels"] = [*df.at[i, "labels"], "close_variant_worse"]


# --------------------------------------------------------------------------- account build


@dataclass
class Account(common.Account):
    spec: AccountSpec


def build_account(spec: AccountSpec) -> Account:
    """Draw the account's terms and figures, plant the problems and label everything."""
    rng = np.random.default_rng(spec.seed)
    df = _figures(spec, _base_rows(spec, rng), rng)
    place_planted(df, _stretch)
    settle(df, spec.family_floor, _stretch, rounds=20)
    serve(df, lambda term, group, forced: _route(term, _group(group), forced))
    keywords = _keywords(spec)
    df = _labels(df, keywords)
    order = rng.permutation(len(df))
    df = df.iloc[order].reset_index(drop=True)
    check_waste(df)
    return Account(df, _hidden_totals(df, spec.hidden_share), keywords, spec)


# --------------------------------------------------------------------------- formatting


API_HEADER = (
    "search_term_view.search_term", "search_term_view.status",
    "segments.search_term_match_type", "campaign.name", "ad_group.name",
    "metrics.impressions", "metrics.clicks", "metrics.cost_micros", "metrics.conversions",
    "metrics.conversions_value", "customer.currency_code",
)  # fmt: skip
API_MATCH = {
    schema.MATCH_EXACT: "EXACT",
    schema.MATCH_EXACT_CV: "NEAR_EXACT",
    schema.MATCH_PHRASE: "PHRASE",
    schema.MATCH_PHRASE_CV: "NEAR_PHRASE",
    schema.MATCH_BROAD: "BROAD",
}
API_STATUS = {
    schema.STATUS_NONE: "NONE",
    schema.STATUS_ADDED: "ADDED",
    schema.STATUS_EXCLUDED: "EXCLUDED",
}


def _api_number(x: float) -> str:
    return repr(float(round(x, 6)))


def render_api(acc: Account) -> str:
    """The account as a GAQL `search_term_view` dump (csv module quoting, CRLF as the API)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(API_HEADER)
    for r in acc.rows.to_dict("records"):
        writer.writerow([
            safe_cell(r["search_term"]), API_STATUS[r["status"]], API_MATCH[r["match_type"]],
            safe_cell(r["campaign"]), safe_cell(r["ad_group"]), str(int(r["impressions"])),
            str(int(r["clicks"])), str(round(r["cost"] * 1_000_000)),
            _api_number(r["conversions"]), _api_number(r["conversion_value"]), CURRENCY,
        ])  # fmt: skip
    return buf.getvalue()


MS_HEADER = (
    "Account name", "Campaign name", "Ad group", "Search term", "Keyword", "Bid match type",
    "Delivered match type", "Impressions", "Clicks", "CTR", "Avg. CPC", "Spend", "Conv.",
    "Revenue", "Currency code",
)  # fmt: skip
MS_MATCH = {
    schema.MATCH_EXACT: "Exact",
    schema.MATCH_EXACT_CV: "Exact",
    schema.MATCH_PHRASE: "Phrase",
    schema.MATCH_PHRASE_CV: "Phrase",
    schema.MATCH_BROAD: "Broad",
}
MS_TZ = "(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"


def _ms_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{m}/{d}/{y}"


def render_microsoft(acc: Account) -> str:
    """A Microsoft Advertising UI search-term report download (every cell quoted)."""
    rows = acc.rows.to_dict("records")
    start, end = PERIOD
    pre = [
        "Report Name: Search term report",
        f"Report Time: {_ms_date(start)} - {_ms_date(end)}",
        f"Time Zone: {MS_TZ}",
        f"Last Completed Available Day: 10/31/2026 4:05:00 AM {MS_TZ}",
        f"Rows: {len(rows)}",
    ]
    lines = [join_cells([p], ",", quote_all=True) for p in pre] + [""]
    lines.append(join_cells(MS_HEADER, ",", quote_all=True))
    for r in rows:
        clicks, cost = r["clicks"], r["cost"]
        cells = [
            acc.spec.name, r["campaign"], r["ad_group"], r["search_term"], r["keyword"],
            r["keyword_match_type"].title(), MS_MATCH[r["match_type"]], str(int(r["impressions"])),
            str(int(clicks)), EN.pct(clicks, r["impressions"]),
            f"{cost / clicks:.2f}" if clicks else "0.00", f"{cost:.2f}",
            f"{r['conversions']:.2f}", f"{r['conversion_value']:.2f}", CURRENCY,
        ]  # fmt: skip
        lines.append(join_cells([safe_cell(c) for c in cells], ",", quote_all=True))
    lines += ["", join_cells(["©2026 Microsoft Corporation. All rights reserved. "], ",", True)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- truth


def account_truth(acc: Account) -> dict[str, Any]:
    df = acc.rows
    cpa, cvr = account_rates(df)
    listed = sums(df)
    return {
        "name": acc.spec.name,
        "currency": CURRENCY,
        "period": {"start": PERIOD[0], "end": PERIOD[1]},
        "brand": list(BRAND),
        "totals": round_metrics(listed),
        "hidden": round_metrics(acc.hidden) if acc.hidden else None,
        "cpa": round(cpa, 2),
        "cvr": round(cvr, 5),
        "roas": round(listed["conversion_value"] / listed["cost"], 3),
        "thresholds": THRESHOLDS,
        "keywords": acc.keywords,
        "families": families(
            df[df["labels"].map(lambda ls: "irrelevant" in ls)],
            {w: t for f in FAMILIES for w, _, t in f.words},
            {f.name: f.intent for f in FAMILIES},
        ),
        "terms": [term_record(r) for r in df.to_dict("records")],
    }


def _file_entry(acc: Account, fmt: str, kind: str, rows: int, totals: dict[str, float],
                hidden: bool) -> dict[str, Any]:  # fmt: skip
    return {
        "account": acc.spec.key,
        "format": fmt,
        "kind": kind,
        "rows": rows,
        "totals": round_metrics(totals),
        "hidden": round_metrics(acc.hidden) if hidden and acc.hidden else None,
    }


# --------------------------------------------------------------------------- writing


def render_all() -> dict[str, bytes]:
    """Every sample file's bytes, keyed by file name (truth.json included)."""
    google = build_account(GOOGLE)
    microsoft = build_account(MICROSOFT)
    en = render_ui(google, CURRENCY)
    listed = sums(google.rows)
    n = len(google.rows)
    kw_rows = len(google.keywords)
    files: dict[str, bytes] = {
        FILE_EN: en.encode("utf-8"),
        FILE_UTF16: b"\xff\xfe" + render_ui(google, CURRENCY, "en", "\t").encode("utf-16-le"),
        FILE_SV: render_ui(google, CURRENCY, "sv", ";").encode("utf-8"),
        FILE_KEYWORDS: render_keywords(google, CURRENCY).encode("utf-8"),
        FILE_API: render_api(google).encode("utf-8"),
        FILE_MICROSOFT: render_microsoft(microsoft).encode("utf-8-sig"),
    }
    kw_totals = sums(keyword_metrics(google))
    truth = {
        "version": VERSION,
        "seed": SEED,
        "files": {
            FILE_EN: _file_entry(google, "google_ui", "search_terms", n, listed, True),
            FILE_UTF16: _file_entry(google, "google_ui_utf16", "search_terms", n, listed, True),
            FILE_SV: _file_entry(google, "google_ui_sv", "search_terms", n, listed, True),
            FILE_KEYWORDS: _file_entry(google, "google_ui", "keywords", kw_rows, kw_totals, False),
            FILE_API: _file_entry(google, "google_api", "search_terms", n, listed, False),
            FILE_MICROSOFT: _file_entry(
                microsoft,
                "microsoft_ui",
                "search_terms",
                len(microsoft.rows),
                sums(microsoft.rows),
                False,
            ),
        },
        "accounts": {"google": account_truth(google), "microsoft": account_truth(microsoft)},
    }
    files[TRUTH_FILE] = (json_text(truth) + "\n").encode("utf-8")
    return files


def write_samples(out: Path = SAMPLE_DIR) -> list[Path]:
    """Write every sample file into `out` (atomically, replacing what is there)."""
    return common.write_files(render_all(), out)


# --------------------------------------------------------------------------- for tests


def load_truth(folder: Path = SAMPLE_DIR) -> dict[str, Any]:
    """truth.json as a dict."""
    return common.load_truth(folder)


def truth_terms(account: str = "google", folder: Path = SAMPLE_DIR) -> pd.DataFrame:
    """The account's TERM records as a DataFrame, one bool column per label (`is_<label>`)."""
    return common.truth_terms(folder, account)


def main(argv: Iterable[str] | None = None, echo: Callable[[str], None] = print) -> int:
    return common.cli(
        argv, echo, "python -m tools.samplegen.shop", "Write the sample reports and truth.",
        SAMPLE_DIR, write_samples,
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
