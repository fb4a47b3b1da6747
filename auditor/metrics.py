"""Metrics at every level (search term, keyword, n-gram, ad group, campaign, account).

Rows of the canonical table are grouped with integer codes (pyarrow dictionary encoding,
`pd.factorize` of combined int64 keys) and summed with `np.bincount`: no Python loop over rows.
Derived metrics are computed only when a rule reads them (`Level.get`).

Statistics, in words:

- `baseline_cvr`: the conversion rate this row is judged against. For a search term or a
  keyword it is the rate of the REST of its ad group (leave-one-out, so a big failing term does
  not drag its own benchmark down), shrunk toward the campaign's rate, which is itself shrunk
  toward the account's: `(conversions + K * parent_rate) / (clicks + K)` with `K =
  PRIOR_CLICKS` (100 clicks). An ad group with 100 clicks of its own counts half, one with
  1,000 clicks 91%. Ad groups are judged against the rest of their campaign, campaigns against
  the rest of the account, n-grams and the account against the account rate.
- `expected_conversions` = clicks x baseline_cvr.
- `p_zero`: the chance of seeing zero conversions when `expected_conversions` were due, and
  `p_low` the chance of seeing at most the conversions observed: both from the one exact
  Poisson tail `auditor.stats.poisson_cdf` (p_zero = exp(-expected); slightly above the binomial
  `(1 - p) ** clicks`, so it errs toward not flagging).

For proposals, the review app and the summary (the same figures as the findings):

- `term_baseline_cvr(ws)`: per row of the canonical table, the baseline rate of its search-term
  row (campaign, ad group, term): what WASTE001/002 judge that row's clicks against.
- `expectation(ws, rows)`: clicks, conversions, expected conversions (the sum of each row's
  clicks x its term baseline rate), the rate that implies, `p_zero` and `p_low` for any set of
  table rows (a term across ad groups, a negative's blocked rows). For one search-term row it
  is the finding's figures exactly. `expectation(ws, rows, account_rate=True)` judges the rows at
  the account rate, as the n-gram level (WASTE004) does for a word shared by many terms.
- `Expectation.phrase()`: the one wording (`auditor.stats.chance_phrase`).

Close variants (`auditor.terms.variants`): `close_variant_conversions` / `close_variant_cpa` judge a
zero-conversion term with its converting close variants (same words reordered, singular /
plural, fuzzy >= 90 with as many words and the same numbers). Splits (`auditor.splits`):
`competing_ad_groups` counts the serving ad groups that reach the same searches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema, splits
from auditor.config import Settings
from auditor.context import AuditContext
from auditor.profile import stage
from auditor.stats import PRIOR_CLICKS, chance_phrase, poisson_cdf
from auditor.terms import variants

SUMS = ("cost", "clicks", "impressions", "conversions", "conversion_value")
LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "search_term": ("campaign", "ad_group", "search_term"),
    "keyword": ("campaign", "ad_group", "keyword", "keyword_match_type"),
    "ad_group": ("campaign", "ad_group"),
    "campaign": ("campaign",),
    "account": (),
    "ngram": ("ngram",),
}
SUBJECT: dict[str, str | None] = {
    "search_term": "search_term",
    "keyword": "keyword",
    "ngram": "ngram",
    "ad_group": "ad_group",
    "campaign": "campaign",
    "account": None,
    "term_account": "search_term",
}
"""The key column that names a level's rows in a finding."""

_KEY_ORDER = ("campaign", "ad_group", "keyword", "keyword_match_type", "search_term")

LOOSE_MATCHES = {
    "variant": (schema.MATCH_EXACT_CV, schema.MATCH_PHRASE_CV),
    "broad": (schema.MATCH_BROAD,),
    "exact": (schema.MATCH_EXACT,),
    "strict": (schema.MATCH_EXACT, schema.MATCH_PHRASE),
}
"""Search-term match types behind the `<kind>_*` metrics. `variant` (close variants) is judged
against `strict` (true exact and phrase matches: the queries the keywords were written for),
`broad` against `exact`."""
COUNTERPART = {"variant": "strict", "broad": "exact"}

Value = np.ndarray | float


@dataclass(frozen=True)
class Metric:
    """A name the condition language can read, what it needs, and how to compute it."""

    doc: str
    compute: Callable[[Level], Value]
    columns: frozenset[str] = frozenset()
    needs: str | None = None
    """`margin`, `hidden_share`, `keywords`, `ngrams` or `match_type`: what beyond columns."""
    flag: bool = False
    levels: frozenset[str] | None = None
    """Levels the metric exists at (None: all)."""


@dataclass
class Baseline:
    """The account figures rules judge against, and where targets came from."""

    cost: float
    clicks: float
    impressions: float
    conversions: float
    value: float
    cvr: float
    cpa: float
    roas: float
    target_cpa: float
    target_cpa_source: str
    target_roas: float
    target_roas_source: str
    margin: float | None
    break_even_roas: float | None
    hidden_share: float | None

    def as_dict(self) -> dict[str, float | str | None]:
        return {
            "cpa": _finite(self.cpa),
            "roas": _finite(self.roas),
            "cvr": _finite(self.cvr),
            "target_cpa": _finite(self.target_cpa),
            "target_cpa_source": self.target_cpa_source,
            "target_roas": _finite(self.target_roas),
            "target_roas_source": self.target_roas_source,
            "margin": self.margin,
            "break_even_roas": self.break_even_roas,
            "hidden_share": self.hidden_share,
            "prior_clicks": PRIOR_CLICKS,
        }


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 and math.isfinite(num) else math.nan


