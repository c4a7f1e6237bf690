"""Broken or hostile feeds are rejected with a message naming the feed and the problem."""

import json

import pytest

from komando.connectors.bmkg.client import (
    parse_cap,
    parse_earthquakes_json,
    parse_earthquakes_xml,
    parse_nowcast_rss,
)
from komando.sources.framework import SourceDataInvalid

QUAKE = {
    "Tanggal": "06 Agu 2026",
    "Jam": "09:59:47 WIB",
    "DateTime": "2026-08-06T02:59:47+00:00",
    "Coordinates": "-1.17,120.06",
    "Lintang": "1.17 LS",
    "Bujur": "120.06 BT",
    "Magnitude": "4.1",
    "Kedalaman": "10 km",
    "Wilayah": "Pusat gempa berada di darat 32 km Timur Laut Sigi",
}

CAP = """<?xml version="1.0"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>X-1</identifier><sender>cuaca.ekstrem@bmkg.go.id</sender><sent>2026-02-16T22:50:00+07:00</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>id</language><category>Met</category><event>Hujan Lebat</event><urgency>Immediate</urgency>
    <severity>Moderate</severity><certainty>Observed</certainty>
    <area><areaDesc>Banten</areaDesc><polygon>-6.1,106.6 -6.1,106.7 -6.2,106.7 -6.1,106.6</polygon></area>
  </info>
</alert>"""


def quake_json(**changes) -> bytes:
    record = {**QUAKE, **changes}
    return json.dumps({"Infogempa": {"gempa": {k: v for k, v in record.items() if v is not None}}}).encode()


def rejected(parse, body, feed="BMKG feed") -> str:
    with pytest.raises(SourceDataInvalid) as error:
        parse(body, feed)
    return str(error.value)


def test_valid_quake_and_cap_templates_parse():
    assert str(parse_earthquakes_json(quake_json(), "f")[0].magnitude) == "4.1"
    assert parse_cap(CAP.encode(), "f").polygons["coordinates"][0][0][0] == [106.6, -6.1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("Magnitude", "4,1", "Magnitude '4,1' is not a number"),
        ("Magnitude", "M 4.1", "Magnitude 'M 4.1' is not a number"),
        ("Magnitude", "", "Magnitude is empty"),
        ("Magnitude", 4.1, "Magnitude must be a string"),
        ("Magnitude", "12.0", "Magnitude 12.0 is outside 0–10"),
        ("Kedalaman", "10", "Kedalaman '10' is not a depth like '10 km'"),
        ("Kedalaman", "sepuluh km", "is not a depth"),
        ("Kedalaman", None, "Kedalaman is missing"),
        ("Coordinates", "-1.17;120.06", "are not 'lat,lon'"),
        ("Coordinates", "-91.0,120.06", "out of range"),
        ("Lintang", "1.17 XX", "Lintang '1.17 XX' is not like '1.17 LS'"),
        ("DateTime", "kemarin", "DateTime 'kemarin' is not an ISO 8601 time"),
        ("DateTime", "2026-08-06T02:59:47", "has no UTC offset"),
        ("Wilayah", None, "Wilayah is missing"),
    ],
)
def test_bad_quake_values_are_rejected_naming_the_field(field, value, message):
    error = rejected(parse_earthquakes_json, quake_json(**{field: value}), "BMKG autogempa.json")
    assert error.startswith("BMKG autogempa.json")
    assert message in error


