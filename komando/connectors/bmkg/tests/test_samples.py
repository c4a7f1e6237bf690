"""Every BMKG and CAP sample in ../shared/data/samples parses with the right values."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from komando.connectors.bmkg.client import (
    merge_quakes,
    parse_cap,
    parse_earthquakes_json,
    parse_earthquakes_xml,
    parse_nowcast_rss,
)


@pytest.fixture
def bmkg(shared_data):
    return shared_data / "samples" / "bmkg"


@pytest.fixture
def cap_samples(shared_data):
    return shared_data / "samples" / "cap"


def read(folder, name) -> bytes:
    return (folder / name).read_bytes()


SIGI = {
    "source_ref": "2026-08-06T02:59:47Z -1.17,120.06",
    "occurred_at": datetime(2026, 8, 6, 2, 59, 47, tzinfo=UTC),
    "magnitude": Decimal("4.1"),
    "depth_km": Decimal("10"),
    "lat": -1.17,
    "lon": 120.06,
    "region": "Pusat gempa berada di darat 32 km Timur Laut Sigi",
    "tsunami_potential": "Gempa ini dirasakan untuk diteruskan pada masyarakat",
    "felt": "III Sigi",
    "shakemap": "20260806095947.mmi.jpg",
}


def as_dict(quake) -> dict:
    return {name: getattr(quake, name) for name in SIGI}


def test_autogempa_json_object_with_coordinates_parses(bmkg):
    [quake] = parse_earthquakes_json(read(bmkg, "bmkg_autogempa_2026-08-06_sigi.json"), "autogempa.json")
    assert as_dict(quake) == SIGI


def test_autogempa_xml_with_point_coordinates_gives_the_same_quake(bmkg):
    [quake] = parse_earthquakes_xml(read(bmkg, "bmkg_autogempa_shape.xml"), "autogempa.xml")
    assert as_dict(quake) == SIGI


def test_legacy_2021_json_with_point_coordinates_parses(bmkg):
    [quake] = parse_earthquakes_json(read(bmkg, "bmkg_autogempa_legacy_2021.json"), "autogempa.json")
    assert (quake.occurred_at, quake.lat, quake.lon) == (datetime(2021, 10, 19, 13, 3, 38, tzinfo=UTC), -3.82, 135.84)
    assert (quake.magnitude, quake.depth_km) == (Decimal("4.6"), Decimal("4"))
    assert quake.region == "Pusat gempa berada di darat 26 km baratlaut Dogiyai"
    assert (quake.felt, quake.shakemap) == ("II Nabire", "20211019200338.mmi.jpg")


def test_fixture_autogempa_json_parses(bmkg):
    [quake] = parse_earthquakes_json(read(bmkg, "dhanyyudi_fixture_autogempa.json"), "autogempa.json")
    assert quake.source_ref == "2026-02-16T06:15:30Z -6.89,109.67"
    assert (quake.magnitude, quake.depth_km, quake.region) == (Decimal("5.4"), Decimal("10"), "18 km TimurLaut Pekalongan")
    assert (quake.tsunami_potential, quake.felt) == ("Tidak berpotensi tsunami", "III Pekalongan, II Batang")


def test_gempaterkini_array_parses_every_quake(bmkg):
    quakes = parse_earthquakes_json(read(bmkg, "dhanyyudi_fixture_gempaterkini.json"), "gempaterkini.json")
    assert [(q.occurred_at, q.lat, q.lon, q.magnitude, q.depth_km) for q in quakes] == [
        (datetime(2026, 2, 16, 6, 15, 30, tzinfo=UTC), -6.89, 109.67, Decimal("5.4"), Decimal("10")),
        (datetime(2026, 2, 16, 3, 22, 15, tzinfo=UTC), -8.12, 115.45, Decimal("5.1"), Decimal("12")),
    ]
    assert quakes[1].region == "50 km BaratLaut Denpasar" and quakes[1].shakemap == "20260216102215.mmi.jpg"


def test_gempadirasakan_array_without_shakemap_parses(bmkg):
    quakes = parse_earthquakes_json(read(bmkg, "dhanyyudi_fixture_gempadirasakan.json"), "gempadirasakan.json")
    assert [(q.source_ref, q.magnitude, q.depth_km, q.felt, q.shakemap) for q in quakes] == [
        ("2026-02-16T06:15:30Z -6.89,109.67", Decimal("5.4"), Decimal("10"), "III Pekalongan, II Batang", ""),
        ("2026-02-15T01:45:00Z -7.25,110.42", Decimal("4.2"), Decimal("8"), "II Semarang", ""),
    ]


def test_the_same_quake_in_three_feeds_merges_into_one(bmkg):
    quakes = merge_quakes(
        parse_earthquakes_json(read(bmkg, "dhanyyudi_fixture_autogempa.json"), "autogempa.json")
        + parse_earthquakes_json(read(bmkg, "dhanyyudi_fixture_gempaterkini.json"), "gempaterkini.json")
        + parse_earthquakes_json(read(bmkg, "dhanyyudi_fixture_gempadirasakan.json"), "gempadirasakan.json")
    )
    assert [q.source_ref for q in quakes] == [
        "2026-02-16T06:15:30Z -6.89,109.67",
        "2026-02-16T03:22:15Z -8.12,115.45",
        "2026-02-15T01:45:00Z -7.25,110.42",
    ]
    assert quakes[0].shakemap == "20260216131530.mmi.jpg" and quakes[0].felt == "III Pekalongan, II Batang"


def test_cap_banten_parses_with_both_polygons_as_lon_lat(bmkg):
    warning = parse_cap(read(bmkg, "dhanyyudi_fixture_cap_banten.xml"), "CAP")
    assert warning.identifier == "2.49.0.1.360.0.2026.02.16.16.36.004"
    assert (warning.status, warning.msg_type) == ("Actual", "Alert")
    assert warning.sent == datetime(2026, 2, 16, 15, 50, tzinfo=UTC)
    assert warning.effective == datetime(2026, 2, 16, 16, 0, tzinfo=UTC)
    assert warning.expires == datetime(2026, 2, 16, 19, 0, tzinfo=UTC)
    assert (warning.event, warning.urgency, warning.severity, warning.certainty) == (
        "Hujan Lebat dan Petir",
        "Immediate",
        "Moderate",
        "Observed",
    )
    assert warning.headline == "Hujan Lebat disertai Petir di Banten"
    assert warning.sender_name == "Badan Meteorologi Klimatologi dan Geofisika"
    assert warning.area_desc == "Banten"
    assert "Curug Bitung" in warning.description
    assert warning.web == "https://nowcasting.bmkg.go.id/infografis/CBT/2026/02/16/infografis.jpg"
    polygons = warning.polygons
    assert polygons["type"] == "MultiPolygon" and len(polygons["coordinates"]) == 2
    first, second = polygons["coordinates"][0][0], polygons["coordinates"][1][0]
    assert (len(first), len(second)) == (14, 19)
    assert first[0] == [105.994, -5.981] == first[-1]
    assert second[1] == [106.424, -6.569]


def test_cap_jateng_parses(bmkg):
    warning = parse_cap(read(bmkg, "dhanyyudi_fixture_cap_jateng.xml"), "CAP")
    assert (warning.identifier, warning.area_desc, warning.urgency, warning.certainty) == (
        "2.49.0.1.360.0.2026.02.16.16.45.005",
        "Jawa Tengah",
        "Expected",
        "Likely",
    )
    assert warning.polygons["coordinates"] == [[[[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]]]]
    assert warning.expires == datetime(2026, 2, 16, 18, 0, tzinfo=UTC)


def test_nowcast_rss_lists_each_cap_link_and_guid(bmkg):
    items = parse_nowcast_rss(read(bmkg, "dhanyyudi_fixture_rss_active.xml"), "rss.xml")
    assert [(i.link.rsplit("/", 1)[1], i.guid) for i in items] == [
        ("CBT20260216004_alert.xml", "2.49.0.1.360.0.2026.02.16.16.36.004"),
        ("CJG20260216005_alert.xml", "2.49.0.1.360.0.2026.02.16.16.45.005"),
        ("CSU20260216005_alert.xml", "2.49.0.1.360.0.2026.02.16.16.12.005"),
    ]
    assert items[0].link.startswith("https://www.bmkg.go.id/alerts/nowcast/id/")
    assert items[2].title == "Hujan Lebat disertai Petir di Sumatera Utara"


def test_oasis_amber_alert_without_polygon_parses(cap_samples):
    warning = parse_cap(read(cap_samples, "oasis_cap12_amber_alert_example.xml"), "CAP")
    assert warning.identifier == "KAR0-0306112239-SW"
    assert warning.sent == datetime(2003, 6, 12, 5, 39, tzinfo=UTC)
    assert (warning.event, warning.severity, warning.urgency, warning.certainty) == (
        "Child Abduction",
        "Severe",
        "Immediate",
        "Likely",
    )  # the first info (en-US); no Indonesian one
    assert warning.area_desc == "Los Angeles County"
    assert warning.polygons is None and warning.expires is None
    assert warning.effective == warning.sent


def test_every_sample_file_is_covered(bmkg, cap_samples):
    """A new sample dropped into the folders must get a test here."""
    covered = {
        "bmkg_autogempa_2026-08-06_sigi.json",
        "bmkg_autogempa_legacy_2021.json",
        "bmkg_autogempa_shape.xml",
        "dhanyyudi_fixture_autogempa.json",
        "dhanyyudi_fixture_cap_banten.xml",
        "dhanyyudi_fixture_cap_jateng.xml",
        "dhanyyudi_fixture_gempadirasakan.json",
        "dhanyyudi_fixture_gempaterkini.json",
        "dhanyyudi_fixture_rss_active.xml",
        "oasis_cap12_amber_alert_example.xml",
        # not a feed of this connector: the kelurahan forecast API (prakiraan cuaca), and the XSD
        "bmkg_prakiraan_cuaca_structure_sample.json",
        "CAP-v1.2.xsd",
    }
    present = {p.name for p in bmkg.iterdir()} | {p.name for p in cap_samples.iterdir()}
    assert present <= covered, present - covered
