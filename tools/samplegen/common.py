"""What every sample account shares: the Google Ads download format, the figures' arithmetic
(account CPA and CVR, the chance of zero conversions, the settling loop) and the truth's records.

The accounts themselves (`shop`, `leadgen`) say what is planted; this module says how a
download looks and how a truth file is written, once. Over 500 lines: the download format
(headers and labels in two languages) is half of it, and splitting it from the figures it
prints would only move the imports around.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor import format as fmt
from auditor import schema
from auditor.output.csvio import safe_cell, write_atomic

NBSP = "\u00a0"
PERIOD = ("2026-10-01", "2026-10-30")
TRUTH_FILE = "truth.json"
METRICS = ("impressions", "clicks", "cost", "conversions", "conversion_value")


def join_cells(cells: Sequence[str], delim: str, quote_all: bool = False) -> str:
    """One CSV line; quote a cell holding the delimiter, a comma, a quote or a line break."""
    out = []
    for cell in cells:
        if quote_all or any(ch in cell for ch in (delim, ",", '"', "\n", "\r")):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return delim.join(out)


@dataclass(frozen=True)
class Locale:
    thousands: str
    decimal: str
    percent: str

    def count(self, n: float) -> str:
        return f"{round(n):,}".replace(",", self.thousands)

    def money(self, x: float) -> str:
        return f"{x:.2f}".replace(".", self.decimal)

    def pct(self, num: float, den: float) -> str:
        return (
            (f"{num / den * 100:.2f}".replace(".", self.decimal) + self.percent) if den else " --"
        )


EN = Locale(",", ".", "%")
SV = Locale(NBSP, ",", NBSP + "%")


MATCH_LABELS = {
    "en": {
        schema.MATCH_EXACT: "Exact match",
        schema.MATCH_EXACT_CV: "Exact match (close variant)",
        schema.MATCH_PHRASE: "Phrase match",
        schema.MATCH_PHRASE_CV: "Phrase match (close variant)",
        schema.MATCH_BROAD: "Broad match",
    },
    "sv": {
        schema.MATCH_EXACT: "Exakt matchning",
        schema.MATCH_EXACT_CV: "Exakt matchning (närliggande variant)",
        schema.MATCH_PHRASE: "Frasmatchning",
        schema.MATCH_PHRASE_CV: "Frasmatchning (närliggande variant)",
        schema.MATCH_BROAD: "Bred matchning",
    },
}


STATUS_LABELS = {
    "en": {schema.STATUS_NONE: "None", schema.STATUS_ADDED: "Added",
           schema.STATUS_EXCLUDED: "Excluded"},
    "sv": {schema.STATUS_NONE: "Ingen", schema.STATUS_ADDED: "Tillagd",
           schema.STATUS_EXCLUDED: "Utesluten"},
}  # fmt: skip


KEYWORD_MATCH_LABELS = {"exact": "Exact match", "phrase": "Phrase match", "broad": "Broad match"}


HEADERS = {
    "en": ("Search term", "Match type", "Added/Excluded", "Campaign", "Ad group", "Keyword",
           "Clicks", "Impr.", "CTR", "Currency code", "Avg. CPC", "Cost", "Campaign type",
           "Conv. rate", "Conversions", "Conv. value", "Cost / conv."),
    "sv": ("Sökterm", "Matchningstyp", "Tillagd/utesluten", "Kampanj", "Annonsgrupp", "Sökord",
           "Klick", "Visn.", "CTR", "Valutakod", "Genomsn. CPC", "Kostnad", "Kampanjtyp",
           "Konv.grad", "Konverteringar", "Konv.värde", "Kostnad/konv."),
}  # fmt: skip


TOTAL_LABELS = {
    "en": ("Total: Search terms", "Total: Other search terms", "Total: Account", "Total: Search"),
    "sv": ("Totalt: Söktermer", "Totalt: Andra söktermer", "Totalt: Konto", "Totalt: Sökning"),
}


CAMPAIGN_TYPE = {"en": "Search", "sv": "Sökning"}


TITLE = {"en": "Search terms report", "sv": "Söktermsrapport"}


SV_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december")  # fmt: skip


EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


def date_line(lang: str) -> str:
    (y1, m1, d1), (y2, m2, d2) = (tuple(int(x) for x in d.split("-")) for d in PERIOD)
    if lang == "sv":
        return f"{d1} {SV_MONTHS[m1 - 1]} {y1} - {d2} {SV_MONTHS[m2 - 1]} {y2}"
    return f"{EN_MONTHS[m1 - 1]} {d1}, {y1} - {EN_MONTHS[m2 - 1]} {d2}, {y2}"


def metric_cells(loc: Locale, m: dict[str, float]) -> dict[str, str]:
    clicks, cost, conv = m["clicks"], m["cost"], m["conversions"]
    return {
        "clicks": loc.count(clicks),
        "impr": loc.count(m["impressions"]),
        "ctr": loc.pct(clicks, m["impressions"]),
        "cpc": loc.money(cost / clicks) if clicks else "0",
        "cost": loc.money(cost),
        "cvr": loc.pct(conv, clicks) if clicks else loc.money(0) + loc.percent,
        "conv": loc.money(conv),
        "value": loc.money(m["conversion_value"]),
        "cpa": loc.money(cost / conv) if conv else loc.money(0),
    }


def _ui_cells(lang: str, r: dict[str, Any], currency: str) -> list[str]:
    loc = SV if lang == "sv" else EN
    c = metric_cells(loc, r)
    return [
        safe_cell(r["search_term"]), MATCH_LABELS[lang][r["match_type"]],
        STATUS_LABELS[lang][r["status"]], safe_cell(r["campaign"]), safe_cell(r["ad_group"]),
        safe_cell(fmt.keyword(r["keyword"], r["keyword_match_type"])), c["clicks"], c["impr"],
        c["ctr"], currency, c["cpc"], c["cost"], CAMPAIGN_TYPE[lang], c["cvr"], c["conv"],
        c["value"], c["cpa"],
    ]  # fmt: skip


def sums(df: pd.DataFrame) -> dict[str, float]:
    out = {m: float(df[m].sum()) for m in METRICS}
    out["cost"] = round(out["cost"], 2)
    out["conversions"] = round(out["conversions"], 2)
    out["conversion_value"] = round(out["conversion_value"], 2)
    return out


def _total_cells(
    lang: str, label: str, m: dict[str, float], ctype: str, currency: str
) -> list[str]:
    c = metric_cells(SV if lang == "sv" else EN, m)
    cells = [label, "", "", "", "", "", c["clicks"], c["impr"], c["ctr"], currency, c["cpc"]]
    cells += [c["cost"], ctype, c["cvr"], c["conv"], c["value"], c["cpa"]]
    return cells[: len(HEADERS[lang])]


def add_metrics(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: round(a[k] + b.get(k, 0.0), 2) for k in METRICS}


@dataclass
class Account:
    """A drawn account: one row per search term x campaign x ad group, the hidden-terms totals
    (`Total: Other search terms`; empty when the platform has none) and the bought keywords."""

    rows: pd.DataFrame
    hidden: dict[str, float]
    keywords: list[dict[str, str]]


def render_ui(acc: Account, currency: str, lang: str = "en", delim: str = ",") -> str:
    """A Google Ads UI search-terms download (English or Swedish)."""
    records = acc.rows.to_dict("records")
    lines = [TITLE[lang], join_cells([date_line(lang)], delim), join_cells(HEADERS[lang], delim)]
    lines += [join_cells(_ui_cells(lang, r, currency), delim) for r in records]
    listed = sums(acc.rows)
    account = add_metrics(listed, acc.hidden)
    labels = TOTAL_LABELS[lang]
    totals = [
        (labels[0], listed, ""),
        (labels[1], acc.hidden, ""),
        (labels[2], account, ""),
        (labels[3], account, CAMPAIGN_TYPE[lang]),
    ]
    lines += [join_cells(_total_cells(lang, lab, m, t, currency), delim) for lab, m, t in totals]
    return "\n".join(lines) + "\n"


KEYWORD_HEADER = (
    "Keyword status", "Keyword", "Match type", "Campaign", "Ad group", "Status",
    "Status reasons", "Final URL", "Impr.", "Interactions", "Interaction rate", "Currency code",
    "Avg. cost", "Cost", "Clicks", "Conv. rate", "Conversions", "Conv. value", "Avg. CPC",
    "Cost / conv.",
)  # fmt: skip


def keyword_metrics(acc: Account) -> pd.DataFrame:
    """Per keyword: its search terms' figures plus its share of the hidden terms."""
    kw = pd.DataFrame(acc.keywords)
    grouped = acc.rows.groupby(["keyword", "keyword_match_type", "ad_group"], sort=False)[
        list(METRICS)
    ].sum()
    grouped.index = grouped.index.set_names(["keyword", "match_type", "ad_group"])
    kw = kw.merge(grouped.reset_index(), on=["keyword", "match_type", "ad_group"], how="left")
    kw[list(METRICS)] = kw[list(METRICS)].fillna(0.0)
    share = kw["cost"] / max(kw["cost"].sum(), 1e-9)
    for m in METRICS:
        extra = _spread(acc.hidden.get(m, 0.0), share.to_numpy(), m in ("impressions", "clicks"))
        kw[m] = np.round(kw[m] + extra, 2)
    return kw


