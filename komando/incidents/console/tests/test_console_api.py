"""The operator console's page and JSON API: who may see and do what, every step through the API,
the queue's order (overdue first), and bad input refused with nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.audit.models import AuditRecord
from komando.devices.models import DeviceState
from komando.incidents.choices import Status
from komando.incidents.console.selectors import console_queue
from komando.incidents.models import Dispatch, Handoff, Incident, TimelineEntry
from komando.incidents.tests.conftest import SUKARASA, bring_to
from komando.sources.models import Source

pytestmark = pytest.mark.django_db
METRE = 1 / 111_320


def post(client, incident, step, body):
    return client.post(f"/konsol/api/insiden/{incident.pk}/{step}/", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def as_user(client, personas):
    client.cookies["django_language"] = "en"  # refusals are matched by their English words

    def log_in(name):
        client.force_login(personas[name])
        return client

    return log_in


@pytest.fixture
def truck(reference_data):
    asset = Asset.objects.create(
        kind=AssetKind.TRUCK, source=Source.objects.get(slug="kebersihan"), source_ref="truk-07", name="Truk DLH 07", online=True
    )
    DeviceState.objects.create(asset=asset, observed_at=timezone.now(), lat=SUKARASA[0] + 200 * METRE, lon=SUKARASA[1])
    return asset


def test_the_page_needs_a_login_and_a_staff_role(client, personas):
    response = client.get("/konsol/")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    client.force_login(personas["outsider"])
    assert client.get("/konsol/").status_code == 403
    for name in ("operator", "executive", "opd_officer", "administrator"):
        client.force_login(personas[name])
        response = client.get("/konsol/")
        assert response.status_code == 200, name
        assert b'id="console-config"' in response.content


def test_the_api_answers_json_401_without_a_session_never_a_login_page(client, report):
    incident = report()
    for response in (
        client.get("/konsol/api/antrian/"),
        client.get(f"/konsol/api/insiden/{incident.pk}/"),
        post(client, incident, "transition", {"status": "diverifikasi"}),
    ):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "login_required" and response.json()["error"]["message"]
    assert Incident.objects.get(pk=incident.pk).status == Status.BARU


def test_the_queue_puts_overdue_first_then_escalated_then_priority(as_user, report, operator, personas):
    calm_critical = report(priority="kritis")
    low = report(priority="rendah", lat=SUKARASA[0] + 900 * METRE)
    overdue_low = report(priority="rendah", lat=SUKARASA[0] + 1800 * METRE)
    Incident.objects.filter(pk=overdue_low.pk).update(respond_due_at=timezone.now() - timedelta(hours=2))
    escalated_medium = report(priority="sedang", lat=SUKARASA[0] + 2700 * METRE)
    Incident.objects.filter(pk=escalated_medium.pk).update(escalation_level=2)
    client = as_user("operator")
    tickets = [row["ticket"] for row in client.get("/konsol/api/antrian/").json()["incidents"]]
    expected = [overdue_low.ticket, escalated_medium.ticket, calm_critical.ticket, low.ticket]
    assert [ticket for ticket in tickets if ticket in expected] == expected
    row = next(row for row in console_queue(personas["operator"]) if row["ticket"] == overdue_low.ticket)
    assert row["overdue"] and row["overdue_since"]


def test_time_passing_makes_an_incident_overdue(report, personas):
    incident = report(priority="sedang")
    later = incident.resolve_due_at + timedelta(minutes=1)
    rows = {row["ticket"]: row for row in console_queue(personas["operator"], now=later)}
    assert rows[incident.ticket]["overdue"]
    rows = {row["ticket"]: row for row in console_queue(personas["operator"])}
    assert not rows[incident.ticket]["overdue"]


def test_an_operator_takes_every_step_through_the_api(as_user, report, truck, personas):
    client = as_user("operator")
    incident = report("SAMPAH")
    detail = client.get(f"/konsol/api/insiden/{incident.pk}/").json()
    assert "diverifikasi" in [step["status"] for step in detail["next_steps"]]
    detail = post(client, incident, "transition", {"status": "diverifikasi", "comment": "Laporan valid"}).json()
    assert detail["status"] == "diverifikasi"
    assert [unit["unit_id"] for unit in detail["recommended_units"]] == [truck.pk]
    detail = post(client, incident, "dispatch", {"units": [truck.pk], "note": "Segera"}).json()
    assert detail["status"] == "ditugaskan" and detail["dispatches"][0]["unit_id"] == truck.pk
    dispatch = Dispatch.objects.get(incident=incident)
    for unit_status in ("en_route", "on_scene"):
        detail = post(client, incident, "unit", {"dispatch": dispatch.pk, "status": unit_status}).json()
    assert detail["status"] == "dalam_penanganan"
    step = next(item["key"] for item in detail["checklist"] if item["mandatory"])
    detail = post(client, incident, "checklist", {"step": step, "note": "dicek"}).json()
    assert next(item for item in detail["checklist"] if item["key"] == step)["done"]
    detail = post(client, incident, "comment", {"text": "Petugas di lokasi", "public": True}).json()
    detail = post(client, incident, "priority", {"priority": "tinggi"}).json()
    assert detail["priority"] == "tinggi"
    detail = post(client, incident, "escalate", {"comment": "Perlu kepala bidang"}).json()
    assert detail["escalation_level"] == 1
    kinds = [entry["kind"] for entry in detail["timeline"]]
    for kind in ("report", "transition", "assignment", "checklist", "comment", "priority", "escalation"):
        assert kind in kinds
    assert AuditRecord.objects.filter(actor=personas["operator"], channel="console").count() >= 8


def test_hand_off_and_acknowledgement_by_the_receiving_opd(as_user, report, personas, client):
    from komando.agencies.models import Agency

    incident = report("SAMPAH")
    operator = as_user("operator")
    post(operator, incident, "transition", {"status": "diverifikasi"})
    dinkes = Agency.objects.get(code="dinkes")
    detail = post(operator, incident, "hand-off", {"target": "agency", "agency": dinkes.pk, "reason": "Limbah medis"}).json()
    assert detail["status"] == "dialihkan" and detail["handoffs"][0]["pending"]
    handoff = Handoff.objects.get(incident=incident)
    officer = as_user("opd_officer")  # Dinkes: the receiver sees it coming
    assert incident.ticket in [row["ticket"] for row in officer.get("/konsol/api/antrian/").json()["incidents"]]
    assert officer.get(f"/konsol/api/insiden/{incident.pk}/").json()["may"]["acknowledge"] == [handoff.pk]
    response = post(officer, incident, "acknowledge", {"handoff": handoff.pk, "note": "Diterima"})
    assert response.status_code in (200,), response.content
    handoff.refresh_from_db()
    assert handoff.acknowledged_at is not None


def test_merge_through_the_api(as_user, report):
    client = as_user("operator")
    first = report("SAMPAH")
    second = report("SAMPAH", lat=SUKARASA[0] + 30 * METRE)
    detail = client.get(f"/konsol/api/insiden/{second.pk}/").json()
    assert detail["duplicate_of"]["ticket"] == first.ticket
    detail = post(client, second, "merge", {"into": first.ticket}).json()
    assert detail["status"] == "duplikat" and detail["merged_into"] == first.ticket


@pytest.mark.parametrize(
    "step, body, words",
    [
        ("transition", {"status": "ditutup"}, "cannot"),
        ("transition", {"status": "ditolak"}, "reason"),
        ("transition", {"status": 5}, "must be text"),
        ("transition", {}, "required"),
        ("checklist", {"step": "no-such-step"}, ""),
        ("priority", {"priority": "urgent"}, "priority"),
        ("dispatch", {"units": []}, "at least one unit"),
        ("dispatch", {"units": ["abc"]}, "number"),
        ("dispatch", {"units": [999999]}, "Unknown unit"),
        ("hand-off", {"target": "agency", "agency": 999999, "reason": "x"}, "Unknown OPD"),
        ("hand-off", {"target": "moon", "reason": "x"}, "Hand off"),
        ("hand-off", {"target": "external", "party": "pln"}, "required"),
        ("merge", {"into": "TNG-0000-00000"}, "no incident"),
        ("unit", {"dispatch": 999999, "status": "done"}, "Unknown dispatch"),
        ("comment", {"text": "  "}, "required"),
        ("comment", {"text": "x", "public": "yes"}, "true or false"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(as_user, report, step, body, words):
    client = as_user("operator")
    incident = report("SAMPAH")
    rows_before = TimelineEntry.objects.filter(incident=incident).count()
    audits_before = AuditRecord.objects.count()
    response = post(client, incident, step, body)
    assert response.status_code == 400, response.content
    assert words.lower() in response.json()["error"]["message"].lower()
    incident.refresh_from_db()
    assert incident.status == Status.BARU and incident.priority == "sedang"
    assert TimelineEntry.objects.filter(incident=incident).count() == rows_before
    assert AuditRecord.objects.count() == audits_before


def test_malformed_json_and_unknown_ids(as_user, report):
    client = as_user("operator")
    incident = report("SAMPAH")
    response = client.post(f"/konsol/api/insiden/{incident.pk}/transition/", data=b"{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["error"]["message"]
    response = client.post(f"/konsol/api/insiden/{incident.pk}/transition/", data=b"[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert client.get("/konsol/api/insiden/999999/").status_code == 404
    assert post(client, Incident(pk=999999), "transition", {"status": "diverifikasi"}).status_code == 404
    assert post(client, incident, "no-such-step", {}).status_code == 404


def test_executives_read_but_take_no_step(as_user, report):
    incident = report("SAMPAH")
    client = as_user("executive")
    assert client.get(f"/konsol/api/insiden/{incident.pk}/").status_code == 200
    for step, body in [
        ("transition", {"status": "diverifikasi"}),
        ("comment", {"text": "x"}),
        ("escalate", {}),
        ("priority", {"priority": "kritis"}),
    ]:
        assert post(client, incident, step, body).status_code == 403, step
    incident.refresh_from_db()
    assert (incident.status, incident.priority, incident.escalation_level) == (Status.BARU, "sedang", 0)


def test_an_opd_officer_sees_and_works_only_their_own_opd(as_user, report, personas):
    medical = report("MEDIS")
    garbage = report("SAMPAH")
    client = as_user("opd_officer")  # Dinkes
    tickets = [row["ticket"] for row in client.get("/konsol/api/antrian/").json()["incidents"]]
    assert garbage.ticket not in tickets
    assert client.get(f"/konsol/api/insiden/{garbage.pk}/").status_code == 404
    assert post(client, garbage, "comment", {"text": "x"}).status_code == 404
    assert medical.agency.code == "dinkes" and medical.ticket in tickets
    operator = as_user("operator")
    post(operator, medical, "transition", {"status": "diverifikasi"})
    client = as_user("opd_officer")
    assert post(client, medical, "comment", {"text": "Ambulans menuju lokasi"}).status_code == 200
    assert post(client, medical, "transition", {"status": "ditolak", "reason": "x"}).status_code == 403
    assert Incident.objects.get(pk=medical.pk).status == Status.DIVERIFIKASI


def test_the_reporter_contact_is_shown_only_to_those_who_need_it(as_user, report):
    incident = report("SAMPAH", contact={"name": "Siti Rahma", "phone": "081234567890"})
    operator = as_user("operator").get(f"/konsol/api/insiden/{incident.pk}/").json()
    assert operator["reports"][0]["contact"]["phone"] == "081234567890"
    executive = as_user("executive").get(f"/konsol/api/insiden/{incident.pk}/")
    assert "081234567890" not in executive.content.decode() and "contact" not in executive.json()["reports"][0]


def test_a_closed_incident_leaves_the_queue(as_user, report, operator):
    incident = report("SAMPAH")
    bring_to(incident, Status.DITOLAK, operator)
    client = as_user("operator")
    assert incident.ticket not in [row["ticket"] for row in client.get("/konsol/api/antrian/").json()["incidents"]]


def test_resolved_incidents_wait_apart_until_the_command_room_closes_them(as_user, report, operator):
    from komando.incidents.tests.conftest import complete_mandatory_steps

    incident = report("SAMPAH")
    bring_to(incident, Status.SELESAI, operator)
    client = as_user("operator")
    queue = client.get("/konsol/api/antrian/").json()
    assert incident.ticket not in [row["ticket"] for row in queue["incidents"]]
    assert [row["ticket"] for row in queue["finished"]] == [incident.ticket]
    assert queue["finished"][0]["resolved_at"]
    response = post(client, incident, "transition", {"status": "ditutup"})
    assert response.status_code == 400  # mandatory SOP steps first
    complete_mandatory_steps(incident, operator)
    assert post(client, incident, "transition", {"status": "ditutup"}).json()["status"] == "ditutup"
    queue = client.get("/konsol/api/antrian/").json()
    assert incident.ticket not in [row["ticket"] for row in queue["incidents"] + queue["finished"]]


def test_a_step_without_the_csrf_token_is_refused_in_json_and_stores_nothing(report, personas):
    from django.test import Client

    incident = report("SAMPAH")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["operator"])
    browser.get("/konsol/")  # sets the CSRF cookie
    response = post(browser, incident, "transition", {"status": "diverifikasi"})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "csrf_failed" and response.json()["error"]["message"]
    assert Incident.objects.get(pk=incident.pk).status == Status.BARU
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        f"/konsol/api/insiden/{incident.pk}/transition/",
        data=json.dumps({"status": "diverifikasi"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    assert Incident.objects.get(pk=incident.pk).status == Status.DIVERIFIKASI


def test_outsiders_get_json_403_from_the_api(as_user, report):
    incident = report("SAMPAH")
    client = as_user("outsider")
    for response in (
        client.get("/konsol/api/antrian/"),
        client.get(f"/konsol/api/insiden/{incident.pk}/"),
        post(client, incident, "comment", {"text": "x"}),
    ):
        assert response.status_code == 403 and response.json()["error"]["message"]
    assert TimelineEntry.objects.filter(incident=incident, kind="comment").count() == 0


@pytest.mark.parametrize("target", ["kelurahan", "external"])
def test_hand_off_to_a_kelurahan_or_an_outside_party(as_user, report, target):
    from komando.regions.models import Region, RegionLevel

    incident = report("SAMPAH")
    client = as_user("operator")
    post(client, incident, "transition", {"status": "diverifikasi"})
    kelurahan = Region.objects.filter(level=RegionLevel.KELURAHAN).exclude(pk=incident.kelurahan_id).first()
    body = {"target": target, "reason": "Bukan di wilayah ini", "kelurahan": kelurahan.pk, "party": "pln"}
    detail = post(client, incident, "hand-off", body).json()
    assert detail["status"] == "dialihkan"
    handoff = Handoff.objects.get(incident=incident)
    assert handoff.target == target
    assert (handoff.to_kelurahan_id, handoff.to_party) == ((kelurahan.pk, "") if target == "kelurahan" else (None, "pln"))


def test_the_queue_reorders_as_time_passes_through_the_api(as_user, report):
    """Time travel with ``django.utils.timezone.now`` patched: the API's queue puts an incident first
    once its deadline has passed, and the longest overdue first when several are."""
    from unittest import mock

    start = timezone.now()
    critical = report(priority="kritis")
    low = report(priority="rendah", lat=SUKARASA[0] + 900 * METRE)
    Incident.objects.filter(pk=critical.pk).update(
        respond_due_at=start + timedelta(hours=3), resolve_due_at=start + timedelta(hours=10)
    )
    Incident.objects.filter(pk=low.pk).update(
        respond_due_at=start + timedelta(hours=1), resolve_due_at=start + timedelta(hours=10)
    )
    client = as_user("operator")

    def queue_at(moment):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            body = client.get("/konsol/api/antrian/").json()
        assert body["now"] == moment.isoformat()
        rows = [row for row in body["incidents"] if row["ticket"] in (critical.ticket, low.ticket)]
        return [(row["ticket"], row["overdue"]) for row in rows]

    assert queue_at(start) == [(critical.ticket, False), (low.ticket, False)]
    assert queue_at(start + timedelta(hours=2)) == [(low.ticket, True), (critical.ticket, False)]
    assert queue_at(start + timedelta(hours=4)) == [(low.ticket, True), (critical.ticket, True)]


def test_an_opd_officer_takes_no_command_room_step_even_on_their_own_opd(as_user, report, truck):
    medical = report("MEDIS")  # Dinkes, the officer's OPD
    other = report("MEDIS", lat=SUKARASA[0] + 900 * METRE)
    operator = as_user("operator")
    post(operator, medical, "transition", {"status": "diverifikasi"})
    rows_before = TimelineEntry.objects.filter(incident=medical).count()
    priority_before = Incident.objects.get(pk=medical.pk).priority
    new_priority = "rendah" if priority_before != "rendah" else "tinggi"
    client = as_user("opd_officer")
    for step, body in [
        ("escalate", {}),
        ("priority", {"priority": new_priority}),
        ("merge", {"into": other.ticket}),
        ("hand-off", {"target": "external", "party": "pln", "reason": "x"}),
        ("dispatch", {"units": [truck.pk]}),
    ]:  # a DLH truck: another OPD's unit
        assert post(client, medical, step, body).status_code == 403, step
    medical.refresh_from_db()
    assert (medical.status, medical.priority, medical.escalation_level) == (Status.DIVERIFIKASI, priority_before, 0)
    assert TimelineEntry.objects.filter(incident=medical).count() == rows_before
    assert not Dispatch.objects.filter(incident=medical).exists() and not Handoff.objects.filter(incident=medical).exists()


def test_executives_may_not_dispatch_hand_off_merge_or_tick(as_user, report, truck):
    incident = report("SAMPAH")
    other = report("SAMPAH", lat=SUKARASA[0] + 900 * METRE)
    post(as_user("operator"), incident, "transition", {"status": "diverifikasi"})
    rows_before = TimelineEntry.objects.filter(incident=incident).count()
    step_key = as_user("operator").get(f"/konsol/api/insiden/{incident.pk}/").json()["checklist"][0]["key"]
    client = as_user("executive")
    detail = client.get(f"/konsol/api/insiden/{incident.pk}/").json()
    assert detail["next_steps"] == [] and detail["recommended_units"] == []
    assert detail["may"] == {"work": False, "command": False, "acknowledge": []}
    for step, body in [
        ("dispatch", {"units": [truck.pk]}),
        ("merge", {"into": other.ticket}),
        ("hand-off", {"target": "external", "party": "pln", "reason": "x"}),
        ("checklist", {"step": step_key}),
    ]:
        assert post(client, incident, step, body).status_code == 403, step
    assert TimelineEntry.objects.filter(incident=incident).count() == rows_before
    assert not Dispatch.objects.filter(incident=incident).exists()
    assert Incident.objects.get(pk=other.pk).status == Status.BARU
