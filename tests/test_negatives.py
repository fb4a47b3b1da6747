"""Negative proposals on the sample accounts (generator truth) and the real INR download.

Done-when figures are measured the way a manager uses the tool: the proposals are exported
to the Google Ads Editor file, read back, and replayed with `auditor.terms.matching` against every
search term the generator planted and every bought keyword.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import negatives_context

from auditor.audit import audit
from auditor.config import Settings
from auditor.model import AuditResult
from auditor.negatives import propose_negatives
from auditor.negatives.lexicons import load_lexicons
from auditor.output.negatives import write_negatives
from auditor.terms.matching import blocks

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
REAL = ROOT.parent / "shared" / "real-reports" / "google-ads-search-agency-inr.csv"
ACCOUNTS = {
    "google": ("google-ads-search-terms-en.csv", "google"),
    "microsoft": ("microsoft-ads-search-terms.csv", "microsoft"),
}


def _keyword_reports(account: str) -> tuple[Path, ...]:
    """The account's keyword report(s), given with `--keywords` as a manager would."""
    files = TRUTH["files"].items()
    return tuple(
        SAMPLES / f for f, i in files if i["account"] == account and i["kind"] == "keywords"
    )


def _audit(account: str, **extra: object) -> AuditResult:
    truth = TRUTH["accounts"][account]
    file, platform = ACCOUNTS[account]
    settings = Settings(
        brand=tuple(truth["brand"]),
        platform=platform,
        keywords=_keyword_reports(account),
        **extra,
    )
    return audit([SAMPLES / file], settings)


def _exported(result: AuditResult, tmp_path: Path) -> tuple[list[dict], dict[str, set[str]]]:
    """The Editor file's negatives and the campaigns each shared list is attached to."""
    path = tmp_path / "negatives.csv"
    write_negatives(path, result.negatives, "editor")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lists: dict[str, set[str]] = {}
    for r in rows:
        if not r["Keyword"]:
            lists.setdefault(r["Shared set name"], set()).add(r["Campaign"])
    return [r for r in rows if r["Keyword"]], lists


def _replay(
    negatives: list[dict], lists: dict[str, set[str]], items: pd.DataFrame, platform: str
) -> np.ndarray:
    """Which rows of `items` (text in `search_term`, campaign, ad_group) the file blocks."""
    blocked = np.zeros(len(items), dtype=bool)
    for r in negatives:
        kind = r["Criterion Type"].rsplit(" ", 1)[-1].lower()
        hit = blocks(r["Keyword"].strip('"[]'), kind, items["search_term"], platform).to_numpy()
        if r["Shared set name"]:
            scope = items["campaign"].isin(lists[r["Shared set name"]])
        elif r["Ad group"]:
            scope = (items["campaign"] == r["Campaign"]) & (items["ad_group"] == r["Ad group"])
        else:
            scope = items["campaign"] == r["Campaign"]
        blocked |= hit & scope.to_numpy()
    return blocked


def _figures(account: str, result: AuditResult, tmp_path: Path) -> dict[str, float]:
    """Issue 9's figures, measured on the exported Editor file replayed against the truth.

    `collateral` is the relevant non-converting spend blocked beyond the planted single waste
    terms (an exact negative on a proven waste term is what it is for, not collateral)."""
    truth = TRUTH["accounts"][account]
    platform = ACCOUNTS[account][1]
    terms = pd.DataFrame(truth["terms"])
    negatives, lists = _exported(result, tmp_path)
    blocked = _replay(negatives, lists, terms, platform)
    reviewed = _review_rows(result, terms, platform)
    converting = (terms["conversions"] > 0) | (terms["conversion_value"] > 0)
    irrelevant = ~terms["relevant"]
    family = terms["family"].notna()
    waste = terms["labels"].map(lambda labels: "planted_waste" in labels)
    idle = terms["relevant"] & ~converting & ~waste
    keywords = _known_keywords(account, result)

    def share(mask: pd.Series, of: pd.Series) -> float:
        return float(terms.loc[mask & of, "cost"].sum() / terms.loc[of, "cost"].sum())

    return {
        "waste": share(blocked, waste),
        "family": share(blocked, family),
        "family_or_review": share(blocked | reviewed, family),
        "converting_blocked": float((blocked & converting).sum()),
        "keywords_blocked": float(_replay(negatives, lists, keywords, platform).sum()),
        "collateral": share(blocked, idle),
        "per_irrelevant_term": len(negatives) / irrelevant.sum(),
    }


def _review_rows(result: AuditResult, terms: pd.DataFrame, platform: str) -> np.ndarray:
    """Rows a review item (held back, kind `review`) would block: listed for the manager."""
    out = np.zeros(len(terms), dtype=bool)
    for h in result.held_back:
        if h.kind == "review":
            out |= blocks(h.text, h.match_type, terms["search_term"], platform).to_numpy()
    return out


