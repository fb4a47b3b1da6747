"""The metrics workspace: rows grouped at every level, summed, and their metrics on demand.

Rows of the canonical table are grouped with integer codes (pyarrow dictionary encoding,
`pd.factorize` of combined int64 keys) and summed with `np.bincount`: no Python loop over rows.
Derived metrics are computed only when a rule reads them (`Level.get`, from the catalogue
`auditor.engine.catalogue`); the figures behind them are in `auditor.engine.figures`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import schema
from auditor.engine.baseline import SUMS, account_baseline
from auditor.engine.catalogue import METRICS
from auditor.engine.context import AuditContext
from auditor.engine.figures import PairSplits, pair_splits
from auditor.engine.levels import LEVEL_KEYS, LOOSE_MATCHES, SUBJECT, Value
from auditor.profile import stage

T = TypeVar("T")
_KEY_ORDER = ("campaign", "ad_group", "keyword", "keyword_match_type", "search_term")
_KEYWORD = ("keyword", "keyword_match_type")


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
    if parent is None and schema.numbered_in_order(codes - codes.min()):
        return Groups(codes - codes.min(), int(codes.max() - codes.min()) + 1)
    combined = codes if parent is None else parent.ids * np.int64(codes.max() + 1) + codes
    ids, uniques = pd.factorize(combined)
    return Groups(ids.astype(np.int64, copy=False), len(uniques))


OWN_LEVELS = frozenset({"keyword", "ngram"})
"""Levels only their own rules read (no metric of another level does: tested on every
sample): the rules drop them after their last rule (`Workspace.forget`); 40-55 MB each on
the 1M-row long tail."""


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
        self._computing = False
        self.read_inside: set[str] = set()
        """The levels a metric has read while computing (those of other levels included)."""

    def forget(self, name: str) -> None:
        """Drop level `name` and its metrics once its last rule has run (`run_rules`), so that
        its memory serves the rules after it; only the `OWN_LEVELS`, which no other level's
        metric reads (the others would be built again)."""
        if name in OWN_LEVELS:
            self._levels.pop(name, None)

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
            elif keys[-2:] == _KEYWORD:
                parent = self.groups(keys[:-2]) if len(keys) > 2 else None
                self._groups[keys] = refine(parent, self._keyword_codes())
            else:
                parent = self.groups(keys[:-1]) if len(keys) > 1 else None
                self._groups[keys] = refine(parent, self.codes(keys[-1]))
        return self._groups[keys]

    def _keyword_codes(self) -> np.ndarray:
        """One code per (keyword, keyword match type): a keyword always goes with its match
        type, so the two split a grouping at once."""
        match_types = self.codes("keyword_match_type")
        return self.codes("keyword") * np.int64(match_types.max() + 1) + match_types

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
            codes, texts = schema.text_codes(self.table["match_type"])
            wanted = pc.is_in(texts, value_set=pa.array(LOOSE_MATCHES[kind], pa.large_string()))
            self._masks[kind] = np.append(np.asarray(wanted, dtype=bool), False)[codes]
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
            self._splits = pair_splits(self)
        return self._splits

    def has_keywords(self) -> bool:
        return bool(len(self.ctx.keywords)) and bool(self.ctx.keywords["keyword"].notna().any())

    def has_match_types(self) -> bool:
        return bool(self.table["match_type"].notna().any())

    @contextmanager
    def computing(self) -> Iterator[None]:
        """The `metrics` profile stage, around the outermost metric computation only (a
        metric reading another stays in it). Its ends keep the freed memory for the next
        metric: the rules stage around them gives it back when it ends."""
        if self._computing:
            yield
            return
        self._computing = True
        try:
            with stage("metrics", give_back=False):
                yield
        finally:
            self._computing = False

    def level(self, name: str) -> Level:
        if self._computing:
            self.read_inside.add(name)
        if name not in self._levels:
            with self.computing():
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
    _memos: dict[str, RowMemo] = field(default_factory=dict)
    _built: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Value:
        if name not in self._cache:
            with self.ws.computing():
                self._cache[name] = METRICS[name].compute(self)
        return self._cache[name]

    def get_at(self, name: str, rows: np.ndarray) -> Value:
        """`get(name)` at the level rows `rows` (one number stays one number). A metric that
        can be computed row by row (`Metric.at`, the costly ones) is computed at those rows
        when they are at most half the level; the others whole, once."""
        at = METRICS[name].at
        if at is None or name in self._cache or len(rows) > self.size // 2:
            value = self.get(name)
            return value if np.ndim(value) == 0 else np.asarray(value)[rows]
        with self.ws.computing():
            return at(self, rows)

    def once(self, name: str, build: Callable[[], T]) -> T:
        """`build()` once per level: what a costly metric reuses at each call (an index)."""
        if name not in self._built:
            self._built[name] = build()
        return cast(T, self._built[name])

    def memo(self, name: str, size: int, width: int = 1) -> RowMemo:
        """The figures `name` computed so far for `size` items (level rows, distinct texts)."""
        if name not in self._memos:
            self._memos[name] = RowMemo(np.zeros((size, width)), np.zeros(size, dtype=bool))
        return self._memos[name]

    def sum(self, column: str, mask: np.ndarray | None = None) -> np.ndarray:
        """Sum of a canonical metric column per level row (rows of the table under `mask`);
        the unmasked sums are computed when first read and kept."""
        if column in self.sums and mask is None:
            return self.sums[column]
        if self.groups is None:
            raise KeyError(f"{column} is not available at the {self.name} level")
        values = self.ws.column(column)
        if mask is None:
            self.sums[column] = self.groups.sum(values)
            return self.sums[column]
        return self.groups.sum(np.where(mask, values, 0.0))

    def subject_at(self, rows: np.ndarray) -> list[str | None]:
        """The texts naming the level rows `rows`."""
        key = SUBJECT[self.name]
        return ["account"] * len(rows) if key is None else self.keys.at(key, rows)

    def subject(self) -> pa.Array:
        """The texts naming the level's rows, as a pyarrow array."""
        key = SUBJECT[self.name]
        if key is None:
            return pa.array(["account"] * self.size, type=pa.large_string())
        return self.keys.arrow(key).cast(pa.large_string())


@dataclass
class RowMemo:
    """Figures of some items (one row of `width` numbers each), computed for the items asked
    so far: a costly metric read at a few rows computes only those."""

    values: np.ndarray
    done: np.ndarray

    def at(self, items: np.ndarray, compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The figures of `items` (repeats allowed), `compute(todo)` giving those of the
        distinct items not computed before, in ascending order."""
        todo = np.unique(items[~self.done[items]])
        if len(todo):
            self.values[todo] = np.asarray(compute(todo)).reshape(len(todo), -1)
            self.done[todo] = True
        return self.values[items]


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

    rows = None
    if "clicks" in ws.present:
        clicked = ws.column("clicks") > 0
        rows = None if clicked.all() else np.flatnonzero(clicked)
    frame = ngram_table(ws.table, rows=rows)
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
