"""Conversion-tracking QA: checks of category `tracking`, and their weight on other findings.

Each check is a rule of rules/tracking.toml (`check = "<name>"`) whose function is registered
beside it with `@check(name, TRACKING)` (`actions`, `backend`, `outage`, `values`); the rule
dispatcher (`auditor.engine.run.run_rules`, stage `tracking`) gathers the inputs once
(`auditor.tracking.inputs`), lists the checks they cannot feed (`auditor.tracking.coverage`) and
runs the others. `apply_reliability` is the policy in `auditor.tracking.reliability`.
"""

from __future__ import annotations

from auditor.tracking import actions, backend, outage, values
from auditor.tracking.reliability import apply_reliability

CHECK_MODULES = (actions, backend, outage, values)
"""The modules whose `@check` functions importing this package registers."""

__all__ = ["CHECK_MODULES", "apply_reliability"]
