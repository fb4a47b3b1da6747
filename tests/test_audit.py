"""The audit as one pipeline: stages that change each other's results."""

from __future__ import annotations

import csv
from pathlib import Path

from auditor.audit import ALREADY_NEGATED, audit
from auditor.config import Settings
from auditor.model import Finding

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
REPORT = SAMPLES / "google-ads-search-terms-en.csv"


def test_findings_on_terms_the_account_already_negates_drop_to_info(tmp_path: Path) -> None:
    existing = tmp_path / "negatives.txt"
    existing.write_text("jobb\n[skidjacka]\n", encoding="utf-8")
    before = audit([REPORT], Settings())
    after = audit([REPORT], Settings(existing_negatives=(existing,)))

    def subject(f: Finding) -> str | None:
        return f.search_term or f.ngram

    was = {(f.rule, subject(f)): f.severity for f in before.findings}
    now = {(f.rule, subject(f)): f for f in after.findings}
    assert was[("WASTE001", "skidjacka")] == "high"
    assert now[("WASTE001", "skidjacka")].severity == "info"
    assert now[("WASTE001", "skidjacka")].message.endswith(ALREADY_NEGATED)
    assert now[("WASTE004", "jobb")].severity == "info"
    assert now[("WASTE001", "fjallgear jobb")].severity == "info", "phrase `jobb` blocks it"
    negated = {"skidjacka", "jobb"}
    untouched = [k for k in now if not negated & set(str(k[1]).split())]
    assert untouched
    assert all(now[k].severity == was[k] for k in untouched if k in was)


def test_the_json_says_what_the_proposals_cover_once() -> None:
    result = audit([REPORT], Settings())
    per_proposal = sum(p.blocked_cost for p in result.negatives)
    assert result.negatives_covered_cost is not None
    assert 0 < result.negatives_covered_cost <= per_proposal + 0.005


def test_tracking_files_in_a_folder_keep_their_kinds_and_roles() -> None:
    result = audit([SAMPLES / "tracking" / "faulty"], Settings())
    roles = {i.path.name: (i.kind, i.role) for i in result.inputs}
    assert roles["conversions.csv"] == ("conversions", "report")
    assert roles["by-action.csv"] == ("search_terms", "by_action")


def test_an_account_that_records_no_conversion_is_a_tracking_alarm(tmp_path: Path) -> None:
    with REPORT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[2]
    zero = [header.index(c) for c in ("Conversions", "Conv. value", "Conv. rate", "Cost / conv.")]
    for r in rows[3:]:
        for i in zero:
            if len(r) > i and r[i] not in ("", " --"):
                r[i] = "0"
    silent = tmp_path / "silent.csv"
    with silent.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = audit([silent], Settings(target_cpa=150.0))
    (alarm,) = [f for f in result.findings if f.check == "no_conversions"]
    assert alarm.severity == "high" and alarm.clicks == result.totals["clicks"]
    waste = [f for f in result.findings if f.category == "waste"]
    assert waste and all("TRACK011" in f.metrics.get("tracking_caveat", []) for f in waste)
    assert not any(f.severity == "high" for f in waste)
    assert any("nothing converts" in n for n in result.notes)


def test_a_keyword_report_alone_says_what_to_add() -> None:
    result = audit([SAMPLES / "google-ads-keywords-en.csv"], Settings())
    assert any("add the search-terms report" in n for n in result.notes)


def test_proposals_count_only_spend_the_existing_negatives_do_not_block(tmp_path: Path) -> None:
    existing = tmp_path / "negatives.csv"
    existing.write_text(
        'Campaign,Ad group,Keyword,Criterion Type\n"Generic - Kängor, Skor",,"""jobb""",'
        "Campaign Negative Phrase\n",
        encoding="utf-8",
    )
    before = {p.text: p for p in audit([REPORT], Settings()).negatives}
    after = {p.text: p for p in audit([REPORT], Settings(existing_negatives=(existing,))).negatives}
    assert after["jobb"].blocked_cost < before["jobb"].blocked_cost
    assert "not counting" in after["jobb"].reason
