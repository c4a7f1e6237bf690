"""The pure parts: API key settings, the city's service definitions file, XML text and W3C dates."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lxml import etree

from komando.incidents.open311 import config
from komando.incidents.open311.render import to_xml
from komando.incidents.open311.services import DEFINITIONS_FILE, clean_definitions
from komando.incidents.open311.validation import Open311Error, parse_w3c


def test_api_keys_are_name_key_pairs_and_short_keys_are_ignored():
    assert config.parse_api_keys("fixmystreet=abcdefgh12, laksa = 0123456789 ,bad=short,=nameless123") == {
        "abcdefgh12": "fixmystreet",
        "0123456789": "laksa",
    }
    assert config.parse_api_keys({"app": "k" * 20}) == {"k" * 20: "app"}
    assert config.parse_api_keys("") == {}


def test_a_key_is_matched_to_its_client(settings):
    settings.KOMANDO_OPEN311_API_KEYS = "fixmystreet=abcdefgh12,laksa=0123456789"
    assert config.client_for_key("0123456789") == "laksa"
    assert config.client_for_key("0123456789 ") is None
    assert config.client_for_key("") is None and config.client_for_key(None) is None


def test_the_city_service_definitions_are_valid():
    data = json.loads((settings.KOMANDO_CITY_DIR / DEFINITIONS_FILE).read_text(encoding="utf-8"))
    cleaned = clean_definitions(data)
    assert [a["code"] for a in cleaned["GENANGAN"]] == ["TINGGI_AIR", "KODE_KELURAHAN"]


@pytest.mark.parametrize(
    ("attribute", "problem"),
    [
        ({"code": "X", "datatype": "colour", "order": 1, "description": "d"}, "datatype"),
        ({"code": "bad code", "datatype": "string", "order": 1, "description": "d"}, "code"),
        ({"code": "X", "datatype": "singlevaluelist", "order": 1, "description": "d"}, "values"),
        ({"code": "X", "datatype": "string", "order": 0, "description": "d"}, "order"),
        ({"code": "X", "datatype": "string", "order": 1, "description": ""}, "description"),
        ({"code": "X", "datatype": "string", "order": 1, "description": "d", "required": "yes"}, "required"),
    ],
)
def test_a_bad_service_definition_is_refused_with_its_problem(attribute, problem):
    with pytest.raises(ImproperlyConfigured, match=problem):
        clean_definitions({"services": {"SAMPAH": {"attributes": [attribute]}}})


def test_xml_text_is_escaped_and_control_characters_dropped():
    body = to_xml("services", [{"service_name": "A & B <c> \x01\x1f", "metadata": False, "group": None}])
    tree = etree.fromstring(body)
    assert tree.findtext("service/service_name") == "A & B <c> "
    assert tree.findtext("service/metadata") == "false" and tree.find("service/group").text is None
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025-03-10T08:15:00+07:00", "2025-03-10T01:15:00+00:00"),
        ("2025-03-10T01:15:00Z", "2025-03-10T01:15:00+00:00"),
        ("2025-03-10T08:15:00.250+07:00", "2025-03-10T01:15:00.250000+00:00"),
        ("2025-03-10", "2025-03-09T17:00:00+00:00"),
    ],
)
def test_w3c_dates_are_read_with_their_offset(raw, iso):
    from datetime import UTC

    assert parse_w3c(raw, "start_date").astimezone(UTC).isoformat() == iso


@pytest.mark.parametrize("raw", ["", "10/03/2025", "2025-03-10T08:15", "2025-02-30", "now", "2025-03-10T25:00:00Z"])
def test_malformed_w3c_dates_are_refused(raw):
    with pytest.raises(Open311Error) as error:
        parse_w3c(raw, "start_date")
    assert error.value.status == 400
