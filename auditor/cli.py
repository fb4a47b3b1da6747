"""The `auditor` command: `audit`, `rules`, `review`. A thin door onto `auditor.audit.audit`.

Exit codes are the named constants in `auditor.errors`: 0 done, 2 unusable input, 3 bad
config or rule pack, 4 output not written (exists without --force, or not writable), 5 a
finding at or above `--fail-on`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor import __version__
from auditor.audit import audit
from auditor.batch import group_accounts, write_index
from auditor.config import Settings, load_config, validate_settings
from auditor.csvio import check_writable, defused
from auditor.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, AuditorError, ConfigError
from auditor.export_findings import write_findings_csv
from auditor.jsonform import write_audit_json
from auditor.model import SEVERITIES, AuditResult
from auditor.negatives.export import write_negatives
from auditor.resources import bundled
from auditor.summary import summary_lines

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
        "--negatives-format",
        choices=("editor", "microsoft", "list"),
        help="default: microsoft for Microsoft Advertising reports (or --platform microsoft),"
        " else editor",
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

    r = sub.add_parser("rules", help="list the rules, or explain one")
    r.add_argument("--config", type=Path, help="account settings (extra packs, overrides)")
    rsub = r.add_subparsers(dest="rules_command")
    e = rsub.add_parser("explain", help="print a rule's docs")
    e.add_argument("rule_id", metavar="ID")

    v = sub.add_parser("review", help="the weekly review in a terminal UI")
    _add_audit_flags(v, reports_required=False)
    v.add_argument("--db", type=Path, help="decisions database (default: user data folder)")
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
        **lists,
    )
    validate_settings(settings)
    return settings


def _write_outputs(
    result: AuditResult,
    settings: Settings,
    *,
    json_path: Path | None,
    findings_path: Path | None,
    negatives_path: Path | None,
    negatives_format: str | None,
    force: bool,
) -> list[str]:
    """Write the files asked for; return the lines saying what was written."""
    lines = []
    negatives_format = negatives_format or _default_negatives_format(result, settings)
    if json_path is not None:
        write_audit_json(result, json_path, force=force)
        lines.append(f"Wrote the audit JSON to {json_path}")
    if findings_path is not None:
        write_findings_csv(findings_path, result.findings, force=force)
        lines.append(f"Wrote {len(result.findings)} findings to {findings_path}")
    if negatives_path is not None:
        write_negatives(
            negatives_path, result.negatives, negatives_format, force=force, settings=settings
        )
        n = len(result.negatives)
        lines.append(f"Wrote {n} negatives ({negatives_format}) to {negatives_path}")
        lines.extend(_defused_names(result))
    return lines


def _defused_names(result: AuditResult) -> list[str]:
    """Campaign and ad-group names the export had to prefix with an apostrophe (they start like
    a spreadsheet formula): the platform will not find them until the apostrophe is removed."""
    names = sorted(
        {
            name
            for p in result.negatives
            for name in (p.campaign, p.ad_group, p.list_name, *p.campaigns)
            if name and defused(name)
        }
    )
    return [
        f"Warning: '{name}' starts like a spreadsheet formula, so the file writes it as"
        f" '{name} (safe in Excel); remove that apostrophe before importing, or the platform"
        " will not find it"
        for name in names
    ]


def _default_negatives_format(result: AuditResult, settings: Settings) -> str:
    """The file the account's platform imports: Microsoft bulk for Microsoft Advertising."""
    formats = {i.format for i in result.inputs if i.role == "report" and i.kind == "search_terms"}
    if settings.platform == "microsoft" or (formats and formats <= {"microsoft_ads"}):
        return "microsoft"
    return "editor"


def _check_outputs(args: argparse.Namespace) -> None:
    """Output flags that cannot all be honoured are refused before any work is done."""
    outputs = [p for p in (args.json, args.findings, args.negatives) if p is not None]
    if args.out_dir is not None and outputs:
        raise ConfigError(
            "--json, --findings and --negatives name one file each; with --out-dir every"
            " account's files go to DIR/<account>/ (audit.json, findings.csv, negatives.csv)"
        )
    resolved = [p.resolve() for p in outputs]
    if len(set(resolved)) < len(resolved):
        raise ConfigError(
            "the same file is given for two outputs (--json, --findings, --negatives)"
        )
    for out in outputs:
        check_writable(out, args.force)


