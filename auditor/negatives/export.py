"""Negative-keyword files the ad platforms import: Google Ads Editor CSV, Microsoft bulk, list.

`editor` (Google Ads Editor, File > Import > From file; UTF-8 with BOM, comma):

    Campaign         | Ad group   | Keyword  | Criterion Type          | Shared set name
    Generic - Jackor | Regnjackor | "gratis" | Negative Phrase         |
    Generic - Jackor |            | [kurs]   | Campaign Negative Exact |
                     |            | "jobb"   | Negative Phrase         | auditor negatives
    Generic - Jackor |            |          |                         | auditor negatives

An ad-group negative has Campaign and Ad group, a campaign negative Campaign only (criterion
type `Campaign Negative ...`); a shared-list negative names its list in `Shared set name`
(criterion type `Negative ...`), and one row per campaign (Campaign + Shared set name) attaches
the list. The keyword carries its match syntax too: `kw` broad, `"kw"` phrase, `[kw]` exact.

`microsoft` (Microsoft Advertising bulk upload, Format Version 6.0): `Negative Keyword List`
(Id -1, Name) + `Shared Negative Keyword` rows (Parent Id -1) + `Campaign Negative Keyword List
Association` rows (Id -1, Campaign), `Campaign Negative Keyword` and `Ad Group Negative Keyword`
rows named by Campaign / Ad Group. Microsoft has no broad negatives: broad is written as Phrase.

`list`: plain text, one negative per line in match syntax, with `#` comment lines naming the
level and target of the lines below (the format `--existing-negatives` reads back).

Every CSV cell goes through `auditor.csvio` (formula-injection safe), every file is written
atomically, and an existing file is refused unless `force`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.config import Settings
from auditor.csvio import csv_text, write_atomic
from auditor.errors import OutputError
from auditor.matching import LEVEL_AD_GROUP, LEVEL_CAMPAIGN, LEVEL_SHARED
from auditor.model import NegativeProposal

FORMATS = ("editor", "microsoft", "list")
EDITOR_HEADER = ("Campaign", "Ad group", "Keyword", "Criterion Type", "Shared set name")
BULK_HEADER = (
    "Type",
    "Status",
    "Id",
    "Parent Id",
    "Campaign",
    "Ad Group",
    "Client Id",
    "Modified Time",
    "Keyword",
    "Match Type",
    "Name",
)
BULK_FORMAT_VERSION = "6.0"
_LABEL = {"broad": "Broad", "phrase": "Phrase", "exact": "Exact"}


def keyword_syntax(text: str, match_type: str) -> str:
    """`kw` (broad), `"kw"` (phrase) or `[kw]` (exact)."""
    if match_type == "phrase":
        return f'"{text}"'
    if match_type == "exact":
        return f"[{text}]"
    return text


def _list_name(p: NegativeProposal, settings: Settings) -> str:
    return p.list_name or settings.shared_list_name


def _shared_lists(
    proposals: Sequence[NegativeProposal], settings: Settings
) -> dict[str, list[str]]:
    """List name -> campaigns it is attached to (union over its proposals)."""
    lists: dict[str, list[str]] = {}
    for p in proposals:
        if p.level == LEVEL_SHARED:
            attached = lists.setdefault(_list_name(p, settings), [])
            attached.extend(c for c in p.campaigns if c and c not in attached)
    return lists


def _missing_target(p: NegativeProposal) -> str | None:
    if p.level == LEVEL_CAMPAIGN and not p.campaign:
        return f"campaign negative '{p.text}' has no campaign"
    if p.level == LEVEL_AD_GROUP and not (p.campaign and p.ad_group):
        return f"ad-group negative '{p.text}' has no campaign or ad group"
    if p.level not in (LEVEL_SHARED, LEVEL_CAMPAIGN, LEVEL_AD_GROUP):
        return f"negative '{p.text}' has an unknown level {p.level!r}"
    return None


def editor_rows(proposals: Sequence[NegativeProposal], settings: Settings) -> list[list[str]]:
    """Rows of the Google Ads Editor CSV (without the header)."""
    rows: list[list[str]] = []
    for p in proposals:
        kind = _LABEL[p.match_type]
        keyword = keyword_syntax(p.text, p.match_type)
        if p.level == LEVEL_SHARED:
            rows.append(["", "", keyword, f"Negative {kind}", _list_name(p, settings)])
        elif p.level == LEVEL_CAMPAIGN:
            rows.append([p.campaign or "", "", keyword, f"Campaign Negative {kind}", ""])
        else:
            rows.append([p.campaign or "", p.ad_group or "", keyword, f"Negative {kind}", ""])
    for name, campaigns in _shared_lists(proposals, settings).items():
        rows.extend([camp, "", "", "", name] for camp in campaigns)
    return rows


def _bulk_row(**cells: str | int) -> list[str | int]:
    keys = {h.lower().replace(" ", "_"): h for h in BULK_HEADER}
    row: dict[str, str | int] = dict.fromkeys(BULK_HEADER, "")
    for key, value in cells.items():
        row[keys[key]] = value
    return list(row.values())


def microsoft_rows(
    proposals: Sequence[NegativeProposal], settings: Settings
) -> list[list[str | int]]:
    """Rows of the Microsoft Advertising bulk file (without the header)."""
    rows = [_bulk_row(type="Format Version", name=BULK_FORMAT_VERSION)]
    list_ids: dict[str, int] = {}
    for n, (name, campaigns) in enumerate(_shared_lists(proposals, settings).items(), start=1):
        list_id = -n
        list_ids[name] = list_id
        rows.append(_bulk_row(type="Negative Keyword List", status="Active", id=list_id, name=name))
        rows.extend(
            _bulk_row(
                type="Campaign Negative Keyword List Association",
                status="Active",
                id=list_id,
                campaign=camp,
            )
            for camp in campaigns
        )
    for p in proposals:
        match = "Exact" if p.match_type == "exact" else "Phrase"
        if p.level == LEVEL_SHARED:
            parent = list_ids[_list_name(p, settings)]
            record = {"type": "Shared Negative Keyword", "parent_id": parent}
        elif p.level == LEVEL_CAMPAIGN:
            record = {"type": "Campaign Negative Keyword", "campaign": p.campaign or ""}
        else:
            record = {
                "type": "Ad Group Negative Keyword",
                "campaign": p.campaign or "",
                "ad_group": p.ad_group or "",
            }
        rows.append(_bulk_row(status="Active", keyword=p.text, match_type=match, **record))
    return rows


def list_text(proposals: Sequence[NegativeProposal], settings: Settings) -> str:
    """Plain list: `# level: target` comment lines, then one negative per line."""
    groups: dict[str, list[str]] = {}
    for p in proposals:
        if p.level == LEVEL_SHARED:
            head = f"# shared list: {_list_name(p, settings)}"
        elif p.level == LEVEL_CAMPAIGN:
            head = f"# campaign: {p.campaign}"
        else:
            head = f"# ad group: {p.campaign} > {p.ad_group}"
        groups.setdefault(head, []).append(keyword_syntax(p.text, p.match_type))
    lines: list[str] = []
    for head, items in groups.items():
        lines.extend([head, *items, ""])
    return "\n".join(lines)


def write_negatives(
    path: Path,
    proposals: Sequence[NegativeProposal],
    fmt: str,
    *,
    force: bool = False,
    settings: Settings | None = None,
) -> None:
    """Write proposals in `fmt` atomically; refuse to overwrite without `force`."""
    settings = settings or Settings()
    if fmt not in FORMATS:
        raise OutputError(f"unknown negatives format {fmt!r}; use editor, microsoft or list")
    problems = [m for m in map(_missing_target, proposals) if m]
    if problems:
        raise OutputError(f"cannot export: {problems[0]}", path=path)
    if fmt == "editor":
        text = csv_text(EDITOR_HEADER, editor_rows(proposals, settings))
        write_atomic(path, text, force=force, encoding="utf-8-sig")
    elif fmt == "microsoft":
        text = csv_text(BULK_HEADER, microsoft_rows(proposals, settings))
        write_atomic(path, text, force=force, encoding="utf-8-sig")
    else:
        write_atomic(path, list_text(proposals, settings), force=force)
