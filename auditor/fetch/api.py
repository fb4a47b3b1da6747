"""The Google Ads API through the official `google-ads` client library (imported lazily).

Credentials are the library's own: a `google-ads.yaml` (the path given, else
`$GOOGLE_ADS_CONFIGURATION_FILE_PATH`, else `~/google-ads.yaml`) or the `GOOGLE_ADS_*`
environment variables; the auditor never reads or stores them itself. Reports run through
`GoogleAdsService.search_stream`, which sends the rows in batches of up to 10,000 (the stream
carries the paging). A request the API turns away for quota (`RESOURCE_EXHAUSTED`) or a
passing outage (`UNAVAILABLE`, `DEADLINE_EXCEEDED`, `INTERNAL`) is tried again after a
back-off that doubles (2, 4, 8, 16 s, or the delay the API asks for, at most a minute); a
stream that fails midway is run again from the start, so no row is counted twice.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.errors import ApiError, ConfigError
from auditor.fetch.gaql import CLIENTS, CUSTOMER, Period, Query

INSTALL_HINT = "pip install 'auditor[agency]'"
RETRY_STATUSES = ("RESOURCE_EXHAUSTED", "UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL")
TRIES = 5
FIRST_WAIT = 2.0
LONGEST_WAIT = 60.0


@dataclass(frozen=True)
class Account:
    """An advertiser account to fetch: id (digits only), name, currency, and the manager
    account its data is reached through (None: directly)."""

    customer_id: str
    name: str
    currency: str
    via: str | None = None


def digits(customer_id: str) -> str:
    """`123-456-7890` -> `1234567890`; anything but 10 digits is refused."""
    clean = customer_id.replace("-", "").strip()
    if not (clean.isdigit() and len(clean) == 10):
        raise ConfigError(f"not a Google Ads customer id (10 digits): {customer_id!r}")
    return clean


def dashed(customer_id: str) -> str:
    """`1234567890` -> `123-456-7890`, as the Google Ads UI writes it."""
    return f"{customer_id[:3]}-{customer_id[3:6]}-{customer_id[6:]}"


def connect(config_file: Path | None = None) -> GoogleAds:
    """The API through the installed library, with the library's own credentials."""
    try:
        from google.ads.googleads.client import GoogleAdsClient
        from google.ads.googleads.errors import GoogleAdsException
    except ImportError:
        raise ConfigError(
            f"auditor fetch needs the Google Ads client library: {INSTALL_HINT}"
        ) from None
    try:
        if config_file is None and os.environ.get("GOOGLE_ADS_DEVELOPER_TOKEN"):
            client = GoogleAdsClient.load_from_env()
        else:
            client = GoogleAdsClient.load_from_storage(
                str(config_file) if config_file is not None else None
            )
    except (OSError, ValueError) as exc:
        where = config_file or "google-ads.yaml / GOOGLE_ADS_* environment variables"
        raise ConfigError(f"Google Ads credentials ({where}): {exc}") from None
    return GoogleAds(client, GoogleAdsException)


def _value(row: Any, path: str) -> Any:
    """The field at a dotted GAQL path of one result row; enums by name."""
    value = row
    for part in path.split("."):
        value = getattr(value, part)
    return value.name if isinstance(value, enum.Enum) else value


def _failure_text(exc: Any) -> str:
    """`STATUS: first error message (request id R)` of a GoogleAdsException."""
    status = exc.error.code().name
    errors = list(getattr(exc.failure, "errors", []) or [])
    message = errors[0].message if errors else str(exc)
    request = getattr(exc, "request_id", None)
    return f"{status}: {message}" + (f" (request id {request})" if request else "")


def _asked_wait(exc: Any) -> float | None:
    """The delay the API asks for in its quota error details, in seconds."""
    for error in getattr(exc.failure, "errors", []) or []:
        delay = getattr(getattr(error.details, "quota_error_details", None), "retry_delay", None)
        if delay is None:
            continue
        seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else delay.seconds
        if seconds:
            return float(seconds)
    return None


