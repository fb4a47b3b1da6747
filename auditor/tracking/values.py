"""Checks on recorded conversions: duplicate IDs, missing, default and negative values, currency.

They read the conversion-level export (one row per conversion); `missing_value` and
`negative_value` also read the by-action and report rows when no export covers them.
An action "should carry a value" when it is a purchase (by its category or name) or when some of
its conversions have one; lead and signup actions without any value are left alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.engine.checks import check
from auditor.engine.packs import Rule
from auditor.format import money
from auditor.model import Finding
from auditor.tracking.coverage import TRACKING
from auditor.tracking.inputs import TrackingInputs
from auditor.tracking.text import finding, listing, number, plural, share

PURCHASE_WORDS = r"purchase|order|sale|transaction|checkout|köp|kjøp|køb|kauf|bestell|ordre"
NO_ACTION = "(no action named)"
EVIDENCE_LIMIT = 20


def _export(inputs: TrackingInputs) -> pd.DataFrame | None:
    conv = inputs.conversions
    if conv is None or not len(conv):
        return None
    return conv.assign(conversion_action=conv["conversion_action"].fillna(NO_ACTION))


def _is_purchase(actions: pd.Series, categories: pd.Series) -> pd.Series:
    text = actions.fillna("") + " " + categories.fillna("")
    return text.str.lower().str.contains(PURCHASE_WORDS, regex=True).fillna(False).astype(bool)


def _ids(frame: pd.DataFrame, column: str = "transaction_id") -> list[str]:
    values = frame[column].dropna().astype(str).unique().tolist()
    return values[:EVIDENCE_LIMIT]


def _lines(frame: pd.DataFrame) -> list[int]:
    return [int(x) for x in frame["line"].head(EVIDENCE_LIMIT)]


@check("duplicate_transactions", TRACKING)
def duplicate_transactions(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    conv = _export(inputs)
    if conv is None:
        return []
    with_id = conv.loc[conv["transaction_id"].fillna("").str.strip() != ""]
    size = with_id.groupby(["conversion_action", "transaction_id"], sort=False)[
        "transaction_id"
    ].transform("size")
    repeated = with_id.loc[size > 1]
    out = []
    for action, group in repeated.groupby("conversion_action", sort=True):
        counts = group.groupby("transaction_id", sort=False).size().sort_values(ascending=False)
        if len(counts) < rule.param("min_ids"):
            continue
        values = group["conversion_value"].fillna(0.0)
        first = group.assign(v=values).groupby("transaction_id", sort=False)["v"].first()
        extra_value = float(values.sum() - first.sum())
        extra = int(counts.sum() - len(counts))
        total = int((conv["conversion_action"] == action).sum())
        fields = {
            "ids": plural(len(counts), "transaction ID"),
            "action": str(action),
            "extra": plural(extra, "extra conversion"),
            "value": money(extra_value, inputs.currency),
        }
        fields["share"] = share(extra / total)
        evidence = {
            "action": str(action),
            "duplicated_ids": len(counts),
            "extra_conversions": extra,
            "extra_value": round(extra_value, 2),
            "conversions": total,
            "ids": {str(k): int(v) for k, v in counts.head(EVIDENCE_LIMIT).items()},
            "lines": _lines(group),
        }
        material = extra / total >= rule.param("material_share")
        severity = None if material else "low"
        out.append(finding(rule, fields, evidence, severity=severity, conversions=float(extra)))
    return out


def _value_actions(conv: pd.DataFrame) -> pd.Series:
    """Per action: whether its conversions should carry a value."""
    purchase = _is_purchase(conv["conversion_action"], conv["conversion_category"])
    has_value = conv["conversion_value"].fillna(0.0) > 0
    frame = pd.DataFrame({"a": conv["conversion_action"], "p": purchase, "v": has_value})
    return frame.groupby("a", sort=True)[["p", "v"]].any().any(axis=1)


@check("missing_value", TRACKING)
def missing_value(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    conv = _export(inputs)
    if conv is None or not inputs.export_values:
        return _missing_in_reports(inputs, rule)
    expects = _value_actions(conv)
    missing = conv["conversion_value"].isna() | (conv["conversion_value"] == 0)
    out = []
    for action, group in conv.loc[missing].groupby("conversion_action", sort=True):
        total = int((conv["conversion_action"] == action).sum())
        if not expects.get(action, False) or not _enough(len(group), total, rule):
            continue
        fields = {
            "missing": number(len(group)),
            "total": number(total),
            "action": str(action),
            "share": share(len(group) / total),
        }
        evidence = {
            "action": str(action),
            "missing": len(group),
            "conversions": total,
            "transaction_ids": _ids(group),
            "lines": _lines(group),
        }
        out.append(finding(rule, fields, evidence, conversions=float(len(group))))
    return out


def _enough(count: float, total: float, rule: Rule) -> bool:
    return count >= rule.param("min_missing") and count / total >= rule.param("min_share")


def _missing_in_reports(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    """Purchase actions of a by-action report whose converting rows carry no value."""
    rows = inputs.by_action
    if rows is None:
        return []
    rows = rows.loc[rows["conversions"].fillna(0.0) > 0]
    purchase = _is_purchase(rows["conversion_action"], rows["conversion_category"])
    rows = rows.assign(missing=rows["conversion_value"].fillna(0.0) <= 0, purchase=purchase)
    out = []
    for action, group in rows.loc[rows["purchase"]].groupby("conversion_action", sort=True):
        lost = float(group.loc[group["missing"], "conversions"].sum())
        total = float(group["conversions"].sum())
        if not _enough(lost, total, rule):
            continue
        fields = {
            "missing": number(lost),
            "total": number(total),
            "action": str(action),
            "share": share(lost / total),
        }
        evidence = {"action": str(action), "missing": lost, "conversions": total}
        out.append(finding(rule, fields, evidence, conversions=lost))
    return out


def _modal_values(frame: pd.DataFrame, weight: pd.Series, placeholder_max: float) -> pd.DataFrame:
    """Per action: its most frequent positive value per conversion (`conversion_value`) and
    every placeholder value (positive, at most `placeholder_max`), how many conversions carry
    each (`count`) and the action's conversions (`total`)."""
    weighted = frame.assign(w=weight)
    valued = weighted.loc[weighted["conversion_value"] > 0]
    counts = (
        valued.groupby(["conversion_action", "conversion_value"], sort=True)["w"]
        .sum()
        .rename("count")
        .reset_index()
        .sort_values(["conversion_action", "count"], ascending=[True, False], kind="stable")
    )
    modal = counts.drop_duplicates("conversion_action")
    placeholders = counts.loc[counts["conversion_value"] <= placeholder_max]
    found = pd.concat([modal, placeholders]).drop_duplicates(
        ["conversion_action", "conversion_value"]
    )
    totals = weighted.groupby("conversion_action", sort=True)["w"].sum().rename("total")
    return found.join(totals, on="conversion_action")


