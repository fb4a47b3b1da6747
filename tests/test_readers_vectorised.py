"""Vectorised reader paths give what the one-value functions give, edge cases included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from auditor import schema
from auditor.readers import read_report
from auditor.readers.text import _SPACES, _filled, _keywords, keyword_syntax

CELLS = [
    "[a b]", " [x] ", '"p q"', "+a +b", "++a", " + +x", "+a+b", "a +\u00a0b", "[ ]", "[]", '"',
    "[", "--", "-", "", " ", "\x1c[z]\x1c", "+ x", "x +y", "\u00a0+y", "[a]b", '""', "[[x]]",
    "+\u2003y", " \u2003+y", "ünï +cøde", "[vandringskängor]", '"lediga jobb"', None,
]  # fmt: skip


@pytest.mark.parametrize("encoded", [False, True])
def test_keyword_cells_parse_as_keyword_syntax_does(encoded: bool) -> None:
    parts = [pa.array(CELLS[:10], pa.large_string()), pa.array(CELLS[10:], pa.large_string())]
    arr = pa.chunked_array(parts)
    if encoded:
        arr = pa.chunked_array([c.dictionary_encode() for c in arr.chunks])
    texts, kinds = _keywords(arr)
    for cell, text, kind in zip(CELLS, texts.to_pylist(), kinds.to_pylist(), strict=True):
        want = keyword_syntax(cell) if _filled(cell) else (None, None)
        assert (text, kind) == tuple(want), repr(cell)


def test_spaces_are_every_character_python_strips() -> None:
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == _SPACES


def fresh_codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """`schema.text_codes` of a copy of the column's arrow data (nothing cached for it)."""
    copy = pa.chunked_array(column.array.__arrow_array__().chunks)
    codes, texts = schema.text_codes(pd.Series(pd.arrays.ArrowStringArray(copy)))
    return codes, texts.to_pylist()


def test_from_codes_knows_the_codes_text_codes_would_find() -> None:
    texts = pa.array(["c", "a", "b", "d"], pa.large_string())
    indices = pa.chunked_array([[2, None, 0, 2], [1, 0, None, 3]], pa.int32())
    column = pd.Series(schema.from_codes(indices, texts))
    assert column.tolist() == ["b", pd.NA, "c", "b", "a", "c", pd.NA, "d"]
    codes, known = schema.text_codes(column)
    want, want_texts = fresh_codes(column)
    assert codes.tolist() == want.tolist() == [0, -1, 1, 0, 2, 1, -1, 3]
    assert known.to_pylist() == want_texts


def test_read_keywords_come_with_their_codes(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text(
        "Search term,Campaign,Ad group,Keyword,Clicks,Cost\n"
        'a,C,G,[x y],1,1.00\nb,C,G,x y,1,1.00\nc,C,G,"""z""",1,1.00\nd,C,G,--,1,1.00\n'
        "e,C,G,+x +y,1,1.00\nf,C,G,z,1,1.00\n"
    )
    keyword = read_report(path).table["keyword"]
    assert keyword.tolist() == ["x y", "x y", "z", pd.NA, "x y", "z"]
    codes, texts = schema.text_codes(keyword)
    want, want_texts = fresh_codes(keyword)
    assert codes.tolist() == want.tolist() == [0, 0, 1, -1, 0, 1]
    assert texts.to_pylist() == want_texts
