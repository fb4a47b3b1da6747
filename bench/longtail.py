"""Long-tail Google Ads reports for the benchmarks: a real account's vocabulary, not a catalogue.

`largegen.make_large_report(rows=..., kind="longtail")` writes the search-terms report made
here, `largegen.make_keyword_report(rows=...)` the account's keyword report (the bought
keywords); both in the English Google Ads UI format of `largegen` and cached in `bench/out/`.

The account: 60 campaigns of 40 ad groups (2,400), each ad group about a theme of two words. A
search term is its ad group's theme words plus one to five more words drawn from a vocabulary
of about 60,000 words with a Zipf law (a few words in many terms, most in a handful), about 8%
of the terms with an irrelevant-intent modifier (`largegen.IRRELEVANT`: jobs, free, ...) and 5%
with a misspelt theme word. About 60% of the rows are distinct terms (600k for 1M rows): the
others repeat popular terms, a third of them in another ad group (cannibalisation). 40% of the
rows were matched by a keyword of their own (the term's words without the modifier: exact
when the term has none, else phrase), the rest by their ad group's theme keyword, so there are
about 360k distinct bought keywords (keyword, match type, ad group) for 1M rows; the keyword
report lists them all plus 10% more that matched nothing in the period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from largegen import (
    HEADER,
    IRRELEVANT,
    MATCH_TYPES,
    UNIQUE_SHARE,
    fmt_count,
    fmt_fixed2,
    fmt_ratio,
)

VERSION = 1
"""Bump when the output changes, so cached files are regenerated."""
CAMPAIGNS = 60
GROUPS_PER_CAMPAIGN = 40
VOCABULARY = 60_000
TYPO_WORDS = 6_000
"""The commonest words also occur misspelt (one letter dropped), as words of their own."""
ZIPF_A = 1.07
OWN_KEYWORD_SHARE = 0.4
KEYWORD_HEADER = (
    "Keyword status,Keyword,Match type,Campaign,Ad group,Status,Status reasons,Final URL,Impr.,"
    "Interactions,Interaction rate,Currency code,Avg. cost,Cost,Clicks,Conv. rate,Conversions,"
    "Conv. value,Avg. CPC,Cost / conv."
)
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
           "br", "st", "tr", "gr", "pl", "sh", "ch", "")  # fmt: skip
_NUCLEI = ("a", "e", "i", "o", "u", "ea", "ou", "y", "ai", "io")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "ck", "x", "nd", "rt")


def vocabulary(rng: np.random.Generator, size: int = VOCABULARY) -> list[str]:
    """`size` distinct pronounceable words of 1-3 syllables, in random (= rank) order."""
    syllables = [o + n + c for o in _ONSETS for n in _NUCLEI for c in _CODAS]
    syl = np.array(syllables, dtype=object)
    found: dict[str, None] = {}
    while len(found) < size:
        count = rng.choice([1, 2, 3], size * 2, p=[0.15, 0.6, 0.25])
        picks = rng.integers(0, len(syl), (size * 2, 3))
        cols = [np.where(count > i, syl[picks[:, i]], "") for i in range(3)]
        for word in (cols[0] + cols[1] + cols[2]).tolist():
            if len(word) >= 3:
                found.setdefault(word, None)
    return list(found)[:size]


def _typo(words: list[str]) -> list[str]:
    """Each word with its middle letter dropped."""
    return [w[: len(w) // 2] + w[len(w) // 2 + 1 :] for w in words]


def _zipf(rng: np.random.Generator, n_items: int, size: int, a: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n_items + 1) ** a
    return rng.choice(n_items, size=size, p=weights / weights.sum())


def _first_of_each(codes: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each code, in order (sort, not np.unique)."""
    order = np.argsort(codes, kind="stable")
    first = np.ones(len(codes), dtype=bool)
    first[1:] = codes[order][1:] != codes[order][:-1]
    return np.sort(order[first])


