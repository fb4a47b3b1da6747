"""The negatives proposed beside the rules (`auditor.side`): the same audit as one thread, errors
and the stage profile carried over from the second thread."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from auditor import inputs as inputs_module
from auditor.audit import audit
from auditor.config import Settings
from auditor.errors import InputError
from auditor.output.jsonform import audit_to_dict
from auditor.profile import profiling, stage
from auditor.side import ENV, Beside, import_early, import_shallow, threads

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
ACCOUNTS = [
    [SAMPLES / "google-ads-search-terms-en.csv", SAMPLES / "google-ads-keywords-en.csv"],
    [SAMPLES / "google-ads-search-terms-sv.csv"],
    [SAMPLES / "microsoft-ads-search-terms.csv"],
    [SAMPLES / "leadgen"],
]


@pytest.mark.parametrize("paths", ACCOUNTS, ids=lambda p: p[0].name)
def test_side_by_side_gives_the_audit_one_thread_gives(
    paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "1")
    alone = audit_to_dict(audit(paths, Settings()))
    monkeypatch.setenv(ENV, "2")
    beside = audit_to_dict(audit(paths, Settings()))
    assert alone["negatives"] or alone["findings"], "the sample has something to compare"
    assert beside == alone


@pytest.mark.parametrize("asked", ["1", "2"])
def test_what_the_second_thread_raises_reaches_the_caller(
    asked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, asked)

    def fails() -> int:
        raise InputError("no such file or folder", path=Path("gone.csv"))

    pending = Beside.start(fails)
    with pytest.raises(InputError, match=r"gone\.csv"):
        pending.result()


def test_the_environment_chooses_one_or_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "1")
    assert threads() == 1
    monkeypatch.setenv(ENV, "8")
    assert threads() == 2, "two parts to run side by side, no more"


def test_stages_in_two_threads_each_count_their_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "2")

    def propose() -> str:
        with stage("proposals"):
            time.sleep(0.2)
        return "done"

    with profiling() as profile:
        pending = Beside.start(propose)
        with stage("rules"):
            time.sleep(0.2)
        assert pending.result() == "done"
    rules, proposals = profile.stages["rules"], profile.stages["proposals"]
    assert rules.calls == proposals.calls == 1
    assert rules.seconds >= 0.2, "the other thread's stage is not nested in this one"
    assert proposals.seconds >= 0.2
    assert profile.total_seconds < rules.seconds + proposals.seconds, "they ran side by side"


def test_a_module_imported_early_is_whole_when_first_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "slow_words.py").write_text("import time\ntime.sleep(0.3)\nknows = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(ENV, "2")
    import_early(("slow_words",))
    time.sleep(0.05)
    module = import_shallow("slow_words")
    assert module is not None and module.knows, "waited for the other thread's import"


def test_the_search_terms_table_is_handed_over_before_the_keyword_report_is_read() -> None:
    handed: list[tuple[pd.DataFrame, int]] = []
    read_before: list[int] = []

    def on_terms(table: pd.DataFrame) -> None:
        handed.append((table, len(read_before)))

    report, keywords = ACCOUNTS[0]
    original = inputs_module.read_report

    def counting(path: Path, **kwargs: object) -> object:
        read_before.append(1)
        return original(path, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputs_module, "read_report", counting)
        ctx = inputs_module.build_context(
            [report], Settings(keywords=(keywords,)), on_terms=on_terms
        )
    assert len(handed) == 1 and handed[0][0] is ctx.table, "the audit's own table"
    assert handed[0][1] == 1, "after the search-terms report, before the keyword report"
    assert len(read_before) == 2 and len(ctx.keywords)
