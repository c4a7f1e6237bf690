"""Fixtures of the daily report tests: the incident fixtures (city, categories, playbooks, ``report``),
hand-made incidents placed in time, gauges with readings and source runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from komando.core.clock import city_zone
from komando.incidents.tests.conftest import (  # noqa: F401  (fixtures shared with the incidents tests)
    incident_data,
    operator,
    reference_data,
    report,
)

WIB = city_zone()  # Kota Tangerang's zone, read from its city.json
DAY = date(2026, 11, 20)
# The report of DAY as made at 06:00 WIB the morning after.
MORNING_AFTER = datetime(2026, 11, 21, 6, 0, tzinfo=WIB)


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def utc(text: str) -> datetime:
    from datetime import UTC

    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def place(report):  # noqa: F811  (the imported fixture, requested)
    """Report an incident through the real intake, then place it in time (reported at an aware moment,
    target ``due_hours`` later, resolved ``resolved_after_hours`` after the report if given)."""
    from komando.incidents.models import Incident

    def make(
        moment: datetime,
        *,
        category: str = "SAMPAH",
        due_hours: float = 24,
        resolved_after_hours=None,
        priority: str | None = None,
        status: str | None = None,
        lat=None,
        lon=None,
        title: str = "",
    ):
        kwargs = {}
        if lat is not None:
            kwargs.update(lat=lat, lon=lon)
        incident = report(category, **kwargs)
        fields = {"reported_at": moment, "last_reported_at": moment, "resolve_due_at": moment + timedelta(hours=due_hours)}
        if resolved_after_hours is not None:
            fields.update(status="selesai", resolved_at=moment + timedelta(hours=resolved_after_hours))
        if priority is not None:
            fields["priority"] = priority
        if status is not None:
            fields["status"] = status
        if title:
            fields["title"] = title
        Incident.objects.filter(pk=incident.pk).update(**fields)
        incident.refresh_from_db()
        return incident

    return make


@pytest.fixture
def gauge(reference_data):  # noqa: F811  (the imported fixture, requested)
    """A water-level gauge of the banjir source with siaga thresholds 1.5 / 2.0 / 2.5 m."""
    from komando.assets.models import Asset, AssetKind
    from komando.regions.models import Region
    from komando.sources.models import Source

    def make(ref: str, name: str, *, attributes: dict | None = None):
        return Asset.objects.create(
            kind=AssetKind.GAUGE,
            source=Source.objects.get(slug="banjir"),
            source_ref=ref,
            name=name,
            region=Region.objects.filter(level="kelurahan").order_by("code").first(),
            attributes={"siaga_3_m": 1.5, "siaga_2_m": 2.0, "siaga_1_m": 2.5, **(attributes or {})},
        )

    return make


def reading(asset, moment: datetime, level: float):
    from komando.devices.models import WaterLevelReading

    return WaterLevelReading.objects.create(asset=asset, observed_at=moment, level_m=level, received_at=moment)


def run(source, finished: datetime, ok: bool, *, error_kind: str = "", error: str = ""):
    from komando.sources.models import SourceRun

    return SourceRun.objects.create(
        source=source,
        started_at=finished - timedelta(seconds=2),
        finished_at=finished,
        ok=ok,
        error_kind=error_kind if not ok else "",
        error=error if not ok else "",
    )