class Account:
    """Words, campaigns and ad groups (with their theme words) of the long-tail account."""

    def __init__(self, rng: np.random.Generator) -> None:
        words = vocabulary(rng, VOCABULARY + 2 * TYPO_WORDS)
        base = words[:VOCABULARY]
        typos = _typo(base[:TYPO_WORDS])
        irr = [w for w, _, _ in IRRELEVANT]
        self.words = pa.array([None, *base, *typos, *irr], pa.string())
        """Index 0 is 'no word'; then the vocabulary, the typo form of each of its first
        `TYPO_WORDS` words, the irrelevant words."""
        self.n_base = len(base)
        self.typo_start = 1 + len(base)
        self.irr_start = 1 + len(base) + len(typos)
        groups = CAMPAIGNS * GROUPS_PER_CAMPAIGN
        self.theme = 1 + 200 + rng.choice(self.n_base - 200, size=(groups, 2), replace=False)
        theme_text = pc.binary_join_element_wise(
            self.words.take(pa.array(self.theme[:, 0])),
            self.words.take(pa.array(self.theme[:, 1])),
            " ",
        )
        self.theme_text = theme_text
        names = pd.Series(theme_text.to_pylist()).str.title()
        campaign_of = np.arange(groups) // GROUPS_PER_CAMPAIGN
        dup = names.groupby(campaign_of).cumcount()
        names = names.where(dup == 0, names + " " + (dup + 1).astype(str))
        self.group_names = pa.array(names.tolist(), pa.string())
        heads = [w.title() for w in base[100 : 100 + CAMPAIGNS]]
        camp = [f"Search - {h}" + (", Exact" if i % 7 == 3 else "") for i, h in enumerate(heads)]
        self.campaign_names = pa.array([f'"{c}"' if "," in c else c for c in camp], pa.string())
        self.campaign_of = campaign_of


def _word_matrix(rng: np.random.Generator, acc: Account, group: np.ndarray) -> np.ndarray:
    """Per term its word codes (0 = none): theme words, extra words, an irrelevant modifier."""
    n = len(group)
    theme = acc.theme[group]
    typo = (rng.random(n) < 0.05) & (theme[:, 0] - 1 < TYPO_WORDS)
    first = np.where(typo, acc.typo_start + theme[:, 0] - 1, theme[:, 0])
    second = np.where(rng.random(n) < 0.75, theme[:, 1], 0)
    extra_count = np.minimum(1 + rng.poisson(1.0, n), 5)
    extra = 1 + _zipf(rng, acc.n_base, n * 5, ZIPF_A).reshape(n, 5)
    extra = np.where(np.arange(5) < extra_count[:, None], extra, 0)
    irr_w = np.array([w for _, _, w in IRRELEVANT])
    irr = np.where(
        rng.random(n) < 0.08,
        acc.irr_start + rng.choice(len(IRRELEVANT), size=n, p=irr_w / irr_w.sum()),
        0,
    )
    lead = rng.random(n) < 0.5
    cols = [np.where(lead, irr, 0), first, second, extra, np.where(lead, 0, irr)]
    return np.column_stack([cols[0], cols[1], cols[2], cols[3], cols[4]])


def _join(words: pa.Array, matrix: np.ndarray) -> pa.Array:
    cols = [words.take(pa.array(matrix[:, i])) for i in range(matrix.shape[1])]
    return pc.binary_join_element_wise(*cols, " ", null_handling="skip")


def draw_terms(rng: np.random.Generator, acc: Account, n: int) -> dict[str, object]:
    """`n` distinct terms: text, ad group, word matrix, irrelevant flag, own keyword text."""
    groups = CAMPAIGNS * GROUPS_PER_CAMPAIGN
    size = int(n * 1.25) + 1000
    group = _zipf(rng, groups, size, 0.6)
    group = rng.permutation(groups)[group]
    matrix = _word_matrix(rng, acc, group)
    text = _join(acc.words, matrix)
    keep = _first_of_each(np.asarray(pc.dictionary_encode(text).indices))[:n]
    if len(keep) < n:
        raise ValueError(f"could draw only {len(keep):,} distinct terms, not {n:,}")
    matrix = matrix[keep]
    irrelevant = (matrix[:, 0] > 0) | (matrix[:, -1] > 0)
    bare = matrix.copy()
    bare[:, 0] = 0
    bare[:, -1] = 0
    return {
        "text": text.take(pa.array(keep)),
        "group": group[keep],
        "irrelevant": irrelevant,
        "keyword": _join(acc.words, bare),
    }


