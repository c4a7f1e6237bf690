"""Service requests as Open311 clients see them: status open or closed from the incident's lifecycle,
status notes from public timeline rows only, the filters of the spec, retried posts, and never a
reporter's personal data."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from komando.incidents.choices import Status
from komando.incidents.models import Incident, IncidentReport
from komando.incidents.open311.tests.conftest import (
    BASE,
    CIPONDOH_INDAH,
    SUKARASA,
    bring_to,
    json_of,
    xml_of,
)

CLOSED = {Status.SELESAI, Status.DITUTUP, Status.DITOLAK, Status.DUPLIKAT}


def get_one(client, ticket: str) -> dict:
    response = client.get(f"{BASE}/requests/{ticket}.json")
    assert response.status_code == 200, response.content
    rows = json_of(response)
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("status", list(Status))
def test_status_is_open_or_closed_by_the_lifecycle(open311, report, operator, status):
    other = report("SAMPAH", lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1])
    incident = bring_to(report("SAMPAH"), status, operator, other=other)
    row = get_one(open311, incident.ticket)
    assert row["status"] == ("closed" if status in CLOSED else "open")
    listed = {r["service_request_id"] for r in json_of(open311.get(f"{BASE}/requests.json?status={row['status']}"))}
    assert incident.ticket in listed
    assert row["updated_datetime"].endswith("+07:00")


def test_status_notes_come_from_public_rows_only(open311, report, operator):
    from komando.incidents.actions import do_comment_incident, do_transition_incident

    incident = report("SAMPAH")
    assert get_one(open311, incident.ticket)["status_notes"] == "Report received."
    do_transition_incident(incident, Status.DIVERIFIKASI, acting_user=operator, comment="Internal: cek CCTV 12")
    assert get_one(open311, incident.ticket)["status_notes"] == "Verified"
    do_comment_incident(incident, "Petugas DLH berangkat, hubungi 0812-3456-7890", acting_user=operator, public=True)
    assert get_one(open311, incident.ticket)["status_notes"] == "Petugas DLH berangkat, hubungi [nomor disembunyikan]"
    do_comment_incident(incident, "Catatan internal: pelapor rewel", acting_user=operator, public=False)
    row = get_one(open311, incident.ticket)
    assert row["status_notes"] == "Petugas DLH berangkat, hubungi [nomor disembunyikan]"
    body = open311.get(f"{BASE}/requests.xml").content.decode()
    for secret in ("Internal: cek CCTV 12", "pelapor rewel", "0812-3456-7890", operator.username):
        assert secret not in body


def test_a_rejection_shows_its_reason_and_a_duplicate_names_its_survivor(open311, report, operator):
    survivor = report("SAMPAH", lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1])
    rejected = bring_to(report("SAMPAH"), Status.DITOLAK, operator)
    assert get_one(open311, rejected.ticket)["status_notes"] == "Bukan kewenangan kota"
    duplicate = bring_to(report("SAMPAH"), Status.DUPLIKAT, operator, other=survivor)
    row = get_one(open311, duplicate.ticket)
    assert row["status"] == "closed" and survivor.ticket in row["status_notes"]
    assert duplicate.ticket in get_one(open311, survivor.ticket)["status_notes"]


def test_no_personal_data_in_any_get_answer(open311, api_key):
    email, phone, name = "budi.santoso@example.com", "+62 812 9988 7766", "Budiman"
    response = open311.post(
        f"{BASE}/requests.xml",
        {
            "api_key": api_key,
            "service_code": "SAMPAH",
            "lat": str(SUKARASA[0]),
            "long": str(SUKARASA[1]),
            "email": email,
            "phone": phone,
            "first_name": name,
            "last_name": "Santosa",
            "description": f"Sampah menumpuk. Hubungi saya di {email} atau 0812-9988-7766",
        },
        HTTP_IDEMPOTENCY_KEY="privacy-1",
    )
    assert response.status_code == 201
    ticket = xml_of(response).findtext("request/service_request_id")
    report = IncidentReport.objects.get()
    assert (report.contact_email, report.contact_phone, report.contact_name) == (email, phone, "Budiman Santosa")
    paths = [
        f"requests/{ticket}",
        "requests",
        f"requests.json?service_request_id={ticket}",
        "tokens/fixmystreet:privacy-1",
        "services",
        "discovery",
    ]
    for path in paths:
        for fmt in ("xml", "json"):
            target = f"{path}.{fmt}" if "?" not in path else path.replace(".json", f".{fmt}")
            body = open311.get(f"{BASE}/{target}")
            assert body.status_code == 200, target
            text = body.content.decode()
            for secret in (email, phone, "9988", name, "Santosa"):
                assert secret not in text, (target, secret)
    assert "[email disembunyikan]" in get_one(open311, ticket)["description"]


def test_emergency_calls_are_not_listed(open311, report):
    call = report("MEDIS", channel="call_112")
    web = report("SAMPAH", channel="web")
    listed = {row["service_request_id"] for row in json_of(open311.get(f"{BASE}/requests.json"))}
    assert web.ticket in listed and call.ticket not in listed
    assert open311.get(f"{BASE}/requests/{call.ticket}.json").status_code == 404


def test_filters_by_code_date_and_id(open311, report):
    now = timezone.now()
    old = report("SAMPAH", reported_at=now - timedelta(days=100))
    recent = report("SAMPAH", reported_at=now - timedelta(days=2))
    road = report("JLN-RUSAK", lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1])

    def tickets(query: str) -> list[str]:
        response = open311.get(f"{BASE}/requests.json", query)
        assert response.status_code == 200, response.content
        return [row["service_request_id"] for row in json_of(response)]

    assert tickets({}) == [road.ticket, recent.ticket]  # the last 90 days, newest first
    assert tickets({"service_code": "SAMPAH"}) == [recent.ticket]
    assert tickets({"service_code": "SAMPAH,JLN-RUSAK"}) == [road.ticket, recent.ticket]
    start = (now - timedelta(days=120)).astimezone(timezone.get_fixed_timezone(420)).isoformat(timespec="seconds")
    end = (now - timedelta(days=50)).isoformat(timespec="seconds").replace("+00:00", "Z")
    assert tickets({"start_date": start, "end_date": end}) == [old.ticket]
    assert tickets({"start_date": start}) == [old.ticket]  # 90 days from the start
    assert tickets({"end_date": (now - timedelta(days=1)).date().isoformat()}) == [recent.ticket]
    ids = f"{old.ticket},{road.ticket.lower()},TNG-0000-00000"
    assert tickets({"service_request_id": ids, "service_code": "SAMPAH", "status": "closed"}) == [road.ticket, old.ticket]


def test_a_plus_sign_sent_unencoded_is_read_as_an_offset(open311, report):
    recent = report("SAMPAH", reported_at=timezone.now() - timedelta(hours=3))
    start = (timezone.now() - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(420))
    raw = start.isoformat(timespec="seconds").replace("+07:00", " 07:00")
    response = open311.get(f"{BASE}/requests.json?start_date={raw}")
    assert response.status_code == 200
    assert [row["service_request_id"] for row in json_of(response)] == [recent.ticket]


def test_at_most_the_limit_newest_first(open311, report, monkeypatch):
    monkeypatch.setattr("komando.incidents.open311.requests.MAX_RESULTS", 2)
    made = [report("SAMPAH", reported_at=timezone.now() - timedelta(hours=hours)) for hours in (3, 2, 1)]
    assert [row["service_request_id"] for row in json_of(open311.get(f"{BASE}/requests.json"))] == [
        made[2].ticket,
        made[1].ticket,
    ]


def test_a_retried_post_is_a_new_report_proposed_as_a_duplicate(open311, api_key):
    fields = {
        "api_key": api_key,
        "service_code": "SAMPAH",
        "lat": str(SUKARASA[0]),
        "long": str(SUKARASA[1]),
        "description": "Sampah menumpuk",
    }
    first = open311.post(f"{BASE}/requests.json", fields)
    second = open311.post(f"{BASE}/requests.json", fields)
    assert first.status_code == second.status_code == 201
    one, two = (json_of(r)[0]["service_request_id"] for r in (first, second))
    assert one != two
    assert Incident.objects.get(ticket=two).possible_duplicate_of.ticket == one


def test_a_post_retried_with_the_same_idempotency_key_is_the_same_request(open311, api_key):
    fields = {"api_key": api_key, "service_code": "SAMPAH", "lat": str(SUKARASA[0]), "long": str(SUKARASA[1])}
    key = uuid.uuid4().hex
    first = open311.post(f"{BASE}/requests.xml", fields, HTTP_IDEMPOTENCY_KEY=key)
    again = open311.post(f"{BASE}/requests.xml", fields, HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert xml_of(first).findtext("request/service_request_id") == xml_of(again).findtext("request/service_request_id")
    assert Incident.objects.count() == IncidentReport.objects.count() == 1
    other_client = open311.post(f"{BASE}/requests.xml", {**fields, "api_key": "another-key-123456"}, HTTP_IDEMPOTENCY_KEY=key)
    assert other_client.status_code == 201 and Incident.objects.count() == 2
    bad = open311.post(f"{BASE}/requests.xml", fields, HTTP_IDEMPOTENCY_KEY="has spaces in it")
    assert bad.status_code == 400 and Incident.objects.count() == 2


@pytest.mark.parametrize(
    ("address", "attributes", "kelurahan"),
    [
        ("Jl. KH Hasyim Ashari, Cipondoh Indah, Kota Tangerang", {}, "36.71.05.1003"),
        ("Jl. Contoh, Kota Tangerang", {"attribute[KODE_KELURAHAN]": "36.71.05.1003"}, "36.71.05.1003"),
    ],
)
def test_an_address_without_coordinates_is_placed_at_its_kelurahan(open311, api_key, address, attributes, kelurahan):
    response = open311.post(
        f"{BASE}/requests.json", {"api_key": api_key, "service_code": "JLN-RUSAK", "address_string": address, **attributes}
    )
    assert response.status_code == 201, response.content
    incident = Incident.objects.select_related("kelurahan").get()
    assert incident.kelurahan.code == kelurahan and incident.address == address
