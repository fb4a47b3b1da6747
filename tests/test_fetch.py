"""`auditor fetch` against fakes of the google-ads library's objects (no network).

The fakes stand where the library's stand: `client.get_service("GoogleAdsService")` with
`search_stream(customer_id=, query=)` yielding batches with `.results`, rows whose fields are
attributes (`row.metrics.cost_micros`) and enums with `.name`, `CustomerService` with
`list_accessible_customers()`, and an exception with `error.code().name`, `failure.errors`
(`message`, `details.quota_error_details.retry_delay`) and `request_id`. The account's search
terms are the sample API dump's rows, so what is fetched is audited like a real account.
"""

from __future__ import annotations

import csv
import enum
import json
import re
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from auditor.batch import group_accounts
from auditor.cli import main
from auditor.errors import EXIT_API, EXIT_BAD_CONFIG, EXIT_OK, ConfigError
from auditor.fetch import accounts_to_fetch, fetch_accounts
from auditor.fetch import api as api_module
from auditor.fetch.api import Account, GoogleAds
from auditor.fetch.gaql import METRICS, PMAX_TERMS, SEARCH_TERMS, SHARED_NEGATIVES, Period

SAMPLES = Path(__file__).resolve().parents[1] / "sample_reports"
PERIOD = Period(date(2026, 10, 1), date(2026, 10, 30))
SHOP, OTHER, DIRECT, MANAGER = "1234567890", "2345678901", "3456789012", "9876543210"

MatchType = enum.Enum("SearchTermMatchType", "BROAD EXACT PHRASE NEAR_EXACT NEAR_PHRASE")
Status = enum.Enum("SearchTermTargetingStatus", "NONE ADDED EXCLUDED ADDED_EXCLUDED")
KeywordMatch = enum.Enum("KeywordMatchType", "EXACT PHRASE BROAD")
Channel = enum.Enum("AdvertisingChannelType", "SEARCH PERFORMANCE_MAX")
Category = enum.Enum("ConversionActionCategory", "PURCHASE LEAD")


def _row(fields: dict[str, Any]) -> SimpleNamespace:
    """A result row: `{"metrics.clicks": 3}` -> `row.metrics.clicks == 3`."""
    root: dict[str, Any] = {}
    for path, value in fields.items():
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value

    def build(node: dict[str, Any]) -> SimpleNamespace:
        return SimpleNamespace(
            **{k: build(v) if isinstance(v, dict) else v for k, v in node.items()}
        )

    return build(root)