def _spread(total: float, share: np.ndarray, integer: bool) -> np.ndarray:
    """Split `total` by `share`, exactly (largest remainder in whole units or cents)."""
    unit = 1 if integer else 100
    whole = round(total * unit)
    raw = share * whole
    base = np.floor(raw).astype(int)
    rest = whole - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base / unit


def render_keywords(acc: Account, currency: str) -> str:
    """The account's "Search keyword report" download (bought keywords with status)."""
    kw = keyword_metrics(acc)
    header = join_cells(KEYWORD_HEADER, ",")
    lines = ["Search keyword report", join_cells([date_line("en")], ","), header]
    for r in kw.to_dict("records"):
        c = metric_cells(EN, r)
        enabled = r["status"] == "enabled"
        cells = [
            "Enabled" if enabled else "Paused",
            safe_cell(fmt.keyword(r["keyword"], r["match_type"])),
            KEYWORD_MATCH_LABELS[r["match_type"]], safe_cell(r["campaign"]),
            safe_cell(r["ad_group"]),
            "Eligible" if enabled else "Paused", "" if enabled else "Keyword paused", "",
            c["impr"], c["clicks"], c["ctr"], currency, c["cpc"], c["cost"], c["clicks"],
            c["cvr"], c["conv"], c["value"], c["cpc"], c["cpa"],
        ]  # fmt: skip
        lines.append(join_cells(cells, ","))
    c = metric_cells(EN, sums(kw))
    for label, first in (
        ("Total: All but removed keywords", " --"),
        ("Total: Keywords in your account", ""),
        ("Total: Account", ""),
        ("Total: Search", ""),
    ):
        filler = " --" if first else ""
        cells = [first, "", label, filler, filler, filler, "", "", c["impr"], c["clicks"],
                 c["ctr"], currency, c["cpc"], c["cost"], c["clicks"], c["cvr"], c["conv"],
                 c["value"], c["cpc"], c["cpa"]]  # fmt: skip
        lines.append(join_cells(cells, ","))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the account


