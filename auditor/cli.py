"""The `auditor` command: `audit`, `fetch`, `rules`, `review`. A thin door onto
`auditor.audit.audit` (and `auditor.fetch` for the Google Ads API): the flags, the commands'
dispatch and their errors here; what `audit` does with its flags in `auditor.cli_audit`.

Exit codes are the named constants in `auditor.errors`: 0 done, 2 unusable input, 3 bad
config or rule pack (or a missing optional library), 4 output not written (exists without
--force, or not writable), 5 a finding at or above `--fail-on`, 6 a Google Ads API request
failed for an account.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from auditor import __version__
from auditor.batch import (
    group_accounts,
)
from auditor.cli_audit import audit_command, settings_from_args
from auditor.config import load_config
from auditor.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    AuditorError,
    ConfigError,
)
from auditor.fetch.gaql import LAST_DAYS, Period
from auditor.output.negatives import (
    LEVELS,
)
from auditor.profile import Profile, enabled_by_env, profiling
from auditor.progress import say
from auditor.resources import bundled

BUNDLED_SAMPLE = "google-ads-search-terms-en.csv"


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


def _cmd_audit(args: argparse.Namespace) -> int:
    """`auditor audit`, with the stage profile on stderr when asked (even when it fails)."""
    if not (args.profile or enabled_by_env()):
        return audit_command(args)
    profile = Profile()
    try:
        with profiling() as profile:
            return audit_command(args)
    finally:
        head = "auditor: profile (seconds and peak memory per stage)"
        print("\n".join([head, *profile.lines()]), file=sys.stderr)


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
    run = fetch_accounts(api, accounts, period, args.out, force=args.force, say=say)
    waited = f"; waited {sum(api.waits):.0f} s for quota" if api.waits else ""
    say(
        f"Fetched {len(run.fetched)} of {len(accounts)} account(s),"
        f" {period.start} to {period.end}, into {args.out}{waited}"
    )
    for label, exc in run.failed:
        say(f"auditor: error: {label}: {exc.one_line()}", error=True)
    return max((exc.exit_code for _, exc in run.failed), default=EXIT_OK)


def _cmd_rules(args: argparse.Namespace) -> int:
    from auditor.engine.explain import explain, rules_table

    settings = load_config(args.config)
    if args.rules_command == "explain":
        say(explain(args.rule_id, settings))
        return EXIT_OK
    for row in rules_table(settings):
        state = "" if row.get("enabled", "yes") == "yes" else "  (disabled)"
        say(
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
        say(f"auditor: error: {exc.one_line()}", error=True)
        return exc.exit_code
    except RecursionError:
        say("auditor: error: an input is nested too deeply to be read", error=True)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"auditor: error: {where}cannot use this path: {exc.strerror or exc}", error=True)
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
        say(
            f"auditor: internal error: {type(exc).__name__}: {exc}"
            " (set AUDITOR_DEBUG=1 for a traceback, and please report it)",
            error=True,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
