"""Vectorised reader paths give what the one-value functions give, edge cases included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from auditor import schema
from auditor.readers import read_report, text
from auditor.readers.numbers import NumberStyle, parse_numbers
from auditor.readers.text import _SPACES, _filled, _keywords, keyword_syntax

CELLS = [
    "[a b]", " [x] ", '"p q"', "+a +b", "++a", " + +x", "+a+b", "a +\u00a0b", "[ ]", "[]", '"',
    "[", "--", "-", "", " ", "\x1c[z]\x1c", "+ x", "x +y", "\u00a0+y", "[a]b", '""', "[[x]]",
    "+\u2003y", " \u2003+y", "ünï +cøde", "[vandringskängor]", '"lediga jobb"', None,
    "---", "x-", "-x", "[--]", '"-"', "+", "+-", "é", "[é]", "\u00a0--",
]  # fmt: skip


BARE = ["b c", "a", "é", "a", "x-", "[a", "b c", "a]", 'a"', "x+", "ünï", "a", "z"]
"""Keyword cells the syntax leaves as they are (no brackets, quotes, `+` marks or blanks)."""


def keyword_cells(cells: list[str | None], encoded: bool) -> pa.ChunkedArray:
    """The cells in two chunks, each dictionary-encoded on its own when `encoded` (as
    `pyarrow.csv` parses a Keyword column)."""
    parts = [pa.array(cells[:10], pa.large_string()), pa.array(cells[10:], pa.large_string())]
    if encoded:
        parts = [c.dictionary_encode() for c in parts]
    return pa.chunked_array(parts)


@pytest.mark.parametrize("cells", [CELLS, BARE])
@pytest.mark.parametrize("encoded", [False, True])
def test_keyword_cells_parse_as_keyword_syntax_does(cells: list[str | None], encoded: bool) -> None:
    texts, kinds = _keywords(keyword_cells(cells, encoded))
    for cell, got, kind in zip(cells, texts.to_pylist(), kinds.to_pylist(), strict=True):
        want = keyword_syntax(cell) if _filled(cell) else (None, None)
        assert (got, kind) == tuple(want), repr(cell)


@pytest.mark.parametrize("cells", [CELLS, BARE])
def test_keyword_and_match_type_columns_know_the_codes_text_codes_would_find(
    cells: list[str | None],
) -> None:
    frame = keyword_frame(_keywords(keyword_cells(cells, encoded=True)))
    for col in ("keyword", "keyword_match_type"):
        codes, texts = schema.text_codes(frame[col])
        want, want_texts = fresh_codes(frame[col])
        assert codes.tolist() == want.tolist()
        assert texts.to_pylist() == want_texts


def keyword_frame(parsed: tuple[pa.ChunkedArray, pa.ChunkedArray]) -> pd.DataFrame:
    """The keyword and match-type columns `_keywords` gave, as the canonical table has them."""
    n = len(parsed[0])
    numbers = {schema.LINE_COLUMN: np.arange(n), schema.SOURCE_COLUMN: np.zeros(n, np.int64)}
    frame = text._canonical_frame(
        {"keyword": parsed[0], "keyword_match_type": parsed[1]}, numbers, pd.RangeIndex(n)
    )
    return frame[["keyword", "keyword_match_type"]]


def test_parsed_numbers_are_writeable_without_touching_the_cells() -> None:
    """One chunk of plain numbers casts without a copy: the Series are still their own."""
    cells = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["1.5", "2", "3"]])))
    style = NumberStyle(decimal=".", thousands=",")
    values, bad = parse_numbers(cells, style)
    values[values > 1.8] = 0.0
    bad[:] = True
    assert values.tolist() == [1.5, 0.0, 0.0]
    assert cells.tolist() == ["1.5", "2", "3"]
    assert parse_numbers(cells, style)[0].tolist() == [1.5, 2.0, 3.0]


def test_spaces_are_every_character_python_strips() -> None:
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == _SPACES


def fresh_codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """`schema.text_codes` of a copy of the column's arrow data (nothing cached for it)."""
    copy = pa.chunked_array(column.array.__arrow_array__().chunks)
    codes, texts = schema.text_codes(pd.Series(pd.arrays.ArrowStringArray(copy)))
    return codes, texts.to_pylist()


