"""Every other rule kind fires once per episode and clears when its condition ends."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from komando.alerts.actions import do_evaluate_rules
from komando.alerts.models import Alert
from komando.alerts.selectors import alerts_between, open_alerts


def _episodes(rule):
    return list(Alert.objects.filter(rule=rule).order_by("pk"))


# --- (1) threshold on a metric: traffic cameras -------------------------------------------------


@pytest.fixture
def camera(reference_data):
    from komando.assets.models import Asset, AssetKind
    from komando.sources.models import Source

    return Asset.objects.create(
        kind=AssetKind.CAMERA,
        source=Source.objects.get(slug="atcs"),
        source_ref="cctv-01",
        name="Simpang Cikokol",
        lat=-6.2105,
        lon=106.6302,
    )


def _observe(camera, *, speed: float, vehicles: int = 300, at=None):
    from komando.metrics.models import TrafficObservation
    from komando.sources.models import Source

    return TrafficObservation.objects.create(
        source=Source.objects.get(slug="atcs"),
        camera=camera,
        observed_at=at or timezone.now(),
        interval_minutes=5,
        vehicles=vehicles,
        average_speed_kmh=speed,
        congestion="macet" if speed < 10 else "lancar",
    )


def test_metric_threshold_episode(make_rule, camera):
    rule = make_rule("metric_threshold", {"metric": "traffic.average_speed_kmh", "operator": "below", "threshold": 10})
    _observe(camera, speed=25, at=timezone.now() - timedelta(minutes=10))
    assert do_evaluate_rules().raised == []
    _observe(camera, speed=7.5, at=timezone.now() - timedelta(minutes=5))
    assert len(do_evaluate_rules().raised) == 1
    _observe(camera, speed=6.0)
    assert do_evaluate_rules().raised == []  # still slow: the same episode
    [alert] = _episodes(rule)
    assert alert.last_value == 6.0 and alert.subject == "Simpang Cikokol"
    assert open_alerts()[0]["title"] == "Slow traffic at Simpang Cikokol"
    _observe(camera, speed=30, at=timezone.now() + timedelta(seconds=1))
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        assert do_evaluate_rules().cleared == [alert.pk]


def test_metric_threshold_above_on_vehicle_counts(make_rule, camera):
    rule = make_rule(
        "metric_threshold", {"metric": "traffic.vehicles", "operator": "above", "threshold": 500, "cameras": ["cctv-01"]}
    )
    _observe(camera, speed=20, vehicles=650)
    do_evaluate_rules()
    assert [a.last_value for a in _episodes(rule)] == [650.0]
    # No observation in the last hour: nothing to say any more, the episode ends.
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert len(do_evaluate_rules().cleared) == 1


# --- (3) SLA breach: incidents past their deadline, per OPD --------------------------------------


@pytest.fixture
def incident_reference(reference_data):
    from komando.incidents.actions import do_load_incident_reference_data

    do_load_incident_reference_data(settings.KOMANDO_CITY_DIR)


def _report(category_code="SAMPAH"):
    from komando.incidents.actions import do_report_incident

    incident, _report, _created = do_report_incident(
        "web",
        source_ref=uuid.uuid4().hex,
        category_code=category_code,
        description="Sampah menumpuk",
        lat=-6.17288,
        lon=106.63185,
        reported_at=timezone.now(),
    )
    return incident


def test_sla_breach_episode_per_opd(make_rule, incident_reference):
    from komando.incidents.models import Incident

    rule = make_rule("sla_breach", {"deadline": "any", "min_count": 1})
    incident = _report()
    assert incident.respond_due_at is not None and incident.agency_id is not None
    assert do_evaluate_rules().raised == []
    later = max(incident.respond_due_at, incident.resolve_due_at or incident.respond_due_at) + timedelta(minutes=1)
    with time_machine.travel(later):
        assert len(do_evaluate_rules().raised) == 1
        assert do_evaluate_rules().raised == []
        [alert] = _episodes(rule)
        assert alert.agency_id == incident.agency_id and alert.facts["tickets"] == [incident.ticket]
        assert alert.url == "/konsol/"
        # The incident is closed (here set directly: the evaluator reads the column): the episode ends.
        Incident.objects.filter(pk=incident.pk).update(status="ditutup")
        assert do_evaluate_rules().cleared == [alert.pk]


# --- (4) source down -------------------------------------------------------------------------------


def test_source_down_failing_and_stale(make_rule, reference_data):
    from komando.sources.models import Source

    rule = make_rule("source_down", {"failures": 3, "stale_minutes": 30, "sources": ["bmkg"]})
    now = timezone.now()
    Source.objects.filter(slug="bmkg").update(last_success_at=now, last_attempt_at=now, consecutive_failures=2)
    assert do_evaluate_rules().raised == []
    Source.objects.filter(slug="bmkg").update(consecutive_failures=3, last_error="timeout")
    assert len(do_evaluate_rules().raised) == 1
    Source.objects.filter(slug="bmkg").update(consecutive_failures=0, last_success_at=timezone.now())
    assert len(do_evaluate_rules().cleared) == 1
    # Silent: no success for more than 30 minutes is a new episode.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert len(do_evaluate_rules().raised) == 1
    first, second = _episodes(rule)
    assert first.facts["failing"] is True and second.facts["failing"] is False
    assert first.cleared_at is not None and second.cleared_at is None


# --- (5) development project kritis (audience executives) ----------------------------------------


def test_project_kritis_episode(make_rule, reference_data, personas):
    from komando.agencies.models import Agency
    from komando.development.models import ProgressMonth, Project
    from komando.sources.models import Source

    rule = make_rule("project_kritis", {}, audience="executives")
    dinkes = Agency.objects.get(code="dinkes")
    project = Project.objects.create(
        source=Source.objects.get(slug="emonev"),
        source_ref="P-1",
        agency=dinkes,
        name="Pembangunan Puskesmas Periuk",
        fiscal_year=2026,
        budget=5_000_000_000,
        lat=-6.16,
        lon=106.60,
    )
    # planned 40, realised 29: behind by 11 points at 0–70% planned → kritis
    month = ProgressMonth.objects.create(
        project=project,
        month=date(2026, 6, 1),
        planned_physical=Decimal("40"),
        realised_physical=Decimal("29"),
        planned_financial=Decimal("40"),
        realised_financial=Decimal("30"),
    )
    assert len(do_evaluate_rules().raised) == 1
    assert do_evaluate_rules().raised == []
    shown = open_alerts(personas["executive"])
    assert [(a["kind"], a["subject"]) for a in shown] == [("project_kritis", "Pembangunan Puskesmas Periuk")]
    assert open_alerts(personas["opd_officer"]) == []  # executive alerts are not an OPD officer's
    # planned 40, realised 31: behind by 9 → no longer kritis
    ProgressMonth.objects.filter(pk=month.pk).update(realised_physical=Decimal("31"))
    assert len(do_evaluate_rules().cleared) == 1
    assert _episodes(rule)[0].url == f"/pembangunan/proyek/{project.pk}/"


# --- (6) BMKG: weather warnings for the city, earthquakes nearby ---------------------------------


def test_bmkg_weather_warning_until_it_expires(make_rule, reference_data):
    from komando.hazards.models import WeatherWarning
    from komando.sources.models import Source

    rule = make_rule("bmkg_warning", {"weather": True}, public=True, severity="critical")
    now = timezone.now()
    common = dict(
        source=Source.objects.get(slug="bmkg"),
        sent=now,
        effective=now - timedelta(minutes=5),
        expires=now + timedelta(hours=2),
        severity="Moderate",
        urgency="Immediate",
        certainty="Observed",
        event="Hujan Lebat dan Petir",
        headline="Hujan lebat di Kota Tangerang",
    )
    WeatherWarning.objects.create(identifier="elsewhere", affects_city=False, area_desc="Jawa Tengah", **common)
    WeatherWarning.objects.create(identifier="2.49.0.1.360.0.2026.1", affects_city=True, area_desc="Banten", **common)
    assert len(do_evaluate_rules().raised) == 1
    assert do_evaluate_rules().raised == []
    assert open_alerts()[0]["title"] == "BMKG warning: Hujan Lebat dan Petir"
    with time_machine.travel(now + timedelta(hours=2, minutes=1)):
        assert len(do_evaluate_rules().cleared) == 1
    assert _episodes(rule)[0].subject_key == "warning:2.49.0.1.360.0.2026.1"


def test_bmkg_earthquake_within_distance_and_magnitude(make_rule, reference_data):
    from komando.hazards.models import Earthquake
    from komando.sources.models import Source

    rule = make_rule(
        "bmkg_warning",
        {"weather": False, "earthquake_min_magnitude": 5.0, "earthquake_max_distance_km": 300, "earthquake_window_hours": 6},
    )
    now = timezone.now()
    source = Source.objects.get(slug="bmkg")
    for ref, magnitude, distance in [("small", "4.9", 80.0), ("far", "6.1", 900.0), ("near", "5.6", 120.0)]:
        Earthquake.objects.create(
            source=source,
            source_ref=ref,
            occurred_at=now - timedelta(minutes=10),
            magnitude=Decimal(magnitude),
            depth_km=Decimal("10"),
            lat=-7.2,
            lon=106.1,
            region=f"Gempa {ref}",
            distance_km=distance,
        )
    run = do_evaluate_rules()
    assert [Alert.objects.get(pk=pk).subject for pk in run.raised] == ["Gempa near"]
    assert open_alerts()[0]["title"] == "Earthquake M5.6, 120 km from the city"
    with time_machine.travel(now + timedelta(hours=6)):
        assert len(do_evaluate_rules().cleared) == 1
    assert len(_episodes(rule)) == 1


def test_alerts_between_for_the_daily_report(make_rule, make_gauge):
    make_rule("sensor_threshold", {"level": "siaga_1"})
    make_gauge(level_m=3.6)
    start = timezone.now() - timedelta(minutes=1)
    do_evaluate_rules()
    rows = alerts_between(start, timezone.now() + timedelta(seconds=1))
    assert [row["subject"] for row in rows] == ["Pintu Air Sepuluh"]
    assert set(rows[0]) >= {
        "id",
        "rule",
        "kind",
        "severity",
        "title",
        "detail",
        "subject",
        "raised_at",
        "cleared_at",
        "acknowledged_at",
        "acknowledged_by",
        "ack_comment",
        "url",
    }
    assert alerts_between(start - timedelta(days=1), start) == []


def test_a_failing_rule_does_not_stop_the_others(make_rule, make_gauge, monkeypatch):
    from komando.alerts import rules

    make_rule("source_down", {"failures": 1})
    make_rule("sensor_threshold", {"level": "siaga_3"})
    make_gauge(level_m=2.8)

    def broken(rule, now):
        raise RuntimeError("the source table is away")

    monkeypatch.setitem(rules.CONDITIONS, "source_down", broken)
    run = do_evaluate_rules()
    assert len(run.raised) == 1 and len(run.failed_rules) == 1
