"""Negative-keyword files the ad platforms import: Google Ads Editor CSV, Microsoft bulk, list."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.config import Settings
from auditor.errors import OutputError
from auditor.model import NegativeProposal

FORMATS = ("editor", "microsoft", "list")


def write_negatives(
    path: Path,
    proposals: Sequence[NegativeProposal],
    fmt: str,
    *,
    force: bool = False,
    settings: Settings | None = None,
) -> None:
    """Write proposals in `fmt` atomically; refuse to overwrite without `force`."""
    raise OutputError("negatives export not implemented yet", path=path)
