"""Where the bundled data lives: the repository's folders, or their copies in an installed wheel.

`pyproject.toml` force-includes `rules/` and `sample_reports/` as `auditor/_bundled/...`, so the
same lookup serves a checkout (editable install) and an installed package.
"""

from __future__ import annotations

from pathlib import Path

from auditor.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def bundled(relative: str) -> Path:
    """`rules`, `rules/lexicons`, `sample_reports`, ...: the first copy that exists."""
    for candidate in (_PACKAGE.parent / relative, _PACKAGE / "_bundled" / relative):
        if candidate.exists():
            return candidate
    raise ConfigError(f"the bundled '{relative}' is missing from this installation")
