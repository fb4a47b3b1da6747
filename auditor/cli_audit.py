"""`auditor audit`: one account's audit and its files, or a folder of accounts as a batch
(one task per account, on Dask when asked), with the output checks done before any work.

The parser and the other commands are in `auditor.cli`; this module is what the audit command
does once its flags are read.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from auditor.audit import audit
from auditor.batch import (
    BATCH_FILES,
    INDEX_NAME,
    AccountInput,
    group_accounts,
    mark_out_dir,
    write_index,
)
from auditor.config import Settings, load_config, validate_settings
from auditor.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, AuditorError, ConfigError
from auditor.model import SEVERITIES, AuditResult
from auditor.output.csvio import check_output_paths
from auditor.output.findings import write_findings_csv
from auditor.output.jsonform import write_audit_json
from auditor.output.negatives import (
    LIST_NAME_MAX,
    default_list_name,
    with_list_name,
    write_negatives,
)
from auditor.output.summary import summary_lines
from auditor.output.xlsx import write_xlsx
from auditor.parallel import INSTALL_HINT, Measured, cores, have_dask, run_each
from auditor.profile import stage
from auditor.progress import Progress, say
from auditor.readers import expand_paths


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The config file's settings with every given flag laid over them."""
    settings = load_config(args.config)
    lists = {
        name: tuple(getattr(settings, name)) + tuple(getattr(args, name) or ())
        for name in (
            "brand",
            "protect",
            "competitors",
            "keywords",
            "existing_negatives",
            "conversions",
            "by_action",
            "by_day",
            "orders",
        )
    }
    settings = settings.with_overrides(
        target_cpa=args.target_cpa,
        target_roas=args.target_roas,
        margin=args.margin,
        platform=args.platform,
        account_name=getattr(args, "account", None),
        **lists,
    )
    validate_settings(settings)
    return settings


@stage("outputs")
def _write_outputs(
    result: AuditResult,
    settings: Settings,
    args: argparse.Namespace,
    *,
    json_path: Path | None,
    findings_path: Path | None,
    negatives_path: Path | None,
) -> list[str]:
    """Write the files asked for; return the lines saying what was written."""
    lines = []
    negatives_format = args.negatives_format or _default_negatives_format(result, settings)
    _check_list_id(args, negatives_format)
    list_name = (args.list_name or "").strip() or default_list_name(settings, result.account)
    result.negatives = with_list_name(result.negatives, list_name)
    if json_path is not None:
        write_audit_json(result, json_path, force=args.force)
        lines.append(f"Wrote the audit JSON to {json_path}")
    if findings_path is not None:
        write_findings_csv(findings_path, result.findings, force=args.force)
        lines.append(f"Wrote {len(result.findings)} findings to {findings_path}")
    if args.xlsx is not None:
        write_xlsx(result, args.xlsx, force=args.force)
        lines.append(f"Wrote the workbook to {args.xlsx}")
    if negatives_path is not None:
        write_negatives(
            negatives_path,
            result.negatives,
            negatives_format,
            force=args.force,
            settings=settings,
            list_id=args.list_id,
            level=args.negatives_level,
        )
        n = len(result.negatives)
        lines.append(f"Wrote {n} negatives ({negatives_format}) to {negatives_path}")
        lines.extend(_shared_set_check(result, negatives_format, args.negatives_level, list_name))
    return lines


def _shared_set_check(result: AuditResult, fmt: str, level: str, list_name: str) -> list[str]:
    """For an Editor file with a shared set: what to check in the import preview (Google does
    not document the shared-set rows; a set that is not attached blocks nothing)."""
    shared = [p for p in result.negatives if p.level == "shared_list"]
    if fmt != "editor" or level != "list" or not shared:
        return []
    campaigns = len({c for p in shared for c in p.campaigns})
    return [
        f"Check in Editor's import preview that the shared set '{list_name}' ({len(shared)}"
        f" negatives) is attached to its {campaigns} campaign(s); if it is not, run again"
        " with --negatives-level campaign and import that file instead"
    ]


def _check_list_id(args: argparse.Namespace, negatives_format: str) -> None:
    """`--list-id` names a Microsoft list: refused with another format or campaign level."""
    if args.list_id is None:
        return
    if negatives_format != "microsoft":
        raise ConfigError(
            f"--list-id names an existing Microsoft Advertising list; the negatives file is"
            f" {negatives_format} (use --list-name for an Editor shared set)"
        )
    if args.negatives_level == "campaign":
        raise ConfigError("--list-id and --negatives-level campaign exclude each other")


