"""Each wall panel's selector against hand-made data (counts worked out by hand)."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.complaints.models import Channel, Complaint, ComplaintStatus
from komando.devices.models import DeviceState
from komando.incidents.models import Incident
from komando.incidents.tests.conftest import SUKARASA
from komando.sources.models import Source
from komando.wall import selectors

WIB = ZoneInfo("Asia/Jakarta")


def report(code="SAMPAH", priority=None, at=None):
    from komando.incidents.actions import do_report_incident

    lat = SUKARASA[0] + (uuid.uuid4().int % 1000) * 0.00005  # apart, so no duplicate is proposed
    incident, _report, _created = do_report_incident(
        "web",
        source_ref=uuid.uuid4().hex,
        category_code=code,
        description="Laporan uji dinding.",
        lat=lat,
        lon=SUKARASA[1],
        reported_at=at or timezone.now(),
        priority=priority,
    )
    return incident


@pytest.mark.django_db
def test_incident_counts_by_status_priority_and_sla(incident_data):
    critical = report("POHON-TUMBANG", priority="kritis")
    high = report("SALURAN", priority="tinggi")
    low = report("JLN-RUSAK", priority="rendah")
    closed = report("PJU-MATI", priority="sedang")
    now = timezone.now()
    Incident.objects.filter(pk=closed.pk).update(status="ditutup")
    Incident.objects.filter(pk=high.pk).update(status="ditugaskan")
    # past a deadline: the low one (response) and the high one (resolution); the critical one is not
    Incident.objects.filter(pk=low.pk).update(respond_due_at=now - timedelta(minutes=5))
    Incident.objects.filter(pk=high.pk).update(respond_due_at=now + timedelta(hours=1), resolve_due_at=now - timedelta(hours=1))
    Incident.objects.filter(pk=critical.pk).update(
        respond_due_at=now + timedelta(minutes=30), resolve_due_at=now + timedelta(hours=4)
    )
    counts = selectors.incident_counts(now)
    assert counts["open"] == 3
    assert counts["overdue"] == 2
    assert counts["new_today"] == 4
    assert {row["status"]: row["count"] for row in counts["by_status"]}["baru"] == 2
    assert {row["status"]: row["count"] for row in counts["by_status"]}["ditugaskan"] == 1
    assert "ditutup" not in {row["status"] for row in counts["by_status"]}
    by_priority = {row["priority"]: (row["count"], row["overdue"]) for row in counts["by_priority"]}
    assert by_priority == {"kritis": (1, 0), "tinggi": (1, 1), "sedang": (0, 0), "rendah": (1, 1)}
    assert [row["priority"] for row in counts["by_priority"]] == ["kritis", "tinggi", "sedang", "rendah"]
    assert counts["source"] == "komando" and counts["as_of"] is not None


@pytest.mark.django_db
def test_the_map_shows_open_incidents_only_with_overdue_marked(incident_data):
    shown = report("SAMPAH")
    hidden = report("SALURAN")
    Incident.objects.filter(pk=hidden.pk).update(status="ditolak")
    Incident.objects.filter(pk=shown.pk).update(resolve_due_at=timezone.now() - timedelta(minutes=1))
    data = selectors.city_map()
    features = data["layers"]["incidents"]["features"]
    assert [f["properties"]["ticket"] for f in features] == [shown.ticket]
    assert features[0]["properties"]["overdue"] is True
    assert data["counts"]["incidents"] == 1
    assert data["boundaries"]["features"]  # our own kecamatan shapes
    assert "boundaries" not in selectors.city_map(include_boundaries=False)


def _complaint(category, reported_at, channel=Channel.LAKSA):
    source = Source.objects.get(slug="laksa" if channel == Channel.LAKSA else "lapor")
    return Complaint.objects.create(
        channel=channel,
        source=source,
        source_ref=uuid.uuid4().hex,
        category=category,
        status=ComplaintStatus.WAITING,
        reported_at=reported_at,
        source_updated_at=reported_at,
    )


@pytest.mark.django_db
def test_complaints_today_count_from_midnight_wib(reference_data):
    now = datetime(2026, 11, 29, 9, 0, tzinfo=WIB)
    midnight = datetime(2026, 11, 29, 0, 0, tzinfo=WIB)
    _complaint("Sampah", midnight)  # today, the first second
    _complaint("Sampah", midnight + timedelta(hours=3))
    _complaint("Drainase", midnight + timedelta(hours=5))
    _complaint("Sampah", midnight - timedelta(seconds=1))  # yesterday (WIB)
    _complaint("Jalan", midnight + timedelta(hours=10))  # after "now"
    _complaint("Sampah", midnight + timedelta(hours=1), channel=Channel.LAPOR)  # not LAKSA
    data = selectors.complaints_today(now)
    assert data["by_category"] == [{"category": "Sampah", "count": 2}, {"category": "Drainase", "count": 1}]
    assert data["total"] == 3
    assert data["source"] == "laksa"


def _gauge(name, level, siaga, observed=True):
    gauge = Asset.objects.create(
        kind=AssetKind.GAUGE,
        source=Source.objects.get(slug="banjir"),
        source_ref=name,
        name=name,
        lat=-6.18,
        lon=106.63,
        attributes={"river": "Cisadane", "siaga_3_m": 2.0, "siaga_2_m": 2.5, "siaga_1_m": 3.0},
    )
    if observed:
        DeviceState.objects.create(asset=gauge, observed_at=timezone.now(), level_m=level, siaga=siaga)
    return gauge


@pytest.mark.django_db
def test_water_levels_most_severe_first_with_thresholds(reference_data):
    _gauge("Pos A", 1.2, "normal")
    _gauge("Pos B", 2.7, "siaga_2")
    _gauge("Pos C", 2.1, "siaga_3")
    _gauge("Pos D", None, "", observed=False)
    data = selectors.water_levels()
    assert [g["name"] for g in data["gauges"]] == ["Pos B", "Pos C", "Pos A", "Pos D"]
    assert data["at_siaga"] == 2
    assert data["gauges"][0]["siaga_1_m"] == 3.0 and data["gauges"][0]["level_m"] == 2.7
    assert data["as_of"] is not None and data["source"] == "banjir"


@pytest.mark.django_db
def test_source_strip_counts_connected_sources_by_health(reference_data):
    now = timezone.now()
    connected = sorted((s for s in Source.objects.all() if s.is_connected), key=lambda s: s.slug)
    assert len(connected) >= 3
    Source.objects.filter(pk=connected[0].pk).update(last_success_at=now, consecutive_failures=0, enabled=True)
    Source.objects.filter(pk=connected[1].pk).update(last_success_at=now, consecutive_failures=2, enabled=True)
    data = selectors.source_strip(now)
    assert len(data["sources"]) == len(connected)
    statuses = {row["slug"]: row["status"] for row in data["sources"]}
    assert statuses[connected[0].slug] == "ok" and statuses[connected[1].slug] == "failing"
    assert data["counts"]["ok"] >= 1 and data["counts"]["failing"] >= 1
    assert sum(data["counts"].values()) == len(connected)


@pytest.mark.django_db
def test_camera_grid_online_cameras_first_and_limited(reference_data):
    atcs = Source.objects.get(slug="atcs")
    for index in range(14):
        Asset.objects.create(
            kind=AssetKind.CAMERA,
            source=atcs,
            source_ref=f"cam-{index}",
            name=f"Kamera {index:02}",
            lat=-6.17,
            lon=106.63,
            online=index != 0,
        )
    data = selectors.camera_grid()
    assert data["total"] == 14 and len(data["cameras"]) == 12
    assert data["summary"]["offline"] == 1
    assert all(camera["online"] for camera in data["cameras"])  # the offline camera sorts last
    assert data["cameras"][0]["snapshot_url"].startswith("/api/cameras/")


@pytest.mark.django_db
def test_development_needs_a_viewer(personas):
    assert selectors.development_progress(personas["outsider"]) is None
    data = selectors.development_progress(personas["operator"])
    assert data["source"] == "emonev" and data["by_agency"] == []


@pytest.mark.django_db
def test_alert_strip_reads_open_alerts(personas):
    data = selectors.alert_strip(personas["operator"])
    assert data["available"] is True and data["alerts"] == [] and data["total"] == 0


@pytest.mark.django_db
def test_one_failing_panel_leaves_the_others(personas, monkeypatch):
    def broken(user, full):
        raise RuntimeError("selector down")

    monkeypatch.setitem(selectors.PANEL_SELECTORS, "water", broken)
    state = selectors.wall_state(personas["operator"], {"water", "clock"})
    assert state["panels"]["water"] is None
    assert state["panels"]["clock"]["timezone"] == "Asia/Jakarta"
    assert state["build"] == selectors.build_id()