def _defaults(modal: pd.DataFrame, rule: Rule, purchases: set[str]) -> pd.DataFrame:
    """The modal values that look like a default (see the rule's docs): a placeholder (at most
    `placeholder_max`) on `min_count_placeholder` purchases or more, whatever their share (a
    checkout path that sends no value); on other actions a placeholder on
    `min_share_placeholder` of `min_count` or more; any other value on `min_share` of them."""
    placeholder = modal["conversion_value"] <= rule.param("placeholder_max")
    purchase = modal["conversion_action"].isin(purchases)
    share_of = modal["count"] / modal["total"]
    on_purchase = placeholder & purchase & (modal["count"] >= rule.param("min_count_placeholder"))
    needed = placeholder.map(
        {True: rule.param("min_share_placeholder"), False: rule.param("min_share")}
    )
    common = (modal["count"] >= rule.param("min_count")) & (share_of >= needed)
    return modal.loc[on_purchase | common]


def _default_severity(row: pd.Series, rule: Rule) -> str:
    """By share: high from `min_share`, the rule's severity from `min_share_placeholder`, low
    below (a few purchases without their value)."""
    share_of = row["count"] / row["total"]
    if share_of >= rule.param("min_share"):
        return "high"
    return rule.severity if share_of >= rule.param("min_share_placeholder") else "low"


def _purchase_actions(frame: pd.DataFrame) -> set[str]:
    cats = frame.get("conversion_category", pd.Series("", index=frame.index))
    found = _is_purchase(frame["conversion_action"], cats)
    return set(frame.loc[found, "conversion_action"].dropna().astype(str))


def _default_finding(
    rule: Rule, row: pd.Series, evidence: dict[str, object], currency: str | None
) -> Finding:
    fields = {
        "count": number(row["count"]),
        "total": number(row["total"]),
        "action": str(row["conversion_action"]),
        "share": share(row["count"] / row["total"]),
        "value": money(float(row["conversion_value"]), currency),
    }
    evidence = {
        "action": str(row["conversion_action"]),
        "value": float(row["conversion_value"]),
        "count": float(row["count"]),
        "conversions": float(row["total"]),
        **evidence,
    }
    return finding(
        rule,
        fields,
        evidence,
        severity=_default_severity(row, rule),
        conversions=float(row["count"]),
    )


