"""Calls to 112 become incidents: signed calls to the webhook, and the 112 simulator pushing into a
live Komando over HTTP. The caller is never a contact of the report."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import serializers

from komando.complaints.models import EmergencyCall
from komando.connectors.call_112.client import SIGNATURE_HEADER, sign
from komando.connectors.call_112.simulator import CallModel, run_pusher
from komando.incidents.bridges.complaints import bridge_call
from komando.incidents.choices import Channel
from komando.incidents.models import IncidentReport, TimelineEntry
from komando.regions.models import Region
from komando.sources.models import Source

URL = "/api/webhooks/call-112/"
SECRET = "test-112-secret"
WIB = ZoneInfo("Asia/Jakarta")
CALLER = "081298765432"
SUKARASA = "36.71.01.1001"


@pytest.fixture(autouse=True)
def webhook_secret(monkeypatch):
    monkeypatch.setenv("KOMANDO_CALL_112_WEBHOOK_SECRET", SECRET)


def a_call(**changes) -> dict:
    """A call as the 112 system pushes it (see the call_112 connector's contract)."""
    body = {
        "call_id": "112-TNG-20261125-000000001",
        "received_at": (datetime.now(WIB) - timedelta(minutes=2)).isoformat(timespec="seconds"),
        "kind": "medis",
        "lat": -6.1729,
        "lon": 106.6318,
        "kelurahan_code": SUKARASA,
        "caller_number": CALLER,
        "note": f"Warga pingsan di rumah, butuh ambulans, penelepon {CALLER}",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def post(client, body):
    raw = json.dumps(body).encode()
    header = f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"
    return client.post(URL, data=raw, content_type="application/json", **{header: sign(SECRET, raw)})


def push(client, capture, body):
    with capture(execute=True):
        response = post(client, body)
    assert response.status_code in (200, 201), response.content
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "category", "priority"),
    [
        ("medis", "MEDIS", "kritis"),
        ("kebakaran", "KEBAKARAN", "kritis"),
        ("kecelakaan", "MEDIS", "tinggi"),
        ("kriminalitas", "GANGGUAN", "tinggi"),
        ("bencana", "KEDARURATAN", "tinggi"),
        ("lainnya", "KEDARURATAN", "sedang"),
    ],
)
def test_a_call_opens_an_incident_of_its_kind_with_the_files_priority(
    client, incident_data, kind, category, priority, django_capture_on_commit_callbacks
):
    push(client, django_capture_on_commit_callbacks, a_call(kind=kind))
    report = IncidentReport.objects.select_related("incident__category").get(channel=Channel.CALL_112)
    assert report.source_ref == "112-TNG-20261125-000000001"
    assert (report.incident.category.code, report.incident.priority) == (category, priority)
    assert (report.lat, report.lon) == (-6.1729, 106.6318)
    assert report.attributes["call_kind"] == kind


@pytest.mark.django_db
def test_the_caller_is_never_a_contact_nor_anywhere_in_the_incident(client, incident_data, django_capture_on_commit_callbacks):
    push(client, django_capture_on_commit_callbacks, a_call())
    report = IncidentReport.objects.get(channel=Channel.CALL_112)
    assert (report.contact_name, report.contact_phone, report.contact_email) == (None, None, None)
    assert "pingsan" in report.description
    for model in (IncidentReport, TimelineEntry, report.incident.__class__):
        assert CALLER not in serializers.serialize("json", model.objects.all())


@pytest.mark.django_db
def test_a_repeated_delivery_is_one_incident_and_a_prank_is_none(
    client, incident_data, bridge_log, django_capture_on_commit_callbacks
):
    push(client, django_capture_on_commit_callbacks, a_call())
    push(client, django_capture_on_commit_callbacks, a_call())
    push(client, django_capture_on_commit_callbacks, a_call(call_id="112-TNG-20261125-000000002", kind="iseng"))
    assert EmergencyCall.objects.count() == 2
    assert list(IncidentReport.objects.values_list("source_ref", flat=True)) == ["112-TNG-20261125-000000001"]
    assert any("000000002" in m and "'iseng'" in m for m in bridge_log.messages(level=20))


@pytest.mark.django_db
def test_a_call_with_only_a_kelurahan_is_placed_at_its_centroid(client, incident_data, django_capture_on_commit_callbacks):
    push(client, django_capture_on_commit_callbacks, a_call(lat=..., lon=...))
    report = IncidentReport.objects.get(channel=Channel.CALL_112)
    kelurahan = Region.objects.get(code=SUKARASA)
    assert (report.lat, report.lon) == (kelurahan.centroid_lat, kelurahan.centroid_lon)
    assert report.incident.kelurahan == kelurahan


@pytest.mark.django_db
def test_a_call_with_only_a_kecamatan_is_stored_but_opens_nothing(
    client, incident_data, bridge_log, django_capture_on_commit_callbacks
):
    push(client, django_capture_on_commit_callbacks, a_call(lat=..., lon=..., kelurahan_code="36.71.01"))
    assert EmergencyCall.objects.get().kecamatan.code == "36.71.01"
    assert not IncidentReport.objects.exists()
    assert any("no location" in m for m in bridge_log.messages(level=20))


@pytest.mark.django_db
def test_an_unknown_kind_goes_to_the_fallback_and_is_logged(incident_data, city_copy, bridge_log):
    city_copy(lambda data: data["call_112"]["kinds"].pop("bencana"))
    call = EmergencyCall.objects.create(
        source=Source.objects.get(slug="call-112"),
        call_id="112-X",
        kind="bencana",
        lat=-6.1729,
        lon=106.6318,
        received_at=datetime.now(WIB) - timedelta(minutes=1),
        note="Tanggul kali rembes",
    )
    incident = bridge_call(call.pk)
    assert (incident.category.code, incident.priority) == ("KEDARURATAN", "tinggi")
    assert any("112-X" in m and "'bencana'" in m for m in bridge_log.messages(level=30))


@pytest.mark.django_db
def test_a_refused_call_is_still_stored_and_answered(
    client, incident_data, city_copy, bridge_log, django_capture_on_commit_callbacks
):
    city_copy(lambda data: data["call_112"]["kinds"].update(medis={"category": "NO-SUCH", "priority": None}))
    response = push(client, django_capture_on_commit_callbacks, a_call())
    assert response.status_code == 201 and response.json()["status"] == "stored"
    assert EmergencyCall.objects.count() == 1
    assert not IncidentReport.objects.exists()
    assert any("112-TNG-20261125-000000001" in m and "report refused" in m for m in bridge_log.messages(level=30))


@pytest.mark.django_db(transaction=True)
def test_the_112_simulator_pushing_into_komando_opens_incidents(live_server, incident_data):
    model = CallModel(settings.KOMANDO_CITY_DIR)
    first = model.next_number
    run_pusher(f"{live_server.url}{URL}", SECRET, interval=(0.0, 0.0), model=model, max_calls=12, sleep=lambda s: None)
    assert model.status["pushed"] == 12
    calls = [model.call(n) for n in range(first, first + 12)]
    expected = {c["call_id"] for c in calls if c["kind"] != "iseng"}
    assert EmergencyCall.objects.count() == 12
    reports = IncidentReport.objects.filter(channel=Channel.CALL_112)
    assert set(reports.values_list("source_ref", flat=True)) == expected
    assert not reports.exclude(contact_phone=None).exists()
