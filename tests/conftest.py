"""Test-wide settings: property-based tests run a fixed set of examples under CI.

Under `CI=true` hypothesis derandomises (the same examples every run, found from the test's
own code) and keeps no example database, so a CI run is reproducible; locally it explores new
examples each run and remembers failures. The review app's pilot tests share two fixtures:
`sample_result` (the bundled sample's real audit) and `reuse_audit` (the app reuses it).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from auditor.audit import audit
from auditor.cli import BUNDLED_SAMPLE, sample_dir
from auditor.config import Settings
from auditor.model import AuditResult
from auditor.review import state as review_state

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="module")
def sample_result() -> AuditResult:
    """The real audit of the bundled sample, run once per test module."""
    return audit([sample_dir() / BUNDLED_SAMPLE], Settings())


@pytest.fixture
def reuse_audit(monkeypatch: pytest.MonkeyPatch, sample_result: AuditResult) -> AuditResult:
    """Let each app launch reuse the module's audit (the app still loads it in its worker)."""
    monkeypatch.setattr(review_state, "audit", lambda paths, settings, progress=None: sample_result)
    return sample_result
