"""Placeholder values on a few purchases (a checkout path that sends no value) are found from
3 purchases up, sized by their share; TRACK003 states both of its counts. On the healthy
tracking sample with the planted fault written into a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import audit
from auditor.config import Settings

CLEAN = Path(__file__).resolve().parent.parent / "sample_reports" / "tracking" / "clean"


def with_placeholders(tmp_path: Path, count: int, value: str = "1.00") -> Path:
    """The clean export with `count` purchases recorded at `value` (Google's default)."""
    lines = (CLEAN / "conversions.csv").read_text(encoding="utf-8").splitlines()
    done = 0
    for i, line in enumerate(lines):
        cells = line.split(",")
        if done < count and cells[1:2] == ["Purchase (Google Ads tag)"]:
            cells[3] = value
            lines[i] = ",".join(cells)
            done += 1
    out = tmp_path / "conversions.csv"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def defaults(tmp_path: Path, count: int, value: str = "1.00") -> list:
    settings = Settings(conversions=(with_placeholders(tmp_path, count, value),))
    result = audit([CLEAN / "search-terms-by-day.csv"], settings)
    return [f for f in result.findings if f.rule == "TRACK005"]


def test_the_healthy_sample_has_no_default_value(tmp_path):
    assert defaults(tmp_path, 0) == []


@pytest.mark.parametrize(
    ("count", "severity"), [(2, None), (3, "low"), (20, "low"), (40, "medium"), (140, "high")]
)
def test_placeholder_values_on_purchases_from_three_up_by_share(tmp_path, count, severity):
    found = defaults(tmp_path, count)
    if severity is None:
        assert found == []
        return
    (f,) = found
    assert f.severity == severity
    assert f.evidence["count"] == count and f.evidence["value"] == 1.0
    assert f"{count} of 673 Purchase (Google Ads tag) conversions" in f.message


def test_a_repeated_real_price_on_a_few_purchases_is_not_a_default(tmp_path):
    assert defaults(tmp_path, 5, "499.00") == []
