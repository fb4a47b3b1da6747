"""The levels rules judge (search term, keyword, n-gram, ad group, campaign, account): the key
columns of each, the column naming its rows in a finding, and the match-type families."""

from __future__ import annotations

import numpy as np

from auditor import schema

LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "search_term": ("campaign", "ad_group", "search_term"),
    "keyword": ("campaign", "ad_group", "keyword", "keyword_match_type"),
    "ad_group": ("campaign", "ad_group"),
    "campaign": ("campaign",),
    "account": (),
    "ngram": ("ngram",),
}
SUBJECT: dict[str, str | None] = {
    "search_term": "search_term",
    "keyword": "keyword",
    "ngram": "ngram",
    "ad_group": "ad_group",
    "campaign": "campaign",
    "account": None,
    "term_account": "search_term",
}
"""The key column that names a level's rows in a finding."""

LOOSE_MATCHES = {
    "variant": (schema.MATCH_EXACT_CV, schema.MATCH_PHRASE_CV),
    "broad": (schema.MATCH_BROAD,),
    "exact": (schema.MATCH_EXACT,),
    "strict": (schema.MATCH_EXACT, schema.MATCH_PHRASE),
}
"""Search-term match types behind the `<kind>_*` metrics. `variant` (close variants) is judged
against `strict` (true exact and phrase matches: the queries the keywords were written for),
`broad` against `exact`."""
COUNTERPART = {"variant": "strict", "broad": "exact"}

Value = np.ndarray | float