@pytest.mark.parametrize(
    ("texts", "chunks", "want"),
    [
        (["c", "a", "b", "d"], [[2, None, 0, 2], [1, 0, None, 3]],
         ["b", None, "c", "b", "a", "c", None, "d"]),
        (["a", "b", "c"], [[0, None, 1], [0, 2, 1]], ["a", None, "b", "a", "c", "b"]),
        (["a", "b", "c"], [[0, None, 1], [0, 1]], ["a", None, "b", "a", "b"]),
        (["a", "b"], [[None], [None]], [None, None]),
    ],
)  # fmt: skip
def test_from_codes_knows_the_codes_text_codes_would_find(
    texts: list[str], chunks: list[list[int | None]], want: list[str | None]
) -> None:
    """Out of order, in order, in order with a text unused, all missing."""
    indices = pa.chunked_array(chunks, pa.int32())
    column = pd.Series(schema.from_codes(indices, pa.array(texts, pa.large_string())))
    assert column.array.__arrow_array__().to_pylist() == want
    codes, known = schema.text_codes(column)
    fresh, fresh_texts = fresh_codes(column)
    assert codes.tolist() == fresh.tolist()
    assert known.to_pylist() == fresh_texts


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


@pytest.mark.parametrize("n", [0, 1, 9, 1000])
def test_missing_columns_on_zero_pages_are_what_arrow_makes(n: int) -> None:
    column = text.nulls(n)
    want = pa.nulls(n, pa.large_string())
    assert column.equals(want)
    assert column.null_count == n
    assert column.to_pylist() == want.to_pylist()
    assert column.slice(n // 3).equals(want.slice(n // 3))
    assert pa.concat_arrays([column, pa.array(["a"], pa.large_string())]).to_pylist()[-1] == "a"


def test_search_terms_made_for_the_row_checks_are_those_of_the_kept_rows(tmp_path: Path) -> None:
    """The key column's text, made once for the whole file, filtered to the rows kept."""
    path = tmp_path / "terms.csv"
    path.write_text(
        "Search term,Campaign,Clicks,Cost\n"
        " a ,C,1,1.00\nb,C,x,1.00\n--,C,1,1.00\n\u00a0c,C,2,2.00\nb,C,1,1.00\n"
    )
    report = read_report(path)
    assert report.table["search_term"].tolist() == ["a", "c", "b"]
    assert [s.line for s in report.skipped] == [3, 4]


def test_forgotten_codes_are_found_again() -> None:
    indices = pa.array([1, 0, None, 1], pa.int32())
    column = pd.Series(schema.from_codes(indices, pa.array(["a", "b"], pa.large_string())))
    known = schema.text_codes(column)
    entries = len(schema._ENCODED)
    schema.forget_codes(column)
    schema.forget_codes(pd.Series(["never", "encoded"], dtype=schema.STRING_DTYPE))
    assert len(schema._ENCODED) == entries - 1
    codes, texts = schema.text_codes(column)
    assert codes.tolist() == known[0].tolist() == [0, 1, -1, 0]
    assert texts.to_pylist() == known[1].to_pylist() == ["b", "a"]
    assert len(schema._ENCODED) == entries


def test_codes_in_order_of_first_appearance_are_those_factorize_gives() -> None:
    rng = np.random.default_rng(4)
    cases = [np.zeros(0, np.int64), np.array([-1, -1]), np.array([1]), np.array([-1, 1, 0])]
    cases += [np.array([0, -1, 2]), np.array([-1, 0, -1, 1, 0, 2]), np.array([0, 0, 1, -1])]
    for _ in range(200):
        values = rng.integers(-1, 6, rng.integers(1, 12))
        cases += [values, np.where(values >= 0, pd.factorize(values)[0], -1)]
    for codes in cases:
        present = codes[codes >= 0]
        want = bool((pd.factorize(present)[0] == present).all())
        assert schema.numbered_in_order(codes) == want, codes.tolist()
