import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import shape

from komando.agencies.models import Agency
from komando.regions.models import GeometrySource, Region, RegionLevel
from komando.sources.models import Source

pytestmark = pytest.mark.django_db


def test_reference_data_has_the_city_13_kecamatan_and_104_kelurahan(reference_data):
    city = Region.objects.get(level=RegionLevel.KOTA)
    assert (city.code, city.name) == ("36.71", "Kota Tangerang")
    assert Region.objects.filter(level=RegionLevel.KECAMATAN, parent=city).count() == 13
    assert Region.objects.filter(level=RegionLevel.KELURAHAN).count() == 104


def test_region_codes_are_unique_and_hierarchical(reference_data):
    codes = list(Region.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    for kelurahan in Region.objects.filter(level=RegionLevel.KELURAHAN).select_related("parent"):
        assert kelurahan.parent.level == RegionLevel.KECAMATAN
        assert kelurahan.code.startswith(kelurahan.parent.code + ".")
        assert re.fullmatch(r"36\.71\.\d{2}\.1\d{3}", kelurahan.code)  # 1xxx = kelurahan, not desa
    for kecamatan in Region.objects.filter(level=RegionLevel.KECAMATAN):
        assert re.fullmatch(r"36\.71\.\d{2}", kecamatan.code)


def test_kecamatan_membership_matches_the_kemendagri_list(reference_data):
    counts = {r.name: r.children.count() for r in Region.objects.filter(level=RegionLevel.KECAMATAN)}
    assert counts["Karawaci"] == 16
    assert counts["Pinang"] == 11
    assert counts["Benda"] == 5
    assert sum(counts.values()) == 104
    # "Jatiuwung" is both a kecamatan (36.71.02) and a kelurahan of Cibodas (36.71.09.1006).
    assert Region.objects.get(code="36.71.09.1006").name == "Jatiuwung"


def test_loading_reference_data_twice_changes_nothing(reference_data):
    before = Region.objects.count(), Agency.objects.count(), Source.objects.count()
    call_command("load_reference_data")
    assert (Region.objects.count(), Agency.objects.count(), Source.objects.count()) == before


def test_every_region_below_the_city_has_a_valid_schematic_shape(reference_data):
    for region in Region.objects.exclude(level=RegionLevel.KOTA):
        assert region.geometry_source == GeometrySource.SCHEMATIC
        geometry = shape(region.geometry)
        assert geometry.is_valid and not geometry.is_empty
        assert geometry.geom_type in ("Polygon", "MultiPolygon")
    # a kelurahan's centroid lies in its own schematic cell
    for kelurahan in Region.objects.filter(level=RegionLevel.KELURAHAN)[:30]:
        from shapely.geometry import Point

        assert shape(kelurahan.geometry).buffer(1e-6).contains(Point(kelurahan.centroid_lon, kelurahan.centroid_lat))


def test_opds_and_the_13_applications_are_registered(reference_data):
    for short in [
        "Dishub",
        "DLH",
        "Satpol PP",
        "Dinkes",
        "Dinas PUPR",
        "BPBD",
        "Disdukcapil",
        "Diskominfo",
        "Bappeda",
        "BPKAD",
        "Bapenda",
        "DPMPTSP",
    ]:
        assert Agency.objects.filter(short_name=short).exists(), short
    assert Source.objects.exclude(group="external").count() == 13
    connected = set(Source.objects.exclude(connector="").values_list("slug", flat=True))
    assert connected >= {"siak", "epuskesmas", "atcs", "emonev", "bmkg"}
    assert Source.objects.get(slug="emonev").access_level == "restricted"


@pytest.mark.needs_shared
def test_import_boundaries_replaces_schematic_shapes_with_official_ones(reference_data, shared_data):
    call_command("import_boundaries", str(shared_data / "kota_tangerang_kecamatan.geojson"))
    call_command("import_boundaries", str(shared_data / "kota_tangerang_kelurahan.geojson"))
    assert not Region.objects.exclude(level=RegionLevel.KOTA).exclude(geometry_source=GeometrySource.OFFICIAL).exists()
    official = json.loads((shared_data / "kota_tangerang_kecamatan.geojson").read_text())
    cipondoh = next(f for f in official["features"] if f["properties"]["kode"] == "36.71.05")
    assert Region.objects.get(code="36.71.05").geometry == cipondoh["geometry"]
    # re-drawing schematic shapes for missing ones keeps the official ones
    call_command("load_reference_data")
    assert Region.objects.get(code="36.71.05").geometry_source == GeometrySource.OFFICIAL


def _write(tmp_path, data) -> str:
    path = tmp_path / "boundaries.geojson"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "cannot read"),
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "no features"),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kode": "36.71.99"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[106.6, -6.2], [106.7, -6.2], [106.7, -6.1], [106.6, -6.2]]],
                        },
                    }
                ],
            },
            "unknown region code 36.71.99",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kode": "36.71.05"},
                        "geometry": {"type": "Point", "coordinates": [106.6, -6.2]},
                    }
                ],
            },
            "Polygon",
        ),
        ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": None}]}, "no region code"),
    ],
)
def test_import_boundaries_rejects_bad_files_and_changes_nothing(reference_data, tmp_path, content, message):
    before = {r.code: (r.geometry, r.geometry_source) for r in Region.objects.all()}
    with pytest.raises(CommandError, match=message):
        call_command("import_boundaries", _write(tmp_path, content))
    assert {r.code: (r.geometry, r.geometry_source) for r in Region.objects.all()} == before


def test_import_boundaries_is_all_or_nothing(reference_data, tmp_path):
    good = {
        "type": "Feature",
        "properties": {"kode": "36.71.05"},
        "geometry": {"type": "Polygon", "coordinates": [[[106.6, -6.2], [106.7, -6.2], [106.7, -6.1], [106.6, -6.2]]]},
    }
    bad = {"type": "Feature", "properties": {"kode": "99.99"}, "geometry": good["geometry"]}
    with pytest.raises(CommandError):
        call_command("import_boundaries", _write(tmp_path, {"type": "FeatureCollection", "features": [good, bad]}))
    assert Region.objects.get(code="36.71.05").geometry_source == GeometrySource.SCHEMATIC


def test_import_boundaries_accepts_undotted_codes(reference_data, tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"kode": "3671051001"},
        "geometry": {"type": "Polygon", "coordinates": [[[106.6, -6.2], [106.7, -6.2], [106.7, -6.1], [106.6, -6.2]]]},
    }
    call_command("import_boundaries", _write(tmp_path, {"type": "FeatureCollection", "features": [feature]}))
    assert Region.objects.get(code="36.71.05.1001").geometry_source == GeometrySource.OFFICIAL
