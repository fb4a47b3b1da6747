"""Rule packs: validation all at once, overrides, user packs, skipped checks, crashes, docs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from auditor.cli import main
from auditor.config import RuleOverride, Settings
from auditor.engine import catalogue
from auditor.engine.cases import case_context
from auditor.engine.checks import EVALUATED
from auditor.engine.explain import explain, rules_table
from auditor.engine.packs import load_rules
from auditor.engine.run import run_rules
from auditor.engine.workspace import Workspace
from auditor.errors import ConfigError, RuleError
from auditor.model import SEVERITIES

ACCOUNT = {
    "rows": [
        {"search_term": "trail running shoes", "clicks": 400, "cost": 800.0, "conversions": 20},
        {"search_term": "running shoes sale", "clicks": 200, "cost": 400.0, "conversions": 10},
        {"search_term": "running shoes jobs", "clicks": 60, "cost": 120.0, "conversions": 0},
        {"search_term": "shoe repair near me", "clicks": 250, "cost": 30.0, "conversions": 0},
        {"search_term": "cheap running shoe", "clicks": 3, "cost": 5.0, "conversions": 0},
        {
            "ad_group": "Trail shoes",
            "search_term": "trail running shoes",
            "clicks": 90,
            "cost": 210.0,
            "conversions": 1,
        },
    ]
}

GOOD_RULE = """
[[rules]]
id = "MINE001"
name = "pricey-clicks"
title = "Clicks cost more than twice the account average"
category = "waste"
severity = "low"
level = "search_term"
when = "cpc >= max_cpc and clicks >= min_clicks"
params = {{ max_cpc = 2.2, min_clicks = 20 }}
message = "CPC {{cpc:money}} on {{clicks:int}} clicks."
[rules.docs]
what = "Search terms whose clicks cost far more than usual."
why = "Expensive clicks need a higher conversion rate to pay."
fix = "Lower the bid of the keyword that matched them."
[[rules.cases]]
name = "x"
expect = ["trail running shoes"]
rows = [{{ search_term = "trail running shoes", clicks = 90, cost = 210.0, conversions = 1 }}]
{extra}
"""


def write_pack(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def subjects(outcome, rule_id: str) -> list[str]:
    return sorted(f.search_term or "" for f in outcome.findings if f.rule == rule_id)


def test_default_account_findings_sorted_by_severity_then_cost():
    outcome = run_rules(case_context(ACCOUNT, Settings()))
    assert subjects(outcome, "WASTE001") == ["running shoes jobs"]
    assert subjects(outcome, "WASTE002") == ["shoe repair near me"]
    ranks = [(SEVERITIES.index(f.severity), -(f.cost or 0)) for f in outcome.findings]
    assert ranks == sorted(ranks)
    assert outcome.baseline["target_cpa_source"] == "account"
    assert any("No target CPA set" in n for n in outcome.notes)


def test_statistical_rule_does_not_repeat_the_cpa_rule():
    outcome = run_rules(case_context(ACCOUNT, Settings()))
    cpa = set(subjects(outcome, "WASTE001"))
    stat = set(subjects(outcome, "WASTE002"))
    assert cpa and not cpa & stat
    # with WASTE001 off, the statistical rule reports the terms it had left to WASTE001
    off = Settings(rule_overrides={"WASTE001": RuleOverride(enabled=False)})
    outcome = run_rules(case_context(ACCOUNT, off))
    assert not subjects(outcome, "WASTE001")


def test_overrides_change_severity_params_and_enabled():
    settings = Settings(
        rule_overrides={
            "WASTE001": RuleOverride(severity="medium", params={"cpa_multiple": 3.0}),
            "STRUCT001": RuleOverride(enabled=False),
        }
    )
    outcome = run_rules(case_context(ACCOUNT, settings))
    assert not subjects(outcome, "WASTE001")  # 120 < 3 x CPA
    assert not [f for f in outcome.findings if f.rule == "STRUCT001"]
    table = {r["id"]: r for r in rules_table(settings)}
    assert table["WASTE001"]["severity"] == "medium"
    assert table["STRUCT001"]["enabled"] == "no"


def test_bad_overrides_are_reported_with_close_matches():
    settings = Settings(
        rule_overrides={
            "WASTE01": RuleOverride(enabled=False),
            "WASTE002": RuleOverride(params={"max_p": 0.1}, severity="urgent"),
        }
    )
    with pytest.raises(RuleError) as info:
        load_rules(settings)
    text = str(info.value)
    assert "WASTE01" in text and "did you mean" in text
    assert "unknown param 'max_p'" in text and "max_p_zero" in text
    assert "severity 'urgent'" in text


def test_user_pack_adds_a_rule_without_python(tmp_path):
    pack = write_pack(tmp_path, GOOD_RULE.format(extra=""))
    settings = Settings(rule_packs=(pack,))
    outcome = run_rules(case_context(ACCOUNT, settings))
    assert subjects(outcome, "MINE001") == ["trail running shoes"]
    (finding,) = [f for f in outcome.findings if f.rule == "MINE001"]
    assert finding.message.startswith("CPC SEK 2.33 on 90 clicks")
    assert finding.metrics["max_cpc"] == 2.2
    assert "MINE001" in {r["id"] for r in rules_table(settings)}


def test_every_pack_problem_is_reported_together(tmp_path):
    bad = """
    [[rules]]
    id = "WASTE001"
    name = "dupe"
    title = "Duplicate id of a default rule"
    category = "waste"
    severity = "high"
    level = "search_term"
    when = "cost > 1"
    message = "x"
    colour = "red"
    [rules.docs]
    what = "a"
    why = "b"
    fix = "c"
    [[rules.cases]]
    name = "x"
    expect = []
    rows = [{ search_term = "a", clicks = 1 }]

    [[rules]]
    id = "MINE002"
    name = "bad"
    title = "Bad everything"
    category = "money"
    severity = "urgent"
    level = "search_term"
    when = "cost.__class__ > 1 and costt > 2"
    message = "{nope}"
    [rules.docs]
    what = "a"

    [[rules]]
    id = "MINE003"
    name = "bad-level"
    title = "Bad level"
    category = "waste"
    severity = "low"
    level = "country"
    when = "cost > 1"
    message = "x"
    [rules.docs]
    what = "a"
    why = "b"
    fix = "c"
    [[rules.cases]]
    name = "x"
    expect = []
    rows = [{ search_term = "a", clicks = 1 }]

    [[rules]]
    id = "MINE004"
    name = "bad-metric"
    title = "Unknown metric"
    category = "waste"
    severity = "low"
    level = "search_term"
    when = "costs > 1"
    message = "x"
    [rules.docs]
    what = "a"
    why = "b"
    fix = "c"
    [[rules.cases]]
    name = "x"
    expect = []
    rows = [{ search_term = "a", clicks = 1 }]
    """
    pack = write_pack(tmp_path, bad)
    with pytest.raises(RuleError) as info:
        load_rules(Settings(rule_packs=(pack,)))
    text = str(info.value)
    for needle in (
        "WASTE001: unknown key 'colour'",
        "MINE002: category 'money'",
        "MINE002: severity 'urgent'",
        "MINE002: docs.why is missing",
        "MINE002: needs at least one [[rules.cases]]",
        "MINE003: level 'country'",
        "MINE004: when: unknown name 'costs'",
    ):
        assert needle in text, needle
    assert str(pack) in text
    assert text.count("\n") >= 6  # one line per problem


def test_duplicate_ids_across_packs_and_bad_expressions(tmp_path):
    one = write_pack(tmp_path, GOOD_RULE.format(extra=""), "one.toml")
    two = write_pack(tmp_path, GOOD_RULE.format(extra=""), "two.toml")
    evil = GOOD_RULE.replace('id = "MINE001"', 'id = "MINE009"').replace(
        "cpc >= max_cpc and clicks >= min_clicks",
        "__import__('os').system('echo pwned') == 0",
    )
    three = write_pack(tmp_path, evil.format(extra=""), "three.toml")
    with pytest.raises(RuleError) as info:
        load_rules(Settings(rule_packs=(one, two, three)))
    text = str(info.value)
    assert "MINE001: duplicate id" in text and "one.toml" in text
    assert "MINE009: when:" in text and "not allowed" in text


def test_missing_columns_and_settings_skip_rules_with_reasons():
    no_conv = {
        "rows": [{k: v for k, v in r.items() if k != "conversions"} for r in ACCOUNT["rows"]]
    }
    outcome = run_rules(case_context(no_conv, Settings()))
    skipped = {c["rule"]: c["reason"] for c in outcome.checks_skipped}
    assert "conversions" in skipped["WASTE001"]
    assert "margin" in skipped["PROFIT002"] or "conversion value" in skipped["PROFIT002"]
    assert "Total: Other search terms" in skipped["VIS001"]
    assert not [f for f in outcome.findings if f.category == "waste"]


def test_account_without_any_conversion_and_no_target_is_skipped_not_silent():
    rows = {"rows": [dict(r, conversions=0) for r in ACCOUNT["rows"]]}
    outcome = run_rules(case_context(rows, Settings()))
    skipped = {c["rule"]: c["reason"] for c in outcome.checks_skipped}
    assert "no target CPA" in skipped["WASTE001"]
    with_target = run_rules(case_context(rows, Settings(target_cpa=50.0)))
    flagged = set(subjects(with_target, "WASTE001"))
    assert flagged == {"running shoes jobs", "running shoes sale", "trail running shoes"}


def test_a_crashing_rule_becomes_an_internal_error_finding(monkeypatch):
    def boom(level):
        raise ZeroDivisionError("metric exploded")

    broken = catalogue.Metric("broken", boom, frozenset({"clicks"}))
    monkeypatch.setitem(catalogue.METRICS, "terms", broken)
    outcome = run_rules(case_context(ACCOUNT, Settings()))
    errors = [f for f in outcome.findings if f.rule == "internal-error"]
    assert {f.metrics["failed_rule"] for f in errors} == {"WASTE004"}
    assert all("metric exploded" in f.message and f.severity == "low" for f in errors)
    assert subjects(outcome, "WASTE001") == ["running shoes jobs"]  # the others still ran


def test_explain_prints_docs_params_and_condition():
    text = explain("waste002", Settings())
    for part in (
        "What it finds",
        "Why it costs money",
        "What to do",
        "Example",
        "max_p_zero = 0.05",
    ):
        assert part in text
    assert "p_zero <= max_p_zero" in text and "WASTE001" in text


def test_explain_unknown_id_names_close_matches():
    with pytest.raises(ConfigError, match="did you mean WASTE001"):
        explain("WASTE01", Settings())


def test_cli_rules_list_and_explain(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "WASTE001" in out and "STRUCT001" in out
    assert main(["rules", "explain", "NOPE999"]) == 3
    assert "unknown rule id" in capsys.readouterr().err


def test_config_file_overrides_and_packs_reach_the_rules(tmp_path):
    from auditor.config import load_config

    write_pack(tmp_path, GOOD_RULE.format(extra=""), "house-rules.toml")
    config = tmp_path / "account.toml"
    config.write_text(
        textwrap.dedent(
            """
            [account]
            target_cpa = 150.0
            [rules]
            packs = ["house-rules.toml"]
            [rules.WASTE002]
            enabled = false
            [rules.MINE001]
            params = { max_cpc = 1.5 }
            """
        ),
        encoding="utf-8",
    )
    settings = load_config(config)
    outcome = run_rules(case_context(ACCOUNT, settings))
    assert not subjects(outcome, "WASTE001")  # 120 < the 150 target
    assert not subjects(outcome, "WASTE002")
    assert "running shoes sale" in subjects(outcome, "MINE001")
    assert outcome.baseline["target_cpa"] == 150.0
    assert outcome.baseline["target_cpa_source"] == "settings"


def test_findings_csv_is_sorted_and_safe(tmp_path):
    import csv

    from auditor.output.findings import write_findings_csv

    rows = [*ACCOUNT["rows"]]
    rows.append({"search_term": "=HYPERLINK(evil)", "clicks": 60, "cost": 130.0, "conversions": 0})
    outcome = run_rules(case_context({"rows": rows}, Settings()))
    out = tmp_path / "findings.csv"
    write_findings_csv(out, outcome.findings)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["rule"] for r in got] == [f.rule for f in outcome.findings]
    assert any(r["search_term"] == "'=HYPERLINK(evil)" for r in got)
    with pytest.raises(Exception, match="exists"):
        write_findings_csv(out, outcome.findings)


def test_the_readme_example_pack_loads_and_its_case_passes(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Writing your own rule pack", 1)[1]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    pack = write_pack(tmp_path, block, "house-rules.toml")
    settings = Settings(rule_packs=(pack,))
    (rule,) = [r for r in load_rules(settings) if r.id == "HOUSE001"]
    for case in rule.cases:
        outcome = run_rules(case_context(case, settings))
        assert subjects(outcome, "HOUSE001") == sorted(case["expect"])


def test_summary_says_what_the_rules_judged_against():
    from auditor.model import AuditResult
    from auditor.output.summary import summary_lines

    outcome = run_rules(case_context(ACCOUNT, Settings(target_cpa=40.0, margin=0.4)))
    result = AuditResult(
        inputs=[],
        period=None,
        currency="SEK",
        totals={},
        hidden_cost=None,
        hidden_cost_amount=None,
        findings=outcome.findings,
        notes=outcome.notes,
        baseline=outcome.baseline,
    )
    text = "\n".join(summary_lines(result))
    assert "Judged by:   CPA SEK 40.00 (your target)" in text
    assert "break-even ROAS 2.50" in text
    assert "by rule:" in text and "WASTE001 1" in text


def test_an_empty_report_skips_every_evaluated_rule_and_says_so():
    from auditor import schema
    from auditor.engine.context import AuditContext

    ctx = AuditContext(
        table=schema.empty_table(),
        columns_present=frozenset({"cost", "clicks", "conversions"}),
        keywords=schema.empty_table()[["keyword", "keyword_match_type", "campaign", "ad_group"]],
        settings=Settings(),
    )
    outcome = run_rules(ctx, stage=EVALUATED)
    assert outcome.findings == []
    assert {c["reason"] for c in outcome.checks_skipped} == {"the reports have no search-term rows"}


def test_a_term_served_by_many_ad_groups_keeps_a_short_message_and_full_evidence():
    rows = [
        {"search_term": "hiking boots", "clicks": 100, "cost": 500.0, "conversions": 10},
        *(
            {"ad_group": f"Group {i:03d}", "search_term": "boots", "clicks": 2, "cost": 40.0 - i}
            for i in range(25)
        ),
    ]
    outcome = run_rules(case_context({"rows": rows}, Settings()))
    found = [f for f in outcome.findings if f.rule == "STRUCT001"]
    assert len(found) == 1
    message, served = found[0].message, found[0].evidence["served_by"]
    assert message.startswith("Served by 25 ad groups")
    assert message.count(" > Group ") == 10 and message.endswith("; ... and 15 more.")
    assert "Group 000 (SEK 40.00" in message and "Group 010" not in message
    assert [s["ad_group"] for s in served] == [f"Group {i:03d}" for i in range(25)]
    assert served[0] == {
        "campaign": "Search - Generic",
        "ad_group": "Group 000",
        "cost": 40.0,
        "conversions": 0.0,
    }


def test_costly_metrics_read_at_some_rows_equal_their_whole_columns():
    rows = [
        {
            "campaign": f"C{i % 4}",
            "ad_group": f"G{i % 3}",
            "keyword": f"shoes {i % 2}" if i % 7 else None,
            "keyword_match_type": "exact" if i % 2 else "phrase",
            "search_term": term,
            "clicks": 5 + 13 * i,
            "cost": 7.0 + 41.0 * (i % 9),
            "conversions": float(i % 4 == 0),
        }
        for i, term in enumerate(
            ["shoes 1", "shoe 1", "1 shoes", "running shoes", "running shoe", "shoes 2"] * 5
            + ["trail running shoes", "trial running shoes", "shoes 4", "shoes  4"]
        )
    ]
    case = {"rows": rows, "keywords": [{"keyword": "+running shoes"}]}
    ctx = case_context(case, Settings(brand=("trail",)))
    asked = {
        "search_term": ("is_keyword", "is_brand", "close_variant_cpa", "close_variant_conversions"),
        "term_account": ("is_keyword", "ad_groups", "campaigns", "close_variant_cpa"),
        "keyword": ("terms", "ad_groups", "is_keyword", "is_brand"),
        "ngram": ("terms", "close_variant_cpa", "is_keyword", "is_brand"),
    }
    for level, names in asked.items():
        for name in names:
            part = Workspace(ctx).level(level)
            at = np.arange(0, part.size, 3)
            whole = np.asarray(Workspace(ctx).level(level).get(name))
            assert np.array_equal(part.get_at(name, at), whole[at], equal_nan=True), (level, name)
            assert np.array_equal(part.get_at(name, np.arange(part.size)), whole, equal_nan=True)