def _column_sum(table: pd.DataFrame, col: str, present: frozenset[str]) -> float:
    return float(table[col].sum()) if col in present else math.nan


def account_baseline(
    table: pd.DataFrame, present: frozenset[str], settings: Settings, hidden: float | None
) -> Baseline:
    """Account totals and the targets in force (settings first, else the account's own)."""
    s = {c: _column_sum(table, c, present) for c in SUMS}
    cpa = _ratio(s["cost"], s["conversions"])
    roas = _ratio(s["conversion_value"], s["cost"])
    margin = settings.margin
    return Baseline(
        cost=s["cost"],
        clicks=s["clicks"],
        impressions=s["impressions"],
        conversions=s["conversions"],
        value=s["conversion_value"],
        cvr=_ratio(s["conversions"], s["clicks"]),
        cpa=cpa,
        roas=roas,
        target_cpa=settings.target_cpa if settings.target_cpa is not None else cpa,
        target_cpa_source="settings" if settings.target_cpa is not None else "account",
        target_roas=settings.target_roas if settings.target_roas is not None else roas,
        target_roas_source="settings" if settings.target_roas is not None else "account",
        margin=margin,
        break_even_roas=1.0 / margin if margin else None,
        hidden_share=hidden,
    )


def _codes(column: pd.Series) -> np.ndarray:
    """Integer code per row (NA gets its own code 0; values 1..n)."""
    return schema.text_codes(column)[0] + 1


@dataclass
class Groups:
    """Rows grouped by some key columns: group id per row (numbered in order of first
    appearance), group count, first row per group."""

    ids: np.ndarray
    size: int
    _first: np.ndarray | None = None

    @property
    def first(self) -> np.ndarray:
        if self._first is None:
            # ids are numbered by first appearance, so a group starts where a new maximum is hit
            top = np.maximum.accumulate(self.ids)
            self._first = np.flatnonzero(np.r_[True, self.ids[1:] > top[:-1]])
        return self._first

    def sum(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.ids, weights=values, minlength=self.size)


def refine(parent: Groups | None, codes: np.ndarray) -> Groups:
    """Split `parent`'s groups by one more key column (its integer `codes` per row)."""
    if not len(codes):
        return Groups(np.zeros(0, dtype=np.int64), 0)
    if parent is None and _numbered_in_order(codes - codes.min()):
        return Groups(codes - codes.min(), int(codes.max() - codes.min()) + 1)
    combined = codes if parent is None else parent.ids * np.int64(codes.max() + 1) + codes
    ids, uniques = pd.factorize(combined)
    return Groups(ids.astype(np.int64, copy=False), len(uniques))


def _numbered_in_order(codes: np.ndarray) -> bool:
    """Whether the codes number their values 0, 1, 2, ... in order of first appearance (as
    `pd.factorize` would): a column's dictionary codes usually do, and need no hashing then."""
    top = np.maximum.accumulate(codes)
    return bool(codes[0] == 0 and (np.diff(top) <= 1).all())


class Workspace:
    """Everything the metrics of one audit share: the table, groupings, baseline, levels."""

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self.table = ctx.table
        self.present = ctx.columns_present
        self.settings = ctx.settings
        self.baseline = account_baseline(
            ctx.table, ctx.columns_present, ctx.settings, ctx.hidden_share
        )
        self._groups: dict[tuple[str, ...], Groups] = {}
        self._levels: dict[str, Level] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._masks: dict[str, np.ndarray] = {}
        self._splits: PairSplits | None = None
        self._bought: pa.Array | None = None

    def clear(self) -> None:
        """Drop the cached groupings, columns and levels. Levels point back at the workspace,
        so without this they would wait for the garbage collector, holding a few hundred MB of
        a million-row report through the stages after the rules."""
        for cache in (self._groups, self._levels, self._columns, self._codes, self._masks):
            cache.clear()
        self._splits = None

    def codes(self, column: str) -> np.ndarray:
        """Integer code per row of a text column (0 = missing)."""
        if column not in self._codes:
            self._codes[column] = _codes(self.table[column])
        return self._codes[column]

    def groups(self, keys: tuple[str, ...]) -> Groups:
        """Rows grouped by `keys` (missing is a value of its own); built key by key, cached.

        The partition does not depend on the order of the keys, so they are put in one
        canonical order first and every grouping reuses the coarser ones before it.
        """
        keys = tuple(sorted(set(keys), key=_KEY_ORDER.index))
        if keys not in self._groups:
            if not keys:
                n = len(self.table)
                self._groups[keys] = Groups(np.zeros(n, dtype=np.int64), 1 if n else 0)
            else:
                parent = self.groups(keys[:-1]) if len(keys) > 1 else None
                self._groups[keys] = refine(parent, self.codes(keys[-1]))
        return self._groups[keys]

    def column(self, name: str) -> np.ndarray:
        """A metric column as float64, NaN everywhere when the report lacks it."""
        if name not in self._columns:
            if name in self.present or name not in SUMS:
                values = self.table[name].to_numpy(dtype=np.float64, na_value=np.nan)
                self._columns[name] = np.nan_to_num(values, nan=0.0)
            else:
                self._columns[name] = np.full(len(self.table), np.nan)
        return self._columns[name]

    def match_mask(self, kind: str) -> np.ndarray:
        """Rows whose search-term match type is one of `LOOSE_MATCHES[kind]` (cached)."""
        if kind not in self._masks:
            types = self.table["match_type"].isin(LOOSE_MATCHES[kind])
            self._masks[kind] = types.to_numpy(dtype=bool, na_value=False)
        return self._masks[kind]

    def active_rows(self) -> np.ndarray:
        """Rows with clicks or cost (every row when the report has neither column)."""
        if not {"clicks", "cost"} & self.present:
            return np.ones(len(self.table), dtype=bool)
        with np.errstate(invalid="ignore"):
            return (self.column("clicks") > 0) | (self.column("cost") > 0)

    def splits(self) -> PairSplits:
        """The split signature of every (campaign, ad group) pair (`auditor.splits`), cached."""
        if self._splits is None:
            self._splits = _pair_splits(self)
        return self._splits

    def has_keywords(self) -> bool:
        return bool(len(self.ctx.keywords)) and bool(self.ctx.keywords["keyword"].notna().any())

    def has_match_types(self) -> bool:
        return bool(self.table["match_type"].notna().any())

    def level(self, name: str) -> Level:
        if name not in self._levels:
            with stage("metrics"):
                self._levels[name] = _build_level(self, name)
        return self._levels[name]


