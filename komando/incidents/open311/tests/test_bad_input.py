"""Bad input to every Open311 endpoint: a clear error in the GeoReport format and the requested
format, the right HTTP status (400 bad input, 403 bad key, 404 unknown), never a 500, and nothing
stored."""

from __future__ import annotations

import json

import pytest

from komando.incidents.models import Incident, IncidentReport, TimelineEntry
from komando.incidents.open311.tests.conftest import API_KEY, BASE, MONAS, SUKARASA, json_of, xml_of

GOOD = {
    "api_key": API_KEY,
    "service_code": "SAMPAH",
    "lat": str(SUKARASA[0]),
    "long": str(SUKARASA[1]),
    "description": "Sampah menumpuk di pinggir jalan",
}


def stored() -> tuple[int, int, int]:
    return Incident.objects.count(), IncidentReport.objects.count(), TimelineEntry.objects.count()


def error_of(response, fmt: str) -> tuple[int, str]:
    if fmt == "xml":
        xml = xml_of(response)
        assert xml.tag == "errors" and [child.tag for child in xml[0]] == ["code", "description"]
        return int(xml.findtext("error/code")), xml.findtext("error/description")
    data = json_of(response)
    assert isinstance(data, list) and list(data[0]) == ["code", "description"]
    return data[0]["code"], data[0]["description"]


def without(name):
    return {key: value for key, value in GOOD.items() if key != name}


BAD_POSTS = [
    ("no api_key", without("api_key"), 403, "api_key"),
    ("wrong api_key", {**GOOD, "api_key": "not-the-key-at-all"}, 403, "api_key"),
    ("no service_code", without("service_code"), 400, "service_code"),
    ("unknown service_code", {**GOOD, "service_code": "NO-SUCH-SERVICE"}, 404, "NO-SUCH-SERVICE"),
    ("no location", without("lat") | {"long": ""}, 400, "location"),
    ("lat without long", without("long"), 400, "lat and long"),
    ("non-numeric lat", {**GOOD, "lat": "minus six"}, 400, "lat"),
    ("lat out of range", {**GOOD, "lat": "-96.2"}, 400, "lat"),
    ("infinite long", {**GOOD, "long": "inf"}, 400, "long"),
    ("outside the city", {**GOOD, "lat": str(MONAS[0]), "long": str(MONAS[1])}, 400, "outside"),
    ("oversized description", {**GOOD, "description": "x" * 4001}, 400, "4000"),
    ("html in description", {**GOOD, "description": "<script>alert(1)</script>"}, 400, "HTML"),
    ("control characters", {**GOOD, "description": "ada\x00nul"}, 400, "control"),
    ("bad email", {**GOOD, "email": "budi-at-example"}, 400, "email"),
    ("bad phone", {**GOOD, "phone": "call me"}, 400, "phone"),
    ("bad media_url", {**GOOD, "media_url": "javascript:alert(1)"}, 400, "URL"),
    ("address_id only", without("lat") | {"long": "", "address_id": "545483"}, 400, "address_id"),
    ("unplaceable address", without("lat") | {"long": "", "address_string": "Jl. Entah di mana"}, 400, "address"),
    ("wrong jurisdiction", {**GOOD, "jurisdiction_id": "jakarta.go.id"}, 404, "jurisdiction_id"),
    ("required attribute missing", {**GOOD, "service_code": "GENANGAN"}, 400, "TINGGI_AIR"),
    ("attribute value not offered", {**GOOD, "service_code": "GENANGAN", "attribute[TINGGI_AIR]": "5m"}, 400, "TINGGI_AIR"),
    (
        "attribute not a number",
        {**GOOD, "service_code": "BANJIR", "attribute[TINGGI_AIR]": "LT30", "attribute[WARGA_TERDAMPAK]": "banyak"},
        400,
        "WARGA_TERDAMPAK",
    ),
    (
        "two values for a single-value list",
        {**GOOD, "service_code": "GENANGAN", "attribute[TINGGI_AIR]": ["LT10", "GT30"]},
        400,
        "one value",
    ),
    ("name too long", {**GOOD, "first_name": "B" * 61}, 400, "first_name"),
]


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(("case", "fields", "status", "mentions"), BAD_POSTS, ids=[case[0] for case in BAD_POSTS])
def test_bad_form_post_is_refused_and_stores_nothing(open311, fmt, case, fields, status, mentions):
    before = stored()
    response = open311.post(f"{BASE}/requests.{fmt}", fields)
    assert response.status_code == status, response.content
    code, description = error_of(response, fmt)
    assert code == status and mentions.lower() in description.lower()
    assert stored() == before


