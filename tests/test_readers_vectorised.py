"""Vectorised reader paths give what the one-value functions give, edge cases included."""

from __future__ import annotations

import pyarrow as pa
import pytest

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