def _default_negatives_format(result: AuditResult, settings: Settings) -> str:
    """The file the account's platform imports: Microsoft bulk for Microsoft Advertising."""
    formats = {i.format for i in result.inputs if i.role == "report" and i.kind == "search_terms"}
    if settings.platform == "microsoft" or (formats and formats <= {"microsoft_ads"}):
        return "microsoft"
    return "editor"


def _input_files(args: argparse.Namespace, settings: Settings) -> list[Path]:
    """Every file the run reads: reports (folders expanded), role files, config, packs."""
    paths = [p for p in args.reports if p.exists()]
    for role in _ROLE_FLAGS:
        paths.extend(p for p in getattr(settings, role) if p.exists())
    files = expand_paths(paths) if paths else []
    extra = [args.config, *settings.rule_packs, *settings.lexicons]
    return files + [p for p in extra if p is not None]


def _check_outputs(args: argparse.Namespace, settings: Settings) -> None:
    """Output flags that cannot all be honoured are refused before any work is done."""
    outputs = [p for p in (args.json, args.findings, args.negatives, args.xlsx) if p is not None]
    if args.out_dir is not None and outputs:
        raise ConfigError(
            "--json, --findings, --negatives and --xlsx name one file each; with --out-dir every"
            " account's files go to DIR/<account>/ (audit.json, findings.csv, negatives.csv)"
        )
    if args.out_dir is None and (args.workers is not None or args.scheduler is not None):
        raise ConfigError("--workers and --scheduler run a batch of accounts: add --out-dir DIR")
    if args.list_name is not None and not 0 < len(args.list_name.strip()) <= LIST_NAME_MAX:
        raise ConfigError(f"--list-name takes 1 to {LIST_NAME_MAX} characters")
    if args.list_id is not None:
        if args.out_dir is not None:
            raise ConfigError("--list-id names one account's list; it cannot go with --out-dir")
        _check_list_id(args, args.negatives_format or "microsoft")
    if outputs:
        check_output_paths(outputs, _input_files(args, settings), args.force)


