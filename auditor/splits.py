"""Campaign and ad-group splits: names that differ only by a location, device, language or
audience token.

An account split by state (`Solar - CA`, `Solar - TX`), city (`Doctor SEO Campaign Mumbai`,
`Doctor SEO campaign - Delhi, New Delhi`), device (`Shoes - Mobile`, `Shoes - Desktop`),
language (`Boots EN`, `Boots SV`) or audience (`Generic`, `Generic - RLSA`) serves the same
search term in several campaigns on purpose: each campaign reaches other people. That is not
cannibalisation, and an exact negative "in the others" would switch the term off for them.

How a split is found (`split_signatures`):

1. Each name is cut into words; words (and phrases) of the gazetteer `rules/splits/gazetteer.toml`
   are taken out: place names, state / province / country codes (only when written in
   capitals), device words, language names and codes, audience words. What is left, without
   connecting words (`in`, `for`, `-`, ...), is the name's base.
2. Names with the same base form a family; each member's taken-out words are its signature, per
   dimension: `market` (location and language), `device`, `audience`.
3. A word the gazetteer does not know joins a family when it stands where the family's members
   have their split words, the family has at least two members with known words of one
   dimension, and the unknown words are no more than the known ones (`Solar - Fresno`,
   `Solar - Tulare`, `Solar - Modesto`: Tulare is taken for a place like the others).

Two serving ad groups reach the same searches (and may compete) unless their signatures differ
in a dimension both have: `Solar - CA` and `Solar - TX` are apart; `Solar` (all states) and
`Solar - CA` overlap; `Solar - CA` and `Solar - CA - Mobile` overlap (California, all devices).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from auditor.resources import bundled

DIMENSIONS = {
    "location": "market",
    "language": "market",
    "device": "device",
    "audience": "audience",
}
"""Token kind -> the dimension two signatures are compared in."""

CONNECTORS = frozenset({"in", "for", "near", "the", "and", "of", "i", "pa", "fur", "im"})
"""Words left out of a base: `Doctors in India` and `Doctors India` are one base."""

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents (`Malmö` -> `malmo`)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Gazetteer:
    """Split words: folded word tuples and capital codes, each with its kind."""

    names: dict[tuple[str, ...], str]
    codes: dict[str, str]
    longest: int


@cache
def load_gazetteer() -> Gazetteer:
    """The bundled `rules/splits/gazetteer.toml`."""
    path = bundled("rules/splits") / "gazetteer.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    names: dict[tuple[str, ...], str] = {}
    codes: dict[str, str] = {}
    for section in data.values():
        kind = section["kind"]
        for name in section.get("names", []):
            names.setdefault(tuple(_WORD.findall(fold(name))), kind)
        for code in section.get("codes", []):
            codes.setdefault(code, kind)
    return Gazetteer(names, codes, max(len(k) for k in names))


@dataclass(frozen=True)
class Parsed:
    """A name cut into its base and its split words."""

    base: tuple[str, ...]
    found: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind -> the split words as written in the name."""


def parse(name: str, gaz: Gazetteer) -> Parsed:
    """Take the gazetteer's words out of one name (longest phrase first)."""
    raw = _WORD.findall(name)
    folded = [fold(w) for w in raw]
    rest: list[str] = []
    found: dict[str, list[str]] = defaultdict(list)
    i = 0
    while i < len(raw):
        size, kind = _match_at(raw, folded, i, gaz)
        if kind is None:
            rest.append(folded[i])
            i += 1
            continue
        found[kind].append(" ".join(raw[i : i + size]))
        i += size
    base = tuple(w for w in rest if w not in CONNECTORS)
    return Parsed(base, {k: tuple(v) for k, v in found.items()})


def _match_at(raw: list[str], folded: list[str], i: int, gaz: Gazetteer) -> tuple[int, str | None]:
    for size in range(min(gaz.longest, len(raw) - i), 0, -1):
        kind = gaz.names.get(tuple(folded[i : i + size]))
        if kind is not None:
            return size, kind
    word = raw[i]
    if word.isupper() and len(word) <= 6:
        return 1, gaz.codes.get(word)
    return 1, None


@dataclass(frozen=True)
class Signature:
    """A name's split words per dimension (folded), and the words as written per kind."""

    dims: dict[str, frozenset[str]]
    words: dict[str, tuple[str, ...]]

    def apart_from(self, other: Signature) -> bool:
        """True when both name a value in some dimension and the values differ."""
        return any(d in other.dims and other.dims[d] != values for d, values in self.dims.items())