@dataclass
class Level:
    """The rows of one level (one per group) and its metrics, computed on demand."""

    name: str
    ws: Workspace
    keys: LazyKeys
    """Key column -> texts (None for NA), one per row of the level."""
    size: int
    groups: Groups | None
    """Row -> level-row grouping of the canonical table (None for n-grams)."""
    sums: dict[str, np.ndarray] = field(default_factory=dict)
    valid: np.ndarray | None = None
    """Level rows a rule may judge (keyword level: rows that have a keyword)."""
    _cache: dict[str, Value] = field(default_factory=dict)

    def get(self, name: str) -> Value:
        if name not in self._cache:
            with stage("metrics"):
                self._cache[name] = METRICS[name].compute(self)
        return self._cache[name]

    def sum(self, column: str, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum of a canonical metric column per level row (rows of the table under `mask`)."""
        if column in self.sums and mask is None:
            return self.sums[column]
        if self.groups is None:
            raise KeyError(f"{column} is not available at the {self.name} level")
        values = self.ws.column(column)
        if mask is not None:
            values = np.where(mask, values, 0.0)
        return self.groups.sum(values)

    def subject(self) -> pa.Array:
        """The texts naming the level's rows, as a pyarrow array."""
        key = SUBJECT[self.name]
        if key is None:
            return pa.array(["account"] * self.size, type=pa.large_string())
        return self.keys.arrow(key).cast(pa.large_string())


class LazyKeys(Mapping[str, np.ndarray]):
    """A level's key texts, one per level row, taken from the table only when first read.

    `arrow(name)` gives them as a pyarrow array (for vectorised text matching), `at(name,
    rows)` as Python strings for a few rows (findings), `keys[name]` as an object array.
    `source(name, rows)` returns the texts of the level rows `rows` (all of them for None).
    """

    def __init__(
        self, source: Callable[[str, np.ndarray | None], pa.Array], names: tuple[str, ...]
    ) -> None:
        self.source, self.names = source, names
        self._arrow: dict[str, pa.Array] = {}
        self._numpy: dict[str, np.ndarray] = {}

    def arrow(self, name: str) -> pa.Array:
        if name not in self.names:
            raise KeyError(name)
        if name not in self._arrow:
            self._arrow[name] = self.source(name, None)
        return self._arrow[name]

    def at(self, name: str, rows: np.ndarray) -> list[str | None]:
        if name not in self.names:
            raise KeyError(name)
        if name in self._arrow:
            return self._arrow[name].take(pa.array(rows, type=pa.int64())).to_pylist()
        return self.source(name, rows).to_pylist()

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._numpy:
            self._numpy[name] = np.asarray(self.arrow(name).to_pylist(), dtype=object)
        return self._numpy[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _table_keys(table: pd.DataFrame, names: tuple[str, ...], first: np.ndarray) -> LazyKeys:
    def source(name: str, rows: np.ndarray | None) -> pa.Array:
        codes, texts = schema.text_codes(table[name])
        picked = codes[first if rows is None else first[rows]]
        return texts.take(pa.array(picked, type=pa.int64(), mask=picked < 0))

    return LazyKeys(source, names)


def _frame_keys(frame: pd.DataFrame, name: str) -> LazyKeys:
    texts = pa.array(frame[name].astype(schema.STRING_DTYPE).array)

    def source(_: str, rows: np.ndarray | None) -> pa.Array:
        return texts if rows is None else texts.take(pa.array(rows, type=pa.int64()))

    return LazyKeys(source, (name,))


def _build_level(ws: Workspace, name: str) -> Level:
    if name == "ngram":
        return _ngram_level(ws)
    keys = ("search_term",) if name == "term_account" else LEVEL_KEYS[name]
    groups = ws.groups(keys)
    level = Level(
        name=name,
        ws=ws,
        keys=_table_keys(ws.table, keys, groups.first),
        size=groups.size,
        groups=groups,
    )
    for col in SUMS:
        level.sums[col] = groups.sum(ws.column(col))
    if name == "keyword":
        level.valid = ws.codes("keyword")[groups.first] > 0
    return level


def _ngram_level(ws: Workspace) -> Level:
    """N-grams of the search terms that had clicks (`auditor.terms.ngrams.ngram_table`).

    Terms without clicks cost nothing and convert nothing; leaving them out makes the level
    several times faster on real reports (most rows have no click), and `terms` counts the
    terms that were clicked. A report without a Clicks column uses every row.
    """
    from auditor.terms.ngrams import ngram_table

    table = ws.table
    if "clicks" in ws.present:
        clicked = ws.column("clicks") > 0
        table = table if clicked.all() else table.loc[clicked, ["search_term", *SUMS]]
    frame = ngram_table(table)
    level = Level(
        name="ngram",
        ws=ws,
        keys=_frame_keys(frame, "ngram"),
        size=len(frame),
        groups=None,
    )
    for col in (*SUMS, "terms", "n"):
        level.sums[col] = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return level


def _div(num: Value, den: Value) -> Value:
    with np.errstate(all="ignore"):
        return np.where(np.asarray(den) > 0, np.true_divide(num, den), np.nan)


def _sum(column: str) -> Callable[[Level], Value]:
    return lambda lv: lv.sum(column)


def _scalar(get: Callable[[Baseline], float | None]) -> Callable[[Level], Value]:
    def compute(lv: Level) -> Value:
        value = get(lv.ws.baseline)
        return math.nan if value is None else float(value)

    return compute


def _margin(lv: Level) -> float:
    return lv.ws.baseline.margin or math.nan


def _hidden_figure(column: str) -> Callable[[Level], Value]:
    """A figure of the search-terms reports' own `Total: Other search terms` rows (summed).

    The cost falls back to what the hidden share implies when no file gives the row (a rule
    test case); the other figures are NaN then, as they are when the row lacks the column.
    """

    def compute(lv: Level) -> Value:
        found = [
            r.file_totals["other_search_terms"].get(column)
            for r, role in zip(lv.ws.ctx.reports, lv.ws.ctx.roles, strict=True)
            if role == "report"
            and r.kind == schema.KIND_SEARCH_TERMS
            and "other_search_terms" in r.file_totals
        ]
        if found:
            return math.nan if None in found else float(sum(found))
        b = lv.ws.baseline
        if column != "cost" or b.hidden_share is None or b.hidden_share >= 1:
            return math.nan
        return b.cost * b.hidden_share / (1.0 - b.hidden_share)

    return compute


def _baseline_cvr(lv: Level) -> Value:
    """See the module docstring: leave-one-out parent rate, shrunk toward the grandparent."""
    ws, k = lv.ws, PRIOR_CLICKS
    account = ws.baseline.cvr
    if lv.groups is None or lv.name in ("account", "term_account"):
        return np.full(lv.size, account)
    conv, clicks = lv.sum("conversions"), lv.sum("clicks")
    first = lv.groups.first
    if lv.name == "campaign":
        parent_conv, parent_clicks, prior = ws.baseline.conversions, ws.baseline.clicks, account
    else:
        camp = ws.groups(("campaign",))
        camp_conv, camp_clicks = camp.sum(ws.column("conversions")), camp.sum(ws.column("clicks"))
        if lv.name == "ad_group":
            g = camp.ids[first]
            parent_conv, parent_clicks, prior = camp_conv[g], camp_clicks[g], account
        else:
            camp_rate = (camp_conv + k * account) / (camp_clicks + k)
            ag = ws.groups(("campaign", "ad_group"))
            g = ag.ids[first]
            parent_conv = ag.sum(ws.column("conversions"))[g]
            parent_clicks = ag.sum(ws.column("clicks"))[g]
            prior = camp_rate[camp.ids[first]]
    rest_conv = np.maximum(parent_conv - conv, 0.0)
    rest_clicks = np.maximum(parent_clicks - clicks, 0.0)
    return (rest_conv + k * prior) / (rest_clicks + k)


def _expected(lv: Level) -> Value:
    return lv.sum("clicks") * lv.get("baseline_cvr")


def _p_zero(lv: Level) -> Value:
    return poisson_cdf(0.0, np.asarray(lv.get("expected_conversions")))


def _p_low(lv: Level) -> Value:
    return poisson_cdf(lv.sum("conversions"), np.asarray(lv.get("expected_conversions")))


def term_baseline_cvr(ws: Workspace) -> np.ndarray:
    """Per table row: the baseline rate of its search-term row (see the module docstring)."""
    lv = ws.level("search_term")
    assert lv.groups is not None
    return np.asarray(lv.get("baseline_cvr"), dtype=float)[lv.groups.ids]


@dataclass(frozen=True)
class Expectation:
    """Expected conversions of some table rows, and the chance of what was seen."""

    clicks: float
    conversions: float
    expected: float
    rate: float
    p_zero: float
    p_low: float

    def phrase(self) -> str:
        return chance_phrase(self.expected, self.rate, self.conversions, self.p_low)


def expectation(ws: Workspace, rows: np.ndarray, *, account_rate: bool = False) -> Expectation:
    """See the module docstring: the rows' figures at their terms' baseline rates (or at the
    account rate)."""
    clicks = ws.column("clicks")[rows]
    conv = float(ws.column("conversions")[rows].sum())
    if account_rate:
        expected = float(clicks.sum()) * ws.baseline.cvr
    else:
        expected = float((clicks * term_baseline_cvr(ws)[rows]).sum())
    total = float(clicks.sum())
    rate = expected / total if total > 0 else math.nan
    return Expectation(
        clicks=total,
        conversions=conv,
        expected=expected,
        rate=rate,
        p_zero=float(poisson_cdf(0.0, expected)),
        p_low=float(poisson_cdf(conv, expected)),
    )


def _brand_pattern(brand: tuple[str, ...]) -> str | None:
    words = [r"\s+".join(_re2_escape(w) for w in b.lower().split()) for b in brand if b.strip()]
    if not words:
        return None
    return r"(?:^|[^\pL\pN])(?:" + "|".join(words) + r")(?:$|[^\pL\pN])"


def _re2_escape(text: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in text)


def _is_brand(lv: Level) -> Value:
    pattern = _brand_pattern(lv.ws.settings.brand)
    if pattern is None or lv.name == "account":
        return np.zeros(lv.size, dtype=bool)
    hits = pc.match_substring_regex(lv.subject(), pattern, ignore_case=True)
    return np.asarray(hits.fill_null(False), dtype=bool)


def _is_keyword(lv: Level) -> Value:
    """The row's text, normalised, is the text of a bought keyword (any match type).

    Judged once per distinct text of the table's column (a level row takes its text's answer).
    """
    key = SUBJECT[lv.name]
    if lv.groups is None or key is None:
        return _bought(lv.ws, lv.subject())
    codes, texts = schema.text_codes(lv.ws.table[key])
    hits = _bought(lv.ws, pa.concat_arrays([texts, pa.array([None], pa.large_string())]))
    return hits[codes[lv.groups.first]]


def _bought(ws: Workspace, texts: pa.Array) -> np.ndarray:
    """Whether each text (missing: empty), normalised, is a bought keyword's text."""
    from auditor.terms.matching import normalize

    if ws._bought is None:
        _, kw = schema.text_codes(ws.ctx.keywords["keyword"])
        norm = pc.replace_substring_regex(normalize(kw.drop_null()), r"\+", "")
        ws._bought = pc.unique(norm).cast(pa.large_string())
    hits = pc.is_in(normalize(texts).cast(pa.large_string()), value_set=ws._bought)
    return np.asarray(hits.fill_null(False), dtype=bool)


def _is_added(lv: Level) -> Value:
    assert lv.groups is not None
    status = lv.ws.table["status"]
    known = status.isin([schema.STATUS_ADDED, schema.STATUS_EXCLUDED, schema.STATUS_ADDED_EXCLUDED])
    return lv.groups.sum(known.to_numpy(dtype=float, na_value=0.0)) > 0


def _distinct(extra: tuple[str, ...], *, active: bool = False) -> Callable[[Level], Value]:
    """How many distinct `extra` key combinations each level row spans.

    `active`: only combinations with clicks or cost (impressions alone do not count).
    """

    def compute(lv: Level) -> Value:
        if lv.name == "ngram" and extra == ("search_term",):
            return lv.sums["terms"]
        assert lv.groups is not None
        keys = (*_level_keys(lv), *extra)
        combos = lv.ws.groups(keys)
        owner = lv.groups.ids[combos.first]
        if active:
            owner = owner[combos.sum(lv.ws.active_rows().astype(float)) > 0]
        return np.bincount(owner, minlength=lv.size).astype(float)

    return compute


def _level_keys(lv: Level) -> tuple[str, ...]:
    return ("search_term",) if lv.name == "term_account" else LEVEL_KEYS[lv.name]


def _match_mask(lv: Level, kind: str) -> np.ndarray:
    return lv.ws.match_mask(kind)


def _match_sum(kind: str, column: str) -> Callable[[Level], Value]:
    return lambda lv: lv.sum(column, _match_mask(lv, kind))


def _match_ratio(kind: str, num: str, den: str) -> Callable[[Level], Value]:
    return lambda lv: _div(lv.get(f"{kind}_{num}"), lv.get(f"{kind}_{den}"))


def _match_expected(kind: str) -> Callable[[Level], Value]:
    base = COUNTERPART[kind]
    return lambda lv: lv.get(f"{kind}_clicks") * np.asarray(lv.get(f"{base}_cvr"))


def _match_p_low(kind: str) -> Callable[[Level], Value]:
    return lambda lv: poisson_cdf(lv.get(f"{kind}_conversions"), lv.get(f"{kind}_expected"))


@dataclass
class PairSplits:
    """Per table row, the id of its (campaign, ad group) pair's split signature (0: none),
    the distinct signatures, and which of them reach the same searches."""

    row_ids: np.ndarray
    signatures: list[splits.Signature | None]
    overlap: np.ndarray
    campaigns: dict[str, splits.Signature]
    """The campaigns' own signatures (a split between campaigns is named by these)."""


def _pair_splits(ws: Workspace) -> PairSplits:
    pairs = ws.groups(("campaign", "ad_group"))
    first = pairs.first
    camps = ws.table["campaign"].iloc[first].tolist()
    groups = ws.table["ad_group"].iloc[first].tolist()
    camps = [c if isinstance(c, str) else None for c in camps]
    groups = [g if isinstance(g, str) else None for g in groups]
    ids, distinct = splits.signature_ids(splits.pair_signatures(camps, groups))
    by_campaign = splits.split_signatures(c for c in camps if c)
    return PairSplits(ids[pairs.ids], distinct, splits.overlap_matrix(distinct), by_campaign)


def _competing(lv: Level) -> Value:
    """Serving ad groups that reach the same searches as another serving ad group.

    Equal to `ad_groups` unless campaigns or ad groups are split by location, device,
    language or audience (`auditor.splits`): ad groups set apart by a split do not compete.
    """
    served = np.asarray(lv.get("ad_groups"), dtype=float)
    sp = lv.ws.splits()
    if len(sp.signatures) <= 1:
        return served
    assert lv.groups is not None
    combos = lv.ws.groups((*_level_keys(lv), "campaign", "ad_group"))
    active = combos.sum(lv.ws.active_rows().astype(float)) > 0
    owner = lv.groups.ids[combos.first][active]
    sig = sp.row_ids[combos.first][active]
    many = served[owner] >= 2
    owner, sig = owner[many], sig[many]
    n_sig = len(sp.signatures)
    counts = np.bincount(owner * n_sig + sig, minlength=lv.size * n_sig)
    pairs = np.flatnonzero(counts)
    t, s = pairs // n_sig, pairs % n_sig
    frame = pd.DataFrame({"t": t, "s": s, "n": counts[pairs]})
    both = frame.merge(frame, on="t", suffixes=("", "_other"))
    both = both[sp.overlap[both["s"].to_numpy(), both["s_other"].to_numpy()]]
    reach = both.groupby(["t", "s"], sort=False)["n_other"].sum()
    keep = reach[reach >= 2].reset_index()
    keep = keep.merge(frame, on=["t", "s"])
    out = np.where(served >= 2, 0.0, served)
    np.add.at(out, keep["t"].to_numpy(), keep["n"].to_numpy(dtype=float))
    return out


DATA_FLOOR = 0.25
"""No rule judges a term alone below this share of the CPA (account's or target, the higher)."""


def data_floor(b: Baseline) -> float:
    """The cost below which a term is never judged on its own (0 without any CPA)."""
    cpa = np.nanmax([b.cpa, b.target_cpa, 0.0])
    return float(DATA_FLOOR * cpa) if math.isfinite(cpa) else 0.0


def _close_variants(lv: Level) -> np.ndarray:
    """Conversions and cost of the term's close variants (`auditor.terms.variants`) that converted,
    account-wide, one row per level row (two columns); for an n-gram, of the n-grams that are
    its close variants (`airpods pro case` and `airpod pro case`).

    Computed for terms without conversions that cost at least the data floor (the only ones a
    waste rule can flag), n-grams from a whole CPA (WASTE004's bar); 0 for the others."""
    ws = lv.ws
    terms = lv if lv.name == "ngram" else ws.level("term_account")
    key = "ngram" if lv.name == "ngram" else "search_term"
    conv, cost, clicks = (terms.sums[c] for c in ("conversions", "cost", "clicks"))
    floor = data_floor(ws.baseline)
    if lv.name == "ngram":
        floor = floor / DATA_FLOOR
    cand = np.flatnonzero((conv == 0) & (cost >= floor) & (clicks > 0))
    conv_rows = np.flatnonzero(conv > 0)
    out = np.zeros((terms.size, 2))
    if len(cand) and len(conv_rows):
        out[cand] = variants.variant_figures(
            [str(t) for t in terms.keys.at(key, cand)],
            [str(t) for t in terms.keys.at(key, conv_rows)],
            np.column_stack([conv[conv_rows], cost[conv_rows]]),
        )
    if lv.name in ("term_account", "ngram"):
        return out
    assert lv.groups is not None
    return out[ws.groups(("search_term",)).ids[lv.groups.first]]


def _variant_figures(lv: Level) -> np.ndarray:
    if "_close_variants" not in lv._cache:
        lv._cache["_close_variants"] = _close_variants(lv)
    return np.asarray(lv._cache["_close_variants"])


def _close_variant_cpa(lv: Level) -> Value:
    """(cost + the converting close variants' cost) / their conversions: the family's CPA."""
    fig = _variant_figures(lv)
    return _div(lv.sum("cost") + fig[:, 1], fig[:, 0])


_CONV = frozenset({"conversions"})
_CLICK_CONV = frozenset({"clicks", "conversions"})
_GROUPED = frozenset({"search_term", "keyword", "ad_group", "campaign", "account", "term_account"})
_MATCH_LEVELS = frozenset({"keyword", "ad_group", "campaign", "account"})
_TEXT_LEVELS = frozenset({"search_term", "keyword", "ngram", "term_account"})


def _metric_table() -> dict[str, Metric]:
    m: dict[str, Metric] = {
        "cost": Metric("cost in the account currency", _sum("cost"), frozenset({"cost"})),
        "clicks": Metric("clicks", _sum("clicks"), frozenset({"clicks"})),
        "impressions": Metric("impressions", _sum("impressions"), frozenset({"impressions"})),
        "conversions": Metric("conversions", _sum("conversions"), _CONV),
        "value": Metric(
            "conversion value", _sum("conversion_value"), frozenset({"conversion_value"})
        ),
        "ctr": Metric(
            "clicks / impressions",
            lambda lv: _div(lv.sum("clicks"), lv.sum("impressions")),
            frozenset({"clicks", "impressions"}),
        ),
        "cpc": Metric(
            "cost / clicks",
            lambda lv: _div(lv.sum("cost"), lv.sum("clicks")),
            frozenset({"cost", "clicks"}),
        ),
        "cvr": Metric(
            "conversions / clicks",
            lambda lv: _div(lv.sum("conversions"), lv.sum("clicks")),
            _CLICK_CONV,
        ),
        "cpa": Metric(
            "cost / conversions (NaN without conversions)",
            lambda lv: _div(lv.sum("cost"), lv.sum("conversions")),
            frozenset({"cost", "conversions"}),
        ),
        "roas": Metric(
            "conversion value / cost",
            lambda lv: _div(lv.sum("conversion_value"), lv.sum("cost")),
            frozenset({"cost", "conversion_value"}),
        ),
        "poas": Metric(
            "gross profit / cost = value x margin / cost (above 1 pays for itself)",
            lambda lv: np.asarray(lv.get("roas")) * _margin(lv),
            frozenset({"cost", "conversion_value"}),
            needs="margin",
        ),
        "profit": Metric(
            "value x margin - cost (gross profit after ad cost)",
            lambda lv: lv.sum("conversion_value") * _margin(lv) - lv.sum("cost"),
            frozenset({"cost", "conversion_value"}),
            needs="margin",
        ),
        "gross_profit": Metric(
            "value x margin (gross profit before ad cost)",
            lambda lv: lv.sum("conversion_value") * _margin(lv),
            frozenset({"conversion_value"}),
            needs="margin",
        ),
        "hidden_cost": Metric(
            "cost of the search terms the platform does not list (account level)",
            _hidden_figure("cost"),
            frozenset({"cost"}),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "hidden_clicks": Metric(
            "clicks of the search terms the platform does not list (account level)",
            _hidden_figure("clicks"),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "hidden_conversions": Metric(
            "conversions of the search terms the platform does not list (account level)",
            _hidden_figure("conversions"),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "hidden_value": Metric(
            "conversion value of the search terms the platform does not list (account level)",
            _hidden_figure("conversion_value"),
            needs="hidden_share",
            levels=frozenset({"account"}),
        ),
        "break_even_roas": Metric(
            "1 / margin", _scalar(lambda b: b.break_even_roas), needs="margin"
        ),
        "margin": Metric("gross margin (settings)", _scalar(lambda b: b.margin), needs="margin"),
        "account_cpa": Metric(
            "the account's CPA", _scalar(lambda b: b.cpa), frozenset({"cost", "conversions"})
        ),
        "account_roas": Metric(
            "the account's ROAS",
            _scalar(lambda b: b.roas),
            frozenset({"cost", "conversion_value"}),
        ),
        "account_cvr": Metric(
            "the account's conversion rate", _scalar(lambda b: b.cvr), _CLICK_CONV
        ),
        "target_cpa": Metric(
            "target CPA from settings, else the account's CPA",
            _scalar(lambda b: b.target_cpa),
            frozenset({"cost", "conversions"}),
        ),
        "target_roas": Metric(
            "target ROAS from settings, else the account's ROAS",
            _scalar(lambda b: b.target_roas),
            frozenset({"cost", "conversion_value"}),
        ),
        "target_cpas": Metric(
            "cost / target_cpa: how many target CPAs the row cost",
            lambda lv: (
                lv.sum("cost") / lv.ws.baseline.target_cpa
                if lv.ws.baseline.target_cpa > 0
                else np.full(lv.size, np.nan)
            ),
            frozenset({"cost", "conversions"}),
        ),
        "hidden_share": Metric(
            "share of search cost on terms the platform does not list (0-1)",
            _scalar(lambda b: b.hidden_share),
            needs="hidden_share",
        ),
        "cost_share": Metric(
            "share of the account's listed cost (0-1)",
            lambda lv: lv.sum("cost") / lv.ws.baseline.cost if lv.ws.baseline.cost > 0 else np.nan,
            frozenset({"cost"}),
        ),
        "baseline_cvr": Metric(
            "conversion rate this row is judged against (shrunk parent rate)",
            _baseline_cvr,
            _CLICK_CONV,
        ),
        "expected_conversions": Metric("clicks x baseline_cvr", _expected, _CLICK_CONV),
        "p_zero": Metric(
            "chance of zero conversions at the baseline rate (Poisson)", _p_zero, _CLICK_CONV
        ),
        "p_low": Metric(
            "chance of at most the observed conversions at the baseline rate (Poisson)",
            _p_low,
            _CLICK_CONV,
        ),
        "terms": Metric("distinct search terms", _distinct(("search_term",))),
        "words": Metric(
            "number of words in the n-gram (1-3)",
            lambda lv: lv.sums["n"],
            levels=frozenset({"ngram"}),
        ),
        "ad_groups": Metric(
            "distinct ad groups that served it with clicks or cost",
            _distinct(("campaign", "ad_group"), active=True),
            levels=_GROUPED,
        ),
        "campaigns": Metric(
            "distinct campaigns that served it with clicks or cost",
            _distinct(("campaign",), active=True),
            levels=_GROUPED,
        ),
        "close_variant_conversions": Metric(
            "conversions of the term's close variants (same words in another order, singular"
            " / plural, fuzzy >= 90 with as many words) across the account; computed for"
            " zero-conversion terms at or above the data floor, 0 for others",
            lambda lv: _variant_figures(lv)[:, 0],
            _CONV,
            levels=frozenset({"search_term", "term_account", "ngram"}),
        ),
        "close_variant_cpa": Metric(
            "the term judged with its converting close variants: (its cost + theirs) / their"
            " conversions (missing when no close variant converted)",
            _close_variant_cpa,
            frozenset({"cost", "conversions"}),
            levels=frozenset({"search_term", "term_account", "ngram"}),
        ),
        "competing_ad_groups": Metric(
            "serving ad groups that reach the same searches as another one (campaigns or ad"
            " groups split by location, device, language or audience do not compete)",
            _competing,
            levels=frozenset({"term_account"}),
        ),
        "is_brand": Metric(
            "the text contains a brand term (--brand) as whole words", _is_brand, flag=True
        ),
        "is_keyword": Metric(
            "the text is already a bought keyword (any match type, normalised)",
            _is_keyword,
            needs="keywords",
            flag=True,
            levels=_TEXT_LEVELS,
        ),
        "is_added": Metric(
            "Added/Excluded says the term is already a keyword or a negative",
            _is_added,
            flag=True,
            levels=_GROUPED,
        ),
    }
    kinds = (
        ("exact", "exact"),
        ("strict", "exact and phrase (not close-variant)"),
        ("variant", "close-variant"),
        ("broad", "broad"),
    )
    for kind, words in kinds:
        m[f"{kind}_clicks"] = Metric(
            f"clicks from {words} matches",
            _match_sum(kind, "clicks"),
            frozenset({"clicks"}),
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_cost"] = Metric(
            f"cost of {words} matches",
            _match_sum(kind, "cost"),
            frozenset({"cost"}),
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_conversions"] = Metric(
            f"conversions from {words} matches",
            _match_sum(kind, "conversions"),
            _CONV,
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_cvr"] = Metric(
            f"conversion rate of {words} matches",
            _match_ratio(kind, "conversions", "clicks"),
            _CLICK_CONV,
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        m[f"{kind}_cpa"] = Metric(
            f"CPA of {words} matches",
            _match_ratio(kind, "cost", "conversions"),
            frozenset({"cost", "conversions"}),
            needs="match_type",
            levels=_MATCH_LEVELS,
        )
        if kind in COUNTERPART:
            base = COUNTERPART[kind]
            m[f"{kind}_expected"] = Metric(
                f"conversions {words} clicks would bring at the {base} conversion rate",
                _match_expected(kind),
                _CLICK_CONV,
                needs="match_type",
                levels=_MATCH_LEVELS,
            )
            m[f"{kind}_p_low"] = Metric(
                f"chance of at most the {words} conversions at the {base} rate (Poisson)",
                _match_p_low(kind),
                _CLICK_CONV,
                needs="match_type",
                levels=_MATCH_LEVELS,
            )
    m["conversion_value"] = m["value"]
    return m


METRICS: dict[str, Metric] = _metric_table()
FLAGS: frozenset[str] = frozenset(n for n, m in METRICS.items() if m.flag)


def names_at(level: str) -> tuple[frozenset[str], frozenset[str]]:
    """(number metrics, flag metrics) a rule at `level` may read."""
    ok = {n for n, m in METRICS.items() if m.levels is None or level in m.levels}
    return frozenset(ok - FLAGS), frozenset(ok & FLAGS)


def missing_reason(ws: Workspace, names: frozenset[str], level: str) -> str | None:
    """Why metrics `names` cannot be computed on this audit's inputs, or None."""
    if not len(ws.table):
        return "the reports have no search-term rows"
    lacking = sorted({c for n in names if n in METRICS for c in METRICS[n].columns} - ws.present)
    if lacking:
        heads = ", ".join(c.replace("_", " ") for c in lacking)
        return f"needs {heads}; the report has no such column"
    needs = {METRICS[n].needs for n in names if n in METRICS} - {None}
    if "margin" in needs and ws.baseline.margin is None:
        return "needs a margin (--margin or [account] margin in the config)"
    if "hidden_share" in needs and ws.baseline.hidden_share is None:
        return "needs the report's 'Total: Other search terms' row (hidden spend)"
    if "keywords" in needs and not ws.has_keywords():
        return "needs the bought keywords (a Keyword column or --keywords FILE)"
    if "match_type" in needs and not ws.has_match_types():
        return "needs the Match type column"
    if level == "ngram" and not _ngrams_available():
        return "the n-gram table is not available in this build"
    key = "search_term" if level == "ngram" else SUBJECT[level]
    if key is not None and not ws.table[key].notna().any():
        name = _COLUMN_NAMES[key]
        if key == "keyword" and ws.has_keywords():
            return (
                "judges each keyword by its search terms, from the search-terms report's"
                " Keyword column, which this report lacks; a keyword report (--keywords)"
                " does not feed it"
            )
        return f"works per {key.replace('_', ' ')}; the report has no {name} column"
    return None


_COLUMN_NAMES = {
    "campaign": "Campaign",
    "ad_group": "Ad group",
    "keyword": "Keyword",
    "search_term": "Search term",
}


def _ngrams_available() -> bool:
    try:
        from auditor.terms.ngrams import ngram_table  # noqa: F401
    except ImportError:
        return False
    return True
