"""The BMKG tile on the PIS and the hazards layer of the operator map."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from komando.core.events import PUBLIC
from komando.dashboard import tiles
from komando.hazards.actions import do_record_hazards
from komando.hazards.selectors import hazards_map_layer, hazards_tile
from komando.hazards.tests.test_hazards import box, quake, warning
from komando.regions.models import Region
from komando.sources.models import Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def bmkg(reference_data):
    return Source.objects.get(slug="bmkg")


@pytest.fixture
def over_city(reference_data):
    cipondoh = Region.objects.get(name="Cipondoh", level="kecamatan")
    return box(
        cipondoh.centroid_lat - 0.01, cipondoh.centroid_lon - 0.01, cipondoh.centroid_lat + 0.01, cipondoh.centroid_lon + 0.01
    )


FAR = box(-6.9, 109.6, -6.8, 109.7)  # Pekalongan


def test_no_tile_before_the_first_quake_or_warning(bmkg):
    assert hazards_tile() is None


def test_tile_shows_the_latest_quake_and_is_calm_without_warnings_over_the_city(bmkg):
    do_record_hazards(
        bmkg, [quake(ref="old", minutes_ago=120, magnitude=Decimal("4.1")), quake(ref="new")], [warning("far", FAR)]
    )
    with translation.override("en"):
        tile = hazards_tile()
    assert (tile.key, tile.source, tile.audience) == ("hazards", "bmkg", PUBLIC)
    assert tile.title == "Earthquakes and weather"
    headline, distance, city_warnings = tile.figures
    assert (headline.value, headline.tone) == (5.4, "")
    assert (distance.value, distance.unit) == (pytest.approx(338, abs=10), "km")
    assert (city_warnings.value, city_warnings.tone) == (0, "ok")
    local = timezone.localtime(timezone.now() - timedelta(minutes=30))
    assert tile.note.startswith("18 km TimurLaut Pekalongan · ")
    assert f"{local:%H}:{local:%M} WIB" in tile.note
    assert tile.rows_title == "Recent earthquakes"
    assert [row.value for row in tile.rows] == [4.1]
    assert tile.data_as_of is not None


def test_warning_over_the_city_turns_the_tile_to_warn_or_bad_by_severity(bmkg, over_city):
    do_record_hazards(bmkg, [quake()], [warning("city", over_city), warning("far", FAR)])
    with translation.override("en"):
        tile = hazards_tile()
    assert tile.figures[-1].value == 1 and tile.figures[-1].tone == "warn"
    assert [row.tone for row in tile.rows] == ["warn"]
    assert tile.rows[0].label.startswith("Hujan Lebat dan Petir")
    expires = timezone.localtime(timezone.now() + timedelta(hours=2))
    assert tile.rows[0].value in {f"until {expires:%H}:{expires:%M}", f"until {expires:%-d %b %H}:{expires:%M}"}
    severe = warning("severe", over_city)._replace(severity="Severe")
    do_record_hazards(bmkg, [], [severe])
    assert hazards_tile().figures[-1].tone == "bad"


def test_expired_warning_over_the_city_no_longer_counts(bmkg, over_city):
    do_record_hazards(bmkg, [quake()], [warning("gone", over_city, hours_left=-1, sent_hours_ago=3)])
    assert hazards_tile().figures[-1].value == 0


def test_quake_felt_in_the_city_recently_warns_and_strong_one_is_bad(bmkg):
    do_record_hazards(bmkg, [quake(ref="felt", felt="III Tangerang, II Jakarta")], [])
    tile = hazards_tile()
    assert tile.figures[0].tone == "warn"
    with translation.override("en"):
        assert hazards_tile().note.endswith(" · felt in the city")
    with translation.override("id"):
        local = timezone.localtime(timezone.now() - timedelta(minutes=30))
        assert f"{local:%H}.{local:%M} WIB" in hazards_tile().note  # Indonesian time: 13.15
    do_record_hazards(bmkg, [quake(ref="strong", minutes_ago=5, magnitude=Decimal("6.3"), felt="V Cipondoh")], [])
    assert hazards_tile().figures[0].tone == "bad"


def test_quake_felt_in_the_city_long_ago_is_calm(bmkg):
    do_record_hazards(bmkg, [quake(ref="felt", minutes_ago=3 * 24 * 60, felt="IV Tangerang")], [])
    assert hazards_tile().figures[0].tone == ""


def test_recording_sends_the_hazards_tile_to_the_public(bmkg, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("komando.core.tiles.send_event_on_commit", sent.append)
    with django_capture_on_commit_callbacks(execute=False):
        do_record_hazards(bmkg, [quake()], [])
    assert [(event.type, event.audience) for event in sent] == [("tile.hazards", PUBLIC)]
    assert sent[0].data == hazards_tile().as_dict()
    sent.clear()
    do_record_hazards(bmkg, [quake()], [])  # nothing new: no tile
    assert sent == []


def test_the_tile_is_listed_and_visible_to_everyone(bmkg):
    do_record_hazards(bmkg, [quake()], [])
    assert tiles.TILE_SELECTORS["hazards"] is hazards_tile
    public = [tile for tile in tiles.visible_tiles(staff=False) if tile["key"] == "hazards"]
    assert len(public) == 1 and public[0]["figures"][0]["value"] == 5.4


def test_map_layer_has_last_weeks_quakes_and_warning_polygons_in_lon_lat(bmkg, over_city):
    do_record_hazards(
        bmkg,
        [quake(ref="recent", felt="III Tangerang"), quake(ref="last-month", minutes_ago=30 * 24 * 60)],
        [warning("city", over_city), warning("no-shape", None), warning("gone", FAR, hours_left=-1)],
    )
    layer = hazards_map_layer()
    assert layer["type"] == "FeatureCollection"
    kinds = [(f["properties"]["kind"], f["properties"]["name"]) for f in layer["features"]]
    assert kinds == [("earthquake", "18 km TimurLaut Pekalongan"), ("weather_warning", "Hujan Lebat dan Petir")]
    point, polygon = layer["features"]
    assert point["geometry"] == {"type": "Point", "coordinates": [109.67, -6.89]}  # [lon, lat]
    assert point["properties"]["magnitude"] == 5.4 and point["properties"]["felt_in_city"] is True
    assert point["properties"]["tone"] == "warn" and point["properties"]["source"] == "bmkg"
    assert {"id", "name", "kind", "status", "tone", "source", "observed_at"} <= set(point["properties"])
    assert polygon["geometry"]["type"] == "MultiPolygon"
    lon, lat = polygon["geometry"]["coordinates"][0][0][0]
    assert 106 < lon < 107 and -7 < lat < -6
    assert polygon["properties"]["affects_city"] is True and polygon["properties"]["tone"] == "warn"


def test_map_layer_is_empty_before_data(bmkg):
    assert hazards_map_layer() == {"type": "FeatureCollection", "features": []}
