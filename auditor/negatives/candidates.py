"""Where negative candidates come from. Each source yields families: texts judged together on
one evidence (`auditor.negatives.evidence`), proposed together or listed for review together.

- `lexicon_families`: lexicon words present in the account and their misspellings, one family
  per intent and tier. A word of tier `intent` that the account itself uses (a keyword, a
  converting term, a campaign or ad group name, a brand or protected term) needs proof like a
  word of tier `proven`.
- `ngram_families`: the account's own non-converting 1-3-grams that share no word with what
  it sells (the same own words), with their misspellings: wrong products, other sports'
  gear, file templates, courses under other names.
- `term_families`: single wasteful search terms with their near-duplicates (fuzzy clusters),
  as exact negatives.
- `competitor_families`: the competitors named in the settings.
- `brand_like_tokens`: words no dictionary of the report's languages knows (`wordfreq`) that
  recur in non-converting terms: likely other brands, for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from auditor.engine.context import AuditContext
from auditor.negatives.account import Account
from auditor.negatives.clustering import cluster_queries
from auditor.negatives.evidence import TIER_INTENT, TIER_PROVEN
from auditor.negatives.lexicons import Lexicon, fuzzy_variants
from auditor.negatives.safety import keyword_index
from auditor.side import import_shallow
from auditor.terms.matching import EXACT, PHRASE, term_index, word_set, words

MAX_CLUSTERED = 20_000
"""Only the costliest non-converting terms are clustered into near-duplicate families."""
NEAR_CONVERTING = 90.0
"""A term this close (`token_sort_ratio`) to a converting term is judged with it: never
proposed (`airpod pro 2 case` beside a converting `airpods pro 2 case`)."""
MAX_FAMILIES = 2_000
"""At most this many n-gram families, term families and brand-like words are judged (the
costliest of each): a proof needs a CPA of spend and the review list holds 50 items, so the
tail below them is cents each (and judging it cost seconds on a 1M-row report)."""
MIN_TERMS_NGRAM = 2
MIN_PART = 4
"""A compound's product word has at least this many letters (and its modifier three)."""
"""An n-gram family needs this many distinct terms (one term is a single-term candidate)."""
BRAND_ZIPF = 2.5
"""A word this rare (`wordfreq` Zipf frequency below it in every language) may be a brand:
`otterbox` 2.0, `spigen` 1.6; `keychain` 2.8 and `rugged` 3.6 are words."""
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class Candidate:
    """One negative text a family may propose."""

    text: str
    match_type: str
    family: str
    intent: str | None
    why: str
    converts: bool = False
    guard_buying: bool = False
    """Business-dependent (a `proven`-tier word): must not block a buying question."""


@dataclass
class Family:
    """Candidates judged on one evidence: the rows all of them block together."""

    name: str
    members: list[Candidate]
    tier: str
    """`intent`: proposed on thin evidence; `proven`: only when the evidence proves waste."""
    source: str
    """`lexicon`, `ngram`, `term`, `cluster` or `competitor`."""
    single_exact: bool = False
    """One search term as an exact negative (the spend rule of `tier_of` applies)."""
    note: str = ""
    """Why a family is only for review whatever its evidence (near a converting term)."""
    related: list[str] = field(default_factory=list)
    """Words it shares with what the account sells (empty: likely the wrong product)."""


def own_words(ctx: AuditContext, ngrams: pd.DataFrame) -> set[str]:
    """Words the account sells or names: bought keywords, converting terms, campaign and ad
    group names, brand and protected terms."""
    texts: list[str] = [*ctx.settings.brand, *ctx.settings.protect]
    index = term_index(ctx.table)
    for col in ("campaign", "ad_group"):
        if col in ctx.table.columns:
            texts += list(index.label_codes(col)[1])
    found = word_set(texts)
    found |= {w.lstrip("+") for w in keyword_index(ctx.keywords).index.postings.vocab}
    found.discard("")
    found.update(ngrams["ngram"][(_sizes(ngrams) == 1) & converting_mask(ngrams)].astype(str))
    return found


def _sizes(ngrams: pd.DataFrame) -> np.ndarray:
    return ngrams["n"].to_numpy()