@dataclass
class GoogleAds:
    """The client library's client and its exception class, with retries around each query.

    Tests pass fakes of the library's objects (`get_service(...)`, `search_stream`, an
    exception with `error.code().name`, `failure.errors` and `request_id`).
    """

    client: Any
    exception: type[Exception]
    sleep: Callable[[float], None] = time.sleep
    waits: list[float] = field(default_factory=list)
    """Every back-off taken, in seconds (for the fetch summary and the tests)."""
    services: dict[str | None, Any] = field(default_factory=dict)
    configured_login: str | None = None

    def __post_init__(self) -> None:
        self.configured_login = getattr(self.client, "login_customer_id", None) or None

    def login_as(self, manager_id: str | None) -> None:
        """Send requests as this manager account (None: as the account itself), unless the
        credentials name a login customer, which then stays."""
        if self.configured_login is None:
            self.client.login_customer_id = manager_id

    def _search(self) -> Any:
        """GoogleAdsService for the current login customer (the library reads it when the
        service is made)."""
        login = self.client.login_customer_id
        if login not in self.services:
            self.services[login] = self.client.get_service("GoogleAdsService")
        return self.services[login]

    def _retrying(self, run: Callable[[], pd.DataFrame], what: str) -> pd.DataFrame:
        for attempt in range(1, TRIES + 1):
            try:
                return run()
            except self.exception as exc:
                status = exc.error.code().name
                if status not in RETRY_STATUSES or attempt == TRIES:
                    tried = f" after {attempt} tries" if attempt > 1 else ""
                    raise ApiError(f"{what}: {_failure_text(exc)}{tried}") from None
                wait = _asked_wait(exc) or FIRST_WAIT * 2 ** (attempt - 1)
                wait = min(wait, LONGEST_WAIT)
                self.waits.append(wait)
                self.sleep(wait)
        raise AssertionError("unreachable: the last try returns or raises")

    def frame(self, customer_id: str, query: Query, period: Period) -> pd.DataFrame:
        """All rows of `query` for one account, one column per field (named as in GAQL)."""
        service = self._search()
        text = query.text(period)

        def run() -> pd.DataFrame:
            stream = service.search_stream(customer_id=customer_id, query=text)
            return _rows_frame((row for batch in stream for row in batch.results), query.fields)

        return self._retrying(run, f"{query.resource} of {dashed(customer_id)}")

    def accessible(self) -> list[str]:
        """The customer ids the credentials can reach directly."""
        service = self.client.get_service("CustomerService")

        def run() -> pd.DataFrame:
            return pd.DataFrame({"name": list(service.list_accessible_customers().resource_names)})

        names = self._retrying(run, "list of accessible customers")["name"]
        return sorted(str(n).rsplit("/", 1)[-1] for n in names)

    def account(self, customer_id: str, period: Period) -> tuple[Account, bool]:
        """(the account, whether it is a manager account)."""
        rows = self.frame(customer_id, CUSTOMER, period)
        if rows.empty:
            raise ApiError(f"customer {dashed(customer_id)}: not found or not accessible")
        row = rows.iloc[0]
        name = str(row["customer.descriptive_name"]) or dashed(customer_id)
        account = Account(customer_id, name, str(row["customer.currency_code"]))
        return account, bool(row["customer.manager"])

    def clients(self, manager_id: str, period: Period) -> list[Account]:
        """Every client account under a manager account (sub-managers left out), by id."""
        rows = self.frame(manager_id, CLIENTS, period)
        found = [
            Account(str(cid), str(name) or dashed(str(cid)), str(currency), manager_id)
            for cid, name, currency in zip(
                rows["customer_client.id"],
                rows["customer_client.descriptive_name"],
                rows["customer_client.currency_code"],
                strict=True,
            )
            if str(cid) != manager_id
        ]
        return sorted(found, key=lambda a: a.customer_id)


def _rows_frame(rows: Iterable[Any], fields: tuple[str, ...]) -> pd.DataFrame:
    """Result rows as a table. The library hands over one message per row, so this is the one
    place that walks rows in Python: each field is read once per row and stored by column."""
    columns: dict[str, list[Any]] = {f: [] for f in fields}
    for row in rows:
        for name, values in columns.items():
            values.append(_value(row, name))
    return pd.DataFrame(columns, columns=list(fields))