def test_quake_time_falls_back_to_tanggal_and_jam_in_local_time():
    [quake] = parse_earthquakes_json(quake_json(DateTime=None), "f")
    assert quake.occurred_at.isoformat() == "2026-08-06T02:59:47+00:00"
    assert "is not a date like" in rejected(parse_earthquakes_json, quake_json(DateTime=None, Jam="09.59 WIB"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"Infogempa": {"gempa": ', "malformed JSON"),
        (b"[]", "expected a JSON object, got list"),
        (b'{"data": 1}', "no Infogempa object"),
        (b'{"Infogempa": {"gempa": "x"}}', "gempa must be an object or an array, got str"),
        (b'{"Infogempa": {"gempa": [1]}}', "a gempa must be an object, got int"),
    ],
)
def test_malformed_quake_json_is_rejected(body, message):
    assert message in rejected(parse_earthquakes_json, body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<Infogempa><gempa><Magnitude>4.1</Magnitude>", "malformed XML"),
        (b"not xml at all", "malformed XML"),
        (b"", "malformed XML"),
        (b"<Gempa><gempa/></Gempa>", "root element is <Gempa>, expected <Infogempa>"),
        (b"<Infogempa></Infogempa>", "Infogempa has no gempa"),
    ],
)
def test_broken_quake_xml_is_rejected(body, message):
    error = rejected(parse_earthquakes_xml, body, "BMKG autogempa.xml")
    assert error.startswith("BMKG autogempa.xml: ") and message in error


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Infogempa><gempa><Wilayah>&lol2;</Wilayah></gempa></Infogempa>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><link>&secret;</link></item></channel></rss>"""


def test_entity_declarations_are_refused_not_expanded():
    assert "forbidden XML construct" in rejected(parse_earthquakes_xml, BILLION_LAUGHS)
    assert "forbidden XML construct" in rejected(parse_nowcast_rss, EXTERNAL_ENTITY)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("<identifier>X-1</identifier>", ""), "required CAP element <identifier> is missing"),
        (("<sender>cuaca.ekstrem@bmkg.go.id</sender>", ""), "required CAP element <sender> is missing"),
        (("<status>Actual</status>", "<status>Real</status>"), "<status> 'Real' is not one of"),
        (("<scope>Public</scope>", ""), "required CAP element <scope> is missing"),
        (("2026-02-16T22:50:00+07:00", "2026-02-16T15:50:00Z"), "<sent> '2026-02-16T15:50:00Z' is not a CAP time"),
        (("<event>Hujan Lebat</event>", ""), "required CAP element <event> is missing"),
        (("<severity>Moderate</severity>", "<severity>Big</severity>"), "<severity> 'Big' is not one of"),
        (("<category>Met</category>", ""), "<category> is missing"),
        (("<areaDesc>Banten</areaDesc>", ""), "required CAP element <areaDesc> is missing"),
        (
            ("-6.1,106.6 -6.1,106.7 -6.2,106.7 -6.1,106.6", "-6.1,106.6 -6.1,106.7 -6.2,106.7 -6.3,106.6"),
            "a polygon must end where it starts",
        ),
        (("-6.1,106.6 -6.1,106.7 -6.2,106.7 -6.1,106.6", "-6.1,106.6 -6.1,106.6"), "at least 4 points"),
        (("-6.1,106.6 -6.1,106.7", "-6.1;106.6 -6.1,106.7"), "are not 'lat,lon'"),
        (("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1"), "expected <alert> in namespace"),
        (("</alert>", ""), "malformed XML"),
    ],
)
def test_bad_cap_is_rejected_naming_the_problem(change, message):
    error = rejected(parse_cap, CAP.replace(*change).encode(), "BMKG CAP CBT20260216004_alert.xml")
    assert error.startswith("BMKG CAP CBT20260216004_alert.xml")
    assert message in error


def test_cap_without_info_is_rejected():
    body = CAP[: CAP.index("<info>")] + "</alert>"
    assert "the alert has no <info>" in rejected(parse_cap, body.encode())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<feed/>", "root element is <feed>, expected <rss>"),
        (b"<rss/>", "rss has no channel"),
        (b"<rss><channel><item><title>x</title></item></channel></rss>", "item 1 has no link"),
        (b"<rss><channel><item><link>file:///etc/passwd</link></item></channel></rss>", "not an http(s) URL"),
    ],
)
def test_bad_rss_is_rejected(body, message):
    assert message in rejected(parse_nowcast_rss, body, "BMKG nowcast rss.xml")
