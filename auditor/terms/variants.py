"""Close variants of a search term: the same words in another order, singular / plural, or a
spelling close enough (`rapidfuzz.fuzz.ratio` >= 90 on the normalised words).

`airpod pro 2 case`, `airpods pro 2 case` and `case airpods pro 2` are one term to a buyer; a
term whose close variant converted is judged together with it, not as money spent for nothing.

`variant_key` normalises a term (lower case, punctuation out, each word made singular by the
English `s` / `es` / `ies` endings, words sorted); `variant_figures` sums, for each
candidate term, the conversions of the converting terms whose key scores >= `MIN_SCORE`
against its key (the same key scores 100) and have as many words (an extra or another word
makes another query: `meindl vandringskängor` is not `vandringsskor meindl`) and the same
numbers (`airpods pro 2 case` is not `airpods pro 3 case`). The comparison runs block-wise with
`rapidfuzz.process.cdist` between the candidates and the converting terms of the same shape
only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

MIN_SCORE = 90
_BLOCK = 2000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 17)
def singular(word: str) -> str:
    """`cases` -> `case`, `batteries` -> `battery`, `boxes` -> `box`; short words unchanged."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def variant_key(term: str) -> str:
    """The term's words, lower case, singular, sorted."""
    return " ".join(sorted(map(singular, _WORD.findall(term.casefold()))))


def _shape(key: str) -> str:
    """Word count and numbers: a variant has as many words and the same numbers (`pro 2` is
    not `pro 3`)."""
    words = key.split(" ")
    if key.replace(" ", "").isalpha():
        return f"{len(words)}:"
    return f"{len(words)}:" + " ".join(w for w in words if any(map(str.isdigit, w)))


def variant_figures(
    candidates: Sequence[str], converting: Sequence[str], figures: np.ndarray
) -> np.ndarray:
    """For each candidate, the sums of `figures` (converting terms x columns, e.g. conversions
    and cost) over the converting terms that are its close variants: a key that scores >=
    `MIN_SCORE` (the same key scores 100) with the same `_shape` (a misspelling, not another
    word or model number)."""
    return Converting(converting, figures).sums(candidates)


class Converting:
    """Converting terms keyed once (`variant_key`, grouped by `_shape`), with their figures
    (one row per term, one column per figure): `sums(candidates)` compares candidates with
    them, as often as asked."""

    def __init__(self, converting: Sequence[str], figures: np.ndarray) -> None:
        weights = np.asarray(figures, dtype=float)
        self.weights = weights[:, None] if weights.ndim == 1 else weights
        self.keys = [variant_key(t) for t in converting]
        self.by_shape = _by_shape(self.keys)

    def sums(self, candidates: Sequence[str]) -> np.ndarray:
        """`variant_figures` of `candidates` against these converting terms."""
        out = np.zeros((len(candidates), self.weights.shape[1]))
        if not len(candidates) or not len(self.keys):
            return out
        cand_keys = [variant_key(t) for t in candidates]
        for shape, rows in _by_shape(cand_keys).items():
            cols = self.by_shape.get(shape)
            if cols is None:
                continue
            for start in range(0, len(rows), _BLOCK):
                block = rows[start : start + _BLOCK]
                scores = process.cdist(
                    [cand_keys[i] for i in block],
                    [self.keys[i] for i in cols],
                    scorer=fuzz.ratio,
                    score_cutoff=MIN_SCORE,
                    dtype=np.uint8,
                    workers=1,
                )
                hit_row, hit_col = np.nonzero(scores >= MIN_SCORE)
                np.add.at(out, block[hit_row], self.weights[cols[hit_col]])
        return out


def _by_shape(keys: list[str]) -> dict[str, np.ndarray]:
    """Positions of the keys (ascending) per `_shape`."""
    shapes = pd.Series([_shape(k) for k in keys], dtype=object)
    return {
        shape: np.asarray(at) for shape, at in shapes.groupby(shapes, sort=False).indices.items()
    }
