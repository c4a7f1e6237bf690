import pytest
from django.test import Client

from komando.regions.models import Region

pytestmark = pytest.mark.django_db


def test_regions_list_returns_kecamatan_feature_collection(reference_data):
    response = Client().get("/api/regions/?level=kecamatan")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 13
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    props = feature["properties"]
    assert props["level"] == "kecamatan"
    assert props["parent_code"] == "36.71"
    assert props["geometry_source"] == "schematic"
    assert set(props) == {"code", "name", "level", "parent_code", "area_km2", "centroid", "geometry_source"}
    lon, lat = props["centroid"]
    assert 106 < lon < 107 and -7 < lat < -6


def test_regions_list_defaults_to_kecamatan_when_level_absent(reference_data):
    body = Client().get("/api/regions/").json()
    assert {f["properties"]["level"] for f in body["features"]} == {"kecamatan"}


def test_regions_list_returns_104_kelurahan_with_parents(reference_data):
    body = Client().get("/api/regions/?level=kelurahan").json()
    assert len(body["features"]) == 104
    kecamatan_codes = set(Region.objects.filter(level="kecamatan").values_list("code", flat=True))
    assert {f["properties"]["parent_code"] for f in body["features"]} == kecamatan_codes


def test_regions_list_rejects_bad_level(reference_data):
    response = Client().get("/api/regions/?level=provinsi")
    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"] and response.json()["error"]["code"] == "invalid"


def test_region_detail_returns_one_feature(reference_data):
    response = Client().get("/api/regions/36.71.01.1001/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "36.71.01.1001"
    assert body["properties"]["name"] == "Sukarasa"
    assert body["properties"]["parent_code"] == "36.71.01"


def test_region_detail_unknown_code_is_404(reference_data):
    response = Client().get("/api/regions/99.99.99/")
    assert response.status_code == 404


def test_sources_list_has_the_city_13_applications_all_connected_and_both_outside_feeds(reference_data):
    response = Client().get("/api/sources/")
    assert response.status_code == 200
    body = response.json()
    applications = [s for s in body if s["group"] in ("e-government", "public-service")]
    assert len(applications) == 13
    assert all(s["connected"] for s in applications), [s["slug"] for s in applications if not s["connected"]]
    assert {s["slug"] for s in body if s["group"] == "external"} == {"bmkg", "lapor"}
    by_slug = {s["slug"]: s for s in body}
    assert by_slug["siak"]["status"] == "waiting" and by_slug["pendapatan"]["status"] == "waiting"
    assert by_slug["siak"]["circuit_state"] == "closed"
    assert by_slug["siak"]["stale_after_seconds"] > 0


def test_openapi_document_describes_regions_and_sources(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/regions/" in document["paths"]
    assert "/api/regions/{code}/" in document["paths"]
    assert "/api/sources/" in document["paths"]
    level = document["paths"]["/api/regions/"]["get"]["parameters"][0]
    assert level["name"] == "level" and level["schema"]["enum"] == ["kecamatan", "kelurahan"]