def _known_keywords(account: str, result: AuditResult) -> pd.DataFrame:
    """The bought keywords the tool could know: the truth's keywords that are in a keyword
    report given or in the search-terms report's Keyword column. (A keyword that served no
    term and is in no input file cannot be protected by anything.)"""
    truth = pd.DataFrame(TRUTH["accounts"][account]["keywords"])
    seen = set(result.keywords["keyword"].dropna().astype(str).str.lower())
    known = truth[truth["keyword"].str.lower().isin(seen)]
    return known.rename(columns={"keyword": "search_term"}).reset_index(drop=True)


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_proposals_are_evidence_first_safe_and_few(account: str, tmp_path: Path) -> None:
    """Issue 9's done-when on the samples: single waste terms proposed (>= 80% of their spend),
    the planted families proposed or listed for review (>= 80%), nothing converting, bought or
    relevant blocked (collateral <= 2%), at most 0.5 entries per irrelevant term."""
    fig = _figures(account, _audit(account), tmp_path)
    assert fig["waste"] >= 0.80
    assert fig["family_or_review"] >= 0.80
    assert fig["converting_blocked"] == 0
    assert fig["keywords_blocked"] == 0
    assert fig["collateral"] <= 0.02
    assert fig["per_irrelevant_term"] <= 0.5


def test_the_families_the_data_prove_are_proposed(tmp_path: Path) -> None:
    """On the Google sample the jobs family (unambiguous) and the families whose spend proves
    them are proposed: half the planted family spend at least. (The smaller Microsoft account
    cannot prove its families: there they are listed for review, see the test above.)"""
    assert _figures("google", _audit("google"), tmp_path)["family"] >= 0.50


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_misspelling_of_a_lexicon_word_gets_its_own_negative(account: str) -> None:
    """Proposed or listed for review, each misspelling is an entry of its own."""
    lexicon = load_lexicons(Settings())
    result = _audit(account)
    texts = {p.text for p in result.negatives}
    texts |= {h.text for h in result.held_back if h.kind == "review"}
    for family in TRUTH["accounts"][account]["families"].values():
        for word, info in family["words"].items():
            if info["misspelling_of"] in lexicon.entries:
                assert word in texts, f"{word} (misspells {info['misspelling_of']})"


def test_each_proposal_explains_itself_and_has_a_stable_id() -> None:
    first, second = _audit("google"), _audit("google")
    assert [p.id for p in first.negatives] == [p.id for p in second.negatives]
    assert len({p.id for p in first.negatives}) == len(first.negatives)
    for p in first.negatives:
        assert p.blocked_terms and p.blocked_cost > 0
        assert p.blocked_conversions == 0
        assert "Blocks" in p.reason and p.family
        assert p.match_type in ("phrase", "exact", "broad")


SHOP = [
    ("hiking boots", "Boots", 300, 900.0, 12, 1200.0),
    ("free shipping hiking boots", "Boots", 40, 120.0, 2, 200.0),
    ("free hiking boots download", "Boots", 9, 30.0, 0, 0),
    ("free boots pdf", "Boots", 6, 20.0, 0, 0),
    ("hiking boots jobs", "Boots", 5, 15.0, 0, 0),
    ("jobs at boot store", "Tents", 4, 12.0, 0, 0),
    ("hiking boots jbos", "Boots", 2, 6.0, 0, 0),
    ("tents", "Tents", 200, 500.0, 9, 800.0),
]


def test_a_lexicon_word_the_account_converts_on_is_held_back_not_proposed() -> None:
    out = propose_negatives(negatives_context(SHOP))
    texts = {p.text for p in out.proposals}
    assert "free" not in texts
    assert any(h.text == "free" and "converts on" in h.reason for h in out.held_back)
    assert {"jobs", "jbos"} <= texts
    jobs = next(p for p in out.proposals if p.text == "jobs")
    assert jobs.level == "shared_list" and set(jobs.campaigns) == {"Boots", "Tents"}
    for p in out.proposals:
        assert not blocks(p.text, p.match_type, pd.Series(["free shipping hiking boots"])).any()


def test_a_converting_lexicon_word_yields_only_narrower_phrases_proven_on_their_own() -> None:
    """`free` converts (free shipping), so a `free ...` phrase is proposed only when its own
    rows prove the waste; a thin one is listed for review, never proposed."""
    rows = [
        *SHOP,
        ("free hiking maps", "Boots", 4, 14.0, 0, 0),
        ("free hiking maps sweden", "Boots", 3, 11.0, 0, 0),
        ("free tent pitching guide", "Tents", 60, 250.0, 0, 0),
        ("free tent pitching guide pdf", "Tents", 45, 200.0, 0, 0),
    ]
    out = propose_negatives(negatives_context(rows))
    texts = {p.text for p in out.proposals}
    assert "free" not in texts
    assert "free tent" in texts, "105 clicks without a sale at a 4% rate: proven"
    assert "free hiking" not in texts
    review = {h.text for h in out.held_back if h.kind == "review"}
    assert "free hiking" in review


