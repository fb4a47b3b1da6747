"""Large synthetic Google Ads search-terms reports for the benchmarks.

`make_large_report(path, rows, seed)` writes an English Google Ads UI "Search terms report"
(UTF-8, comma, LF line ends, as the real downloads in `../shared/real-reports/`): a title line,
a quoted US date-range line, the header

    Search term,Match type,Added/Excluded,Campaign,Ad group,Keyword,Clicks,Impr.,CTR,
    Currency code,Avg. CPC,Cost,Campaign type,Conv. rate,Conversions,Conv. value,Cost / conv.

the data rows, then `Total: Search terms`, `Total: Other search terms` (hidden spend, about 40%
of the account), `Total: Account` and `Total: Search`. Formatting follows the real files: counts
of 1,000 and more quoted with a thousands comma (`"1,457"`), money with two decimals and no
thousands separator, `2.33%` ratios, Avg. CPC `0` without clicks, Cost / conv. `0.00` without
conversions; the phrase-match Keyword cell is CSV-quoted as in the real files.

The account is a US outdoor-gear shop: about 60% of the rows are unique search terms (600k for
1M rows); the others repeat popular terms under other match types. Terms combine a qualifier,
a brand, a product (sometimes misspelt), a tail (size, "near me", ...) and, for about 8% of the
terms, an irrelevant-intent modifier (jobs, free, diy, used, kids, ...; misspellings included).
Clicks and cost follow a long tail (most terms 0-1 clicks, a few thousand clicks at the top);
conversions are binomial at a rate that depends on intent (brand high, irrelevant low).

Everything is vectorised (numpy + pyarrow compute); 1M rows take a few seconds. The file is
cached in `bench/out/` keyed by rows, seed and the generator version, so a second call is free.

`make_queries(n, seed)` returns `n` unique non-converting queries with realistic misspelling
families (`hiking boots jobs`, `hikng boots jobs`, `hiking boots jbos`, ...) for the clustering
bench.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from auditor.output.csvio import write_atomic

VERSION = 2
"""Bump when the output changes, so cached files are regenerated."""
OUT_DIR = Path(__file__).resolve().parent / "out"
HEADER = (
    "Search term,Match type,Added/Excluded,Campaign,Ad group,Keyword,Clicks,Impr.,CTR,"
    "Currency code,Avg. CPC,Cost,Campaign type,Conv. rate,Conversions,Conv. value,Cost / conv."
)
_CHUNK = 200_000
UNIQUE_SHARE = 0.6

# Products: (text, campaign). Campaign names with a comma are written CSV-quoted.
PRODUCTS: tuple[tuple[str, str], ...] = (
    ("hiking boots", "Search - Footwear, Boots"),
    ("hiking shoes", "Search - Footwear, Boots"),
    ("trail running shoes", "Search - Footwear, Boots"),
    ("running shoes", "Search - Footwear, Boots"),
    ("approach shoes", "Search - Footwear, Boots"),
    ("winter boots", "Search - Footwear, Boots"),
    ("rain boots", "Search - Footwear, Boots"),
    ("sandals", "Search - Footwear, Boots"),
    ("rain jacket", "Search - Jackets"),
    ("down jacket", "Search - Jackets"),
    ("softshell jacket", "Search - Jackets"),
    ("fleece jacket", "Search - Jackets"),
    ("ski jacket", "Search - Jackets"),
    ("parka", "Search - Jackets"),
    ("vest", "Search - Jackets"),
    ("rain pants", "Search - Jackets"),
    ("tent", "Search - Camping"),
    ("backpacking tent", "Search - Camping"),
    ("sleeping bag", "Search - Camping"),
    ("sleeping pad", "Search - Camping"),
    ("camping stove", "Search - Camping"),
    ("hammock", "Search - Camping"),
    ("camping chair", "Search - Camping"),
    ("headlamp", "Search - Camping"),
    ("backpack", "Search - Packs"),
    ("hiking backpack", "Search - Packs"),
    ("daypack", "Search - Packs"),
    ("duffel bag", "Search - Packs"),
    ("hydration pack", "Search - Packs"),
    ("trekking poles", "Search - Accessories"),
    ("hiking socks", "Search - Accessories"),
    ("base layer", "Search - Accessories"),
    ("gloves", "Search - Accessories"),
    ("beanie", "Search - Accessories"),
    ("water bottle", "Search - Accessories"),
    ("water filter", "Search - Accessories"),
    ("compass", "Search - Accessories"),
    ("gps watch", "Search - Accessories"),
    ("climbing harness", "Search - Climbing"),
    ("climbing shoes", "Search - Climbing"),
)
QUALIFIERS: tuple[str, ...] = (
    "mens", "womens", "waterproof", "lightweight", "best", "cheap", "buy", "insulated",
    "breathable", "ultralight", "wide", "black", "green", "blue", "red", "grey", "goretex",
    "vegan", "leather", "packable", "warm", "durable", "comfortable", "budget", "premium",
    "discount", "new", "top rated", "affordable", "high quality", "unisex", "youth", "tall",
    "petite", "plus size", "2 person", "4 person", "winter", "summer", "3 season",
)  # fmt: skip
BRANDS: tuple[str, ...] = (
    "trailpeak", "salomon", "merrell", "keen", "columbia", "patagonia", "arcteryx",
    "the north face", "osprey", "rei", "msr", "big agnes", "nemo", "black diamond", "la sportiva",
    "scarpa", "hoka", "altra", "marmot", "mountain hardwear", "outdoor research", "smartwool",
    "darn tough", "garmin", "deuter",
)  # fmt: skip
TAILS: tuple[str, ...] = (
    "near me", "sale", "on sale", "online", "size 8", "size 9", "size 10", "size 11", "size 12",
    "review", "reviews", "for women", "for men", "for winter", "for hiking", "for camping",
    "for snow", "for rain", "2026", "clearance", "deals", "outlet", "in stock", "free shipping",
    "store", "shop", "uk", "canada", "usa", "with hood", "wide fit", "vs", "under 100",
    "under 200", "comparison", "best rated", "amazon", "costco", "walmart", "black friday",
)  # fmt: skip
# Irrelevant-intent modifiers grouped by intent, misspellings included: (word, intent, weight).
IRRELEVANT: tuple[tuple[str, str, float], ...] = (
    ("jobs", "jobs", 3.0), ("job", "jobs", 2.0), ("jbos", "jobs", 0.4),
    ("careers", "jobs", 1.0), ("hiring", "jobs", 1.0),
    ("free", "free", 3.0), ("freee", "free", 0.3), ("fre", "free", 0.3),
    ("download", "free", 0.5),
    ("diy", "diy", 1.5), ("how to make", "diy", 1.0), ("repair", "diy", 1.5),
    ("repiar", "diy", 0.2), ("fix", "diy", 1.0),
    ("used", "used", 2.0), ("second hand", "used", 1.0), ("secondhand", "used", 0.5),
    ("usd", "used", 0.2), ("rental", "used", 1.0), ("rent", "used", 1.0),
    ("kids", "kids", 2.0), ("kid", "kids", 1.0), ("kidz", "kids", 0.3),
    ("pattern", "info", 0.5), ("drawing", "info", 0.5), ("meaning", "info", 0.5),
    ("wiki", "info", 0.5), ("login", "info", 0.5), ("course", "info", 0.5),
    ("training", "info", 0.5), ("manual", "info", 0.5), ("pdf", "info", 0.5),
)  # fmt: skip
MATCH_TYPES: tuple[str, ...] = (
    "Broad match",
    "Phrase match",
    "Exact match",
    "Phrase match (close variant)",
    "Exact match (close variant)",
)
_MATCH_P = np.array([0.45, 0.2, 0.15, 0.1, 0.1])


def _misspellings(word: str) -> list[str]:
    """Typical typo forms of a word: a dropped letter, swapped neighbours, a doubled letter."""
    if len(word) < 5:
        return []
    mid = len(word) // 2
    forms = [
        word[:mid] + word[mid + 1 :],
        word[: mid - 1] + word[mid] + word[mid - 1] + word[mid + 1 :],
        word[:mid] + word[mid] + word[mid:],
    ]
    return [f for f in dict.fromkeys(forms) if f != word]


def _product_variants() -> tuple[list[str], np.ndarray]:
    """Every product text and its misspellings, with the index of the product it spells."""
    texts: list[str] = []
    owner: list[int] = []
    for i, (text, _) in enumerate(PRODUCTS):
        head, _, rest = text.rpartition(" ")
        forms = [text, *((f"{head} {m}" if head else m) for m in _misspellings(rest))]
        texts.extend(forms)
        owner.extend([i] * len(forms))
    return texts, np.array(owner)


def _with_blank(words: tuple[str, ...]) -> pa.Array:
    """Vocabulary array whose index 0 is 'no word' (null, skipped when joining)."""
    return pa.array([None, *words], pa.string())


def _zipf_choice(rng: np.random.Generator, n_items: int, size: int, a: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n_items + 1) ** a
    return rng.choice(n_items, size=size, p=weights / weights.sum())


def _optional(rng: np.random.Generator, n_items: int, size: int, p_none: float) -> np.ndarray:
    """Index into a `_with_blank` vocabulary: 0 with probability `p_none`."""
    idx = _zipf_choice(rng, n_items, size, 0.8) + 1
    return np.where(rng.random(size) < p_none, 0, idx)


def _unique_codes(codes: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each code, in the order drawn (sort, not np.unique)."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    first = np.ones(len(codes), dtype=bool)
    first[1:] = sorted_codes[1:] != sorted_codes[:-1]
    return np.sort(order[first])


def _draw_terms(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """`n` distinct combinations of qualifier, brand, product form, tail and irrelevant word."""
    variants, owner = _product_variants()
    irr_w = np.array([w for _, _, w in IRRELEVANT])
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("qual", "brand", "form", "tail", "irr")}
    have = 0
    while have < n:
        size = max(int((n - have) * 3), 50_000)
        canonical = _zipf_choice(rng, len(PRODUCTS), size, 0.7)
        first_form = np.searchsorted(owner, canonical)
        n_forms = np.bincount(owner)[canonical]
        typo = rng.random(size) < 0.06
        form = first_form + np.where(typo, rng.integers(1, np.maximum(n_forms, 2)), 0)
        form = np.where(owner[np.minimum(form, len(owner) - 1)] == canonical, form, first_form)
        draw = {
            "qual": _optional(rng, len(QUALIFIERS), size, 0.45),
            "brand": _optional(rng, len(BRANDS), size, 0.7),
            "form": form,
            "tail": _optional(rng, len(TAILS), size, 0.5),
            "irr": np.where(
                rng.random(size) < 0.08,
                rng.choice(len(IRRELEVANT), size=size, p=irr_w / irr_w.sum()) + 1,
                0,
            ),
        }
        for key, arr in draw.items():
            parts[key].append(arr)
        merged = {k: np.concatenate(v) for k, v in parts.items()}
        code = merged["qual"].astype(np.int64)
        for key, base in (
            ("brand", len(BRANDS) + 1),
            ("form", len(variants)),
            ("tail", len(TAILS) + 1),
            ("irr", len(IRRELEVANT) + 1),
        ):
            code = code * base + merged[key]
        keep = _unique_codes(code)
        parts = {k: [v[keep]] for k, v in merged.items()}
        have = len(keep)
    return {k: v[0][:n] for k, v in parts.items()} | {"product": owner[parts["form"][0][:n]]}


def _term_strings(t: dict[str, np.ndarray]) -> pa.Array:
    """Join the parts of each term with spaces; the irrelevant word goes first or last."""
    variants, _ = _product_variants()
    qual = _with_blank(QUALIFIERS).take(pa.array(t["qual"]))
    brand = _with_blank(BRANDS).take(pa.array(t["brand"]))
    form = pa.array(variants).take(pa.array(t["form"]))
    tail = _with_blank(TAILS).take(pa.array(t["tail"]))
    irr = _with_blank(tuple(w for w, _, _ in IRRELEVANT)).take(pa.array(t["irr"]))
    irr_first = pa.array(t["irr"] % 2 == 1)
    null = pa.nulls(len(form), pa.string())
    lead = pc.if_else(irr_first, irr, null)
    trail = pc.if_else(irr_first, null, irr)
    return pc.binary_join_element_wise(
        lead, qual, brand, form, tail, trail, " ", null_handling="skip"
    )


def _int_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def fmt_count(values: np.ndarray) -> pa.Array:
    """Counts as Google writes them: `999`, `"1,457"`, `"12,345,678"` (quoted with commas)."""
    v = values.astype(np.int64)
    low = _int_text(v % 1000)
    mid = _int_text((v // 1000) % 1000)
    top = _int_text(v // 1_000_000)
    thousands = pc.binary_join_element_wise(
        '"', _int_text(v // 1000), ",", pc.utf8_lpad(low, 3, "0"), '"', ""
    )
    millions = pc.binary_join_element_wise(
        '"', top, ",", pc.utf8_lpad(mid, 3, "0"), ",", pc.utf8_lpad(low, 3, "0"), '"', ""
    )
    out = pc.if_else(pa.array(v >= 1000), thousands, _int_text(v))
    return pc.if_else(pa.array(v >= 1_000_000), millions, out)


def fmt_fixed2(values: np.ndarray) -> pa.Array:
    """Two decimals, no thousands separator: `18859.19`, `0.00`."""
    cents = np.rint(values * 100).astype(np.int64)
    return pc.binary_join_element_wise(
        _int_text(cents // 100), pc.utf8_lpad(_int_text(cents % 100), 2, "0"), "."
    )


def fmt_ratio(num: np.ndarray, den: np.ndarray, *, percent: bool, empty: str) -> pa.Array:
    """num / den with two decimals (`2.33%` when `percent`); `empty` where den is 0."""
    safe = np.where(den > 0, den, 1)
    value = num / safe * (100 if percent else 1)
    text = fmt_fixed2(value)
    if percent:
        text = pc.binary_join_element_wise(text, "%", "")
    return pc.if_else(pa.array(den > 0), text, pa.scalar(empty))


def _term_params(rng: np.random.Generator, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-term demand and rates: long-tail impressions, CTR, CPC, conversion rate, order value."""
    n = len(t["form"])
    brand_own = t["brand"] == 1
    irrelevant = t["irr"] > 0
    return {
        "impr": np.minimum(np.floor(rng.pareto(1.15, n) * 2.0) + 1, 2_500_000),
        "ctr": np.clip(rng.beta(1.2, 30, n) * np.where(brand_own, 3.0, 1.0), 0, 0.9),
        "cpc": rng.lognormal(np.log(1.15), 0.55, n),
        "cvr": np.where(brand_own, 0.08, np.where(irrelevant, 0.002, 0.02)),
        "aov": rng.lognormal(np.log(95), 0.45, n),
    }