def converting_mask(ngrams: pd.DataFrame) -> np.ndarray:
    """Which n-grams have conversions or conversion value (a mask, NaN as none)."""
    conv = ngrams["conversions"].to_numpy(dtype=np.float64, na_value=np.nan)
    value = ngrams["conversion_value"].to_numpy(dtype=np.float64, na_value=np.nan)
    return (conv > 0) | (value > 0)


def _unigram_counts(ngrams: pd.DataFrame) -> tuple[list[str], dict[str, int]]:
    unigram = _sizes(ngrams) == 1
    tokens = ngrams["ngram"][unigram].astype(str).tolist()
    return tokens, dict(zip(tokens, ngrams["terms"][unigram].tolist(), strict=True))


def _converts(row: pd.Series) -> bool:
    return bool((row["conversions"] or 0) > 0 or (row["conversion_value"] or 0) > 0)


def lexicon_families(lexicon: Lexicon, ngrams: pd.DataFrame, own: set[str]) -> list[Family]:
    """Lexicon entries and their misspellings present in the account, per intent and tier."""
    tokens, counts = _unigram_counts(ngrams)
    variants = fuzzy_variants(tokens, lexicon.single_words(), counts, own)
    wanted = ngrams[ngrams["ngram"].isin([*lexicon.entries, *variants])]
    keyed = wanted.assign(key=wanted["ngram"].astype(str))
    present = keyed.drop_duplicates("key").set_index("key")
    found = set(present.index)
    items = [(t, None) for t in lexicon.entries if t in found]
    items += [(tok, w) for tok, w in variants.items() if tok in found]
    families: dict[tuple[str, str], Family] = {}
    for text, misspells in items:
        entry = lexicon.entries[misspells or text]
        used = sorted(set(words(text)) & own)
        tier = TIER_PROVEN if used else entry.tier
        why = f"'{text}' is a {entry.intent} word ({entry.source}, tier {entry.tier})"
        if misspells:
            why = f"'{text}' misspells the {entry.intent} word '{misspells}'"
        if used and entry.tier == TIER_INTENT:
            why += (
                f"; the account itself uses {', '.join(repr(w) for w in used)}, so it needs proof"
            )
        family = families.setdefault(
            (tier, entry.intent), Family(entry.intent, [], tier, "lexicon")
        )
        family.members.append(
            Candidate(
                text,
                PHRASE,
                entry.intent,
                entry.intent,
                why + ".",
                converts=_converts(present.loc[text]),
                guard_buying=tier == TIER_PROVEN,
            )
        )
    return sorted(families.values(), key=lambda f: (f.tier != TIER_INTENT, f.name))


def ngram_families(
    ngrams: pd.DataFrame, own: set[str], skip: set[str], stopwords: set[str], floor: float
) -> list[Family]:
    """Non-converting account n-grams of words the account does not sell, costing `floor` or
    more, with the misspellings of single words, costliest first (shorter first on a tie);
    at most `MAX_FAMILIES`."""
    cost = ngrams["cost"].to_numpy(dtype=np.float64, na_value=np.nan)
    wanted = (_sizes(ngrams) <= 3) & (ngrams["terms"].to_numpy() >= MIN_TERMS_NGRAM)
    ng = ngrams[wanted & ~converting_mask(ngrams) & (cost > 0) & (cost >= floor)]
    ng = ng.sort_values(["cost", "n"], ascending=[False, True], kind="stable")
    chosen: list[int] = []
    plain: dict[str, bool] = {}
    for i, text in enumerate(ng["ngram"].astype(str).tolist()):
        if len(chosen) == MAX_FAMILIES:
            break
        if _plain_ngram(text, own, skip, stopwords, plain):
            chosen.append(i)
    ng = ng.iloc[chosen]
    tokens, counts = _unigram_counts(ngrams)
    singles = ng.loc[ng["n"] == 1, "ngram"].astype(str).tolist()
    variants = fuzzy_variants(tokens, singles, counts, own | skip)
    members: dict[str, list[str]] = {}
    for token, word in variants.items():
        members.setdefault(word, []).append(token)
    out = []
    for gram in ng["ngram"].astype(str):
        why = f"'{gram}' shares no word with the keywords, converting terms or campaign names"
        family = f"ngram: {gram}"
        cands = [
            Candidate(t, PHRASE, family, "performance", why + ".", guard_buying=True)
            for t in [gram, *members.get(gram, [])]
        ]
        out.append(Family(family, cands, TIER_PROVEN, "ngram"))
    return out


