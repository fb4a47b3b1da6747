"""The state-split sample (`tools/samplegen/splits.py`): the bundled files are the
generator's, and the default rules find exactly the truth's cannibalised and split queries."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.config import Settings
from auditor.engine.run import run_rules
from auditor.engine.workspace import Workspace
from auditor.inputs import build_context
from tools.samplegen.splits import REPORT, render_all

FOLDER = Path(__file__).resolve().parent.parent / "sample_reports" / "splits"
TRUTH = json.loads((FOLDER / "truth.json").read_text(encoding="utf-8"))


def test_the_bundled_files_are_the_generators():
    for name, data in render_all().items():
        assert (FOLDER / name).read_bytes() == data, name


def test_splits_are_info_and_only_the_overlap_inside_one_state_is_cannibalisation():
    ctx = build_context([FOLDER / REPORT], Settings())
    findings = run_rules(ctx).findings
    found = {r: sorted(f.search_term for f in findings if f.rule == r) for r in TRUTH["expect"]}
    assert found == TRUTH["expect"]
    for f in findings:
        if f.rule == "STRUCT005":
            assert f.severity == "info" and "split by location (" in f.message
        if f.rule == "STRUCT001":
            assert "2 of them reaching the same searches" in f.message
    # without split detection every generic query above the floor would be STRUCT001
    lv = Workspace(ctx).level("term_account")
    served = (lv.get("ad_groups") >= 2) & (lv.get("cost") >= TRUTH["data_floor"])
    expect = TRUTH["expect"]
    assert int(served.sum()) == len(expect["STRUCT001"]) + len(expect["STRUCT005"])
