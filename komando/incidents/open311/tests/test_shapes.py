"""Every Open311 endpoint, in XML and JSON, against the shapes of the spec's samples and of the
Tangerang demo payloads (element names and their order; ids and codes as strings)."""

from __future__ import annotations

import json

import pytest

from komando.incidents.models import IncidentReport
from komando.incidents.open311.tests.conftest import (
    BASE,
    SUKARASA,
    json_of,
    json_shape,
    sample_json,
    sample_text,
    sample_xml,
    xml_of,
    xml_shape,
)

DEMO_POST = "tangerang_demo_post_request.txt"


def demo_post_body(samples, api_key) -> str:
    """The demo POST body, byte for byte, with our test key in place of DEMOKEY."""
    body = sample_text(samples / DEMO_POST).split("\n\n", 1)[1].strip()
    return body.replace("api_key=DEMOKEY", f"api_key={api_key}")


def post_demo(open311, samples, api_key, fmt="xml"):
    return open311.post(
        f"{BASE}/requests.{fmt}",
        demo_post_body(samples, api_key),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )


def test_discovery_has_the_spec_shape_in_xml_and_json(open311, samples):
    xml = xml_of(open311.get(f"{BASE}/discovery.xml"))
    assert xml_shape(xml) == xml_shape(sample_xml(samples / "spec_discovery.xml"))
    data = json_of(open311.get(f"{BASE}/discovery.json"))
    assert json_shape(data) == json_shape(sample_json(samples / "spec_discovery.json"))
    endpoint = data["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert xml.findtext("endpoints/endpoint/url") == endpoint["url"]


def test_service_list_has_the_spec_shape_and_string_codes(open311, samples):
    xml = xml_of(open311.get(f"{BASE}/services.xml"))
    assert xml_shape(xml) == xml_shape(sample_xml(samples / "spec_xml-service-list.xml"))
    data = json_of(open311.get(f"{BASE}/services.json"))
    assert json_shape(data) == json_shape(sample_json(samples / "spec_json-service-list.json"))
    assert json_shape(data) == json_shape(json.loads(sample_text(samples / "tangerang_demo_services.json")))
    by_code = {row["service_code"]: row for row in data}
    assert all(isinstance(code, str) for code in by_code)
    assert {"JLN-RUSAK", "PJU-MATI", "SAMPAH", "POHON-TUMBANG", "GENANGAN"} <= set(by_code)
    assert by_code["GENANGAN"]["metadata"] is True and by_code["SAMPAH"]["metadata"] is False
    assert by_code["SAMPAH"]["group"] == "Kebersihan dan lingkungan hidup"
    assert {row["type"] for row in data} == {"realtime"}
    assert [element.findtext("service_code") for element in xml] == [row["service_code"] for row in data]
    assert xml.find("service[service_code='GENANGAN']/metadata").text == "true"


def test_service_definition_is_the_demo_definition_of_genangan(open311, samples):
    data = json_of(open311.get(f"{BASE}/services/GENANGAN.json"))
    assert data == json.loads(sample_text(samples / "tangerang_demo_service_definition_GENANGAN.json"))
    assert json_shape(data) == json_shape(sample_json(samples / "spec_json-service-definition.json"))
    xml = xml_of(open311.get(f"{BASE}/services/GENANGAN.xml"))
    assert xml_shape(xml) == xml_shape(sample_xml(samples / "spec_xml-service-definition.xml"))
    assert [value.text for value in xml.iterfind("attributes/attribute/values/value/name")] == ["< 10 cm", "10-30 cm", "> 30 cm"]
    assert b"&lt; 10 cm" in open311.get(f"{BASE}/services/GENANGAN.xml").content


def test_service_without_attributes_has_an_empty_attribute_list(open311):
    assert json_of(open311.get(f"{BASE}/services/SAMPAH.json")) == {"service_code": "SAMPAH", "attributes": []}
    xml = xml_of(open311.get(f"{BASE}/services/SAMPAH.xml"))
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "SAMPAH"
    assert xml.find("attributes") is not None and len(xml.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_demo_post_creates_a_request_with_the_spec_answer(open311, samples, api_key, fmt):
    response = post_demo(open311, samples, api_key, fmt)
    assert response.status_code == 201
    report = IncidentReport.objects.select_related("incident").get()
    assert report.channel == "open311"
    assert report.attributes == {"TINGGI_AIR": "10-30", "KODE_KELURAHAN": "36.71.05.1001"}
    assert report.contact_name == "Budi Santoso" and report.media_url == "https://example.invalid/photo.jpg"
    assert report.address == "Jl. Contoh, Cipondoh, Kota Tangerang, Banten 15148"
    assert report.incident.category.code == "GENANGAN"
    if fmt == "xml":
        xml = xml_of(response)
        assert xml_shape(xml) == xml_shape(sample_xml(samples / "spec_xml-service-request-post.xml"))
        assert xml.findtext("request/service_request_id") == report.incident.ticket
    else:
        data = json_of(response)
        assert json_shape(data) == json_shape(sample_json(samples / "spec_json-service-request-post.json"))
        assert json_shape(data) == json_shape(json.loads(sample_text(samples / "tangerang_demo_post_response.json")))
        assert data[0]["service_request_id"] == report.incident.ticket and data[0]["account_id"] is None


def test_a_json_body_is_taken_too(open311, api_key):
    body = {
        "api_key": api_key,
        "service_code": "GENANGAN",
        "lat": SUKARASA[0],
        "long": SUKARASA[1],
        "description": "Air setinggi mata kaki",
        "attribute": {"TINGGI_AIR": "LT10"},
    }
    response = open311.post(f"{BASE}/requests.json", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    ticket = json_of(response)[0]["service_request_id"]
    report = IncidentReport.objects.get()
    assert report.incident.ticket == ticket and report.attributes == {"TINGGI_AIR": "LT10"}
    assert (report.lat, report.lon) == SUKARASA


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_requests_have_the_spec_shape(open311, samples, api_key, fmt, report):
    post_demo(open311, samples, api_key)
    report("SAMPAH")
    if fmt == "xml":
        xml = xml_of(open311.get(f"{BASE}/requests.xml"))
        assert xml_shape(xml) == xml_shape(sample_xml(samples / "spec_xml-service-requests.xml"))
        assert len(xml) == 2
        one = xml_of(open311.get(f"{BASE}/requests/{xml.findtext('request/service_request_id')}.xml"))
        assert xml_shape(one) == xml_shape(sample_xml(samples / "spec_xml-service-request.xml"))
    else:
        data = json_of(open311.get(f"{BASE}/requests.json"))
        assert json_shape(data) == json_shape(sample_json(samples / "spec_json-service-requests.json"))
        assert json_shape(data) == json_shape(json.loads(sample_text(samples / "tangerang_demo_requests.json")))
        genangan = next(row for row in data if row["service_code"] == "GENANGAN")
        one = json_of(open311.get(f"{BASE}/requests/{genangan['service_request_id']}.json"))
        assert json_shape(one) == json_shape(sample_json(samples / "spec_json-service-request.json"))
        assert one == [genangan]
        assert genangan["status"] == "open" and genangan["zipcode"] == "15148"
        assert genangan["agency_responsible"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
        assert genangan["media_url"] == "https://example.invalid/photo.jpg"
        assert (genangan["lat"], genangan["long"]) == (-6.1862, 106.683)
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert genangan[name].endswith("+07:00") and len(genangan[name]) == 25
        assert isinstance(genangan["service_request_id"], str) and isinstance(genangan["service_code"], str)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_token_answers_with_the_request_id(open311, samples, api_key, fmt):
    response = open311.post(
        f"{BASE}/requests.xml",
        demo_post_body(samples, api_key),
        content_type="application/x-www-form-urlencoded",
        HTTP_IDEMPOTENCY_KEY="fms-report-77",
    )
    ticket = xml_of(response).findtext("request/service_request_id")
    answer = open311.get(f"{BASE}/tokens/fixmystreet:fms-report-77.{fmt}")
    assert answer.status_code == 200
    if fmt == "xml":
        xml = xml_of(answer)
        assert xml_shape(xml) == xml_shape(sample_xml(samples / "spec_xml-request-from-token.xml"))
        assert xml.findtext("request/service_request_id") == ticket
    else:
        data = json_of(answer)
        assert json_shape(data) == json_shape(sample_json(samples / "spec_json-request-from-token.json"))
        assert data == [{"service_request_id": ticket, "token": "fixmystreet:fms-report-77"}]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_errors_have_the_spec_shape(open311, samples, fmt):
    response = open311.post(f"{BASE}/requests.{fmt}", {"api_key": "wrong-key-123", "service_code": "SAMPAH"})
    assert response.status_code == 403
    if fmt == "xml":
        assert xml_shape(xml_of(response)) == xml_shape(sample_xml(samples / "spec_xml-errors.xml"))
        assert xml_of(response).findtext("error/code") == "403"
    else:
        data = json_of(response)
        assert json_shape(data) == json_shape(sample_json(samples / "spec_json-errors.json"))
        assert json_shape(data) == json_shape(json.loads(sample_text(samples / "tangerang_demo_error_404.json")))
        assert data[0]["code"] == 403 and "api_key" in data[0]["description"]