def compound_families(
    ngrams: pd.DataFrame, own: set[str], skip: set[str], floor: float
) -> list[Family]:
    """Nordic and German compounds of an unknown modifier and a product word the account
    sells (`vinterdäck` where `sommardäck` converts, `kinderfahrrad` beside `fahrrad`),
    grouped by modifier: one family per modifier, each compound a phrase entry of its own (a
    negative never matches inside a compound), with the modifier alone when it is a word of
    the account's queries too."""
    costly = ngrams["cost"].to_numpy(dtype=np.float64, na_value=np.nan) > 0
    uni = ngrams["ngram"][(_sizes(ngrams) == 1) & costly & ~converting_mask(ngrams)]
    known = own | skip
    tokens = [t for t in uni.astype(str) if t.isalpha() and t not in known]
    heads = _compound_heads(own)
    groups: dict[str, list[str]] = {}
    for token in tokens:
        modifier = _modifier(token, own, heads)
        if modifier and modifier not in own:
            groups.setdefault(modifier, []).append(token)
    alone = set(tokens)
    out = []
    for modifier, compounds in groups.items():
        texts = [*([modifier] if modifier in alone else []), *sorted(compounds)]
        if len(texts) < MIN_TERMS_NGRAM:
            continue
        family = f"compound: {modifier}"
        why = f"'{modifier}' is a modifier the account does not sell, in compounds of its products"
        cands = [
            Candidate(t, PHRASE, family, "performance", why + ".", guard_buying=True) for t in texts
        ]
        out.append(Family(family, cands, TIER_PROVEN, "compound"))
    return out


def _compound_heads(own: set[str]) -> set[str]:
    """Endings (4+ letters) of the account's own compound words, after a 3+ letter start."""
    heads = set()
    for word in own:
        if word.isalpha() and len(word) >= 7:
            heads.update(word[-k:] for k in range(MIN_PART, len(word) - 2))
    return heads


def _modifier(token: str, own: set[str], heads: set[str]) -> str:
    """The modifier of a compound `token`: the start before the longest whole own word it ends
    with, else before the shortest ending it shares with an own compound; '' if none."""
    ends = range(len(token) - 3, MIN_PART - 1, -1)
    for k in ends:
        if token[-k:] in own:
            return token[:-k]
    for k in reversed(ends):
        if token[-k:] in heads:
            return token[:-k]
    return ""


def _plain_ngram(
    text: str, own: set[str], skip: set[str], stopwords: set[str], plain: dict[str, bool]
) -> bool:
    """An n-gram worth judging: no own word, not a lexicon text, no stopword at either end,
    every word with a letter in it (`plain` remembers the words already looked at)."""
    parts = text.split(" ")
    if text in skip or parts[0] in stopwords or parts[-1] in stopwords:
        return False
    for part in parts:
        if part not in plain:
            plain[part] = bool(_HAS_LETTER.search(part)) and not is_own(part, own)
        if not plain[part]:
            return False
    return True


def is_own(word: str, own: set[str]) -> bool:
    """`word` or its singular / plural (`panels` beside `panel`, `jackor` beside `jacka`) is
    one of the account's own words."""
    forms = {word, word + "s", word + "es", word.removesuffix("s"), word.removesuffix("es")}
    forms |= {word.removesuffix("or") + "a", word.removesuffix("ar"), word.removesuffix("er")}
    return bool(forms & own)


def _wasteful_terms(acc: Account) -> tuple[pd.DataFrame, np.ndarray]:
    """Cost and clicks per distinct term (by code) that had clicks, has no converting row and
    a row not blocked yet; and the codes of the converting terms. Only the rows of those terms
    are summed (each term's sum is the same: its rows in the same order)."""
    size = len(acc.spelling)
    converting = np.bincount(acc.code, weights=acc.converting, minlength=size) > 0
    open_ = np.bincount(acc.code, weights=~acc.done, minlength=size) > 0
    clicked = np.zeros(size, dtype=bool)
    clicked[acc.code[acc.clicks > 0]] = True
    rows = (clicked & ~converting & open_)[acc.code]
    frame = pd.DataFrame(
        {"code": acc.code[rows], "cost": acc.cost[rows], "clicks": acc.clicks[rows]}
    )
    return frame.groupby("code").sum(), np.flatnonzero(converting)