def _row_metrics(
    rng: np.random.Generator, p: dict[str, np.ndarray], share: np.ndarray
) -> dict[str, np.ndarray]:
    """Impressions split over a term's rows; clicks, cost, conversions and value drawn per row."""
    impr = np.maximum(rng.binomial(p["impr"].astype(np.int64), share), 1)
    clicks = rng.binomial(impr, p["ctr"])
    cost = np.round(clicks * p["cpc"], 2)
    conv = rng.binomial(clicks, p["cvr"]).astype(float)
    partial = (conv > 0) & (rng.random(len(conv)) < 0.15)
    conv = np.round(np.where(partial, conv - rng.uniform(0.1, 0.6, len(conv)), conv), 2)
    value = np.round(conv * p["aov"], 2)
    return {"impr": impr, "clicks": clicks, "cost": cost, "conv": conv, "value": value}


def _row_layout(rng: np.random.Generator, rows: int, unique: int) -> np.ndarray:
    """Term index of each row: every term once, the rest repeat a popular sixth of the terms."""
    extra = rng.integers(0, max(1, unique // 6), rows - unique)
    return rng.permutation(np.concatenate([np.arange(unique), extra]))


def _occurrence(term_of_row: np.ndarray) -> np.ndarray:
    """0 for a term's first row, 1 for its second, ...

    Repeated rows of a term differ in match type, then in ad group (cannibalisation).
    """
    order = np.argsort(term_of_row, kind="stable")
    sorted_terms = term_of_row[order]
    starts = np.r_[0, np.flatnonzero(sorted_terms[1:] != sorted_terms[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    occ = np.empty(len(order), dtype=np.int64)
    occ[order] = np.arange(len(order)) - run_start
    return occ


def _keyword_cells(product: np.ndarray, match: np.ndarray) -> pa.Array:
    """The Keyword column with match syntax, CSV-quoted for phrase: `[x]`, `\"\"\"x\"\"\"`, `x`."""
    texts = [p for p, _ in PRODUCTS]
    syntax = [[t, f'"""{t}"""', f"[{t}]", f'"""{t}"""', f"[{t}]"] for t in texts]
    flat = pa.array([s for row in syntax for s in row])
    return flat.take(pa.array(product * len(MATCH_TYPES) + match))


def _campaign_cells(product: np.ndarray) -> tuple[pa.Array, pa.Array]:
    def quote(name: str) -> str:
        return f'"{name}"' if "," in name else name

    campaigns = pa.array([quote(c) for _, c in PRODUCTS])
    groups = pa.array([p.title() for p, _ in PRODUCTS])
    idx = pa.array(product)
    return campaigns.take(idx), groups.take(idx)


def _lines(cols: list[pa.Array]) -> bytes:
    """Join columns with commas and rows with LF; returns the bytes of the lines."""
    line = pc.binary_join_element_wise(*cols, ",")
    line = pc.binary_join_element_wise(line, "", "\n")
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)
    start, end = offsets[line.offset], offsets[line.offset + len(line)]
    return memoryview(line.buffers()[2])[start:end].tobytes()


def _metric_cells(m: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    return {
        "clicks": fmt_count(m["clicks"]),
        "impr": fmt_count(m["impr"]),
        "ctr": fmt_ratio(m["clicks"], m["impr"], percent=True, empty=" --"),
        "cpc": pc.if_else(
            pa.array(m["clicks"] > 0),
            fmt_ratio(m["cost"], m["clicks"], percent=False, empty="0"),
            pa.scalar("0"),
        ),
        "cost": fmt_fixed2(m["cost"]),
        "cvr": fmt_ratio(m["conv"], m["clicks"], percent=True, empty="0.00%"),
        "conv": fmt_fixed2(m["conv"]),
        "value": fmt_fixed2(m["value"]),
        "cpa": fmt_ratio(m["cost"], m["conv"], percent=False, empty="0.00"),
    }


def _chunk_bytes(
    terms: pa.Array, t: dict[str, np.ndarray], m: dict[str, np.ndarray], extra: dict
) -> bytes:
    n = len(terms)
    cells = _metric_cells(m)
    campaign, group = _campaign_cells(t["product"])
    const = {k: pa.array([v] * n) for k, v in (("cur", "USD"), ("type", "Search"))}
    cols = [
        terms,
        pa.array(MATCH_TYPES, pa.string()).take(pa.array(extra["match"])),
        pa.array(["None", "Added", "Excluded"]).take(pa.array(extra["status"])),
        campaign,
        group,
        _keyword_cells(t["product"], extra["match"]),
        cells["clicks"],
        cells["impr"],
        cells["ctr"],
        const["cur"],
        cells["cpc"],
        cells["cost"],
        const["type"],
        cells["cvr"],
        cells["conv"],
        cells["value"],
        cells["cpa"],
    ]
    return _lines(cols)


def _total_line(label: str, m: dict[str, np.ndarray], ctype: str) -> bytes:
    sums = {k: np.array([v.sum()]) for k, v in m.items()}
    sums["cost"] = np.round(sums["cost"], 2)
    c = {k: v[0].as_py() for k, v in _metric_cells(sums).items()}
    cells = [label, "", "", "", "", "", c["clicks"], c["impr"], c["ctr"], "USD", c["cpc"]]
    cells += [c["cost"], ctype, c["cvr"], c["conv"], c["value"], c["cpa"]]
    return (",".join(cells) + "\n").encode()


def _hidden(m: dict[str, np.ndarray], share: float) -> dict[str, np.ndarray]:
    """Metrics of `Total: Other search terms`: `share` of the account's spend is hidden.

    Impressions are 0 there, as in a real download, so its CTR cell is ` --`.
    """
    scale = share / (1 - share)
    out = {k: np.array([np.round(v.sum() * scale, 2)]) for k, v in m.items()}
    out["impr"] = np.array([0])
    return out


def render_report(rows: int, seed: int = 0) -> bytes:
    """The bytes of a `rows`-row report (no caching; `make_large_report` caches)."""
    rng = np.random.default_rng(seed)
    unique = max(1, int(rows * UNIQUE_SHARE))
    t = _draw_terms(rng, unique)
    terms = _term_strings(t)
    params = _term_params(rng, t)
    term_of_row = _row_layout(rng, rows, unique)
    occ = _occurrence(term_of_row)
    n_rows_of_term = np.bincount(term_of_row, minlength=unique)
    share = 1.0 / n_rows_of_term[term_of_row]
    base_match = rng.choice(len(MATCH_TYPES), size=unique, p=_MATCH_P)[term_of_row]
    extra_all = {
        "match": (base_match + occ) % len(MATCH_TYPES),
        "status": rng.choice(3, size=rows, p=[0.975, 0.02, 0.005]),
    }
    row_m = _row_metrics(rng, {k: v[term_of_row] for k, v in params.items()}, share)
    out = [b"Search terms report\n", b'"October 26, 2026 - November 24, 2026"\n']
    out.append((HEADER + "\n").encode())
    for start in range(0, rows, _CHUNK):
        sl = slice(start, min(rows, start + _CHUNK))
        idx = term_of_row[sl]
        t_chunk = {k: v[idx] for k, v in t.items()}
        t_chunk["product"] = (t_chunk["product"] + occ[sl] // len(MATCH_TYPES)) % len(PRODUCTS)
        m_chunk = {k: v[sl] for k, v in row_m.items()}
        e_chunk = {k: v[sl] for k, v in extra_all.items()}
        out.append(_chunk_bytes(terms.take(pa.array(idx)), t_chunk, m_chunk, e_chunk))
    hidden = _hidden(row_m, 0.4)
    account = {k: np.array([row_m[k].sum() + hidden[k][0]]) for k in row_m}
    out.append(_total_line("Total: Search terms", row_m, ""))
    out.append(_total_line("Total: Other search terms", hidden, ""))
    out.append(_total_line("Total: Account", account, ""))
    out.append(_total_line("Total: Search", account, "Search"))
    return b"".join(out)


KINDS: tuple[str, ...] = ("small", "longtail")
"""`small`: the vocabulary above (a few products x brands x modifiers); `longtail`: a real
account's vocabulary (`bench/longtail.py`: 60k words, 2,400 ad groups, 400k keywords)."""


def large_report_path(rows: int = 1_000_000, seed: int = 0, kind: str = "small") -> Path:
    if kind == "longtail":
        from longtail import VERSION as LONGTAIL

        return OUT_DIR / f"longtail-search-terms-{rows}r-s{seed}-v{LONGTAIL}.csv"
    return OUT_DIR / f"search-terms-{rows}r-s{seed}-v{VERSION}.csv"


def keyword_report_path(rows: int = 1_000_000, seed: int = 0) -> Path:
    """The keyword report of the long-tail account of `rows` search-term rows."""
    from longtail import VERSION as LONGTAIL

    return OUT_DIR / f"longtail-keywords-{rows}r-s{seed}-v{LONGTAIL}.csv"


def _render(rows: int, seed: int, kind: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "small":
        return render_report(rows, seed)
    from longtail import Rows

    made = Rows(rows, seed)
    keywords = keyword_report_path(rows, seed)
    if not keywords.exists():
        write_atomic(keywords, made.keywords(), force=True)
    return made.search_terms()


def make_large_report(
    path: Path | None = None, rows: int = 1_000_000, seed: int = 0, kind: str = "small"
) -> Path:
    """Write (or reuse) a realistic `rows`-row English Google Ads search-terms CSV.

    `kind` is `small` (the catalogue vocabulary above) or `longtail` (`bench/longtail.py`).
    With `path` None the file goes to `bench/out/` under a name keyed by kind, rows, seed and
    the generator version; an existing file there is reused. An explicit `path` is always
    (re)written unless it is that cached file.
    """
    cached = large_report_path(rows, seed, kind)
    target = Path(path) if path is not None else cached
    if target.exists() and target.resolve() == cached.resolve():
        return target
    if not cached.exists():
        write_atomic(cached, _render(rows, seed, kind), force=True)
    if target.resolve() != cached.resolve():
        write_atomic(target, cached.read_bytes(), force=True)
    return target


def make_keyword_report(rows: int = 1_000_000, seed: int = 0) -> Path:
    """Write (or reuse) the keyword report of the long-tail account (cached in `bench/out/`;
    written beside its search-terms report)."""
    cached = keyword_report_path(rows, seed)
    if not cached.exists():
        large_report_path(rows, seed, "longtail").unlink(missing_ok=True)
        make_large_report(rows=rows, seed=seed, kind="longtail")
    return cached


def _sibling(rng: np.random.Generator, idx: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Another member of the same group (items sorted by group), where the group has one."""
    first = np.searchsorted(group, group[idx])
    size = np.bincount(group)[group[idx]]
    other = first + (idx - first + rng.integers(1, np.maximum(size, 2))) % np.maximum(size, 1)
    return np.where(size > 1, other, idx)


def _variants(rng: np.random.Generator, base: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Family members of `base` terms: another spelling of the product or of the intent word."""
    _, owner = _product_variants()
    names = list(dict.fromkeys(i for _, i, _ in IRRELEVANT))
    intent_of = np.array([0, *(names.index(i) + 1 for _, i, _ in IRRELEVANT)])
    out = dict(base)
    swap_irr = (base["irr"] > 0) & (rng.random(len(base["irr"])) < 0.6)
    out["irr"] = np.where(swap_irr, _sibling(rng, base["irr"], intent_of), base["irr"])
    out["form"] = np.where(swap_irr, base["form"], _sibling(rng, base["form"], owner))
    return out


def make_queries(n: int, seed: int = 0) -> list[str]:
    """`n` unique non-converting queries, many in misspelling families, for clustering benches.

    Two thirds are drawn like the report's terms, with an irrelevant-intent word in about a
    third of them; the other third are family members of those: the same query with another
    spelling of the intent word (jobs/job/jbos, free/freee, used/usd, kids/kid/kidz) or of the
    product (`hiking boots` / `hikng boots`), as in a real account's non-converting tail.
    """
    rng = np.random.default_rng(seed + 7919)
    want = n + n // 10 + 100
    base = _draw_terms(rng, want)
    irr_w = np.array([w for _, _, w in IRRELEVANT])
    extra = rng.choice(len(IRRELEVANT), size=want, p=irr_w / irr_w.sum()) + 1
    boost = (rng.random(want) < 0.3) & (base["irr"] == 0)
    base["irr"] = np.where(boost, extra, base["irr"])
    k = want // 2
    fam = _variants(rng, {key: v[:k] for key, v in base.items()})
    merged = {key: np.concatenate([base[key], fam[key]]) for key in base}
    order = rng.permutation(len(merged["form"]))
    texts = _term_strings({key: v[order] for key, v in merged.items()})
    codes = pc.dictionary_encode(texts).indices.to_numpy()
    out = texts.take(pa.array(_unique_codes(codes))).to_pylist()
    if len(out) < n:
        raise ValueError(f"could draw only {len(out):,} unique queries, not {n:,}")
    return out[:n]


if __name__ == "__main__":
    import sys
    import time

    n_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    kind = sys.argv[2] if len(sys.argv) > 2 else "small"
    began = time.perf_counter()
    written = [make_large_report(None, n_rows, kind=kind)]
    if kind == "longtail":
        written.append(make_keyword_report(n_rows))
    for done in written:
        print(f"{done} ({done.stat().st_size / 1e6:.0f} MB)")
    print(f"in {time.perf_counter() - began:.1f} s")
