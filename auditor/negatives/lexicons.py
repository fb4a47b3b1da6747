"""Irrelevant-intent lexicons: words and phrases PPC managers negate in almost every account.

The bundled lexicons live in `rules/lexicons/*.toml` (English, Swedish, Norwegian, Danish,
German; format in `rules/lexicons/README.md`). User lexicons (`Settings.lexicons`) add to them
and account words (`Settings.irrelevant`) get the intent `account`. Entries are normalised with
`auditor.terms.matching.normalize_one`, so they compare exactly as negatives do.

Every entry has a tier: `intent` (irrelevant for almost any advertiser: proposed on thin
evidence) or `proven` (business-dependent: proposed only when the account's data prove it).
Account words and the `[intents]` of a user lexicon are the user's own decision: tier `intent`.
`[buying]` phrases (price, quote, hire, near me, ...) are buying intent: no proposal may be made
of one (`Lexicon.buying`).

Misspellings: `fuzzy_variants` maps the account's own words to the single-word entries they
misspell. It is strict on purpose, because a variant becomes a negative of its own:
- words of 4-5 letters: one inserted, dropped or swapped-neighbour letter (`jbos`, `freee`),
  never a substituted one (`used` must not catch `user`);
- 6-8 letters: one edit of any kind (optimal string alignment distance 1);
- 9 letters and more: two edits;
- the first letter always agrees, both words have 4 letters or more, no digits;
- the variant is rare in the account and is no word of a bought keyword or converting term.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from auditor.config import Settings
from auditor.errors import ConfigError
from auditor.negatives.evidence import TIER_INTENT, TIER_PROVEN
from auditor.resources import bundled
from auditor.terms.matching import normalize_one
from auditor.tomlfile import read_toml

ACCOUNT_INTENT = "account"
MIN_FUZZY_LEN = 4
_TIER_TABLES = {"intent": TIER_INTENT, "intents": TIER_INTENT, "proven": TIER_PROVEN}
"""Lexicon file tables and the tier their entries get (`intents`: user lexicons)."""


@dataclass(frozen=True)
class LexiconEntry:
    """One word or phrase with the intent it carries and where it came from."""

    text: str
    intent: str
    language: str
    source: str
    tier: str = TIER_INTENT


@dataclass
class Lexicon:
    """All entries (first definition of a text wins) and the phrases never to block."""

    entries: dict[str, LexiconEntry] = field(default_factory=dict)
    keep: list[str] = field(default_factory=list)
    buying: list[str] = field(default_factory=list)
    """Buying-intent phrases: never the text of a proposal, never blocked typed alone."""
    stopwords: set[str] = field(default_factory=set)
    """Function words (`in`, `för`, `und`): an account n-gram never starts or ends with one."""

    def add(self, entry: LexiconEntry) -> None:
        if entry.text and entry.text not in self.entries:
            self.entries[entry.text] = entry

    def single_words(self) -> list[str]:
        return [t for t in self.entries if " " not in t]


def lexicon_dir() -> Path:
    """The bundled lexicon folder (repository checkout or installed package)."""
    return bundled("rules/lexicons")


def _strings(value: object, where: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings", path=path)
    return value


def read_lexicon(path: Path, into: Lexicon) -> None:
    """Add one lexicon file's entries and keep-phrases to `into`; ConfigError if malformed."""
    data = read_toml(path, "lexicon")
    unknown = set(data) - {"language", "keep", "buying", "stopwords", *_TIER_TABLES}
    if unknown:
        raise ConfigError(f"unknown key(s): {', '.join(sorted(unknown))}", path=path)
    language = str(data.get("language", ""))
    for table, tier in _TIER_TABLES.items():
        intents = data.get(table, {})
        if not isinstance(intents, dict):
            raise ConfigError(f"[{table}] must be a table of intent = [words]", path=path)
        for intent, items in intents.items():
            for text in _strings(items, f"[{table}] {intent}", path):
                into.add(LexiconEntry(normalize_one(text), intent, language, path.name, tier))
    into.keep.extend(_phrases(data, "keep", path))
    into.buying.extend(_phrases(data, "buying", path))
    stop = data.get("stopwords", {})
    if not isinstance(stop, dict):
        raise ConfigError("[stopwords] must be a table with words = [...]", path=path)
    into.stopwords.update(
        normalize_one(w) for w in _strings(stop.get("words", []), "[stopwords] words", path)
    )