def term_families(acc: Account, own: set[str], floor: float) -> list[Family]:
    """Wasteful single terms (costing `floor` or more) with their near-duplicates, as exact
    negatives; costliest first. A family near a converting term carries a `note`."""
    terms, converting_codes = _wasteful_terms(acc)
    converting = acc.texts(converting_codes)
    terms = terms.nlargest(MAX_CLUSTERED, "cost")
    if terms.empty:
        return []
    texts = acc.texts(terms.index.to_numpy())
    labels = cluster_queries(texts, terms["cost"].to_numpy())
    terms = terms.assign(label=labels, text=texts)
    sums = terms.groupby("label", sort=False)["cost"].sum()
    sums = sums[sums >= floor].nlargest(MAX_FAMILIES)
    terms = terms[terms["label"].isin(sums.index)]
    out = []
    for group in _groups(terms.sort_values("cost", ascending=False)):
        lead = group[0]
        family = f"query: {lead}"
        related = sorted(set(words(lead)) & own)
        cands = [
            Candidate(" ".join(words(t)), EXACT, family, None, f"'{lead}' never converted.")
            for t in group
        ]
        kind = "term" if len(cands) == 1 else "cluster"
        note = ""
        if kind == "cluster" and related:
            note = (
                f"its words ({', '.join(repr(w) for w in related)}) are what the account sells:"
                " a relevant query that does not convert needs a bid, ad or landing-page fix"
                " before a negative"
            )
        out.append(Family(family, cands, TIER_PROVEN, kind, len(cands) == 1, note, related))
    _mark_near_converting(out, converting)
    position = {text: i for i, text in enumerate(terms["text"].tolist())}
    cost = terms["cost"].to_numpy(dtype=np.float64)

    def members_cost(f: Family) -> float:
        """The family's cost summed in table order (as a mask over `terms` would)."""
        rows = sorted({position[m.text] for m in f.members if m.text in position})
        return float(cost[np.array(rows, dtype=np.int64)].sum())

    out.sort(key=lambda f: -members_cost(f))
    return out