def test_account_words_from_the_config_are_proposed() -> None:
    out = propose_negatives(negatives_context(SHOP, Settings(irrelevant=("pdf",))))
    pdf = next(p for p in out.proposals if p.text == "pdf")
    assert pdf.intent == "account"
    assert pdf.blocked_terms == ["free boots pdf"]


def test_without_a_conversions_column_nothing_is_proposed() -> None:
    ctx = negatives_context(SHOP)
    ctx.columns_present = frozenset({"clicks", "cost", "impressions"})
    out = propose_negatives(ctx)
    assert out.proposals == []
    assert any("no Conversions column" in n for n in out.notes)


def test_existing_negatives_are_not_proposed_again_and_are_checked(tmp_path: Path) -> None:
    existing = tmp_path / "negatives.txt"
    existing.write_text('jobb\n"lediga jobb"\n[vandringskängor]\n', encoding="utf-8")
    base = _audit("google")
    result = _audit("google", existing_negatives=(existing,))
    assert "jobb" in {p.text for p in base.negatives}
    assert "jobb" not in {p.text for p in result.negatives}
    rules = {f.rule: f for f in result.findings if f.rule.startswith("NEG")}
    assert rules["NEG001"].keyword == "vandringskängor"
    assert rules["NEG001"].conversions > 0
    assert rules["NEG002"].keyword == "lediga jobb"
    assert "jobb" in rules["NEG002"].message


@pytest.mark.skipif(not REAL.exists(), reason="needs ../shared/real-reports")
def test_real_report_no_proposal_blocks_a_converting_term() -> None:
    result = audit([REAL], Settings())
    table = result.table
    converting = table[(table["conversions"] > 0) | (table["conversion_value"] > 0)]
    for p in result.negatives:
        hit = blocks(p.text, p.match_type, converting["search_term"]).to_numpy()
        if p.level == "campaign":
            hit &= (converting["campaign"] == p.campaign).to_numpy()
        assert not hit.any(), p.text


def test_the_same_account_in_every_export_format_gets_the_same_negatives() -> None:
    files = [
        f
        for f, info in TRUTH["files"].items()
        if info["account"] == "google" and info["kind"] == "search_terms"
    ]
    brand = tuple(TRUTH["accounts"]["google"]["brand"])
    seen = {
        f: sorted(
            (p.text, p.match_type, p.level, p.campaign or "")
            for p in audit([SAMPLES / f], Settings(brand=brand)).negatives
        )
        for f in files
    }
    assert len(files) >= 3
    first = seen[files[0]]
    assert first and all(v == first for v in seen.values())


def test_proposals_read_only_the_ngrams_they_filter_for(monkeypatch) -> None:
    """Dropping the n-grams of terms without cost or conversions (but single words and lexicon
    phrases) before the proposals changes nothing they propose, hold back or keep."""
    from auditor.negatives import propose

    rows = [
        *SHOP,
        ("free hiking maps", "Boots", 4, 14.0, 0, 0),
        ("free tent pitching guide", "Tents", 60, 250.0, 0, 0),
        ("free tent pitching guide pdf", "Tents", 45, 200.0, 0, 0),
        ("hiking boots free download", "Boots", 0, 0.0, 0, 0),
        ("kids tent for free", "Tents", 0, 0.0, 0, 0),
        ("used boots second hand sale", "Boots", 0, 0.0, 0, 0),
        ("tent pegs how to make", "Tents", 0, 0.0, 0, 0),
    ]
    ctx = negatives_context(rows, Settings(protect=("download",)))
    ngrams = propose.ngram_table(ctx.table)
    costly, single = ngrams["cost"] > 0, ngrams["n"] == 1
    kept = int((costly | single).sum()) + 5  # and the first 5 n-grams of 2+ words without cost
    monkeypatch.setattr(propose, "KEPT", kept)
    fast = propose_negatives(ctx)
    assert any(h.text == "free download" and "protected" in h.reason for h in fast.held_back)
    read = propose.ngram_table(ctx.table, keep=propose.read_rows(load_lexicons(ctx.settings)))
    texts = set(read["ngram"].astype(str))
    assert len(read) < len(ngrams) and {"free download", "second hand", "for free"} <= texts
    monkeypatch.setattr(
        propose, "read_rows", lambda _: lambda columns, _: np.arange(len(columns["n"]))
    )
    slow = propose_negatives(ctx)
    assert fast.proposals == slow.proposals and fast.proposals
    assert fast.held_back == slow.held_back and fast.held_back
    assert fast.notes == slow.notes and fast.covered_cost == slow.covered_cost
    assert len(fast.ngrams) == kept  # the same rows, numbered among the rows built
    assert fast.ngrams.reset_index(drop=True).equals(slow.ngrams.reset_index(drop=True))
