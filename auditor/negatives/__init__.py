"""Negative keywords: every proposal is made, judged, placed and checked here.

Modules, along the path a proposal takes:
- `lexicons`: irrelevant-intent words per language (`rules/lexicons/`) and their misspellings;
- `clustering`: near-duplicate queries grouped into families;
- `existing`: the account's own negatives (what they already block, NEG001 / NEG002);
- `propose`: candidates from lexicons, n-grams and queries, their evidence and placement;
- `safety`: the replay of one negative against every search term and bought keyword.

The files they are exported to (Google Ads Editor, Microsoft Advertising bulk, plain lists) are
written by `auditor.output.negatives`.

What a negative blocks is decided in `auditor.terms.matching` (outside this package, so the rule
engine can use it too).
"""

from auditor.negatives.propose import proposal_id, propose_negatives

__all__ = ["proposal_id", "propose_negatives"]