def _groups(terms: pd.DataFrame) -> list[list[str]]:
    """The texts of `terms` per label, labels in order of first appearance, texts in table
    order (what iterating `groupby("label", sort=False)` gives, without a frame per group)."""
    if terms.empty:
        return []
    codes, _ = pd.factorize(terms["label"].to_numpy())
    order = np.argsort(codes, kind="stable")
    texts = terms["text"].to_numpy(dtype=object)[order].tolist()
    bounds = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1], True])
    return [texts[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


def _token_sort_scores(rows: list[str], cols: list[str]) -> np.ndarray:
    """`token_sort_ratio` of every row text with every column text (0 below `NEAR_CONVERTING`).

    Between ASCII texts it is the plain `ratio` of the texts with their words sorted, done
    once per text instead of once per pair (rapidfuzz splits other texts on a different set
    of spaces than Python, so those keep the scorer)."""

    def scores(a: list[str], b: list[str], scorer: Callable[..., float]) -> np.ndarray:
        return process.cdist(
            a, b, scorer=scorer, score_cutoff=NEAR_CONVERTING, workers=1, dtype=np.uint8
        )

    out = np.zeros((len(rows), len(cols)), dtype=np.uint8)
    row_ascii = np.array([t.isascii() for t in rows], dtype=bool)
    col_ascii = np.array([t.isascii() for t in cols], dtype=bool)
    r, c = np.flatnonzero(row_ascii), np.flatnonzero(col_ascii)
    if len(r) and len(c):
        out[np.ix_(r, c)] = _ratio_scores(
            [" ".join(sorted(rows[i].split())) for i in r],
            [" ".join(sorted(cols[j].split())) for j in c],
        )
    other_rows, other_cols = np.flatnonzero(~row_ascii), np.flatnonzero(~col_ascii)
    if len(other_rows) and len(cols):
        out[other_rows] = scores([rows[i] for i in other_rows], list(cols), fuzz.token_sort_ratio)
    if len(r) and len(other_cols):
        out[np.ix_(r, other_cols)] = scores(
            [rows[i] for i in r], [cols[j] for j in other_cols], fuzz.token_sort_ratio
        )
    return out


def _ratio_scores(rows: list[str], cols: list[str]) -> np.ndarray:
    """`fuzz.ratio` of every row with every column (0 below `NEAR_CONVERTING`), each row
    scored only against the columns whose length can reach the cutoff: a ratio of 90 needs
    `|len(a) - len(b)| <= 0.1 * (len(a) + len(b))` (the others are 0 unscored; one character
    of margin either side)."""
    out = np.zeros((len(rows), len(cols)), dtype=np.uint8)
    share = 1 - NEAR_CONVERTING / 100
    col_len = np.array([len(t) for t in cols], dtype=np.int64)
    order = np.argsort(col_len, kind="stable")
    by_len = col_len[order]
    row_len = np.array([len(t) for t in rows], dtype=np.int64)
    for size in np.unique(row_len).tolist():
        at = np.flatnonzero(row_len == size)
        low = np.searchsorted(by_len, size * (1 - share) / (1 + share) - 1, "left")
        high = np.searchsorted(by_len, size * (1 + share) / (1 - share) + 1, "right")
        near = order[low:high]
        if len(near):
            out[np.ix_(at, near)] = process.cdist(
                [rows[i] for i in at],
                [cols[j] for j in near],
                scorer=fuzz.ratio,
                score_cutoff=NEAR_CONVERTING,
                workers=1,
                dtype=np.uint8,
            )
    return out


def _mark_near_converting(families: list[Family], converting: list[str]) -> None:
    """Note families whose lead term is a near-duplicate of a converting term."""
    if not families or not converting:
        return
    scores = _token_sort_scores([f.members[0].text for f in families], converting)
    best = scores.argmax(axis=1)
    for i, family in enumerate(families):
        if scores[i, best[i]] >= NEAR_CONVERTING:
            family.note = (
                f"it is a close variant of the converting term '{converting[best[i]]}'"
                " (judge them together: a negative would only shift the same searches)"
            )


def competitor_families(competitors: tuple[str, ...], own: set[str]) -> list[Family]:
    """The named competitors, tier `intent` (the user's decision), except names the account
    uses itself (a competitor it bids on on purpose)."""
    cands = []
    for name in competitors:
        text = " ".join(words(name))
        used = sorted(set(words(text)) & own)
        why = f"'{text}' is a competitor named in the settings"
        if used:
            why += f"; the account itself uses {', '.join(repr(w) for w in used)}"
        cands.append(Candidate(text, PHRASE, "competitors", "competitor", why + "."))
    return [Family("competitors", cands, TIER_INTENT, "competitor")] if cands else []


def brand_like_tokens(
    ngrams: pd.DataFrame,
    own: set[str],
    skip: set[str],
    languages: tuple[str, ...],
    floor: float = 0.0,
) -> tuple[list[Family], str | None]:
    """Review families for words that look like other brands; a note when `wordfreq` (the
    optional `words` extra) is not installed.

    Only words whose n-gram cost reaches `floor` are looked up: a family is for review only,
    and a review item needs that much spend on the rows its word blocks, which are some of
    the terms the n-gram sums (0.99 of it, so that a sum's last digit cannot matter)."""
    wordlists = import_shallow("auditor.negatives.wordlists")
    if wordlists is None:
        return [], (
            "Negatives: competitor names were not looked for (install the optional"
            " 'auditor[words]' extra for the word lists)."
        )
    costly = ngrams["cost"].to_numpy(dtype=np.float64, na_value=np.nan) > 0
    wanted = (_sizes(ngrams) == 1) & (ngrams["terms"].to_numpy() >= MIN_TERMS_NGRAM)
    uni = ngrams[wanted & ~converting_mask(ngrams) & costly].sort_values("cost", ascending=False)
    uni = uni[uni["cost"] >= 0.99 * floor]
    tokens = [t for t in uni["ngram"].astype(str) if len(t) >= 3 and t.isalpha()]
    tokens = [t for t in tokens if t not in own and t not in skip][:MAX_FAMILIES]
    near_own = set(fuzzy_variants(tokens, sorted(own), None, frozenset()))
    out = []
    for token in tokens:
        if token in near_own or any(wordlists.knows(token, lang, BRAND_ZIPF) for lang in languages):
            continue
        why = f"'{token}' is no word of {'/'.join(languages)} and not the account's own"
        cand = Candidate(token, PHRASE, "competitors?", "competitor", why + ": another brand?")
        out.append(Family("competitors?", [cand], TIER_PROVEN, "competitor"))
    return out, None
