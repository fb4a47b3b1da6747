"""`auditor fetch`: an account's (or a manager account's clients') reports from the Google
Ads API, one folder per account, ready for `auditor audit accounts/ --out-dir results/` and
`auditor review accounts/<account>/`.

`gaql.py` holds the queries and the period, `api.py` the client library (lazy import,
credentials, retries), `files.py` what each account's folder holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import AuditorError, ConfigError
from auditor.fetch.api import Account, GoogleAds, dashed, digits
from auditor.fetch.files import Fetched, fetch_account
from auditor.fetch.gaql import Period
from auditor.progress import Progress

__all__ = ["FetchRun", "Period", "accounts_to_fetch", "fetch_accounts"]


@dataclass
class FetchRun:
    """What a fetch wrote, and the accounts that failed (with their one-line errors)."""

    fetched: list[Fetched] = field(default_factory=list)
    failed: list[tuple[str, AuditorError]] = field(default_factory=list)


def accounts_to_fetch(
    api: GoogleAds, customers: list[str], managers: list[str], period: Period
) -> list[Account]:
    """The accounts named, and every client account of the managers named (a manager named
    with --customer counts as a manager). Nothing named: the error lists what is reachable."""
    if not customers and not managers:
        reachable = ", ".join(dashed(c) for c in api.accessible()) or "none"
        raise ConfigError(
            f"name the accounts: --customer ID or --manager ID (these credentials reach:"
            f" {reachable})"
        )
    found: dict[str, Account] = {}
    for manager in [digits(m) for m in managers]:
        api.login_as(manager)
        found.update((a.customer_id, a) for a in api.clients(manager, period))
    for customer in [digits(c) for c in customers]:
        api.login_as(None)
        account, is_manager = api.account(customer, period)
        if is_manager:
            api.login_as(customer)
            found.update((a.customer_id, a) for a in api.clients(customer, period))
        else:
            found[customer] = account
    return list(found.values())


def fetch_accounts(
    api: GoogleAds,
    accounts: list[Account],
    period: Period,
    out_dir: Path,
    *,
    force: bool,
    say: Callable[[str], None] = print,
) -> FetchRun:
    """Fetch every account into `out_dir/<name>-<id>/`; a failing account is reported and the
    others go on."""
    run = FetchRun()
    progress = Progress(len(accounts), "fetch")
    for account in accounts:
        label = f"{account.name} ({dashed(account.customer_id)})"
        try:
            done = fetch_account(api, account, period, out_dir, force=force)
        except AuditorError as exc:
            run.failed.append((label, exc))
            progress.close()
            say(f"{label}: failed: {exc.one_line()}")
        else:
            run.fetched.append(done)
            progress.close()
            say(
                f"{label}: {done.rows['search-terms.csv']:,} search terms,"
                f" {done.rows['search-terms-pmax.csv']:,} Performance Max terms,"
                f" {done.rows['keywords.csv']:,} keywords,"
                f" {done.rows['existing-negatives.csv']:,} negatives;"
                f" cost {account.currency} {done.cost:,.2f} -> {done.folder}"
            )
        progress.step(account.name)
    progress.close()
    return run
