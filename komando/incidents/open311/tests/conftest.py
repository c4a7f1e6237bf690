"""Fixtures of the Open311 tests: the incident fixtures (city, categories, playbooks, a way to
report), an API key for the client, and helpers to read answers and spec samples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from komando.incidents.tests.conftest import (  # noqa: F401  (fixtures shared with the incidents tests)
    CIPONDOH_INDAH,
    MONAS,
    SUKARASA,
    bring_to,
    incident_data,
    operator,
    reference_data,
    report,
)

API_KEY = "fms-test-key-7c1d2e"
SAMPLES = Path(settings.PROJECT_DIR).parent / "shared" / "data" / "samples" / "open311"
BASE = "/open311/v2"


@pytest.fixture
def api_key(settings):
    settings.KOMANDO_OPEN311_API_KEYS = f"fixmystreet={API_KEY},laksa=another-key-123456"
    return API_KEY


@pytest.fixture
def open311(incident_data, api_key, client):  # noqa: F811 (the fixture imported above)
    """A Django test client against the endpoint with the city loaded and a key configured. It asks for
    English (the language cookie) so that tests can read error texts whatever the translation says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"{SAMPLES} is absent: the Open311 spec samples are not available")
    return SAMPLES


def sample_text(path: Path) -> str:
    """A sample file without its leading ``HTTP/1.1 …`` status line."""
    text = path.read_text(encoding="utf-8").strip()
    return re.sub(r"^HTTP/1\.1 [^\n]*\n", "", text).strip()


def sample_json(path: Path):
    """A spec JSON sample; its numbers with leading zeros (``"service_code":001``, invalid JSON) as strings."""
    return json.loads(re.sub(r'(":\s*)(0\d+)(\s*[,}\n])', r'\1"\2"\3', sample_text(path)))


def sample_xml(path: Path):
    return etree.fromstring(sample_text(path).encode("utf-8"))


def xml_shape(element) -> tuple:
    """Element names and their order; repeated siblings (list items) count once."""
    children, last = [], None
    for child in element:
        if child.tag != last:
            children.append(xml_shape(child))
        last = child.tag
    return element.tag, tuple(children)


def json_shape(value):
    """Keys and their order; a list is the shape of its first item."""
    if isinstance(value, dict):
        return tuple((key, json_shape(item)) for key, item in value.items())
    if isinstance(value, list):
        return ("[]", json_shape(value[0]) if value else None)
    return None


def xml_of(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content)


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def form_body(**fields) -> str:
    from urllib.parse import urlencode

    return urlencode(fields)
