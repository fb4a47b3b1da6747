"""Test-wide settings: property-based tests run a fixed set of examples under CI.

Under `CI=true` hypothesis derandomises (the same examples every run, found from the test's
own code) and keeps no example database, so a CI run is reproducible; locally it explores new
examples each run and remembers failures.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