def _signature(found: dict[str, tuple[str, ...]]) -> Signature:
    dims: dict[str, set[str]] = defaultdict(set)
    for kind, words in found.items():
        dims[DIMENSIONS[kind]].update(fold(w) for w in words)
    return Signature({d: frozenset(v) for d, v in dims.items()}, dict(found))


def split_signatures(names: Iterable[str], gaz: Gazetteer | None = None) -> dict[str, Signature]:
    """The signature of every name that belongs to a split family (others are left out)."""
    gaz = gaz or load_gazetteer()
    parsed = {n: parse(n, gaz) for n in dict.fromkeys(names) if n}
    families: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name, p in parsed.items():
        families[p.base].append(name)
    out: dict[str, Signature] = {}
    for members in families.values():
        with_words = [m for m in members if parsed[m].found]
        if len(members) >= 2 and with_words:
            out.update({m: _signature(parsed[m].found) for m in with_words})
    _join_unknown(parsed, families, out)
    return out


def _join_unknown(
    parsed: dict[str, Parsed],
    families: dict[tuple[str, ...], list[str]],
    out: dict[str, Signature],
) -> None:
    """Step 3 of the module docstring: unknown words standing where a family splits."""
    joins: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
    for name, p in parsed.items():
        if p.found or len(p.base) < 2:
            continue
        for i, word in enumerate(p.base):
            rest = p.base[:i] + p.base[i + 1 :]
            if rest in families:
                joins[rest].append((name, word))
    for base, unknown in joins.items():
        known = [m for m in families[base] if m in out]
        dim = _common_dimension([out[m] for m in known])
        if dim is None or len(unknown) > len(known):
            continue
        kind = "location" if dim == "market" else dim
        for name, word in unknown:
            out[name] = Signature({dim: frozenset({word})}, {kind: (word,)})


def _common_dimension(sigs: Sequence[Signature]) -> str | None:
    """The dimension at least two signatures name, with different values."""
    counts: dict[str, set[frozenset[str]]] = defaultdict(set)
    for sig in sigs:
        for d, values in sig.dims.items():
            counts[d].add(values)
    best = [d for d, values in counts.items() if len(values) >= 2]
    return best[0] if best else None


def describe(sigs: Sequence[Signature]) -> str:
    """`location (Mumbai, Hyderabad)`: the kinds and words that set the signatures apart."""
    words: dict[str, list[str]] = defaultdict(list)
    for sig in sigs:
        for kind, found in sig.words.items():
            for w in found:
                if w not in words[kind]:
                    words[kind].append(w)
    return "; ".join(f"{kind} ({', '.join(ws)})" for kind, ws in words.items())


def merge(a: Signature | None, b: Signature | None) -> Signature | None:
    """A campaign's and an ad group's signatures together (None when neither has one)."""
    if a is None or b is None:
        return a or b
    dims = {d: a.dims.get(d, frozenset()) | b.dims.get(d, frozenset()) for d in {*a.dims, *b.dims}}
    words = {k: (*a.words.get(k, ()), *b.words.get(k, ())) for k in {*a.words, *b.words}}
    return Signature(dims, words)


def pair_signatures(
    campaigns: Sequence[str | None], ad_groups: Sequence[str | None]
) -> list[Signature | None]:
    """The split signature of each (campaign, ad group) pair (None: not part of a split).

    Campaign families are found among the campaign names, ad-group families among the ad-group
    names; a pair carries both."""
    gaz = load_gazetteer()
    camp = split_signatures((c for c in campaigns if c), gaz)
    group = split_signatures((g for g in ad_groups if g), gaz)
    return [
        merge(camp.get(c) if c else None, group.get(g) if g else None)
        for c, g in zip(campaigns, ad_groups, strict=True)
    ]


def overlap_matrix(sigs: Sequence[Signature | None]) -> np.ndarray:
    """`m[i, j]`: signatures i and j reach the same searches (no split sets them apart)."""
    n = len(sigs)
    out = np.ones((n, n), dtype=bool)
    for i, a in enumerate(sigs):
        for j, b in enumerate(sigs):
            out[i, j] = a is None or b is None or not a.apart_from(b)
    return out


def signature_ids(sigs: Sequence[Signature | None]) -> tuple[np.ndarray, list[Signature | None]]:
    """Each signature's id among the distinct ones (0 = no split) and the distinct list."""
    distinct: list[Signature | None] = [None]
    index: dict[tuple[object, ...], int] = {}
    ids = np.zeros(len(sigs), dtype=np.int64)
    for i, sig in enumerate(sigs):
        if sig is None:
            continue
        key = tuple(sorted(sig.dims.items(), key=lambda kv: kv[0]))
        if key not in index:
            index[key] = len(distinct)
            distinct.append(sig)
        ids[i] = index[key]
    return ids, distinct
