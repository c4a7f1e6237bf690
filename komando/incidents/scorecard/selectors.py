"""The public scorecard of the city's OPDs and kecamatan: how many incidents were received in a period,
how many were resolved, how many within the SOP's target time (SLA), the median time to resolve, how
many were reopened and how many are still open past their target now.

Plain values only (numbers, codes, names), never model instances: the page and its JSON are public,
so nothing of a single report (description, address, contact, ticket) can reach them. Shares and
medians of fewer than ``MIN_DENOMINATOR`` incidents are suppressed (``None``): with so few, a
resident's own case could be recognised.

The period is the last 30 days (default) or a calendar month, with boundaries at midnight WIB.
Figures are computed in Python from one indexed query (portable between SQLite and PostgreSQL) and
cached for ``CACHE_SECONDS``, so that residents reloading the page cannot load the database.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.core.clock import city_zone
from komando.incidents.choices import Status
from komando.incidents.lifecycle import OPEN_STATUSES
from komando.incidents.models import Incident, PlaybookVersion

MIN_DENOMINATOR = 5
CACHE_SECONDS = 60
CACHE_VERSION = 1
RECENT_DAYS = 30
RECENT_KEY = "30-hari"
EARLIEST_MONTH = date(2000, 1, 1)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class BadPeriod(ValueError):
    """The period asked for is not one the scorecard can show; ``str()`` says why, in words."""


@dataclass(frozen=True)
class Period:
    key: str  # "30-hari" or "YYYY-MM"
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware
    month: date | None = None  # the first day of the month, for a calendar month

    @property
    def is_month(self) -> bool:
        return self.month is not None


def month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=city_zone())


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def recent_period(now: datetime) -> Period:
    return Period(key=RECENT_KEY, start=now - timedelta(days=RECENT_DAYS), end=now)


def month_period(month: date) -> Period:
    following = next_month(month)
    return Period(
        key=f"{month:%Y-%m}",
        start=month_start(month.year, month.month),
        end=month_start(following.year, following.month),
        month=month,
    )


def parse_period(value: str | None, now: datetime | None = None) -> Period:
    """The period of the ``bulan`` parameter: empty (or ``30-hari``) for the last 30 days, else a month
    ``YYYY-MM`` from January 2000 up to the current month (WIB). Raises ``BadPeriod``."""
    now = now or timezone.now()
    value = str(value or "").strip()
    if value in ("", RECENT_KEY):
        return recent_period(now)
    match = MONTH_PATTERN.match(value)
    if not match:
        raise BadPeriod(_("The month must be written as YYYY-MM, for example 2026-05."))
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise BadPeriod(_("The month must be written as YYYY-MM, for example 2026-05."))
    first = date(year, month, 1)
    current = now.astimezone(city_zone()).date().replace(day=1)
    if first > current:
        raise BadPeriod(_("That month has not started yet."))
    if first < EARLIEST_MONTH:
        raise BadPeriod(_("The scorecard starts in January 2000."))
    return month_period(first)


def recent_months(now: datetime | None = None, count: int = 12) -> list[Period]:
    """The current month (WIB) and the ``count - 1`` before it, newest first (the month picker)."""
    month = (now or timezone.now()).astimezone(city_zone()).date().replace(day=1)
    months = []
    for _index in range(count):
        months.append(month_period(month))
        month = (month - timedelta(days=1)).replace(day=1)
    return months


@dataclass
class Tally:
    """The counts of one group (an OPD, a kecamatan, or the whole city)."""

    received: int = 0
    rejected: int = 0
    resolved: int = 0
    resolved_within_sla: int = 0
    reopened: int = 0
    open: int = 0
    open_overdue: int = 0
    hours_to_resolve: list[float] = field(default_factory=list, repr=False)

    def add(self, status: str, reported_at, resolved_at, resolve_due_at, reopen_count: int, now: datetime) -> None:
        self.received += 1
        if status == Status.DITOLAK:
            self.rejected += 1
        if resolved_at is not None:
            self.resolved += 1
            self.hours_to_resolve.append(max((resolved_at - reported_at).total_seconds(), 0) / 3600)
            if resolve_due_at is not None and resolved_at <= resolve_due_at:
                self.resolved_within_sla += 1
        if reopen_count:
            self.reopened += 1
        if status in OPEN_STATUSES:
            self.open += 1
            if resolve_due_at is not None and resolve_due_at < now:
                self.open_overdue += 1

    def figures(self) -> dict:
        # The target is settled for an incident once it is resolved (in time or late) or still open past it.
        settled = self.resolved + self.open_overdue
        share = round(100 * self.resolved_within_sla / settled, 1) if settled >= MIN_DENOMINATOR else None
        median = round(statistics.median(self.hours_to_resolve), 1) if self.resolved >= MIN_DENOMINATOR else None
        return {
            "received": self.received,
            "rejected": self.rejected,
            "resolved": self.resolved,
            "resolved_within_sla": self.resolved_within_sla,
            "sla_settled": settled,
            "within_sla_percent": share,
            "median_hours_to_resolve": median,
            "reopened": self.reopened,
            "open": self.open,
            "open_overdue": self.open_overdue,
        }


def compute_scorecard(period: Period, now: datetime | None = None) -> dict:
    """The scorecard of ``period`` as plain values (see the module's docstring). Incidents reported in
    the period count once each: a duplicate merged into another incident (``merged_into`` set) is
    counted in the incident it was merged into."""
    from komando.agencies.models import Agency
    from komando.regions.models import Region, RegionLevel

    now = now or timezone.now()
    city, by_agency, by_kecamatan = Tally(), defaultdict(Tally), defaultdict(Tally)
    rows = (
        Incident.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end, merged_into__isnull=True)
        .order_by()
        .values_list("agency_id", "kecamatan_id", "status", "reported_at", "resolved_at", "resolve_due_at", "reopen_count")
    )
    for agency_id, kecamatan_id, *facts in rows.iterator(chunk_size=2000):
        for tally in (city, by_agency[agency_id], by_kecamatan[kecamatan_id]):
            tally.add(*facts, now=now)

    # Every OPD that answers for a category is listed (a zero is news too), and any other that had incidents.
    agency_ids = set(PlaybookVersion.objects.order_by().values_list("agency_id", flat=True).distinct()) | set(by_agency)
    agencies = [
        {"code": agency.code, "short_name": agency.short_name, "name": agency.name, **by_agency[agency.pk].figures()}
        for agency in Agency.objects.filter(pk__in=agency_ids)
    ]
    agencies.sort(key=lambda row: (-row["received"], row["short_name"].lower()))
    kecamatan = [
        {"code": region.code, "name": region.name, **by_kecamatan[region.pk].figures()}
        for region in Region.objects.filter(Q(level=RegionLevel.KECAMATAN) | Q(pk__in=by_kecamatan)).order_by("name")
    ]
    return {
        "period": {
            "key": period.key,
            "start": period.start.astimezone(city_zone()),
            "end": period.end.astimezone(city_zone()),
            "month": period.month,
        },
        "computed_at": now.astimezone(city_zone()),
        "min_denominator": MIN_DENOMINATOR,
        "city": city.figures(),
        "agencies": agencies,
        "kecamatan": kecamatan,
    }


def cache_key(period: Period) -> str:
    return f"incidents.scorecard:v{CACHE_VERSION}:{period.key}"


def scorecard(period: Period) -> dict:
    """``compute_scorecard(period)``, computed at most once a minute per period (Django's cache)."""
    key = cache_key(period)
    found = cache.get(key)
    if found is None:
        found = compute_scorecard(period)
        cache.set(key, found, CACHE_SECONDS)
    return found
