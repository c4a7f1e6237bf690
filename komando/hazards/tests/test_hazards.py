"""Recording hazards: idempotent, city relevance of warnings, the panel and its API."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from komando.hazards.actions import EarthquakeRow, WarningRow, do_record_hazards
from komando.hazards.geography import distance_km
from komando.hazards.models import Earthquake, WeatherWarning
from komando.hazards.selectors import hazards_panel
from komando.regions.models import Region
from komando.sources.models import Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def bmkg(reference_data):
    return Source.objects.get(slug="bmkg")


def quake(ref="2026-02-16T06:15:30Z -6.89,109.67", minutes_ago=30, felt="", shakemap="", **changes) -> EarthquakeRow:
    values = dict(
        source_ref=ref,
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
        magnitude=Decimal("5.4"),
        depth_km=Decimal("10"),
        lat=-6.89,
        lon=109.67,
        region="18 km TimurLaut Pekalongan",
        tsunami_potential="Tidak berpotensi tsunami",
        felt=felt,
        shakemap=shakemap,
    )
    values.update(changes)
    return EarthquakeRow(**values)


def box(lat0, lon0, lat1, lon1) -> dict:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


def warning(
    identifier="W-1",
    polygons=None,
    description="Hujan lebat di sebagian wilayah Banten, khususnya di Bojonegara, Cibeber.",
    hours_left=2,
    sent_hours_ago=1,
) -> WarningRow:
    now = timezone.now()
    return WarningRow(
        identifier=identifier,
        sent=now - timedelta(hours=sent_hours_ago),
        effective=now - timedelta(hours=sent_hours_ago),
        expires=now + timedelta(hours=hours_left),
        event="Hujan Lebat dan Petir",
        headline="Hujan Lebat disertai Petir di Banten",
        description=description,
        severity="Moderate",
        urgency="Immediate",
        certainty="Observed",
        sender_name="BMKG",
        area_desc="Banten",
        polygons=polygons,
        web="https://nowcasting.bmkg.go.id/infografis/CBT/x.jpg",
    )


def test_distance_from_the_city_centre_is_computed_from_city_json(bmkg):
    do_record_hazards(bmkg, [quake(lat=-6.1703, lon=106.6403, source_ref="here"), quake()], [])
    assert Earthquake.objects.get(source_ref="here").distance_km == pytest.approx(0, abs=0.01)
    pekalongan = Earthquake.objects.get(source_ref="2026-02-16T06:15:30Z -6.89,109.67")
    assert pekalongan.distance_km == pytest.approx(distance_km(-6.1703, 106.6403, -6.89, 109.67))
    assert 330 < pekalongan.distance_km < 350


def test_polygon_over_the_city_affects_it_and_one_far_away_does_not(bmkg):
    cipondoh = Region.objects.get(name="Cipondoh", level="kecamatan")
    over = box(
        cipondoh.centroid_lat - 0.01, cipondoh.centroid_lon - 0.01, cipondoh.centroid_lat + 0.01, cipondoh.centroid_lon + 0.01
    )
    far = box(-6.9, 109.6, -6.8, 109.7)  # Pekalongan
    do_record_hazards(bmkg, [], [warning("over", over), warning("far", far)])
    assert dict(WeatherWarning.objects.values_list("identifier", "affects_city")) == {"over": True, "far": False}


def test_warning_naming_a_kecamatan_affects_the_city_even_without_polygon(bmkg):
    do_record_hazards(
        bmkg,
        [],
        [
            warning("named", None, "Hujan lebat di sebagian wilayah Banten, khususnya di Cibeber, Karang Tengah, Pontang."),
            warning("city", None, "Hujan lebat di Kota Tangerang dan sekitarnya."),
            warning("elsewhere", None, "Hujan lebat di Wiradesa, Kajen, Karanganyar."),
            warning("inside-a-word", None, "Hujan lebat di Bendarejo."),  # "Benda" only as part of another name
        ],
    )
    assert dict(WeatherWarning.objects.values_list("identifier", "affects_city")) == {
        "named": True,
        "city": True,
        "elsewhere": False,
        "inside-a-word": False,
    }


def test_the_banten_sample_polygons_do_not_cover_the_city(bmkg, shared_data):
    from komando.connectors.bmkg.client import parse_cap
    from komando.connectors.bmkg.coordinator import warning_row

    sample = parse_cap((shared_data / "samples" / "bmkg" / "dhanyyudi_fixture_cap_banten.xml").read_bytes(), "CAP")
    do_record_hazards(bmkg, [], [warning_row(sample)])
    stored = WeatherWarning.objects.get()
    assert stored.affects_city is False  # Cilegon/Serang and Lebak, named kecamatan are not the city's
    assert stored.polygons == sample.polygons


def test_recording_twice_stores_once_and_sends_the_panel_only_when_new(bmkg, django_capture_on_commit_callbacks):
    rows = [quake(), quake(ref="b", minutes_ago=90)], [warning("W-1"), warning("W-2", hours_left=5)]
    with django_capture_on_commit_callbacks() as first:
        assert do_record_hazards(bmkg, *rows) == 4
    with django_capture_on_commit_callbacks() as second:
        assert do_record_hazards(bmkg, *rows) == 0
    assert (Earthquake.objects.count(), WeatherWarning.objects.count()) == (2, 2)
    assert (len(first), len(second)) == (2, 0)  # panel.hazards and tile.hazards, once


def test_a_known_quake_gains_the_felt_report_and_shakemap_of_a_later_feed(bmkg):
    do_record_hazards(bmkg, [quake()], [])
    do_record_hazards(bmkg, [quake(felt="III Pekalongan", shakemap="20260216131530.mmi.jpg", magnitude=Decimal("9"))], [])
    stored = Earthquake.objects.get()
    assert (stored.felt, stored.shakemap) == ("III Pekalongan", "20260216131530.mmi.jpg")
    assert stored.magnitude == Decimal("5.4")  # what was stored is not overwritten
    do_record_hazards(bmkg, [quake(felt="II Batang")], [])
    assert Earthquake.objects.get().felt == "III Pekalongan"


def test_panel_shows_latest_quakes_and_only_warnings_in_force_city_first(bmkg):
    cipondoh = Region.objects.get(name="Cipondoh", level="kecamatan")
    over = box(
        cipondoh.centroid_lat - 0.01, cipondoh.centroid_lon - 0.01, cipondoh.centroid_lat + 0.01, cipondoh.centroid_lon + 0.01
    )
    quakes = [quake(ref=f"q{i}", minutes_ago=10 * i, magnitude=Decimal(f"{3 + i / 10:.1f}")) for i in range(20)]
    do_record_hazards(
        bmkg,
        quakes,
        [
            warning("older-far", box(-6.9, 109.6, -6.8, 109.7), sent_hours_ago=1),
            warning("newer-far", box(-6.9, 109.6, -6.8, 109.7), sent_hours_ago=0.5),
            warning("city", over, sent_hours_ago=2),
            warning("expired", over, hours_left=-0.5, sent_hours_ago=3),
        ],
    )
    panel = hazards_panel()
    assert panel["source"] == "bmkg"
    assert [q["source_ref"] for q in panel["recent_earthquakes"]] == [f"q{i}" for i in range(15)]
    latest = panel["latest_earthquake"]
    assert latest["source_ref"] == "q0" and latest["magnitude"] == 3.0 and latest["depth_km"] == 10.0
    assert set(latest) == {
        "id",
        "source_ref",
        "occurred_at",
        "magnitude",
        "depth_km",
        "lat",
        "lon",
        "region",
        "tsunami_potential",
        "felt",
        "shakemap",
        "distance_km",
    }
    assert [w["identifier"] for w in panel["active_warnings"]] == ["city", "newer-far", "older-far"]
    assert panel["active_warnings"][0]["polygons"]["type"] == "MultiPolygon"


def test_empty_panel_before_the_first_run(bmkg, client):
    body = client.get("/api/hazards/").json()
    assert body == {"source": "bmkg", "latest_earthquake": None, "recent_earthquakes": [], "active_warnings": []}


def test_hazards_api_is_documented(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/hazards/"]["get"]
    assert operation["operationId"] == "hazards_retrieve"
    panel = schema["components"]["schemas"]["HazardsPanel"]
    assert set(panel["properties"]) == {"source", "latest_earthquake", "recent_earthquakes", "active_warnings"}


def test_admin_lists_hazards_read_only(bmkg, personas, client):
    do_record_hazards(bmkg, [quake()], [warning()])
    client.force_login(personas["administrator"])
    assert client.get("/admin/hazards/earthquake/").status_code == 200
    page = client.get(f"/admin/hazards/weatherwarning/{WeatherWarning.objects.get().pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/hazards/earthquake/add/").status_code == 403


def test_times_are_stored_in_utc(bmkg):
    do_record_hazards(bmkg, [quake(occurred_at=datetime(2026, 2, 16, 6, 15, 30, tzinfo=UTC))], [])
    assert Earthquake.objects.get().occurred_at == datetime(2026, 2, 16, 6, 15, 30, tzinfo=UTC)
