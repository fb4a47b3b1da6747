"""The GAQL queries `auditor fetch` runs, and the period they cover.

Each report query names its resource, its fields (which become the CSV columns, in order,
under their GAQL names: the readers' alias table knows them) and its filters. Metrics come as
the API gives them (`metrics.cost_micros`); the readers divide micros by 1,000,000. The search
terms carry `customer.descriptive_name`, which the outputs and the review take as the account's
name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

LAST_DAYS = (7, 14, 30, 90)
METRICS = (
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
    "metrics.conversions",
    "metrics.conversions_value",
    "metrics.all_conversions",
)


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int, today: date) -> Period:
        """The `days` full days before `today` (Google's `LAST_30_DAYS` also leaves today out)."""
        return cls(today - timedelta(days=days), today - timedelta(days=1))

    def where(self) -> str:
        return f"segments.date BETWEEN '{self.start.isoformat()}' AND '{self.end.isoformat()}'"


@dataclass(frozen=True)
class Query:
    """One GAQL query; `dated` queries are limited to the period."""

    name: str
    resource: str
    fields: tuple[str, ...]
    filters: tuple[str, ...] = ()
    dated: bool = True

    def text(self, period: Period) -> str:
        """The GAQL text for `period`."""
        where = [period.where()] if self.dated else []
        where.extend(self.filters)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return f"SELECT {', '.join(self.fields)} FROM {self.resource}{clause}"


SEARCH_TERMS = Query(
    "search_terms",
    "search_term_view",
    (
        "search_term_view.search_term",
        "search_term_view.status",
        "segments.search_term_match_type",
        "segments.keyword.info.text",
        "segments.keyword.info.match_type",
        "campaign.name",
        "campaign.advertising_channel_type",
        "ad_group.name",
        *METRICS,
        "customer.currency_code",
        "customer.descriptive_name",
    ),
)
PMAX_TERMS = Query(
    "pmax_terms",
    "campaign_search_term_view",
    (
        "campaign_search_term_view.search_term",
        "campaign.name",
        "campaign.advertising_channel_type",
        *METRICS,
        "customer.currency_code",
        "customer.descriptive_name",
    ),
    ("campaign.advertising_channel_type = 'PERFORMANCE_MAX'",),
)
"""Performance Max terms (campaign level; no keyword segment, which would drop them)."""
KEYWORDS = Query(
    "keywords",
    "keyword_view",
    (
        "ad_group_criterion.keyword.text",
        "ad_group_criterion.keyword.match_type",
        "ad_group_criterion.status",
        "campaign.name",
        "ad_group.name",
        *METRICS,
        "customer.currency_code",
    ),
    ("ad_group_criterion.status != 'REMOVED'",),
)
BY_ACTION = Query(
    "by_action",
    "search_term_view",
    (
        "search_term_view.search_term",
        "segments.search_term_match_type",
        "campaign.name",
        "ad_group.name",
        "segments.conversion_action_name",
        "segments.conversion_action_category",
        "metrics.conversions",
        "metrics.conversions_value",
        "metrics.all_conversions",
        "customer.currency_code",
    ),
)
"""Conversions per search term and conversion action (the API refuses clicks and cost here)."""
BY_DAY = Query(
    "by_day",
    "campaign",
    (
        "segments.date",
        "campaign.name",
        "campaign.advertising_channel_type",
        *METRICS,
        "customer.currency_code",
    ),
    ("campaign.advertising_channel_type IN ('SEARCH', 'PERFORMANCE_MAX')",),
)
CAMPAIGN_NEGATIVES = Query(
    "campaign_negatives",
    "campaign_criterion",
    ("campaign.name", "campaign_criterion.keyword.text", "campaign_criterion.keyword.match_type"),
    (
        "campaign_criterion.negative = TRUE",
        "campaign_criterion.type = 'KEYWORD'",
        "campaign.status != 'REMOVED'",
    ),
    dated=False,
)
AD_GROUP_NEGATIVES = Query(
    "ad_group_negatives",
    "ad_group_criterion",
    (
        "campaign.name",
        "ad_group.name",
        "ad_group_criterion.keyword.text",
        "ad_group_criterion.keyword.match_type",
    ),
    (
        "ad_group_criterion.negative = TRUE",
        "ad_group_criterion.type = 'KEYWORD'",
        "ad_group_criterion.status != 'REMOVED'",
        "campaign.status != 'REMOVED'",
    ),
    dated=False,
)
SHARED_NEGATIVES = Query(
    "shared_negatives",
    "shared_criterion",
    ("shared_set.name", "shared_criterion.keyword.text", "shared_criterion.keyword.match_type"),
    (
        "shared_set.type = 'NEGATIVE_KEYWORDS'",
        "shared_set.status = 'ENABLED'",
        "shared_criterion.type = 'KEYWORD'",
    ),
    dated=False,
)
LIST_CAMPAIGNS = Query(
    "list_campaigns",
    "campaign_shared_set",
    ("shared_set.name", "campaign.name"),
    (
        "shared_set.type = 'NEGATIVE_KEYWORDS'",
        "campaign_shared_set.status = 'ENABLED'",
        "campaign.status != 'REMOVED'",
    ),
    dated=False,
)
"""Which campaigns each negative list is attached to (a list attached to none blocks nothing)."""
CUSTOMER = Query(
    "customer",
    "customer",
    ("customer.id", "customer.descriptive_name", "customer.currency_code", "customer.manager"),
    dated=False,
)
CLIENTS = Query(
    "clients",
    "customer_client",
    (
        "customer_client.id",
        "customer_client.descriptive_name",
        "customer_client.currency_code",
        "customer_client.level",
    ),
    ("customer_client.manager = FALSE", "customer_client.status = 'ENABLED'"),
    dated=False,
)
"""A manager account's client accounts, at every level below it (sub-managers left out)."""
