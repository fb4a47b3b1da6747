"""auditor: a search-campaign hygiene auditor for Google Ads and Microsoft Advertising.

The data path is one line: readers -> canonical table -> metrics -> rules -> findings and
proposals -> exporters. `auditor.audit.audit` is the single entry point; the CLI and the
Textual app are two thin doors onto it.
"""

__version__ = "0.1.0"
