"""The `auditor` command: `audit`, `fetch`, `rules`, `review`. A thin door onto
`auditor.audit.audit` (and `auditor.fetch` for the Google Ads API).

Exit codes are the named constants in `auditor.errors`: 0 done, 2 unusable input, 3 bad
config or rule pack (or a missing optional library), 4 output not written (exists without
--force, or not writable), 5 a finding at or above `--fail-on`, 6 a Google Ads API request
failed for an account.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from auditor import __version__
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
from auditor.errors import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    AuditorError,
    ConfigError,
)
from auditor.fetch.gaql import LAST_DAYS, Period
from auditor.model import SEVERITIES, AuditResult
from auditor.output.csvio import check_output_paths
from auditor.output.findings import write_findings_csv
from auditor.output.jsonform import write_audit_json
from auditor.output.negatives import (
    LEVELS,
    LIST_NAME_MAX,
    default_list_name,
    with_list_name,
    write_negatives,
)
from auditor.output.summary import summary_lines
from auditor.output.xlsx import write_xlsx
from auditor.parallel import INSTALL_HINT, Measured, cores, have_dask, run_each
from auditor.profile import Profile, enabled_by_env, profiling, stage
from auditor.progress import Progress
from auditor.readers import expand_paths
from auditor.resources import bundled

BUNDLED_SAMPLE = "google-ads-search-terms-en.csv"
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
"""ANSI escape sequences and control characters (BEL, backspace, carriage return, C1)."""


def terminal_text(text: str) -> str:
    """`text` without control characters: a search term must not drive the user's terminal."""
    return _CONTROL.sub("", text)


def _say(text: str, *, error: bool = False) -> None:
    print(terminal_text(text), file=sys.stderr if error else sys.stdout)


