"""Negative keywords already in the account (`kind = "negatives"`).

Two forms are read:
- A table with a header, as Google Ads Editor exports and imports it: `Keyword` (or
  `Negative keyword`), `Criterion Type` (`Negative Phrase`, `Campaign Negative Exact`, ...) or
  `Match type`, and optionally `Campaign`, `Ad group` and a list-name column (`Shared set
  name`, `Negative keyword list`, `List`). Microsoft Advertising bulk rows (`Type` = `Campaign
  Negative Keyword`, `Ad Group Negative Keyword`, `Shared Negative Keyword`) read too.
- A plain list without a header, one negative per line in keyword syntax: `kw` (broad),
  `"kw"` (phrase), `[kw]` (exact); blank lines and lines starting with `#` are ignored.

The match type comes from the criterion type / match type column, else from the keyword's
syntax. Level: a list name makes it a shared-list negative, an ad group an ad-group negative,
otherwise a campaign negative (no campaign: it applies to every campaign). Rows without a
keyword, or with a positive criterion type, are skipped and listed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from auditor import schema
from auditor.errors import InputError
from auditor.model import Report, SkippedRow
from auditor.readers.tabular import LINE, RawTable, load_raw, normalise_name

FORMAT_TABLE = "negatives_table"
FORMAT_LIST = "negatives_list"
LIST_COLUMN = "list_name"

_KEYWORD = ("keyword", "negativekeyword", "negativekeywords", "negative")
_CRITERION = ("criteriontype", "type")
_MATCH = ("matchtype", "keywordmatchtype")
_CAMPAIGN = ("campaign", "campaignname")
_AD_GROUP = ("adgroup", "adgroupname")
_LIST = ("sharedsetname", "sharedset", "negativekeywordlist", "listname", "list", "keywordlist")
_SYNTAX = re.compile(
    r'^\s*(?:\[(?P<exact>[^\[\]]+)\]|"(?P<phrase>[^"]+)"|(?P<broad>[^\[\]"]+))\s*$'
)


def _find(names: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((names[k] for k in keys if k in names), None)


def _names(columns: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in columns:
        out.setdefault(normalise_name(col), col)
    return out


def _is_bulk(keys: dict[str, str] | set[str]) -> bool:
    """A Microsoft Advertising bulk file (`Type`, `Parent Id`, `Keyword`, `Match Type`)."""
    return {"type", "parentid", "keyword", "matchtype"} <= set(keys)


def looks_like(header: list[str]) -> bool:
    """A negatives table: a negative-keyword column, Keyword with a Criterion Type, or bulk."""
    keys = {normalise_name(h) for h in header}
    if keys & {"negativekeyword", "negativekeywords"}:
        return True
    return ("keyword" in keys and "criteriontype" in keys) or _is_bulk(keys)


def parse_syntax(text: str) -> tuple[str, str] | None:
    """`kw` / `"kw"` / `[kw]` -> (text, match type); None when the syntax is broken."""
    m = _SYNTAX.match(text)
    if m is None:
        return None
    for kind in ("exact", "phrase", "broad"):
        value = m.group(kind)
        if value is not None and value.strip():
            return value.strip(), kind
    return None


def _match_type(declared: str, criterion: bool) -> tuple[str | None, bool]:
    """(broad/phrase/exact or None, is it a negative) from a criterion or match type cell.

    A Criterion Type cell must say `Negative` (`Phrase` there is a bought keyword); a Match
    type cell in a negatives file just gives the match type.
    """
    text = declared.strip().lower()
    found = next((m for m in ("broad", "phrase", "exact") if m in text), None)
    return found, ("negative" in text or not criterion or not text)


def _rows(frame: pd.DataFrame, cols: dict[str, str | None]) -> tuple[pd.DataFrame, list]:
    """Parse every row (a Python pass over the few rows of a negatives file)."""
    out: list[dict[str, object]] = []
    skipped: list[SkippedRow] = []
    for rec in frame.to_dict("records"):
        line = int(rec[LINE])
        raw = str(rec.get(cols["keyword"], "") or "").strip()
        parsed = parse_syntax(raw) if raw else None
        if parsed is None:
            reason = "no keyword" if not raw else f"keyword syntax not understood: {raw[:60]}"
            skipped.append(SkippedRow(line, reason))
            continue
        text, syntax_type = parsed
        declared = str(rec.get(cols["criterion"] or "", "") or "")
        match, negative = _match_type(declared, cols.get("is_criterion") == "yes")
        if declared and not negative:
            skipped.append(SkippedRow(line, f"not a negative keyword ({declared})"))
            continue
        out.append(
            {
                "keyword": text,
                "keyword_match_type": match or syntax_type,
                "campaign": str(rec.get(cols["campaign"] or "", "") or "").strip() or None,
                "ad_group": str(rec.get(cols["ad_group"] or "", "") or "").strip() or None,
                LIST_COLUMN: str(rec.get(cols["list"] or "", "") or "").strip() or None,
                schema.LINE_COLUMN: line,
            }
        )
    return pd.DataFrame(out), skipped


def _report(path: Path, fmt: str, rows: pd.DataFrame, skipped: list, source: int) -> Report:
    if rows.empty:
        rows = pd.DataFrame(
            columns=["keyword", "keyword_match_type", "campaign", "ad_group", LIST_COLUMN, "line"]
        )
    table = schema.conform(rows.assign(**{schema.SOURCE_COLUMN: source}))
    table[LIST_COLUMN] = table[LIST_COLUMN].astype(schema.STRING_DTYPE)
    table[schema.LINE_COLUMN] = table[schema.LINE_COLUMN].astype("int64")
    return Report(
        path=path,
        kind=schema.KIND_NEGATIVES,
        format=fmt,
        table=table,
        columns_present=frozenset(),
        skipped=skipped,
    )


def from_raw(raw: RawTable, source: int) -> Report:
    """A negatives table (Editor export, Microsoft bulk rows) into a negatives Report."""
    names = _names(raw.columns)
    cols = {
        "keyword": _find(names, _KEYWORD),
        "criterion": _find(names, _CRITERION) or _find(names, _MATCH),
        "campaign": _find(names, _CAMPAIGN),
        "ad_group": _find(names, _AD_GROUP),
        "list": _find(names, _LIST),
    }
    cols["is_criterion"] = "yes" if _find(names, ("criteriontype",)) else None
    if cols["keyword"] is None:
        raise InputError("no Keyword column in the negatives file", path=raw.path)
    frame = raw.rows
    if _is_bulk(names):
        cols["criterion"] = _find(names, _MATCH)
        kinds = frame[names["type"]].str.strip().str.lower()
        frame = frame[kinds.str.endswith("negative keyword")]
    rows, skipped = _rows(frame, cols)
    return _report(raw.path, FORMAT_TABLE, rows, [*raw.skipped, *skipped], source)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _plain_list(path: Path, text: str, source: int) -> Report:
    frame = pd.DataFrame(
        [
            {"Keyword": line.strip(), LINE: number}
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")
        ],
        columns=["Keyword", LINE],
    )
    cols = {"keyword": "Keyword", "criterion": None, "campaign": None, "ad_group": None}
    rows, skipped = _rows(frame, cols | {"list": None})
    return _report(path, FORMAT_LIST, rows, skipped, source)


def read_path(path: Path, source: int) -> Report:
    """Read a negatives file given with `--existing-negatives`: a table or a plain list."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("binary file, not a list of negative keywords", path=path)
    text = _decode(data, path)
    head = [line for line in text.splitlines()[:60] if line.strip()]
    for line in head:
        cells = re.split(r"[\t,;]", line)
        if len(cells) >= 2 and looks_like([c.strip().strip('"') for c in cells]):
            return from_raw(load_raw(path, is_header=looks_like), source)
    return _plain_list(path, text, source)
