"""Random mutations of the sample reports (hypothesis): the readers never crash and never give a
silently wrong number. Every mutated cost cell either reads as the value it means in the file's
number style or skips its row with a reason; rows nobody touched read exactly as before; the
totals then differ from the truth only by the listed skipped rows. The whole command on the
mutated file exits 0 or 2, never 1, and never prints a traceback.

Bounded for CI: the first rows of three samples, 60 examples, no deadline."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import schema
from auditor.cli import main, sample_dir
from auditor.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from auditor.readers import read_report


@dataclass(frozen=True)
class Sample:
    name: str
    delimiter: str
    header_line: int
    """1-based line of the header; data rows follow."""
    cost: int
    """Index of the cost column."""
    decimal: str


SAMPLES = (
    Sample("google-ads-search-terms-en.csv", ",", 3, 11, "."),
    Sample("google-ads-search-terms-sv.csv", ";", 3, 11, ","),
    Sample("microsoft-ads-search-terms.csv", ",", 7, 11, "."),
)
ROWS = 120
"""Data rows kept of each sample (the audit of the rest would only cost time)."""
BAD_ANYWHERE = ("inf", "Infinity", "nan", "1e308", "abc", "12%", "-5", "\u22125", "1.2.3")
BAD = {".": (*BAD_ANYWHERE, "1 234,56", "1.234,56", "12,5"), ",": (*BAD_ANYWHERE, "1,234.56")}
GOOD = {
    ".": (("0", 0.0), ("12.5", 12.5), ("1,234.50", 1234.5), ("7", 7.0), ("0.01", 0.01)),
    ",": (("0", 0.0), ("12,5", 12.5), ("1 234,50", 1234.5), ("1.234,50", 1234.5), ("7", 7.0)),
}

Mutation = tuple[str, int, int]
"""(kind, data row index, token index)."""
mutations = st.lists(
    st.tuples(
        st.sampled_from(("bad", "good", "blank", "byte")),
        st.integers(0, ROWS - 1),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda m: m[1],
)


def _lines(sample: Sample) -> list[str]:
    text = (sample_dir() / sample.name).read_text("utf-8-sig")
    return text.splitlines()[: sample.header_line + ROWS]


def _cell(line: str, sample: Sample, index: int, value: str) -> str:
    cells = next(csv.reader([line], delimiter=sample.delimiter))
    cells[index] = value
    out = io.StringIO()
    csv.writer(out, delimiter=sample.delimiter, lineterminator="").writerow(cells)
    return out.getvalue()


def _truth(path: Path) -> dict[int, float]:
    table = read_report(path).table
    return dict(zip(table[schema.LINE_COLUMN].tolist(), table["cost"].tolist(), strict=True))


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, float]]:
    folder = tmp_path_factory.mktemp("originals")
    out = {}
    for sample in SAMPLES:
        path = folder / sample.name
        path.write_text("\n".join(_lines(sample)) + "\n", encoding="utf-8")
        out[sample.name] = _truth(path)
    return out


def _mutate(
    sample: Sample, changes: list[Mutation], truth: dict[int, float], unclosed: bool
) -> tuple[bytes, dict[int, float], set[int]]:
    """(the mutated file, the cost each line now means, the lines that must be skipped)."""
    lines = _lines(sample)
    expected = dict(truth)
    must_skip: set[int] = set()
    raw_bytes: dict[int, bytes] = {}
    for kind, row, token in changes:
        at = sample.header_line + row  # 0-based index of the data row
        line_no = at + 1
        if kind == "bad":
            bad = BAD[sample.decimal]
            lines[at] = _cell(lines[at], sample, sample.cost, bad[token % len(bad)])
            must_skip.add(line_no)
            expected.pop(line_no, None)
        elif kind == "good":
            text, value = GOOD[sample.decimal][token % len(GOOD[sample.decimal])]
            lines[at] = _cell(lines[at], sample, sample.cost, text)
            if line_no in expected:
                expected[line_no] = value
        elif kind == "blank":
            lines[at] = ""
            expected.pop(line_no, None)
        else:
            raw_bytes[at] = lines[at].encode("utf-8").replace(b" ", b"\xff", 1)
    if unclosed:
        first = _lines(sample)[sample.header_line]
        opened = _cell(first, sample, 3, "QUOTE").replace("QUOTE", '"unclosed')
        lines.append(opened)
        must_skip.add(len(lines))
    data = b"\n".join(raw_bytes.get(i, ln.encode("utf-8")) for i, ln in enumerate(lines))
    return data + (b"" if unclosed else b"\n"), expected, must_skip


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sample=st.sampled_from(SAMPLES),
    changes=mutations,
    unclosed=st.booleans(),
)
def test_mutated_reports_read_exactly_or_skip_with_a_reason(
    tmp_path: Path,
    originals: dict[str, dict[int, float]],
    capsys: pytest.CaptureFixture[str],
    sample: Sample,
    changes: list[Mutation],
    unclosed: bool,
) -> None:
    data, expected, must_skip = _mutate(sample, changes, originals[sample.name], unclosed)
    path = tmp_path / f"mutated-{sample.name}"
    path.write_bytes(data)
    try:
        report = read_report(path)
    except InputError:
        report = None
    if report is not None:
        got = dict(
            zip(
                report.table[schema.LINE_COLUMN].tolist(),
                report.table["cost"].tolist(),
                strict=True,
            )
        )
        skipped = {s.line: s.reason for s in report.skipped}
        assert must_skip <= set(skipped), (must_skip, skipped)
        assert set(skipped) <= must_skip, f"rows nobody broke were skipped: {skipped}"
        assert got.keys() == expected.keys() - set(skipped)
        for line, cost in got.items():
            assert cost == pytest.approx(expected[line], abs=1e-9), (line, cost, expected[line])
        explained = sum(v for k, v in originals[sample.name].items() if k not in got)
        assert sum(originals[sample.name].values()) - explained == pytest.approx(
            sum(v for k, v in originals[sample.name].items() if k in got), abs=1e-6
        )
    out_json = tmp_path / "a.json"
    code = main(["audit", str(path), "--top", "0", "--json", str(out_json), "--force"])
    said = "".join(capsys.readouterr())
    assert code in (EXIT_OK, EXIT_BAD_INPUT) and "Traceback" not in said, said
    if code == EXIT_OK and report is not None:
        totals = json.loads(out_json.read_text("utf-8"))["totals"]
        assert totals["cost"] == pytest.approx(sum(got.values()), abs=1e-6)


byte_edits = st.lists(
    st.tuples(
        st.sampled_from(("insert", "delete", "replace", "truncate")),
        st.floats(0, 1),
        st.binary(min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(sample=st.sampled_from(SAMPLES), edits=byte_edits)
def test_random_bytes_never_crash_a_reader(sample: Sample, edits: list, tmp_path_factory) -> None:
    """Any byte inserted, deleted, replaced or cut: the reader gives a report or one InputError
    (exit 2), never another exception (exit 1); a report's skipped rows explain its totals."""
    data = bytearray(("\n".join(_lines(sample)) + "\n").encode("utf-8"))
    for kind, where, payload in edits:
        at = int(where * len(data))
        if kind == "insert":
            data[at:at] = payload
        elif kind == "delete":
            del data[at : at + len(payload)]
        elif kind == "replace":
            data[at : at + len(payload)] = payload
        else:
            del data[max(at, 1) :]
    path = tmp_path_factory.mktemp("bytes") / sample.name
    path.write_bytes(bytes(data))
    try:
        report = read_report(path)
    except InputError as exc:
        assert exc.exit_code == EXIT_BAD_INPUT and exc.one_line()
        return
    costs = report.table["cost"]
    assert costs.isna().all() or bool(costs.dropna().between(0, 1e15).all())
    assert not set(report.table[schema.LINE_COLUMN]) & {s.line for s in report.skipped}