def sample_dir() -> Path:
    """The bundled sample reports: the repo's `sample_reports/` or the installed copy."""
    return bundled("sample_reports")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _workers_count(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _list_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list Id (a whole number): {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a list Id is above 0: {text!r}")
    return value


def _term(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty term protects nothing")
    return text.strip()


def _add_audit_flags(p: argparse.ArgumentParser, *, reports_required: bool) -> None:
    p.add_argument(
        "reports",
        metavar="REPORT",
        nargs="+" if reports_required else "*",
        type=Path,
        help="search-terms (and keyword) reports, or folders of them",
    )
    p.add_argument("--config", type=Path, help="account settings (TOML)")
    p.add_argument("--target-cpa", type=_positive, help="target cost per conversion")
    p.add_argument("--target-roas", type=_positive, help="target ROAS (conversion value / cost)")
    p.add_argument("--margin", type=_positive, help="gross margin 0-1; break-even ROAS = 1/margin")
    p.add_argument(
        "--brand", action="append", type=_term, metavar="TERM", help="brand term (repeatable)"
    )
    p.add_argument(
        "--protect",
        action="append",
        type=_term,
        metavar="TERM",
        help="term no negative may block (repeatable)",
    )
    p.add_argument(
        "--competitor",
        action="append",
        type=_term,
        dest="competitors",
        metavar="NAME",
        help="competitor brand to negate where it is not bought (repeatable)",
    )
    p.add_argument("--platform", choices=("google", "microsoft"), help="negative semantics/limits")
    p.add_argument("--keywords", action="append", type=Path, metavar="FILE", help="keyword report")
    p.add_argument(
        "--existing-negatives",
        action="append",
        type=Path,
        metavar="FILE",
        help="negatives already in the account (Editor export or a plain list)",
    )
    p.add_argument("--conversions", action="append", type=Path, metavar="FILE")
    p.add_argument("--by-action", action="append", type=Path, metavar="FILE")
    p.add_argument("--by-day", action="append", type=Path, metavar="FILE")
    p.add_argument("--orders", action="append", type=Path, metavar="FILE", help="shop orders/day")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor", description="Search-campaign hygiene auditor for Google Ads / Microsoft."
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    a = sub.add_parser("audit", help="audit reports; print a summary, write JSON/CSV/negatives")
    _add_audit_flags(a, reports_required=True)
    a.add_argument("--json", type=Path, metavar="FILE", help="write the audit JSON here")
    a.add_argument("--findings", type=Path, metavar="FILE", help="write findings as CSV")
    a.add_argument("--negatives", type=Path, metavar="FILE", help="write proposed negatives")
    a.add_argument(
        "--xlsx",
        type=Path,
        metavar="FILE",
        help="write the audit as one Excel workbook (Summary, Findings, Negatives, Held back,"
        " N-grams, Tracking)",
    )
    a.add_argument(
        "--negatives-format",
        choices=("editor", "microsoft", "list"),
        help="default: microsoft for Microsoft Advertising reports (or --platform microsoft),"
        " else editor",
    )
    a.add_argument(
        "--list-name",
        metavar="NAME",
        help="put every shared-list negative on this list (Editor shared set / Microsoft list);"
        " default: 'auditor negatives - <account>'",
    )
    a.add_argument(
        "--list-id",
        type=_list_id,
        metavar="ID",
        help="Microsoft: add the shared-list negatives to this existing negative keyword list",
    )
    a.add_argument(
        "--negatives-level",
        choices=LEVELS,
        default="list",
        help="list (default): as proposed, shared lists included; campaign: every shared-list"
        " negative as campaign negatives of the campaigns the list would be attached to",
    )
    a.add_argument(
        "--top", type=_count, default=10, help="top findings to print (default 10; 0 for none)"
    )
    a.add_argument(
        "--fail-on",
        choices=("high", "medium", "low", "info"),
        help="exit 5 when a finding of this severity or worse is found (for scripts)",
    )
    a.add_argument(
        "--out-dir",
        type=Path,
        metavar="DIR",
        help="agency batch: one audit per account folder, files in DIR/<account>/",
    )
    a.add_argument(
        "--workers",
        type=_workers_count,
        metavar="N",
        help="with --out-dir: audit N accounts at a time on a local Dask cluster"
        " (default: the cores; 1 for one after another)",
    )
    a.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --out-dir: run the accounts on an existing Dask cluster (tcp://host:8786)",
    )
    a.add_argument(
        "--profile",
        action="store_true",
        help="print seconds and peak memory per stage to stderr (or set AUDITOR_PROFILE=1)",
    )

    r = sub.add_parser("rules", help="list the rules, or explain one")
    r.add_argument("--config", type=Path, help="account settings (extra packs, overrides)")
    rsub = r.add_subparsers(dest="rules_command")
    e = rsub.add_parser("explain", help="print a rule's docs")
    e.add_argument("rule_id", metavar="ID")

    f = sub.add_parser(
        "fetch", help="download reports from the Google Ads API, one folder per account"
    )
    f.add_argument(
        "--customer", action="append", default=[], metavar="ID", help="account id (repeatable)"
    )
    f.add_argument(
        "--manager",
        action="append",
        default=[],
        metavar="ID",
        help="manager account: fetch all its client accounts (repeatable)",
    )
    when = f.add_mutually_exclusive_group()
    when.add_argument(
        "--last", type=int, choices=LAST_DAYS, help="the last N full days (default 30)"
    )
    when.add_argument(
        "--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="first day (with --to)"
    )
    f.add_argument(
        "--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="last day (with --from)"
    )
    f.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder of accounts")
    f.add_argument(
        "--google-ads-config",
        type=Path,
        metavar="FILE",
        help="the client library's google-ads.yaml (default: its own search)",
    )
    f.add_argument("--force", action="store_true", help="overwrite files of an earlier fetch")

    v = sub.add_parser("review", help="the weekly review in a terminal UI")
    _add_audit_flags(v, reports_required=False)
    v.add_argument("--db", type=Path, help="decisions database (default: user data folder)")
    v.add_argument(
        "--account",
        metavar="NAME",
        help="the account's name in the app, the decisions database and the exports"
        " (default: [account] name, else from the report); on a folder of accounts, the one"
        " to open",
    )
    return parser


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


def _cmd_audit(args: argparse.Namespace) -> int:
    """`auditor audit`, with the stage profile on stderr when asked (even when it fails)."""
    if not (args.profile or enabled_by_env()):
        return _audit_command(args)
    profile = Profile()
    try:
        with profiling() as profile:
            return _audit_command(args)
    finally:
        head = "auditor: profile (seconds and peak memory per stage)"
        print("\n".join([head, *profile.lines()]), file=sys.stderr)


def _audit_command(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    _check_outputs(args, settings)
    if args.out_dir is not None:
        return _audit_accounts(args, settings)
    result = audit(args.reports, settings)
    _say("\n".join(summary_lines(result, top=args.top)))
    written = _write_outputs(
        result,
        settings,
        args,
        json_path=args.json,
        findings_path=args.findings,
        negatives_path=args.negatives,
    )
    _say("\n".join(written))
    code, lines = _findings_exit(result, args.fail_on)
    if lines:
        _say("\n".join(lines))
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
            _say("\n".join(shown.lines))
            if shown.error is not None:
                _say(f"auditor: error: {shown.error}", error=True)
            printed += 1
        progress.step(name)
    progress.close()
    return [done[i] for i in range(len(jobs))]


def _workers(args: argparse.Namespace, accounts: int) -> int:
    """Local workers for the batch: --workers, else the cores; a note when Dask is missing."""
    if args.workers is not None and args.workers > 1 and accounts > 1 and not have_dask():
        _say(
            f"Note: --workers {args.workers} needs Dask ({INSTALL_HINT}); auditing the accounts"
            " one after another"
        )
    return args.workers if args.workers is not None else cores()


def _audit_accounts(args: argparse.Namespace, settings: Settings) -> int:
    """One audit per account folder; a bad account is reported and the batch goes on."""
    notes: list[str] = []
    accounts = group_accounts(args.reports, notes)
    for note in notes:
        _say(f"Note: {note}")
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


def _fetch_period(args: argparse.Namespace, today: date) -> Period:
    if (args.start is None) != (args.end is None):
        raise ConfigError("--from and --to go together")
    if args.start is None:
        return Period.last(args.last or 30, today)
    if args.end < args.start:
        raise ConfigError(f"--to {args.end} is before --from {args.start}")
    return Period(args.start, args.end)


def _cmd_fetch(args: argparse.Namespace) -> int:
    from auditor.fetch import accounts_to_fetch, fetch_accounts
    from auditor.fetch.api import connect

    period = _fetch_period(args, date.today())
    api = connect(args.google_ads_config)
    accounts = accounts_to_fetch(api, args.customer, args.manager, period)
    run = fetch_accounts(api, accounts, period, args.out, force=args.force, say=_say)
    waited = f"; waited {sum(api.waits):.0f} s for quota" if api.waits else ""
    _say(
        f"Fetched {len(run.fetched)} of {len(accounts)} account(s),"
        f" {period.start} to {period.end}, into {args.out}{waited}"
    )
    for label, exc in run.failed:
        _say(f"auditor: error: {label}: {exc.one_line()}", error=True)
    return max((exc.exit_code for _, exc in run.failed), default=EXIT_OK)


def _check_batch_outputs(
    args: argparse.Namespace, settings: Settings, accounts: list[AccountInput]
) -> None:
    """Every account's planned files and the index, checked like single outputs."""
    planned = [args.out_dir / INDEX_NAME]
    for account in accounts:
        planned += [args.out_dir / account.name / n for n in BATCH_FILES]
    inputs = [p for a in accounts for p in a.paths] + _input_files(args, settings)
    check_output_paths(planned, inputs, force=True)


def _cmd_rules(args: argparse.Namespace) -> int:
    from auditor.engine import explain, rules_table

    settings = load_config(args.config)
    if args.rules_command == "explain":
        _say(explain(args.rule_id, settings))
        return EXIT_OK
    for row in rules_table(settings):
        state = "" if row.get("enabled", "yes") == "yes" else "  (disabled)"
        _say(
            f"{row['id']:<9} {row['severity']:<6} {row['category']:<10} {row['level']:<11}"
            f" {row['title']}{state}"
        )
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    """Open the review; on a folder of several accounts, the one `--account` names, or the
    app asks which."""
    from auditor.tui import run_review

    settings = settings_from_args(args)
    reports = list(args.reports) or [sample_dir() / BUNDLED_SAMPLE]
    accounts = group_accounts(reports) if any(p.is_dir() for p in reports) else []
    if len(accounts) < 2:
        return run_review(reports, settings, db_path=args.db)
    named = [a for a in accounts if args.account and a.name == args.account]
    return run_review(
        list(named[0].paths) if named else [], settings, db_path=args.db, accounts=accounts
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code (also used by tests)."""
    args = _parser().parse_args(argv)
    handlers = {
        "audit": _cmd_audit,
        "fetch": _cmd_fetch,
        "rules": _cmd_rules,
        "review": _cmd_review,
    }
    try:
        return handlers[args.command](args)
    except AuditorError as exc:
        _say(f"auditor: error: {exc.one_line()}", error=True)
        return exc.exit_code
    except RecursionError:
        _say("auditor: error: an input is nested too deeply to be read", error=True)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"auditor: error: {where}cannot use this path: {exc.strerror or exc}", error=True)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output (`| head`) went away: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        _say(
            f"auditor: internal error: {type(exc).__name__}: {exc}"
            " (set AUDITOR_DEBUG=1 for a traceback, and please report it)",
            error=True,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
