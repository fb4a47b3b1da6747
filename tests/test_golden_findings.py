"""The bundled samples' findings change only where intended: every line that appeared or went
away since `tests/data/golden_findings.json` was approved is listed (see golden_findings.py)."""

from __future__ import annotations

import json

from golden_findings import GOLDEN, digest


def test_sample_findings_match_the_approved_digest() -> None:
    approved = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = digest()
    changes = []
    for name in sorted(set(approved) | set(now)):
        before, after = set(approved.get(name, [])), set(now.get(name, []))
        changes += [f"{name}: - {line}" for line in sorted(before - after)]
        changes += [f"{name}: + {line}" for line in sorted(after - before)]
    assert not changes, (
        "Findings on the bundled samples changed; if intended, run"
        " `python tests/golden_findings.py --write`:\n" + "\n".join(changes)
    )