@check("default_value", TRACKING)
def default_value(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    conv = _export(inputs)
    if conv is None or not inputs.export_values:
        return _defaults_in_reports(inputs, rule)
    out = []
    modal = _modal_values(conv, pd.Series(1.0, index=conv.index), rule.param("placeholder_max"))
    for _, row in _defaults(modal, rule, _purchase_actions(conv)).iterrows():
        group = conv.loc[
            (conv["conversion_action"] == row["conversion_action"])
            & (conv["conversion_value"] == row["conversion_value"])
        ]
        evidence = {"transaction_ids": _ids(group), "lines": _lines(group), "source": "export"}
        out.append(_default_finding(rule, row, evidence, inputs.currency))
    return out


def _defaults_in_reports(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    """Purchase actions of a by-action report whose rows carry one value per conversion."""
    rows = inputs.by_action
    if rows is None:
        return []
    rows = rows.loc[rows["conversions"].fillna(0.0) > 0]
    rows = rows.loc[_is_purchase(rows["conversion_action"], rows["conversion_category"])]
    per = rows.assign(conversion_value=(rows["conversion_value"] / rows["conversions"]).round(2))
    out = []
    modal = _modal_values(per, per["conversions"], rule.param("placeholder_max"))
    for _, row in _defaults(
        modal, rule, set(per["conversion_action"].dropna().astype(str))
    ).iterrows():
        group = per.loc[
            (per["conversion_action"] == row["conversion_action"])
            & (per["conversion_value"] == row["conversion_value"])
        ]
        evidence = {"rows": len(group), "lines": _lines(group), "source": "by-action report"}
        out.append(_default_finding(rule, row, evidence, inputs.currency))
    return out


def _negative_rows(inputs: TrackingInputs) -> tuple[pd.DataFrame, str]:
    """Rows with a negative value: from the export if any, else from the reports."""
    conv = _export(inputs)
    if conv is not None:
        return conv.loc[conv["conversion_value"] < 0], "export"
    parts = [_below_zero(t) for t in (inputs.by_action, inputs.rows) if t is not None]
    parts = [t for t in parts if len(t)]
    if not parts:
        return pd.DataFrame(), "report"
    rows = pd.concat(parts, ignore_index=True)
    return rows.assign(conversion_action=rows["conversion_action"].fillna(NO_ACTION)), "report"


def _below_zero(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with a negative value; found on the column first, since taking rows of a
    million-row table of text columns costs a copy of every column even when none is taken."""
    negative = rows["conversion_value"].to_numpy(dtype=float, na_value=np.nan) < 0
    return rows.loc[negative] if negative.any() else rows.iloc[:0]


@check("negative_value", TRACKING)
def negative_value(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    negative, where = _negative_rows(inputs)
    if len(negative) < rule.param("min_count") or not len(negative):
        return []
    out = []
    for action, group in negative.groupby("conversion_action", sort=True):
        total = float(group["conversion_value"].sum())
        fields = {
            "count": plural(len(group), "conversion"),
            "action": str(action),
            "value": money(total, inputs.currency),
        }
        evidence = {
            "action": str(action),
            "count": len(group),
            "value": round(total, 2),
            "source": where,
            "lines": _lines(group),
        }
        if "transaction_id" in group:
            evidence["transaction_ids"] = _ids(group)
        out.append(finding(rule, fields, evidence, conversion_value=total))
    return out


@check("currency_mismatch", TRACKING)
def currency_mismatch(inputs: TrackingInputs, rule: Rule) -> list[Finding]:
    conv = _export(inputs)
    files = inputs.file_currencies
    account = inputs.currency or _majority(conv, files)
    if account is None:
        return []
    odd_files = {name: cur for name, cur in files.items() if cur != account}
    odd = (
        conv.loc[conv["currency"].notna() & (conv["currency"] != account)]
        if conv is not None
        else None
    )
    count = len(odd) if odd is not None else 0
    if count < rule.param("min_count") and not odd_files:
        return []
    currencies = sorted(set(odd["currency"].astype(str) if count else []) | set(odd_files.values()))
    value = float(odd["conversion_value"].fillna(0.0).sum()) if count else 0.0
    evidence = {
        "account_currency": account,
        "currencies": currencies,
        "conversions": count,
        "value": round(value, 2),
        "files": odd_files,
        "transaction_ids": _ids(odd) if count else [],
        "lines": _lines(odd) if count else [],
    }
    files_text = f"{listing(sorted(odd_files))} {'is' if len(odd_files) == 1 else 'are'} in"
    if not count:
        message = (
            f"The account reports in {account} but {files_text} {listing(currencies)}: "
            "their figures cannot be compared with the account's as they are."
        )
        return [finding(rule, {}, evidence, message=message)]
    fields = {
        "account_currency": account,
        "count": plural(count, "conversion"),
        "value": f"{money(value, currencies[0] if len(currencies) == 1 else None)} in total",
        "currencies": listing(currencies),
        "files": f"; {files_text} {listing(sorted(set(odd_files.values())))}" if odd_files else "",
    }
    return [finding(rule, fields, evidence)]


def _majority(conv: pd.DataFrame | None, files: dict[str, str]) -> str | None:
    if conv is not None and conv["currency"].notna().any():
        return str(conv["currency"].value_counts().index[0])
    if files:
        return str(pd.Series(list(files.values())).value_counts().index[0])
    return None
