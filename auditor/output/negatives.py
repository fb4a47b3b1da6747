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

Import files carry every name and text exactly as the account has it (`+ Brand SE` stays
`+ Brand SE`, or the platform would look for a campaign that does not exist): they are written
with `auditor.output.csvio.exact_csv_text`, never with the spreadsheet defuser, and hold nothing but
the platform's own columns. Every file is written atomically, and an existing file is refused
unless `force`.

Export options (`auditor audit --list-name / --list-id / --negatives-level`): every shared-list
proposal can be put on one named list, on an existing Microsoft list by its Id (no new list is
created), or written as campaign negatives of the campaigns the list would be attached to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from auditor import format as fmt
from auditor.config import Settings
from auditor.errors import OutputError
from auditor.model import NegativeProposal
from auditor.output.csvio import exact_csv_text, write_atomic
from auditor.terms.matching import LEVEL_AD_GROUP, LEVEL_CAMPAIGN, LEVEL_SHARED

FORMATS = ("editor", "microsoft", "list")
LEVELS = ("list", "campaign")
"""`--negatives-level`: `list` writes proposals as proposed (shared lists included); `campaign`
writes every shared-list proposal as campaign negatives of the campaigns it is attached to."""
LIST_NAME_MAX = 255
"""Microsoft's limit for a negative keyword list's name (Negative Keyword List record)."""
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


def _list_name(p: NegativeProposal, settings: Settings) -> str:
    return p.list_name or settings.shared_list_name


def default_list_name(settings: Settings, account: str | None) -> str:
    """The shared list's name: `[negatives] shared_list_name` when the config sets one, else
    the default name with the account's (`auditor negatives - Fjällgear AB`), so lists of
    different accounts in one manager account are told apart."""
    base = settings.shared_list_name
    if base != Settings().shared_list_name or not account:
        return base
    return f"{base} - {account}"[:LIST_NAME_MAX].strip()


def with_list_name(proposals: Sequence[NegativeProposal], name: str) -> list[NegativeProposal]:
    """Every shared-list proposal on the list `name` (ids stay: they name the proposal)."""
    return [replace(p, list_name=name) if p.level == LEVEL_SHARED else p for p in proposals]


def as_campaign_negatives(proposals: Sequence[NegativeProposal]) -> list[NegativeProposal]:
    """Every shared-list proposal as one campaign negative per campaign it is attached to;
    the same negative twice in one campaign is written once."""
    out: list[NegativeProposal] = []
    seen: set[tuple[str | None, str | None, str, str, str]] = set()
    for p in proposals:
        if p.level == LEVEL_SHARED and not p.campaigns:
            raise OutputError(
                f"cannot export: shared-list negative '{p.text}' names no campaign to write it"
                " as a campaign negative of"
            )
        if p.level == LEVEL_SHARED:
            copies = [
                replace(p, level=LEVEL_CAMPAIGN, campaign=c, list_name=None, campaigns=[])
                for c in p.campaigns
            ]
        else:
            copies = [p]
        for q in copies:
            key = (q.campaign, q.ad_group, q.level, q.match_type, q.text.casefold())
            if key not in seen:
                seen.add(key)
                out.append(q)
    return out


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
        keyword = fmt.keyword(p.text, p.match_type)
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
    proposals: Sequence[NegativeProposal], settings: Settings, list_id: int | None = None
) -> list[list[str | int]]:
    """Rows of the Microsoft Advertising bulk file (without the header).

    A new list gets a `Negative Keyword List` row with a negative Id that its keywords (Parent
    Id) and campaign associations (Id) refer to; with `list_id` every shared-list negative goes
    to that existing list and no list row is written.
    """
    rows = [_bulk_row(type="Format Version", name=BULK_FORMAT_VERSION)]
    list_ids: dict[str, int] = {}
    for n, (name, campaigns) in enumerate(_shared_lists(proposals, settings).items(), start=1):
        list_ids[name] = list_id if list_id is not None else -n
        if list_id is None:
            rows.append(_bulk_row(type="Negative Keyword List", status="Active", id=-n, name=name))
        rows.extend(
            _bulk_row(
                type="Campaign Negative Keyword List Association",
                status="Active",
                id=list_ids[name],
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
        groups.setdefault(head, []).append(fmt.keyword(p.text, p.match_type))
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
    list_name: str | None = None,
    list_id: int | None = None,
    level: str = "list",
) -> None:
    """Write proposals in `fmt` atomically; refuse to overwrite without `force`.

    `list_name` puts every shared-list proposal on that list; `list_id` (Microsoft only) adds
    them to an existing list; `level="campaign"` writes them as campaign negatives instead.
    """
    settings = settings or Settings()
    if fmt not in FORMATS:
        raise OutputError(f"unknown negatives format {fmt!r}; use editor, microsoft or list")
    if level not in LEVELS:
        raise OutputError(f"unknown negatives level {level!r}; use list or campaign")
    problems = [m for m in map(_missing_target, proposals) if m]
    if problems:
        raise OutputError(f"cannot export: {problems[0]}", path=path)
    if list_name:
        proposals = with_list_name(proposals, list_name)
    if level == "campaign":
        proposals = as_campaign_negatives(proposals)
    if fmt == "editor":
        text = exact_csv_text(EDITOR_HEADER, editor_rows(proposals, settings))
        write_atomic(path, text, force=force, encoding="utf-8-sig")
    elif fmt == "microsoft":
        text = exact_csv_text(BULK_HEADER, microsoft_rows(proposals, settings, list_id))
        write_atomic(path, text, force=force, encoding="utf-8-sig")
    else:
        write_atomic(path, list_text(proposals, settings), force=force)
