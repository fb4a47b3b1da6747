"""Same findings and proposals as the stored golden audits of the samples (`golden_audit.py`).

Findings are compared strictly. Proposals and held-back items change when their judgement is
improved on purpose: regenerate with `PYTHONPATH=$PWD python tests/golden_audit.py --write`
and review the diff of `tests/data/golden_audits.json`.
"""

from __future__ import annotations

import pytest
from golden_audit import SCENARIOS, available, digest, load

GOLDEN = load()
REGENERATE = "if the change is meant, run: PYTHONPATH=$PWD python tests/golden_audit.py --write"


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> tuple[str, dict]:
    name = request.param
    if not available(name) or name not in GOLDEN:
        pytest.skip(f"{name}: input files not here")
    return name, digest(name)


def test_findings_are_the_golden_ones(scenario: tuple[str, dict]) -> None:
    name, got = scenario
    want = GOLDEN[name]["findings"]
    assert len(got["findings"]) == len(want), REGENERATE
    for i, (g, w) in enumerate(zip(got["findings"], want, strict=True)):
        assert g == w, f"{name}: finding {i} ({w['rule']}) differs; {REGENERATE}"


def test_proposals_are_the_golden_ones(scenario: tuple[str, dict]) -> None:
    name, got = scenario
    for key in ("negatives", "held_back", "negatives_covered_cost"):
        assert got[key] == GOLDEN[name][key], f"{name}: {key} differ; {REGENERATE}"