def _cmd_audit(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    _check_outputs(args)
    if args.out_dir is not None:
        return _audit_accounts(args, settings)
    result = audit(args.reports, settings)
    print("\n".join(summary_lines(result, top=args.top)))
    written = _write_outputs(
        result,
        settings,
        json_path=args.json,
        findings_path=args.findings,
        negatives_path=args.negatives,
        negatives_format=args.negatives_format,
        force=args.force,
    )
    print("\n".join(written))
    return _findings_exit(result, args.fail_on)


def _findings_exit(result: AuditResult, fail_on: str | None) -> int:
    """EXIT_FINDINGS when `--fail-on` names a severity some finding reaches, else EXIT_OK."""
    if fail_on is None:
        return EXIT_OK
    worst = SEVERITIES.index(fail_on)
    hits = [f for f in result.findings if SEVERITIES.index(f.severity) <= worst]
    if hits:
        print(f"{len(hits)} finding(s) of severity {fail_on} or worse (--fail-on {fail_on})")
        return EXIT_FINDINGS
    return EXIT_OK


_ROLE_FLAGS = ("conversions", "by_action", "by_day", "orders", "existing_negatives", "keywords")


def _audit_accounts(args: argparse.Namespace, settings: Settings) -> int:
    """One audit per account folder; a bad account is reported and the batch goes on."""
    accounts = group_accounts(args.reports)
    if len(accounts) > 1 and any(getattr(args, f) for f in _ROLE_FLAGS):
        raise ConfigError(
            "--keywords, --existing-negatives, --conversions, --by-action, --by-day and --orders"
            " name one account's files: put them in that account's folder instead"
            " (their format is detected there)"
        )
    index: list[dict[str, object]] = []
    failed = EXIT_OK
    findings_code = EXIT_OK
    for account in accounts:
        folder = args.out_dir / account.name
        print(f"== {account.name} ({len(account.paths)} file(s))")
        try:
            result = audit(list(account.paths), settings)
            print("\n".join(summary_lines(result, top=min(args.top, 3))))
            written = _write_outputs(
                result,
                settings,
                json_path=folder / "audit.json",
                findings_path=folder / "findings.csv",
                negatives_path=folder / "negatives.csv",
                negatives_format=args.negatives_format,
                force=args.force,
            )
            print("\n".join(written))
            findings_code = max(findings_code, _findings_exit(result, args.fail_on))
            index.append(
                {
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
            )
        except AuditorError as exc:
            print(f"auditor: error: {exc.one_line()}", file=sys.stderr)
            index.append({"account": account.name, "error": exc.one_line()})
            failed = max(failed, exc.exit_code)
    currencies = sorted({str(row["currency"]) for row in index if row.get("currency")})
    if len(currencies) > 1 and (settings.target_cpa or settings.target_roas):
        print(
            f"Warning: one --target-cpa/--target-roas was applied to accounts in"
            f" {', '.join(currencies)}; give each account its own targets (a --config per folder"
            " and one run each) if they differ"
        )
    write_index(args.out_dir / "accounts.json", index, force=args.force)
    done = sum("error" not in row for row in index)
    print(f"Wrote {done} of {len(accounts)} account(s) to {args.out_dir}; index in accounts.json")
    return failed or findings_code


def _cmd_rules(args: argparse.Namespace) -> int:
    from auditor.engine import explain, rules_table

    settings = load_config(args.config)
    if args.rules_command == "explain":
        print(explain(args.rule_id, settings))
        return EXIT_OK
    for row in rules_table(settings):
        state = "" if row.get("enabled", "yes") == "yes" else "  (disabled)"
        print(
            f"{row['id']:<9} {row['severity']:<6} {row['category']:<10} {row['level']:<11}"
            f" {row['title']}{state}"
        )
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    from auditor.tui import run_review

    settings = settings_from_args(args)
    reports = list(args.reports) or [sample_dir() / BUNDLED_SAMPLE]
    return run_review(reports, settings, db_path=args.db)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code (also used by tests)."""
    args = _parser().parse_args(argv)
    handlers = {"audit": _cmd_audit, "rules": _cmd_rules, "review": _cmd_review}
    try:
        return handlers[args.command](args)
    except AuditorError as exc:
        print(f"auditor: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
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
        print(
            f"auditor: internal error: {type(exc).__name__}: {exc}"
            " (set AUDITOR_DEBUG=1 for a traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