def _sample_terms(limit: int = 400) -> list[dict[str, Any]]:
    """The sample API dump's first rows as search_term_view rows."""
    with (SAMPLES / "google-ads-api-search-terms.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:limit]
    return [
        {
            "search_term_view.search_term": r["search_term_view.search_term"],
            "search_term_view.status": Status[r["search_term_view.status"]],
            "segments.search_term_match_type": MatchType[r["segments.search_term_match_type"]],
            "segments.keyword.info.text": "",
            "segments.keyword.info.match_type": KeywordMatch.BROAD,
            "campaign.name": r["campaign.name"],
            "campaign.advertising_channel_type": Channel.SEARCH,
            "ad_group.name": r["ad_group.name"],
            "metrics.impressions": int(r["metrics.impressions"]),
            "metrics.clicks": int(r["metrics.clicks"]),
            "metrics.cost_micros": int(r["metrics.cost_micros"]),
            "metrics.conversions": float(r["metrics.conversions"]),
            "metrics.conversions_value": float(r["metrics.conversions_value"]),
            "metrics.all_conversions": float(r["metrics.conversions"]),
            "customer.currency_code": "SEK",
            "customer.descriptive_name": "Fjällgear AB",
        }
        for r in rows
    ]


def _pmax_terms() -> list[dict[str, Any]]:
    return [
        {
            "campaign_search_term_view.search_term": term,
            "campaign.name": "PMax - Skor",
            "campaign.advertising_channel_type": Channel.PERFORMANCE_MAX,
            "metrics.impressions": 900,
            "metrics.clicks": clicks,
            "metrics.cost_micros": micros,
            "metrics.conversions": conv,
            "metrics.conversions_value": conv * 1450.0,
            "metrics.all_conversions": conv,
            "customer.currency_code": "SEK",
            "customer.descriptive_name": "Fjällgear AB",
        }
        for term, clicks, micros, conv in (
            ("vandringskängor rea", 41, 212_350_000, 2.0),
            ("trailskor herr", 17, 98_120_000, 0.0),
            ("gore-tex kängor dam", 9, 45_990_000, 1.0),
        )
    ]


def _keywords() -> list[dict[str, Any]]:
    return [
        {
            "ad_group_criterion.keyword.text": text,
            "ad_group_criterion.keyword.match_type": match,
            "ad_group_criterion.status": "ENABLED",
            "campaign.name": "Generic - Tält",
            "ad_group.name": "Tält",
            "metrics.impressions": 1200,
            "metrics.clicks": 60,
            "metrics.cost_micros": 310_000_000,
            "metrics.conversions": 3.0,
            "metrics.conversions_value": 4100.0,
            "metrics.all_conversions": 3.0,
            "customer.currency_code": "SEK",
        }
        for text, match in (("tält", KeywordMatch.PHRASE), ("tältreparation", KeywordMatch.EXACT))
    ]


def _by_action() -> list[dict[str, Any]]:
    return [
        {
            "search_term_view.search_term": "regnjackor",
            "segments.search_term_match_type": MatchType.NEAR_EXACT,
            "campaign.name": "Generic - Jackor",
            "ad_group.name": "Regnjackor",
            "segments.conversion_action_name": action,
            "segments.conversion_action_category": Category.PURCHASE,
            "metrics.conversions": 1.0,
            "metrics.conversions_value": 1874.14,
            "metrics.all_conversions": 1.0,
            "customer.currency_code": "SEK",
        }
        for action in ("Purchase (website)", "GA4 purchase (imported)")
    ]


def _by_day() -> list[dict[str, Any]]:
    return [
        {
            "segments.date": (PERIOD.start + timedelta(days=d)).isoformat(),
            "campaign.name": "Generic - Jackor",
            "campaign.advertising_channel_type": Channel.SEARCH,
            "metrics.impressions": 4000,
            "metrics.clicks": 150,
            "metrics.cost_micros": 1_450_000_000,
            "metrics.conversions": 6.0,
            "metrics.conversions_value": 8200.0,
            "metrics.all_conversions": 7.0,
            "customer.currency_code": "SEK",
        }
        for d in range(30)
    ]


def _negatives() -> dict[str, list[dict[str, Any]]]:
    return {
        "campaign_criterion": [
            {
                "campaign.name": "Generic - Jackor",
                "campaign_criterion.keyword.text": "skidjacka",
                "campaign_criterion.keyword.match_type": KeywordMatch.PHRASE,
            }
        ],
        "ad_group_criterion": [
            {
                "campaign.name": "Generic - Tält",
                "ad_group.name": "Tält",
                "ad_group_criterion.keyword.text": "partytält",
                "ad_group_criterion.keyword.match_type": KeywordMatch.EXACT,
            }
        ],
        "shared_criterion": [
            {
                "shared_set.name": name,
                "shared_criterion.keyword.text": text,
                "shared_criterion.keyword.match_type": KeywordMatch.BROAD,
            }
            for name, text in (("Jobb", "jobb"), ("Jobb", "lediga jobb"), ("Unused", "hund"))
        ],
        "campaign_shared_set": [{"shared_set.name": "Jobb", "campaign.name": "Generic - Jackor"}],
    }


def shop_account() -> dict[str, list[dict[str, Any]]]:
    """Every resource's rows for the fake shop account."""
    return {
        "customer": [
            {
                "customer.id": int(SHOP),
                "customer.descriptive_name": "Fjällgear AB",
                "customer.currency_code": "SEK",
                "customer.manager": False,
            }
        ],
        "search_term_view": _sample_terms(),
        "search_term_view+action": _by_action(),
        "campaign_search_term_view": _pmax_terms(),
        "keyword_view": _keywords(),
        "campaign": _by_day(),
        **_negatives(),
    }


class FakeGoogleAdsException(Exception):
    """Shaped like google.ads.googleads.errors.GoogleAdsException."""

    def __init__(self, status: str, message: str, retry_delay: timedelta | None = None) -> None:
        super().__init__(message)
        self.error = SimpleNamespace(code=lambda: SimpleNamespace(name=status))
        details = SimpleNamespace(quota_error_details=SimpleNamespace(retry_delay=retry_delay))
        self.failure = SimpleNamespace(errors=[SimpleNamespace(message=message, details=details)])
        self.request_id = "req-42"


class FakeGoogleAdsService:
    """search_stream over canned rows per (customer, resource), two rows a batch; planned
    failures are raised first (after one batch, as a stream cut short would)."""

    def __init__(self, accounts: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
        self.accounts = accounts
        self.failures: dict[tuple[str, str], list[Exception]] = {}
        self.queries: list[tuple[str, str]] = []

    def search_stream(self, *, customer_id: str, query: str) -> Iterator[SimpleNamespace]:
        self.queries.append((customer_id, query))
        resource = re.search(r" FROM (\w+)", query).group(1)
        by_action = "+action" if "conversion_action_name" in query else ""
        rows = self.accounts.get(customer_id, {}).get(resource + by_action, [])
        planned = self.failures.get((customer_id, resource), [])
        failure = planned.pop(0) if planned else None
        return self._batches([_row(r) for r in rows], failure)

    @staticmethod
    def _batches(rows: list[SimpleNamespace], failure: Exception | None) -> Iterator[Any]:
        for start in range(0, len(rows), 2):
            yield SimpleNamespace(results=rows[start : start + 2])
            if failure is not None:
                raise failure
        if failure is not None:
            raise failure


class FakeClient:
    def __init__(self, service: FakeGoogleAdsService, accessible: list[str]) -> None:
        self.service = service
        self.login_customer_id: str | None = None
        self.logins: list[tuple[str | None, str]] = []
        self.customers = SimpleNamespace(
            list_accessible_customers=lambda: SimpleNamespace(
                resource_names=[f"customers/{c}" for c in accessible]
            )
        )

    def get_service(self, name: str) -> Any:
        """Like the library, a service sends as the login customer set when it was made."""
        if name == "CustomerService":
            return self.customers
        login = self.login_customer_id

        def search_stream(*, customer_id: str, query: str) -> Iterator[SimpleNamespace]:
            self.logins.append((login, customer_id))
            return self.service.search_stream(customer_id=customer_id, query=query)

        return SimpleNamespace(search_stream=search_stream)


def fake_api(
    accounts: dict[str, dict[str, list[dict[str, Any]]]], waits: list[float] | None = None
) -> GoogleAds:
    service = FakeGoogleAdsService(accounts)
    slept = waits if waits is not None else []
    return GoogleAds(FakeClient(service, sorted(accounts)), FakeGoogleAdsException, slept.append)


def _fetch_shop(tmp_path: Path) -> Path:
    api = fake_api({SHOP: shop_account()})
    run = fetch_accounts(
        api, accounts_to_fetch(api, [SHOP], [], PERIOD), PERIOD, tmp_path, force=False
    )
    assert not run.failed
    return run.fetched[0].folder


def test_the_gaql_covers_the_period_and_each_view() -> None:
    text = SEARCH_TERMS.text(PERIOD)
    assert text.startswith("SELECT search_term_view.search_term, search_term_view.status, ")
    assert "metrics.cost_micros" in text and " FROM search_term_view WHERE " in text
    assert text.endswith("WHERE segments.date BETWEEN '2026-10-01' AND '2026-10-30'")
    assert PMAX_TERMS.text(PERIOD).endswith(
        "FROM campaign_search_term_view WHERE segments.date BETWEEN '2026-10-01' AND"
        " '2026-10-30' AND campaign.advertising_channel_type = 'PERFORMANCE_MAX'"
    )
    assert "segments.keyword" not in PMAX_TERMS.text(PERIOD), "keyword segments drop PMax rows"
    assert "segments.date" not in SHARED_NEGATIVES.text(PERIOD), "negatives are not dated"
    assert Period.last(7, date(2026, 12, 2)) == Period(date(2026, 11, 25), date(2026, 12, 1))


def test_a_fetched_account_is_audited_as_it_is(tmp_path: Path, capsys) -> None:
    folder = _fetch_shop(tmp_path / "accounts")
    assert folder.name == "Fjällgear_AB-1234567890"
    [account] = group_accounts([tmp_path / "accounts"])
    assert len(account.paths) == 6, "every report file is one account's"
    out = tmp_path / "audit.json"
    assert main(["audit", str(folder), "--json", str(out)]) == EXIT_OK
    audit = json.loads(out.read_text(encoding="utf-8"))
    seen = {Path(i["path"]).name: (i["kind"], i["role"], i["format"]) for i in audit["inputs"]}
    assert seen == {
        "campaigns-by-day.csv": ("campaigns", "report", "google_ads_api"),
        "conversions-by-action.csv": ("search_terms", "by_action", "google_ads_api"),
        "existing-negatives.csv": ("negatives", "report", "negatives_table"),
        "keywords.csv": ("keywords", "report", "google_ads_api"),
        "search-terms-pmax.csv": ("search_terms", "report", "google_ads_api"),
        "search-terms.csv": ("search_terms", "report", "google_ads_api"),
    }
    micros = sum(r["metrics.cost_micros"] for r in [*_sample_terms(), *_pmax_terms()])
    assert audit["totals"]["cost"] == pytest.approx(micros / 1_000_000, abs=0.005)
    assert audit["currency"] == "SEK"
    assert audit["account"] == "Fjällgear AB", "named by customer.descriptive_name"
    skipped = {s["rule"] for s in audit["checks_skipped"]}
    assert "TRACK002" not in skipped, "conversions by action feed the double-counting check"
    assert "TRACK007" not in skipped, "campaigns by day feed the outage check"
    about = json.loads((folder / "fetch.json").read_text(encoding="utf-8"))
    assert about["customer_id"] == "123-456-7890" and about["rows"]["search-terms.csv"] == 400
    printed = capsys.readouterr().out
    assert "Fjällgear AB (123-456-7890): 400 search terms, 3 Performance Max terms" in printed
    assert f"cost SEK {micros / 1_000_000:,.2f}" in printed


def test_rows_are_mapped_field_by_field(tmp_path: Path) -> None:
    folder = _fetch_shop(tmp_path)
    with (folder / "search-terms.csv").open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    assert list(first) == list(SEARCH_TERMS.fields)
    assert first["search_term_view.search_term"] == "lagningstejp skor kängor"
    assert first["segments.search_term_match_type"] == "BROAD", "enums by name"
    with (folder / "search-terms-pmax.csv").open(encoding="utf-8") as fh:
        pmax = list(csv.DictReader(fh))
    assert [r["metrics.cost_micros"] for r in pmax] == ["212350000", "98120000", "45990000"]
    with (folder / "existing-negatives.csv").open(encoding="utf-8") as fh:
        negatives = [tuple(r.values()) for r in csv.DictReader(fh)]
    shop = "Fjällgear AB"
    assert negatives == [
        (shop, "Generic - Jackor", "", "skidjacka", "Campaign Negative Phrase", ""),
        (shop, "Generic - Tält", "Tält", "partytält", "Negative Exact", ""),
        (shop, "", "", "jobb", "Negative Broad", "Jobb"),
        (shop, "", "", "lediga jobb", "Negative Broad", "Jobb"),
    ], "the list attached to no campaign (Unused) blocks nothing and is left out"


def test_a_manager_account_fetches_every_client(tmp_path: Path) -> None:
    """Clients are reached through their manager; an account named directly, as itself."""
    other = {"customer": [], **{k: [] for k in shop_account() if k != "customer"}}
    direct = shop_account()
    direct["customer"] = [{**direct["customer"][0], "customer.descriptive_name": "Direct"}]
    clients = [
        {
            "customer_client.id": int(cid),
            "customer_client.descriptive_name": name,
            "customer_client.currency_code": cur,
            "customer_client.level": 1,
        }
        for cid, name, cur in ((OTHER, "Nordic Bikes", "NOK"), (SHOP, "Fjällgear AB", "SEK"))
    ]
    api = fake_api(
        {MANAGER: {"customer_client": clients}, SHOP: shop_account(), OTHER: other, DIRECT: direct}
    )
    accounts = accounts_to_fetch(api, [DIRECT], ["987-654-3210"], PERIOD)
    assert accounts == [
        Account(SHOP, "Fjällgear AB", "SEK", MANAGER),
        Account(OTHER, "Nordic Bikes", "NOK", MANAGER),
        Account(DIRECT, "Direct", "SEK", None),
    ]
    run = fetch_accounts(api, accounts, PERIOD, tmp_path, force=False, say=lambda _: None)
    assert sorted(f.folder.name for f in run.fetched) == [
        "Direct-3456789012",
        "Fjällgear_AB-1234567890",
        "Nordic_Bikes-2345678901",
    ]
    assert set(api.client.logins) == {
        (MANAGER, MANAGER),
        (MANAGER, SHOP),
        (MANAGER, OTHER),
        (None, DIRECT),
    }


def test_an_empty_account_is_written_and_audited(tmp_path: Path, capsys) -> None:
    empty = {"customer": shop_account()["customer"]}
    api = fake_api({SHOP: empty})
    run = fetch_accounts(
        api, accounts_to_fetch(api, [SHOP], [], PERIOD), PERIOD, tmp_path, force=False
    )
    folder = run.fetched[0].folder
    header = (folder / "search-terms.csv").read_text(encoding="utf-8")
    assert header == ",".join(SEARCH_TERMS.fields) + "\n"
    assert run.fetched[0].rows["search-terms.csv"] == 0 and run.fetched[0].cost == 0
    assert main(["audit", str(folder), "--json", str(tmp_path / "a.json")]) == EXIT_OK
    audit = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert audit["totals"]["cost"] == 0 and not audit["negatives"]


def test_quota_errors_are_retried_with_back_off(tmp_path: Path) -> None:
    waits: list[float] = []
    api = fake_api({SHOP: shop_account()}, waits)
    api.client.service.failures[(SHOP, "search_term_view")] = [
        FakeGoogleAdsException("RESOURCE_EXHAUSTED", "Too many requests"),
        FakeGoogleAdsException("RESOURCE_EXHAUSTED", "Too many requests"),
        FakeGoogleAdsException("UNAVAILABLE", "try later", retry_delay=timedelta(seconds=30)),
    ]
    run = fetch_accounts(api, [Account(SHOP, "Shop", "SEK")], PERIOD, tmp_path, force=False)
    assert not run.failed
    assert waits == [2.0, 4.0, 30.0], "doubling back-off, or the delay the API asks for"
    assert run.fetched[0].rows["search-terms.csv"] == 400, "a stream cut short is run again"


def test_a_quota_exhausted_account_is_reported_and_the_others_go_on(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    other = {k: v for k, v in shop_account().items()}
    other["customer"] = [{**other["customer"][0], "customer.id": int(OTHER)}]
    api = fake_api({SHOP: shop_account(), OTHER: other})
    api.client.service.failures[(SHOP, "keyword_view")] = [
        FakeGoogleAdsException("RESOURCE_EXHAUSTED", "Daily quota used up") for _ in range(5)
    ]
    monkeypatch.setattr(api_module, "connect", lambda config: api)
    out = tmp_path / "accounts"
    code = main(["fetch", "--customer", SHOP, "--customer", OTHER, "--out", str(out)])
    printed = capsys.readouterr()
    assert code == EXIT_API
    assert "Fetched 1 of 2 account(s)" in printed.out
    assert "waited 30 s for quota" in printed.out
    assert (
        "auditor: error: Fjällgear AB (123-456-7890): keyword_view of 123-456-7890:"
        " RESOURCE_EXHAUSTED: Daily quota used up (request id req-42) after 5 tries"
    ) in printed.err
    assert [p.name for p in out.iterdir()] == ["Fjällgear_AB-2345678901"], "no half folder"


def test_a_refused_request_is_not_retried(tmp_path: Path) -> None:
    waits: list[float] = []
    api = fake_api({SHOP: shop_account()}, waits)
    api.client.service.failures[(SHOP, "search_term_view")] = [
        FakeGoogleAdsException("PERMISSION_DENIED", "User doesn't have permission")
    ]
    run = fetch_accounts(api, [Account(SHOP, "Shop", "SEK")], PERIOD, tmp_path, force=False)
    assert waits == []
    [(label, error)] = run.failed
    assert label == "Shop (123-456-7890)" and "PERMISSION_DENIED" in error.one_line()


def test_no_account_named_lists_the_reachable_ones() -> None:
    api = fake_api({SHOP: shop_account(), OTHER: {}})
    with pytest.raises(ConfigError, match=r"reach: 123-456-7890, 234-567-8901"):
        accounts_to_fetch(api, [], [], PERIOD)
    with pytest.raises(ConfigError, match="10 digits"):
        accounts_to_fetch(api, ["12345"], [], PERIOD)


def test_without_the_library_fetch_says_what_to_install(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setitem(sys.modules, "google.ads.googleads.client", None)
    code = main(["fetch", "--customer", SHOP, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_CONFIG
    assert err == (
        "auditor: error: auditor fetch needs the Google Ads client library:"
        " pip install 'auditor[agency]'\n"
    )


def test_a_period_is_whole_and_in_order(tmp_path: Path, capsys) -> None:
    base = ["fetch", "--customer", SHOP, "--out", str(tmp_path)]
    assert main([*base, "--from", "2026-10-05"]) == EXIT_BAD_CONFIG
    assert "--from and --to go together" in capsys.readouterr().err
    assert main([*base, "--from", "2026-10-05", "--to", "2026-10-01"]) == EXIT_BAD_CONFIG
    assert "before --from" in capsys.readouterr().err


def _js_list(text: str) -> list[str]:
    """The quoted strings of a JS array literal, with `METRICS` spliced in where it stands."""
    out: list[str] = []
    for single, double, name in re.findall(r"'([^']*)'|\"([^\"]*)\"|\b(METRICS)\b", text):
        out.extend(METRICS if name else [single or double])
    return out


def _js_queries(script: str) -> dict[str, tuple[str, list[str], list[str]]]:
    """`key: {resource: '...', fields: [...], filters: [...]}` blocks of the script."""
    found = {}
    pattern = r"'?([\w.-]+)'?: \{\s*resource: '(\w+)',\s*fields: (.*?),\s*filters: \[(.*?)\],\s*\}"
    for key, resource, fields, filters in re.findall(pattern, script, flags=re.S):
        found[key] = (resource, _js_list(fields), _js_list(filters))
    return found


SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "export-search-terms.js"


def test_the_ads_script_runs_the_same_queries() -> None:
    from auditor.fetch import gaql
    from auditor.fetch.files import REPORTS

    script = _js_queries(SCRIPT.read_text(encoding="utf-8"))
    python = dict(REPORTS) | {
        "campaign": gaql.CAMPAIGN_NEGATIVES,
        "adGroup": gaql.AD_GROUP_NEGATIVES,
        "shared": gaql.SHARED_NEGATIVES,
        "listCampaigns": gaql.LIST_CAMPAIGNS,
    }
    assert set(script) == set(python)
    for key, query in python.items():
        assert script[key] == (query.resource, list(query.fields), list(query.filters)), key


HARNESS = r"""
const fs = require('fs'), path = require('path'), vm = require('vm');
const [script, dataFile, outDir] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
function folder(dir) {
  return {
    getName: () => path.basename(dir),
    getFoldersByName: () => ({hasNext: () => false}),
    createFolder: (name) => { fs.mkdirSync(path.join(dir, name), {recursive: true});
                              return folder(path.join(dir, name)); },
    getFilesByName: () => ({hasNext: () => false}),
    createFile: (name, content) => fs.writeFileSync(path.join(dir, name), content),
  };
}
const account = {getName: () => 'Fjällgear AB', getCustomerId: () => '123-456-7890',
                 getTimeZone: () => 'Europe/Stockholm', getCurrencyCode: () => 'SEK'};
const context = {
  AdsApp: {currentAccount: () => account, report: (gaql) => {
    const action = gaql.includes('conversion_action_name') ? '+action' : '';
    const key = gaql.match(/ FROM (\w+)/)[1] + action;
    const rows = data[key] || []; let i = 0;
    return {rows: () => ({hasNext: () => i < rows.length, next: () => rows[i++]})};
  }},
  DriveApp: {getRootFolder: () => folder(outDir)},
  Utilities: {formatDate: (d) => d.toISOString().slice(0, 10)},
  Logger: {log: (line) => console.log(line)}, MimeType: {CSV: 'text/csv', PLAIN_TEXT: 'text/plain'},
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(script, 'utf8') + '\nmain();', context);
"""


def test_the_ads_script_writes_files_audited_like_the_fetch(tmp_path: Path) -> None:
    """The script, run in Node with stand-ins for AdsApp and DriveApp on the same account,
    writes a folder that audits to the same figures as `auditor fetch`'s."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    rows = {
        resource: [
            {k: v.name if isinstance(v, enum.Enum) else v for k, v in row.items()} for row in table
        ]
        for resource, table in shop_account().items()
    }
    (tmp_path / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    drive = tmp_path / "drive"
    drive.mkdir()
    done = subprocess.run(
        [node, str(tmp_path / "harness.js"), str(SCRIPT), str(tmp_path / "rows.json"), str(drive)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Fjällgear AB (123-456-7890): 400 search terms, 3 Performance Max terms" in done.stdout
    exported = drive / "auditor accounts" / "Fjällgear_AB-1234567890"
    fetched = _fetch_shop(tmp_path / "api")
    assert sorted(p.name for p in exported.iterdir()) == sorted(p.name for p in fetched.iterdir())
    audits = []
    for folder in (exported, fetched):
        out = tmp_path / f"{folder.parent.name}.json"
        assert main(["audit", str(folder), "--json", str(out)]) == EXIT_OK
        audit = json.loads(out.read_text(encoding="utf-8"))
        for item in audit["inputs"]:
            item["path"] = Path(item["path"]).name
        audits.append(audit)
    assert audits[0] == audits[1]


def test_the_base_install_imports_neither_google_ads_nor_dask() -> None:
    """`auditor` starts without the agency extras: they are imported only when used."""
    import subprocess

    code = (
        "import sys, auditor.cli, auditor.fetch, auditor.fetch.files, auditor.parallel\n"
        "loaded = [m for m in sys.modules if m.startswith(('google', 'distributed', 'dask'))]\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
