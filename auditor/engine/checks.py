"""Check rules: rules written in Python, registered beside their function with `@check`.

A pack rule with `check = "<name>"` (and no `when`) is run by the rule dispatcher
(`auditor.engine.run.run_rules`) like any other rule: the dispatcher finds the function registered
under that name, builds the check's `Inputs` once per run (every check of a family shares them),
asks the family whether these inputs can feed this check (a reason -> a `SkippedCheck`), and
calls the function with the inputs and the rule (id, severity, level, title, message, params as
the packs and the user's overrides give them). Registering:

    @check("duplicate_transactions", TRACKING)
    def duplicate_transactions(inputs: TrackingInputs, rule: Rule) -> list[Finding]: ...

The modules holding checks (`auditor.tracking`, `auditor.negatives.existing`) register them when
imported; `auditor.audit` imports both, so every audit has every check. A check that crashes
becomes an internal-error finding naming its rule; inputs that cannot be built (a bad config
section) and a rule naming a check nobody registered are errors of the audit (`RuleError`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from auditor.engine.context import AuditContext
from auditor.model import Finding

if TYPE_CHECKING:
    from auditor.engine.packs import Rule

T = TypeVar("T")
CheckFn = Callable[[T, "Rule"], list[Finding]]

EVALUATED = "rules"
"""The stage of the rules with a `when`: evaluated on the metrics workspace."""


def _feeds_all(check: str, inputs: Any) -> str | None:
    return None


@dataclass(frozen=True)
class Inputs(Generic[T]):
    """What a family of checks reads: built once per run of the dispatcher and shared.

    `stage` names the audit stage that runs the family (`tracking`, `negatives`); `lacks`
    says what check `name` lacks in the built inputs (the skip reason), or None.
    """

    stage: str
    build: Callable[[AuditContext], T]
    lacks: Callable[[str, T], str | None] = _feeds_all


@dataclass(frozen=True)
class Check(Generic[T]):
    """One registered check: its name (the packs' `check = "..."`), function and inputs."""

    name: str
    run: CheckFn[T]
    inputs: Inputs[T]


CHECKS: dict[str, Check[Any]] = {}
"""Every registered check by name, in registration order."""


def check(name: str, inputs: Inputs[T]) -> Callable[[CheckFn[T]], CheckFn[T]]:
    """Register the decorated function as the check `name`, fed with `inputs`."""

    def register(fn: CheckFn[T]) -> CheckFn[T]:
        known = CHECKS.get(name)
        if known is not None and known.run is not fn:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = Check(name, fn, inputs)
        return fn

    return register


def stage_of(rule: Rule) -> str:
    """The audit stage that runs `rule`: its check family's, else the evaluated rules'."""
    found = CHECKS.get(rule.check) if rule.check else None
    return found.inputs.stage if found is not None else EVALUATED
