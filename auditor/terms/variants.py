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
    weights = np.asarray(figures, dtype=float).reshape(len(converting), -1)
    out = np.zeros((len(candidates), weights.shape[1]))
    if not len(candidates) or not len(converting):
        return out
    cand_keys = [variant_key(t) for t in candidates]
    conv_keys = [variant_key(t) for t in converting]
    shapes, _ = pd.factorize(pd.Series([_shape(k) for k in (*cand_keys, *conv_keys)]))
    cand_shape, conv_shape = shapes[: len(cand_keys)], shapes[len(cand_keys) :]
    for shape in np.intersect1d(cand_shape, conv_shape):
        rows = np.flatnonzero(cand_shape == shape)
        cols = np.flatnonzero(conv_shape == shape)
        for start in range(0, len(rows), _BLOCK):
            block = rows[start : start + _BLOCK]
            scores = process.cdist(
                [cand_keys[i] for i in block],
                [conv_keys[i] for i in cols],
                scorer=fuzz.ratio,
                score_cutoff=MIN_SCORE,
                dtype=np.uint8,
                workers=1,
            )
            hit_row, hit_col = np.nonzero(scores >= MIN_SCORE)
            np.add.at(out, block[hit_row], weights[cols[hit_col]])
    return out