BAD_JSON = [
    ("not JSON", "{service_code: SAMPAH", 400, "JSON"),
    ("a JSON array", json.dumps([GOOD]), 400, "object"),
    ("lat as a list", json.dumps({**GOOD, "lat": [SUKARASA[0]], "long": SUKARASA[1]}), 400, "lat"),
    ("lat as true", json.dumps({**GOOD, "lat": True}), 400, "lat"),
    ("attribute as a list", json.dumps({**GOOD, "attribute": ["x"]}), 400, "attribute"),
    ("description as an object", json.dumps({**GOOD, "description": {"text": "x"}}), 400, "description"),
    ("not UTF-8", b'{"service_code": "\xff"}', 400, "JSON"),
]


@pytest.mark.parametrize(("case", "body", "status", "mentions"), BAD_JSON, ids=[case[0] for case in BAD_JSON])
def test_bad_json_post_is_refused_and_stores_nothing(open311, case, body, status, mentions):
    before = stored()
    response = open311.post(f"{BASE}/requests.json", body, content_type="application/json")
    assert response.status_code == status, response.content
    code, description = error_of(response, "json")
    assert code == status and mentions.lower() in description.lower()
    assert stored() == before


def test_an_unknown_body_type_is_refused(open311):
    response = open311.post(f"{BASE}/requests.xml", "<request/>", content_type="text/xml")
    assert response.status_code == 400 and "x-www-form-urlencoded" in error_of(response, "xml")[1]
    assert stored() == (0, 0, 0)


def test_without_any_configured_key_every_post_is_refused(open311, settings):
    settings.KOMANDO_OPEN311_API_KEYS = ""
    response = open311.post(f"{BASE}/requests.json", GOOD)
    assert response.status_code == 403 and stored() == (0, 0, 0)


def test_a_short_configured_key_is_ignored(open311, settings):
    settings.KOMANDO_OPEN311_API_KEYS = "lazy=abc"
    assert open311.post(f"{BASE}/requests.json", {**GOOD, "api_key": "abc"}).status_code == 403


BAD_GETS = [
    ("requests.json?start_date=yesterday", 400, "start_date"),
    ("requests.json?start_date=2025-13-01", 400, "start_date"),
    ("requests.json?end_date=2025-03-10T08:15:00", 400, "time zone"),
    ("requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", 400, "90 days"),
    ("requests.json?start_date=2025-06-01T00:00:00Z&end_date=2025-01-01T00:00:00Z", 400, "after"),
    ("requests.json?status=pending", 400, "status"),
    ("requests.json?service_code=NO-SUCH-SERVICE", 404, "NO-SUCH-SERVICE"),
    ("requests.json?service_request_id=", 400, "service_request_id"),
    ("requests.json?jurisdiction_id=jakarta.go.id", 404, "jurisdiction_id"),
    ("requests/TNG-0000-99999.json", 404, "TNG-0000-99999"),
    ("services/NO-SUCH-SERVICE.json", 404, "NO-SUCH-SERVICE"),
    ("tokens/no-such-token.json", 404, "token"),
    ("services.json?jurisdiction_id=jakarta.go.id", 404, "jurisdiction_id"),
    ("discovery.json?jurisdiction_id=jakarta.go.id", 404, "jurisdiction_id"),
    ("nothing-here.json", 404, "nothing-here"),
]


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(("path", "status", "mentions"), BAD_GETS, ids=[case[0] for case in BAD_GETS])
def test_bad_get_is_answered_with_a_georeport_error(open311, fmt, path, status, mentions):
    path = path.replace(".json", f".{fmt}", 1)
    response = open311.get(f"{BASE}/{path}")
    assert response.status_code == status, response.content
    code, description = error_of(response, fmt)
    assert code == status and mentions.lower() in description.lower()


@pytest.mark.parametrize("path", ["services.yaml", "requests.html", "requests/TNG-2611-00001.csv", "discovery"])
def test_an_unknown_format_is_a_404_in_xml(open311, path):
    response = open311.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert error_of(response, "xml")[0] == 404


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_wrong_method_is_a_405_in_the_requested_format(open311, fmt):
    response = open311.delete(f"{BASE}/requests.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert error_of(response, fmt)[0] == 405
    assert open311.post(f"{BASE}/services.{fmt}", GOOD).status_code == 405
    assert stored() == (0, 0, 0)


def test_an_oversized_body_is_a_400(open311, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = open311.post(f"{BASE}/requests.xml", {**GOOD, "description": "x" * 2000})
    assert response.status_code == 400 and "too large" in error_of(response, "xml")[1]
    assert stored() == (0, 0, 0)


def test_errors_speak_the_installation_language_by_default(open311, settings):
    del open311.cookies[settings.LANGUAGE_COOKIE_NAME]
    response = open311.post(f"{BASE}/requests.json", {**GOOD, "lat": str(MONAS[0]), "long": str(MONAS[1])})
    assert response.status_code == 400 and "di luar Kota Tangerang" in error_of(response, "json")[1]