def audit_command(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    _check_outputs(args, settings)
    if args.out_dir is not None:
        return _audit_accounts(args, settings)
    result = audit(args.reports, settings)
    say("\n".join(summary_lines(result, top=args.top)))
    written = _write_outputs(
        result,
        settings,
        args,
        json_path=args.json,
        findings_path=args.findings,
        negatives_path=args.negatives,
    )
    say("\n".join(written))
    code, lines = _findings_exit(result, args.fail_on)
    if lines:
        say("\n".join(lines))
    return code


def _findings_exit(result: AuditResult, fail_on: str | None) -> tuple[int, list[str]]:
    """(EXIT_FINDINGS and the line saying why) when `--fail-on` names a severity some finding
    reaches, else (EXIT_OK, no line)."""
    if fail_on is None:
        return EXIT_OK, []
    worst = SEVERITIES.index(fail_on)
    hits = [f for f in result.findings if SEVERITIES.index(f.severity) <= worst]
    if hits:
        return EXIT_FINDINGS, [
            f"{len(hits)} finding(s) of severity {fail_on} or worse (--fail-on {fail_on})"
        ]
    return EXIT_OK, []


_ROLE_FLAGS = ("conversions", "by_action", "by_day", "orders", "existing_negatives", "keywords")


@dataclass(frozen=True)
class AccountJob:
    """One account of a batch, with everything a worker needs to audit it and write its files."""

    account: AccountInput
    settings: Settings
    args: argparse.Namespace
    """The command line (output flags: --out-dir, --negatives-format, --force, ...)."""


@dataclass(frozen=True)
class AccountDone:
    """What auditing one account printed and wrote; `code` is its error's or --fail-on's."""

    row: dict[str, object]
    lines: list[str]
    error: str | None
    code: int


def audit_account(job: AccountJob) -> AccountDone:
    """Read, audit and write one account of a batch (one task on Dask); an account whose files
    cannot be used is reported in its result, never raised."""
    account, args = job.account, job.args
    folder = args.out_dir / account.name
    head = f"== {account.name} ({len(account.paths)} file(s))"
    try:
        result = audit(list(account.paths), job.settings)
        written = _write_outputs(
            result,
            job.settings,
            args,
            json_path=folder / BATCH_FILES[0],
            findings_path=folder / BATCH_FILES[1],
            negatives_path=folder / BATCH_FILES[2],
        )
    except AuditorError as exc:
        row: dict[str, object] = {"account": account.name, "error": exc.one_line()}
        return AccountDone(row, [head], exc.one_line(), exc.exit_code)
    code, fail_line = _findings_exit(result, args.fail_on)
    row = {
        "account": account.name,
        "inputs": [str(p) for p in account.paths],
        "folder": str(folder),
        "currency": result.currency,
        "totals": result.totals,
        "hidden_cost": result.hidden_cost,
        "findings": len(result.findings),
        "high": sum(f.severity == "high" for f in result.findings),
        "negatives": len(result.negatives),
    }
    lines = [head, *summary_lines(result, top=min(args.top, 3)), *written, *fail_line]
    return AccountDone(row, lines, None, code)


def _batch_results(
    jobs: list[AccountJob], workers: int, scheduler: str | None
) -> list[tuple[AccountDone, Measured[AccountDone]]]:
    """Every account's result in the accounts' order; each account's lines are printed in that
    order as soon as the accounts before it are done, and a progress bar counts them."""
    done: dict[int, tuple[AccountDone, Measured[AccountDone]]] = {}
    printed = 0
    progress = Progress(len(jobs), "audit")
    for i, run in run_each(audit_account, jobs, workers=workers, scheduler=scheduler):
        name = jobs[i].account.name
        outcome = run.value or AccountDone(
            {"account": name, "error": run.error}, [f"== {name}"], run.error, EXIT_INTERNAL
        )
        done[i] = (outcome, run)
        progress.close()
        while printed in done:
            shown = done[printed][0]
            say("\n".join(shown.lines))
            if shown.error is not None:
                say(f"auditor: error: {shown.error}", error=True)
            printed += 1
        progress.step(name)
    progress.close()
    return [done[i] for i in range(len(jobs))]


def _workers(args: argparse.Namespace, accounts: int) -> int:
    """Local workers for the batch: --workers, else the cores; a note when Dask is missing."""
    if args.workers is not None and args.workers > 1 and accounts > 1 and not have_dask():
        say(
            f"Note: --workers {args.workers} needs Dask ({INSTALL_HINT}); auditing the accounts"
            " one after another"
        )
    return args.workers if args.workers is not None else cores()


def _audit_accounts(args: argparse.Namespace, settings: Settings) -> int:
    """One audit per account folder; a bad account is reported and the batch goes on."""
    notes: list[str] = []
    accounts = group_accounts(args.reports, notes)
    for note in notes:
        say(f"Note: {note}")
    if len(accounts) > 1 and any(getattr(args, f) for f in _ROLE_FLAGS):
        raise ConfigError(
            "--keywords, --existing-negatives, --conversions, --by-action, --by-day and --orders"
            " name one account's files: put them in that account's folder instead"
            " (their format is detected there)"
        )
    _check_batch_outputs(args, settings, accounts)
    mark_out_dir(args.out_dir)
    jobs = [AccountJob(account, settings, args) for account in accounts]
    index: list[dict[str, object]] = []
    failed = findings_code = EXIT_OK
    for outcome, run in _batch_results(jobs, _workers(args, len(jobs)), args.scheduler):
        index.append({**outcome.row, "seconds": run.seconds, "peak_memory_mb": run.peak_memory_mb})
        if outcome.error is not None:
            failed = max(failed, outcome.code)
        else:
            findings_code = max(findings_code, outcome.code)
    currencies = sorted({str(row["currency"]) for row in index if row.get("currency")})
    if len(currencies) > 1 and (settings.target_cpa or settings.target_roas):
        print(
            f"Warning: one --target-cpa/--target-roas was applied to accounts in"
            f" {', '.join(currencies)}; give each account its own targets (a --config per folder"
            " and one run each) if they differ"
        )
    write_index(args.out_dir / INDEX_NAME, index, force=args.force)
    done = sum("error" not in row for row in index)
    print(f"Wrote {done} of {len(accounts)} account(s) to {args.out_dir}; index in accounts.json")
    return failed or findings_code


def _check_batch_outputs(
    args: argparse.Namespace, settings: Settings, accounts: list[AccountInput]
) -> None:
    """Every account's planned files and the index, checked like single outputs."""
    planned = [args.out_dir / INDEX_NAME]
    for account in accounts:
        planned += [args.out_dir / account.name / n for n in BATCH_FILES]
    inputs = [p for a in accounts for p in a.paths] + _input_files(args, settings)
    check_output_paths(planned, inputs, force=True)