def _phrases(data: dict, table: str, path: Path) -> list[str]:
    """The normalised `phrases` of a `[keep]` or `[buying]` table."""
    section = data.get(table, {})
    if not isinstance(section, dict):
        raise ConfigError(f"[{table}] must be a table with phrases = [...]", path=path)
    phrases = _strings(section.get("phrases", []), f"[{table}] phrases", path)
    return [p for p in map(normalize_one, phrases) if p]


def buying_phrases(settings: Settings) -> tuple[str, ...]:
    """The buying-intent phrases of the bundled and the user's lexicons (read once)."""
    return _buying(settings.lexicons)


@lru_cache(maxsize=16)
def _buying(user_lexicons: tuple[Path, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(load_lexicons(Settings(lexicons=user_lexicons)).buying))


def load_lexicons(settings: Settings) -> Lexicon:
    """Account words first (they win), then user lexicons, then the bundled ones (English
    first, so a word shared by several languages is reported as English)."""
    lexicon = Lexicon()
    for word in settings.irrelevant:
        lexicon.add(LexiconEntry(normalize_one(word), ACCOUNT_INTENT, "", "config"))
    for path in settings.lexicons:
        read_lexicon(path, lexicon)
    bundled = sorted(lexicon_dir().glob("*.toml"), key=lambda p: (p.stem != "en", p.stem))
    for path in bundled:
        read_lexicon(path, lexicon)
    return lexicon


def _close_enough(token: str, word: str) -> bool:
    """The misspelling rule of the module docstring, for one pair already near in OSA."""
    if token[0] != word[0] or token == word:
        return False
    size = len(word)
    if size <= 5:
        indel = Indel.distance(token, word)
        swapped = len(token) == size and sorted(token) == sorted(word)
        return indel == 1 or (swapped and OSA.distance(token, word) == 1)
    return OSA.distance(token, word) <= (1 if size <= 8 else 2)


def _rare(token: str, word: str, counts: dict[str, int] | None) -> bool:
    if counts is None:
        return True
    return counts.get(token, 0) <= max(5, counts.get(word, 0))


def fuzzy_variants(
    tokens: list[str],
    words: list[str],
    counts: dict[str, int] | None = None,
    real_words: set[str] | frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Account words that misspell a lexicon word: token -> lexicon word.

    `counts` (distinct terms per word in the account) keeps real words out: a misspelling is
    rarer than the word it misspells, so a token in more terms than max(5, the word's own
    count) is not one (`hiking` is not `hiring`). `real_words` (e.g. the words of bought
    keywords and converting terms) are never variants.

    Candidates come from `cdist` of the lexicon words against the account's distinct words
    with the same first letter, at OSA distance 2; then the strict rule above decides.
    """
    cands = [t for t in tokens if len(t) >= MIN_FUZZY_LEN and t.isalpha()]
    targets = [w for w in words if len(w) >= MIN_FUZZY_LEN]
    if not cands or not targets:
        return {}
    known = set(words)
    by_letter: dict[str, list[str]] = {}
    for t in cands:
        if t not in known and t not in real_words:
            by_letter.setdefault(t[0], []).append(t)
    groups: dict[str, list[str]] = {}
    for w in targets:
        groups.setdefault(w[0], []).append(w)
    out: dict[str, str] = {}
    for letter in sorted(groups):
        group = groups[letter]
        near = by_letter.get(letter, [])
        if not near:
            continue
        dist = process.cdist(
            near, group, scorer=OSA.distance, score_cutoff=2, dtype=np.uint8, workers=1
        )
        rows, cols = np.nonzero(dist <= 2)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            token, word = near[r], group[c]
            if token not in out and _close_enough(token, word) and _rare(token, word, counts):
                out[token] = word
    return out
