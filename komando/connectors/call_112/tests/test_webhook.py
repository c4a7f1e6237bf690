"""The Call Center 112 webhook: signature, idempotency, the caller's number never stored, bad input."""

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers

from komando.audit.models import AuditRecord
from komando.complaints.models import EmergencyCall
from komando.connectors.call_112.client import SIGNATURE_HEADER, sign
from komando.connectors.call_112.simulator import CallModel
from komando.sources.models import Source, SourceRun
from komando.sources.selectors import health_status

URL = "/api/webhooks/call-112/"
SECRET = "test-112-secret"
WIB = ZoneInfo("Asia/Jakarta")
CALLER = "081298765432"


@pytest.fixture(autouse=True)
def webhook_secret(monkeypatch):
    monkeypatch.setenv("KOMANDO_CALL_112_WEBHOOK_SECRET", SECRET)


def a_call(**changes) -> dict:
    body = {
        "call_id": "112-TNG-20261125-000001",
        "received_at": datetime.now(WIB).isoformat(timespec="seconds"),
        "kind": "kebakaran",
        "lat": -6.1786,
        "lon": 106.6312,
        "kelurahan_code": "36.71.01.1001",
        "caller_number": CALLER,
        "note": f"Asap tebal dari ruko, penelepon {CALLER}",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def post(client, body, secret=SECRET, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature is not False:
        headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = signature or sign(secret, raw)
    return client.post(URL, data=raw, content_type="application/json", **headers)


def everything_stored() -> str:
    """Every row of every table of the project, as text."""
    rows = []
    for model in apps.get_models():
        rows.append(serializers.serialize("json", model._default_manager.all()))
    return "\n".join(rows)


@pytest.mark.django_db
def test_a_signed_call_is_stored_once_and_marks_the_source_live(client, reference_data):
    source = Source.objects.get(slug="call-112")
    assert health_status(source) == "waiting"

    first = post(client, a_call())
    again = post(client, a_call(note="second delivery"))

    assert (first.status_code, first.json()) == (201, {"status": "stored", "call_id": "112-TNG-20261125-000001"})
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    call = EmergencyCall.objects.select_related("kelurahan", "kecamatan").get()
    assert (call.kind, call.lat, call.lon) == ("kebakaran", -6.1786, 106.6312)
    assert (call.kelurahan.code, call.kecamatan.code) == ("36.71.01.1001", "36.71.01")
    assert call.note == "Asap tebal dari ruko, penelepon [nomor disembunyikan]"
    source.refresh_from_db()
    assert health_status(source) == "ok"
    assert source.data_as_of == call.received_at
    assert SourceRun.objects.filter(source=source, ok=True).count() == 2


@pytest.mark.django_db
def test_the_callers_number_is_stored_nowhere(client, reference_data, caplog, personas):
    caplog.set_level(logging.DEBUG)
    model = CallModel(settings.KOMANDO_CITY_DIR)
    calls = [model.call(n) for n in range(1, 40)]
    for call in calls:
        assert post(client, call).status_code == 201
    post(client, a_call(call_id="X-1"))  # the number inside the note too
    post(client, a_call(call_id="bad id!"))  # refused: the error must not echo it either
    post(client, [CALLER])

    numbers = {call["caller_number"] for call in calls} | {CALLER}
    stored = everything_stored()
    logs = caplog.text
    audit = json.dumps(list(AuditRecord.objects.values()), default=str)
    for number in numbers:
        assert number not in stored and number[1:] not in stored
        assert number not in logs
        assert number not in audit
    assert EmergencyCall.objects.count() == 40


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("secret", "signature"),
    [("another-secret", None), (SECRET, False), (SECRET, "sha256=00"), (SECRET, "md5=abc")],
)
def test_bad_signature_is_refused_with_401_and_nothing_stored(client, reference_data, secret, signature):
    response = post(client, a_call(), secret=secret, signature=signature)
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    assert EmergencyCall.objects.count() == 0
    assert Source.objects.get(slug="call-112").last_success_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"call_id": "112-1", "kind": ', "malformed JSON"),
        (b"", "malformed JSON"),
        (b"[1, 2]", "Input should be an object"),
        (a_call(call_id=...), "call_id: Field required"),
        (a_call(call_id=12), "call_id: Input should be a valid string"),
        (a_call(kind="alien"), "kind: Input should be"),
        (a_call(received_at="2026-11-25T10:00:00"), "timezone"),
        (a_call(lat="-6.17"), "lat: Input should be a valid number"),
        (a_call(lat=..., lon=..., kelurahan_code=...), "a call needs lat/lon or kelurahan_code"),
        (a_call(lon=...), "lat and lon come together"),
        (a_call(kelurahan_code="36.71.01.1999"), "unknown region code '36.71.01.1999'"),
        (a_call(kelurahan_code="Cikokol"), "kelurahan_code: String should match pattern"),
    ],
)
def test_malformed_calls_are_refused_with_400_and_nothing_stored(client, reference_data, body, message):
    response = post(client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"], response.json()
    assert EmergencyCall.objects.count() == 0
    source = Source.objects.get(slug="call-112")
    assert (source.last_error_kind, source.consecutive_failures) == ("invalid", 1)


@pytest.mark.django_db
def test_without_a_configured_secret_the_webhook_refuses(client, reference_data, monkeypatch):
    monkeypatch.delenv("KOMANDO_CALL_112_WEBHOOK_SECRET")
    response = post(client, a_call())
    assert response.status_code == 503 and "KOMANDO_CALL_112_WEBHOOK_SECRET" in response.json()["error"]
    assert client.get(URL).status_code == 405
    assert EmergencyCall.objects.count() == 0


@pytest.mark.django_db
def test_the_source_goes_stale_after_two_intervals_without_a_call(client, reference_data):
    from django.utils import timezone

    post(client, a_call())
    source = Source.objects.get(slug="call-112")
    assert health_status(source) == "ok"
    later = timezone.now() + timedelta(seconds=2 * source.schedule_seconds + 1)
    assert health_status(source, now=later) == "stale"


def test_the_push_connector_is_never_scheduled():
    from komando.connectors.call_112.coordinator import Coordinator

    assert Coordinator.pull is False