def _row_layout(rng: np.random.Generator, rows: int, unique: int) -> tuple[np.ndarray, np.ndarray]:
    """Term of each row, and whether the row repeats its term."""
    extra = rng.integers(0, max(1, unique // 6), rows - unique)
    term = np.concatenate([np.arange(unique), extra])
    repeat = np.r_[np.zeros(unique, bool), np.ones(rows - unique, bool)]
    order = rng.permutation(rows)
    return term[order], repeat[order]


def _metrics(rng: np.random.Generator, irrelevant: np.ndarray) -> dict[str, np.ndarray]:
    n = len(irrelevant)
    impr = np.minimum(np.floor(rng.pareto(1.15, n) * 2.0) + 1, 2_500_000).astype(np.int64)
    clicks = rng.binomial(impr, np.clip(rng.beta(1.2, 30, n), 0, 0.9))
    cost = np.round(clicks * rng.lognormal(np.log(1.15), 0.55, n), 2)
    conv = rng.binomial(clicks, np.where(irrelevant, 0.002, 0.025)).astype(float)
    value = np.round(conv * rng.lognormal(np.log(95), 0.45, n), 2)
    return {"impr": impr, "clicks": clicks, "cost": cost, "conv": conv, "value": value}


def _keyword_syntax(text: pa.Array, match: np.ndarray) -> pa.Array:
    """`[kw]` exact, `\"\"\"kw\"\"\"` phrase (CSV-quoted), `kw` broad (match 0/1/2)."""
    exact = pc.binary_join_element_wise("[", text, "]", "")
    phrase = pc.binary_join_element_wise('"""', text, '"""', "")
    out = pc.if_else(pa.array(match == 0), exact, phrase)
    return pc.if_else(pa.array(match == 2), text, out)


_KEYWORD_LABELS = pa.array(["Exact match", "Phrase match", "Broad match"])


def _lines(cols: list[pa.Array]) -> bytes:
    line = pc.binary_join_element_wise(*cols, ",")
    line = pc.binary_join_element_wise(line, "", "\n").cast(pa.large_string())
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)
    start, end = offsets[line.offset], offsets[line.offset + len(line)]
    return memoryview(line.buffers()[2])[start:end].tobytes()


def _cells(m: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    return {
        "clicks": fmt_count(m["clicks"]),
        "impr": fmt_count(m["impr"]),
        "ctr": fmt_ratio(m["clicks"], m["impr"], percent=True, empty=" --"),
        "cpc": fmt_ratio(m["cost"], m["clicks"], percent=False, empty="0"),
        "cost": fmt_fixed2(m["cost"]),
        "cvr": fmt_ratio(m["conv"], m["clicks"], percent=True, empty="0.00%"),
        "conv": fmt_fixed2(m["conv"]),
        "value": fmt_fixed2(m["value"]),
        "cpa": fmt_ratio(m["cost"], m["conv"], percent=False, empty="0.00"),
    }


def _total(label: str, m: dict[str, np.ndarray], ctype: str) -> bytes:
    sums = {k: np.array([np.round(v.sum(), 2)]) for k, v in m.items()}
    c = {k: v[0].as_py() for k, v in _cells(sums).items()}
    cells = [label, "", "", "", "", "", c["clicks"], c["impr"], c["ctr"], "USD", c["cpc"]]
    cells += [c["cost"], ctype, c["cvr"], c["conv"], c["value"], c["cpa"]]
    return (",".join(cells) + "\n").encode()


class Rows:
    """The rows of a long-tail report: term, ad group, keyword (text + match), metrics."""

    def __init__(self, rows: int, seed: int) -> None:
        rng = np.random.default_rng(seed + 104_729)
        self.acc = Account(rng)
        unique = max(1, int(rows * UNIQUE_SHARE))
        t = draw_terms(rng, self.acc, unique)
        self.terms = t
        term, repeat = _row_layout(rng, rows, unique)
        groups = CAMPAIGNS * GROUPS_PER_CAMPAIGN
        moved = repeat & (rng.random(rows) < 1 / 3)
        group = np.where(moved, rng.integers(0, groups, rows), t["group"][term])
        own = rng.random(rows) < OWN_KEYWORD_SHARE
        irrelevant = t["irrelevant"][term]
        self.term, self.group, self.own = term, group, own
        self.kw_match = np.where(own, np.where(irrelevant, 1, 0), 1 + (group % 2))
        self.kw_text = pc.if_else(
            pa.array(own),
            t["keyword"].take(pa.array(term)),
            self.acc.theme_text.take(pa.array(group)),
        )
        self.match = np.where(
            own & ~irrelevant, 2, rng.choice(len(MATCH_TYPES), size=rows, p=[0.5, 0.3, 0, 0.2, 0])
        )
        self.status = rng.choice(3, size=rows, p=[0.975, 0.02, 0.005])
        self.m = _metrics(rng, irrelevant)
        self.rng = rng

    def search_terms(self) -> bytes:
        out = [b"Search terms report\n", b'"October 26, 2026 - November 24, 2026"\n']
        out.append((HEADER + "\n").encode())
        acc = self.acc
        step = 200_000
        for start in range(0, len(self.term), step):
            sl = slice(start, start + step)
            group = pa.array(self.group[sl])
            c = _cells({k: v[sl] for k, v in self.m.items()})
            n = len(self.term[sl])
            out.append(
                _lines(
                    [
                        self.terms["text"].take(pa.array(self.term[sl])),
                        pa.array(MATCH_TYPES).take(pa.array(self.match[sl])),
                        pa.array(["None", "Added", "Excluded"]).take(pa.array(self.status[sl])),
                        acc.campaign_names.take(pa.array(acc.campaign_of[self.group[sl]])),
                        acc.group_names.take(group),
                        _keyword_syntax(self.kw_text[sl], self.kw_match[sl]),
                        c["clicks"],
                        c["impr"],
                        c["ctr"],
                        pa.array(["USD"] * n),
                        c["cpc"],
                        c["cost"],
                        pa.array(["Search"] * n),
                        c["cvr"],
                        c["conv"],
                        c["value"],
                        c["cpa"],
                    ]
                )
            )
        hidden = {k: np.array([np.round(v.sum() * 2 / 3, 2)]) for k, v in self.m.items()}
        hidden["impr"] = np.array([0])
        account = {k: np.array([self.m[k].sum() + hidden[k][0]]) for k in self.m}
        out.append(_total("Total: Search terms", self.m, ""))
        out.append(_total("Total: Other search terms", hidden, ""))
        out.append(_total("Total: Account", account, ""))
        out.append(_total("Total: Search", account, "Search"))
        return b"".join(out)

    def keywords(self) -> bytes:
        """The keyword report: every keyword the rows name, plus 10% more that matched nothing."""
        key_text = pc.dictionary_encode(self.kw_text)
        text_code = np.asarray(key_text.indices, dtype=np.int64)
        key = (text_code * 3 + self.kw_match) * (CAMPAIGNS * GROUPS_PER_CAMPAIGN) + self.group
        codes, uniques = pd.factorize(key)
        m = {k: np.bincount(codes, weights=v, minlength=len(uniques)) for k, v in self.m.items()}
        m = {k: np.round(v, 2) for k, v in m.items()}
        group = uniques % (CAMPAIGNS * GROUPS_PER_CAMPAIGN)
        match = (uniques // (CAMPAIGNS * GROUPS_PER_CAMPAIGN)) % 3
        text = key_text.dictionary.take(pa.array(uniques // (3 * CAMPAIGNS * GROUPS_PER_CAMPAIGN)))
        idle = len(uniques) // 10
        rng = self.rng
        idle_group = rng.integers(0, CAMPAIGNS * GROUPS_PER_CAMPAIGN, idle)
        idle_words = np.column_stack(
            [self.acc.theme[idle_group, 0], 1 + _zipf(rng, self.acc.n_base, idle, ZIPF_A)]
        )
        text = pa.concat_arrays([text.cast(pa.string()), _join(self.acc.words, idle_words)])
        group = np.r_[group, idle_group]
        match = np.r_[match, np.zeros(idle, dtype=match.dtype)]
        m = {k: np.r_[v, np.zeros(idle)] for k, v in m.items()}
        m["impr"] = m["impr"].astype(np.int64)
        m["clicks"] = m["clicks"].astype(np.int64)
        paused = rng.random(len(group)) < 0.02
        c = _cells(m)
        n = len(group)
        acc = self.acc
        body = _lines(
            [
                pc.if_else(pa.array(paused), "Paused", "Enabled"),
                _keyword_syntax(text, match),
                _KEYWORD_LABELS.take(pa.array(match)),
                acc.campaign_names.take(pa.array(acc.campaign_of[group])),
                acc.group_names.take(pa.array(group)),
                pc.if_else(pa.array(paused), "Paused", "Eligible"),
                pc.if_else(pa.array(paused), "Keyword paused", ""),
                pa.array([""] * n),
                c["impr"],
                c["clicks"],
                c["ctr"],
                pa.array(["USD"] * n),
                c["cpc"],
                c["cost"],
                c["clicks"],
                c["cvr"],
                c["conv"],
                c["value"],
                c["cpc"],
                c["cpa"],
            ]
        )
        totals = {k: np.array([np.round(v.sum(), 2)]) for k, v in m.items()}
        tc = {k: v[0].as_py() for k, v in _cells(totals).items()}
        tail = []
        for label in ("Total: Keywords in your account", "Total: Account", "Total: Search"):
            cells = ["", "", label, "", "", "", "", "", tc["impr"], tc["clicks"], tc["ctr"]]
            cells += ["USD", tc["cpc"], tc["cost"], tc["clicks"], tc["cvr"], tc["conv"]]
            cells += [tc["value"], tc["cpc"], tc["cpa"]]
            tail.append(",".join(cells) + "\n")
        head = f'Search keyword report\n"October 26, 2026 - November 24, 2026"\n{KEYWORD_HEADER}\n'
        return head.encode() + body + "".join(tail).encode()