@dataclass(frozen=True)
class Family:
    name: str
    intent: str
    words: tuple[tuple[str, int, str | None], ...]
    """(word, terms to draw, misspelling_of)."""
    contexts: tuple[tuple[str, str], ...]
    """(context text, ad group name) the words are combined with."""
    terms: tuple[tuple[str, str, str], ...] = ()
    """Whole queries written out: (text, ad group, the word a negative would target)."""


@dataclass(frozen=True)
class Planted:
    """An expensive zero-conversion term: `mult` x account CPA, `kind` significant|expensive."""

    term: str
    ad_group: str
    kind: str
    mult: float
    relevant: bool
    clicks: int = 0
    family: str | None = None
    word: str | None = None


def term_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The drawn rows as a table, with every optional column present (None / False)."""
    df = pd.DataFrame(rows)
    for col, default in (("family", None), ("word", None), ("misspelling", False),
                         ("match", None), ("planted", None)):  # fmt: skip
        if col not in df:
            df[col] = default
        df[col] = df[col].astype(object).where(df[col].notna(), default)
    return df


def serve(df: pd.DataFrame, route: Callable[[str, str, str | None], tuple[str, str, str]]) -> None:
    """Which keyword served each term (`route(term, ad group, forced match)` gives keyword,
    its match type and the term's match type) and the Added/Excluded status (in place)."""
    routes = [
        route(t, g, m)
        for t, g, m in zip(df["search_term"], df["ad_group"], df["match"], strict=True)
    ]
    df["keyword"] = [r[0] for r in routes]
    df["keyword_match_type"] = [r[1] for r in routes]
    df["match_type"] = [r[2] for r in routes]
    added = (df["match_type"] == schema.MATCH_EXACT) | (
        (df["match_type"] == schema.MATCH_PHRASE) & (df["search_term"] == df["keyword"])
    )
    df["status"] = np.where(added, schema.STATUS_ADDED, schema.STATUS_NONE)
    df.loc[df["kind"] == "excluded", "status"] = schema.STATUS_EXCLUDED


# --------------------------------------------------------------------------- figures


def account_rates(df: pd.DataFrame) -> tuple[float, float]:
    cost, conv, clicks = df["cost"].sum(), df["conversions"].sum(), df["clicks"].sum()
    return float(cost / conv), float(conv / clicks)


def p_zero_of(clicks: np.ndarray, cvr: float) -> np.ndarray:
    return np.power(1.0 - cvr, clicks.astype(float))


def clicks_for_significance(cvr: float) -> int:
    return math.ceil(math.log(0.05) / math.log(1.0 - cvr))


def place_planted(df: pd.DataFrame, stretch: Callable[[int], float]) -> None:
    """Set clicks/cost of the planted rows from the account CPA and CVR (in place).

    The n-th planted row without fixed clicks gets `stretch(n)` times the clicks that make a
    zero significant. Planted rows move the account's own CPA and CVR, so this repeats until
    they settle.
    """
    planted = np.flatnonzero(df["kind"].to_numpy() == "planted")
    for _ in range(4):
        cpa, cvr = account_rates(df)
        for n, i in enumerate(planted):
            p = df.at[i, "planted"]
            clicks = p.clicks or round(clicks_for_significance(cvr) * stretch(n))
            cost = round(p.mult * cpa * 1.1, 2)
            df.loc[i, ["clicks", "conversions", "conversion_value"]] = [clicks, 0.0, 0.0]
            df.at[i, "cpc"] = cost / clicks
            df.at[i, "cost"] = cost
            df.at[i, "impressions"] = round(clicks / float(df.at[i, "ctr"])) + 1


def settle(
    df: pd.DataFrame,
    family_floor: float,
    stretch: Callable[[int], float],
    rounds: int,
    lead_value: float | None = None,
) -> None:
    """Make the truth crisp, repeating until the account's CPA and CVR stop moving.

    Only planted rows may be expensive or statistically clear non-converters: any other
    zero-conversion row that looks like one gets a conversion (worth `lead_value`, else the
    row's `aov`) or, for a family term, fewer clicks. Every irrelevant family costs at least
    `family_floor` CPAs together.
    """
    for _ in range(rounds):
        cpa, cvr = account_rates(df)
        zero = (df["conversions"] == 0) & (df["kind"] != "planted")
        family = df["kind"] == "family"
        p_zero = p_zero_of(df["clicks"].to_numpy(), cvr)
        clear = (df["cost"] >= 0.9 * cpa) | (p_zero <= 0.25)
        bad = zero & ~family & clear
        too_big = zero & family & clear
        fam_cost = df[family].groupby("family")["cost"].transform("sum")
        too_small = family & (fam_cost < family_floor * cpa) & ~too_big
        if not (bad.any() or too_big.any() or too_small.any()):
            return
        df.loc[too_big, "clicks"] = np.maximum(1, df.loc[too_big, "clicks"] // 2)
        df.loc[too_small, "clicks"] += 1
        changed = too_big | too_small
        df.loc[changed, "cost"] = np.round(df.loc[changed, "clicks"] * df.loc[changed, "cpc"], 2)
        df.loc[bad, "conversions"] = 1.0
        df.loc[bad, "conversion_value"] = (
            lead_value if lead_value is not None else np.round(df.loc[bad, "aov"], 2)
        )
        place_planted(df, stretch)
    raise AssertionError("sample figures did not settle")


# --------------------------------------------------------------------------- labels


def contains(term: str, phrase: str) -> bool:
    """`phrase` stands in `term` as whole words, in order."""
    t, p = term.split(), phrase.split()
    return any(t[i : i + len(p)] == p for i in range(len(t) - len(p) + 1))


def row_labels(
    row: Any, n_groups: int, cpa: float, bought: set[str], brand: Iterable[str]
) -> list[str]:
    """The truth's labels of one term row (see `shop`'s docstring for what each means)."""
    out: list[str] = []
    if any(contains(row.search_term, b) for b in brand):
        out.append("brand")
    if row.conversions > 0:
        out.append("converting")
    if row.kind == "planted":
        out.append("planted_waste")
    elif row.conversions == 0 and 0.25 * cpa <= row.cost < cpa and row.kind != "excluded":
        out.append("too_early")
    if row.family is not None and row.kind != "excluded":
        out.append("irrelevant")
    if row.relevant and row.conversions == 0 and row.kind != "planted":
        out.append("relevant_nonconverting")
    if n_groups > 1:
        out.append("cannibalised")
    harvest = row.conversions >= 2 and row.cost / row.conversions <= cpa
    if harvest and row.search_term not in bought and row.status == schema.STATUS_NONE:
        out.append("harvest")
    if row.kind == "excluded":
        out.append("already_excluded")
    return out


def check_waste(df: pd.DataFrame) -> float:
    """The promises every account makes about waste; returns the account CPA.

    Planted rows are clear or expensive waste; no other zero-conversion row costs a CPA or is
    nearly significant; a term is unique per campaign and ad group.
    """
    cpa, _cvr = account_rates(df)
    for row in df[df["kind"] == "planted"].itertuples():
        ok = (row.cost >= 1.5 * cpa and row.p_zero <= 0.05) or row.cost >= 2.5 * cpa
        if not ok or row.conversions != 0:
            raise AssertionError(f"planted {row.search_term!r}: cost {row.cost} vs CPA {cpa:.2f}")
    other = df[(df["kind"] != "planted") & (df["conversions"] == 0)]
    if (other["cost"] >= cpa).any() or (other["p_zero"] <= 0.2).any():
        raise AssertionError("an unplanted zero-conversion term looks like clear waste")
    if df.duplicated(["search_term", "campaign", "ad_group"]).any():
        raise AssertionError("duplicate (search_term, campaign, ad_group)")
    return cpa


def keyword_row(text: str, match: str, group: Any, status: str) -> dict[str, str]:
    """A bought keyword of `group` (anything with `campaign` and `name`)."""
    return {
        "keyword": text,
        "match_type": match,
        "campaign": group.campaign,
        "ad_group": group.name,
        "status": status,
    }


# --------------------------------------------------------------------------- truth


def round_metrics(m: dict[str, float]) -> dict[str, float]:
    return {
        k: (int(v) if k in ("impressions", "clicks") else round(float(v), 2)) for k, v in m.items()
    }


def term_record(r: dict[str, Any], flags: Sequence[str] = ()) -> dict[str, Any]:
    """A TERM of truth.json; `flags` are the account's own yes/no columns after `relevant`."""
    return {
        "search_term": r["search_term"],
        "campaign": r["campaign"],
        "ad_group": r["ad_group"],
        "keyword": r["keyword"],
        "keyword_match_type": r["keyword_match_type"],
        "match_type": r["match_type"],
        "status": r["status"],
        "impressions": int(r["impressions"]),
        "clicks": int(r["clicks"]),
        "cost": round(float(r["cost"]), 2),
        "conversions": round(float(r["conversions"]), 2),
        "conversion_value": round(float(r["conversion_value"]), 2),
        "p_zero": round(float(r["p_zero"]), 4),
        "relevant": bool(r["relevant"]),
        **{flag: bool(r[flag]) for flag in flags},
        "family": r["family"],
        "word": r["word"],
        "misspelling": bool(r["misspelling"]),
        "labels": list(r["labels"]),
    }


def families(
    irrelevant: pd.DataFrame, typo_of: dict[str, str | None], intent: dict[str, str]
) -> dict[str, Any]:
    """truth.json's `families`: per family of the irrelevant rows, its words, terms and cost."""
    out: dict[str, Any] = {}
    for fam, rows in irrelevant.groupby("family", sort=True):
        words = {
            str(w): {
                "terms": len(g),
                "cost": round(float(g["cost"].sum()), 2),
                "misspelling_of": typo_of.get(str(w)),
            }
            for w, g in rows.groupby("word", sort=True)
        }
        out[str(fam)] = {
            "intent": intent[str(fam)],
            "words": words,
            "terms": len(rows),
            "cost": round(float(rows["cost"].sum()), 2),
            "clicks": int(rows["clicks"].sum()),
        }
    return out


THRESHOLDS = {
    "planted_waste": "conversions == 0 and (cost >= 1.5*cpa and p_zero <= 0.05 or cost >= 2.5*cpa)",
    "other_zero_conversion": "cost < cpa and p_zero > 0.2",
    "too_early": "conversions == 0 and 0.25*cpa <= cost < cpa",
    "harvest": "conversions >= 2 and cost/conversions <= cpa and not a keyword",
    "p_zero": "(1 - cvr) ** clicks",
}
"""The cut-offs the labels use, as truth.json states them (an account may add its own)."""


def json_text(value: Any, indent: str = "") -> str:
    """JSON with objects spread over lines but each record of a list of objects on one line.

    Keeps truth.json readable and diff-friendly (one term per line) at a third of the size.
    """
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {json_text(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = [inner + json.dumps(v, ensure_ascii=False) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------- writing and reading


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write every file into `out` (atomically, replacing what is there)."""
    written = []
    for name, data in files.items():
        path = out / name
        write_atomic(path, data, force=True)
        written.append(path)
    return written


def load_truth(folder: Path) -> dict[str, Any]:
    """truth.json as a dict."""
    return json.loads((folder / TRUTH_FILE).read_text(encoding="utf-8"))


LABELS: tuple[str, ...] = (
    "brand", "converting", "planted_waste", "too_early", "irrelevant",
    "relevant_nonconverting", "cannibalised", "harvest", "close_variant_worse",
    "already_excluded",
)  # fmt: skip


def truth_terms(folder: Path, account: str) -> pd.DataFrame:
    """The account's TERM records as a DataFrame, one bool column per label (`is_<label>`)."""
    terms = pd.DataFrame(load_truth(folder)["accounts"][account]["terms"])
    for label in LABELS:
        terms[f"is_{label}"] = terms["labels"].map(lambda ls, lab=label: lab in ls)
    return terms


def cli(
    argv: Iterable[str] | None,
    echo: Callable[[str], None],
    prog: str,
    description: str,
    default_out: Path,
    write: Callable[[Path], list[Path]],
) -> int:
    """`python -m tools.samplegen.<account> [--out DIR]`: write the files, say where."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--out", type=Path, default=default_out, help="folder to write into")
    args = parser.parse_args(list(argv) if argv is not None else None)
    for path in write(args.out):
        echo(f"wrote {path}")
    return 0
