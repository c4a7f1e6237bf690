"""Fixtures of alert tests: rules made through the model (validated), gauges with a device state,
captured live events, and the seeded default rules set aside so each test sees only its own."""

from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _only_our_rules(request):
    """The data migration seeds default rules; tests evaluate only the rules they make. (Browser
    tests run against a server with its own database and keep the default rules.)"""
    if request.node.get_closest_marker("browser"):
        return
    request.getfixturevalue("db")
    from komando.alerts.models import AlertRule

    AlertRule.objects.update(enabled=False)


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_rule(db):
    from komando.alerts.models import AlertRule

    def make(
        kind: str,
        parameters: dict,
        *,
        slug: str | None = None,
        severity: str = "warning",
        recipients=None,
        audience: str = "staff",
        public: bool = False,
        name: str = "",
    ):
        rule = AlertRule(
            slug=slug or f"test-{kind}-{AlertRule.objects.count()}",
            name=name or f"Test {kind}",
            kind=kind,
            parameters=parameters,
            severity=severity,
            recipients=recipients or [],
            audience=audience,
            public=public,
        )
        rule.full_clean()
        rule.save()
        return rule

    return make


@pytest.fixture
def make_gauge(reference_data):
    """A water-level gauge of the flood source with siaga thresholds, and a way to set its level."""
    from komando.assets.models import Asset, AssetKind
    from komando.devices.models import DeviceState
    from komando.sources.models import Source

    def make(name: str = "Pintu Air Sepuluh", *, level_m: float | None = None, observed_at=None):
        gauge = Asset.objects.create(
            kind=AssetKind.GAUGE,
            source=Source.objects.get(slug="banjir"),
            source_ref=name.lower().replace(" ", "-"),
            name=name,
            lat=-6.1745,
            lon=106.6322,
            attributes={"river": "Cisadane", "normal_m": 1.5, "siaga_3_m": 2.5, "siaga_2_m": 3.0, "siaga_1_m": 3.5},
        )
        if level_m is not None:
            set_level(gauge, level_m, observed_at)
        return gauge

    def set_level(gauge, level_m: float, observed_at=None):
        DeviceState.objects.update_or_create(
            asset=gauge,
            defaults={"observed_at": observed_at or timezone.now(), "level_m": level_m, "lat": gauge.lat, "lon": gauge.lon},
        )

    make.set_level = set_level
    return make


@pytest.fixture
def captured_events(monkeypatch):
    """Live events published after commit, in order."""
    sent = []
    monkeypatch.setattr("komando.core.events.publish", sent.append)
    return sent
