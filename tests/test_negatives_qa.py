"""Problems a PPC manager's QA pass found in the negative proposals, on the samples and the
real downloads: held-back items say exactly what their negative blocks, one review item per
text, the summary's covered spend counts each blocked row once, account words go on the
shared list when that is safe, and every narrower placement is explained."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import negatives_context

from auditor.audit import audit
from auditor.config import Settings
from auditor.inputs import build_context
from auditor.model import AuditResult
from auditor.negatives import propose_negatives
from auditor.negatives.existing import ExistingNegative, existing_blocked, negated_rows
from auditor.output.summary import summary_lines
from auditor.terms.matching import LEVEL_CAMPAIGN, LEVEL_SHARED, blocks, in_scope, term_index

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
REAL = ROOT.parent / "shared" / "real-reports"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
EN_KEYWORDS = SAMPLES / "google-ads-keywords-en.csv"


@pytest.fixture(scope="module")
def swedish() -> AuditResult:
    return audit([SAMPLES / "google-ads-search-terms-sv.csv"], Settings())


@pytest.fixture(scope="module")
def pmax() -> AuditResult:
    path = REAL / "google-ads-pmax-phone-cases-usd.csv"
    if not path.exists():
        pytest.skip("real download not available")
    return audit([path], Settings())


def _assert_would_block_is_exact(result: AuditResult) -> None:
    assert result.held_back
    for h in result.held_back:
        if not h.would_block:
            continue
        hit = blocks(h.text, h.match_type, pd.Series(h.would_block, dtype="string"))
        assert hit.all(), (
            h.text,
            h.match_type,
            [t for t, b in zip(h.would_block, hit, strict=True) if not b],
        )


def test_held_back_would_block_lists_only_what_the_negative_blocks(swedish: AuditResult) -> None:
    _assert_would_block_is_exact(swedish)
    item = next(h for h in swedish.held_back if h.text == "vandringskängor bäst i test")
    assert item.match_type == "exact"
    assert item.would_block == ["vandringskängor bäst i test"]
    assert "'vandringsskor bäst i test'" in item.reason


def test_held_back_would_block_on_the_real_pmax_download(pmax: AuditResult) -> None:
    _assert_would_block_is_exact(pmax)
    item = next(h for h in pmax.held_back if h.text == "airpod pro 2 case")
    assert item.would_block == ["airpod pro 2 case"]


def test_review_items_are_listed_once_per_text(swedish: AuditResult) -> None:
    review = [h for h in swedish.held_back if h.kind == "review"]
    assert review and not any(h.reason.startswith("review:") for h in review)
    assert len({h.text for h in review}) == len(review)


def _covered(result: AuditResult) -> float:
    """Replay every proposal at its level; each blocked row once, leaving out the rows the
    account already excludes (a new negative saves nothing there)."""
    assert result.table is not None
    index = term_index(result.table)
    hit = np.zeros(len(result.table), dtype=bool)
    for p in result.negatives:
        rows = index.blocked_rows(p.text, p.match_type)
        hit[in_scope(index, rows, p.level, p.campaign, p.ad_group, p.campaigns)] = True
    excluded = result.table["status"].isin(["excluded", "added_excluded"]).to_numpy(dtype=bool)
    return round(float(result.table["cost"].to_numpy(dtype=float)[hit & ~excluded].sum()), 2)


def test_summary_counts_spend_blocked_by_two_negatives_once(swedish: AuditResult) -> None:
    per_proposal = round(sum(p.blocked_cost for p in swedish.negatives), 2)
    covered = swedish.negatives_covered_cost
    assert covered == pytest.approx(_covered(swedish))
    assert covered is not None and covered <= per_proposal + 0.005
    line = next(x for x in summary_lines(swedish) if x.startswith("Negatives:"))
    assert f"covering SEK {covered:,.2f}" in line


def test_an_account_word_goes_on_the_shared_list_when_that_is_safe(tmp_path: Path) -> None:
    """`fri frakt` (free shipping) is a keep-phrase of the `free` intent: it must stop `fri`,
    not an irrelevant account word that shares no word with it."""
    settings = Settings(
        brand=tuple(TRUTH["accounts"]["google"]["brand"]),
        keywords=(EN_KEYWORDS,),
        irrelevant=("patagonia",),
    )
    result = audit([SAMPLES / "google-ads-search-terms-en.csv"], settings)
    mine = [p for p in result.negatives if "patagonia" in p.text.split()]
    assert [(p.text, p.match_type, p.level) for p in mine] == [
        ("patagonia", "phrase", LEVEL_SHARED)
    ]
    assert mine[0].blocked_conversions == 0


def test_a_negative_split_across_campaigns_is_explained_in_held_back() -> None:
    """`download` (the user's word) cannot go on the shared list: Tents bids on a keyword
    holding it. It goes to the other campaigns, and held_back says why."""
    rows = [
        ("hiking boots", "Boots", 300, 900.0, 12, 1200.0),
        ("tents", "Tents", 200, 500.0, 9, 800.0),
        ("tent app download", "Tents", 10, 30.0, 0, 0),
        ("boots pdf download", "Boots", 6, 20.0, 0, 0),
        ("hiking maps download", "Maps", 9, 30.0, 0, 0),
    ]
    ctx = negatives_context(rows, Settings(irrelevant=("download",)))
    ctx.keywords = pd.DataFrame({"keyword": ["tent app download"], "campaign": ["Tents"]})
    out = propose_negatives(ctx)
    download = [p for p in out.proposals if p.text == "download"]
    assert download and all(p.level == LEVEL_CAMPAIGN for p in download)
    assert {p.campaign for p in download} == {"Boots", "Maps"}
    why = [h for h in out.held_back if h.text == "download" and h.match_type == "phrase"]
    assert len(why) == 1
    assert "shared list" in why[0].reason and "bought keywords in 'Tents'" in why[0].reason
    assert set(why[0].would_block) == {r[0] for r in rows if r[0].endswith("download")}


def test_existing_blocked_marks_the_rows_the_account_already_excludes() -> None:
    ctx = negatives_context(
        [
            ("skidjacka", "A", 3, 9.0, 0, 0),
            ("skidjacka dam", "A", 3, 9.0, 0, 0),
            ("jobb butik", "B", 2, 4.0, 0, 0),
            ("butik jobb", "B", 2, 4.0, 0, 0),
            ("tält", "B", 2, 4.0, 1, 10.0),
        ]
    )
    existing = [
        ExistingNegative("jobb butik", "broad", LEVEL_CAMPAIGN, campaign="B"),
        ExistingNegative("skidjacka", "exact", LEVEL_SHARED, list_name="L"),
    ]
    index = term_index(ctx.table)
    google = existing_blocked(existing, index)
    assert google.tolist() == [True, False, True, True, False]
    microsoft = existing_blocked(existing, index, "microsoft")
    assert microsoft.tolist() == [True, False, True, False, False]


def test_negated_rows_are_the_rows_the_given_existing_negatives_block(tmp_path: Path) -> None:
    path = tmp_path / "negatives.txt"
    path.write_text("jobb\n[skidjacka]\n", encoding="utf-8")
    settings = Settings(existing_negatives=(path,))
    ctx = build_context([SAMPLES / "google-ads-search-terms-sv.csv"], settings)
    blocked = negated_rows(ctx)
    terms = ctx.table["search_term"].astype(str)
    expected = terms.str.split(" ").map(lambda w: "jobb" in w) | (terms == "skidjacka")
    assert blocked.tolist() == expected.tolist()
    assert set(terms[blocked]) >= {"skidjacka", "lediga jobb haglöfs"}
