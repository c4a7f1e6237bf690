"""The JSON API and the pages: GET and POST only (PUT, PATCH, DELETE → 405 everywhere), refusals
as JSON, and the live event after commit."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from komando.situation.actions import do_add_action_item, do_record_decision
from komando.situation.models import ActionItemUpdate, Decision, Session

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def chair(client, personas):
    client.force_login(personas["operator"])
    return client


@pytest.fixture
def every_url(session, personas, dinkes):
    decision = do_record_decision(session, "Evakuasi", acting_user=personas["operator"])
    item = do_add_action_item(session, "Tenda", acting_user=personas["operator"], assigned_agency=dinkes)
    pk = session.pk
    return [
        reverse("situation:api-sessions"),
        reverse("situation:api-session", args=[pk]),
        reverse("situation:api-attendee", args=[pk]),
        reverse("situation:api-link-incident", args=[pk]),
        reverse("situation:api-note", args=[pk]),
        reverse("situation:api-decisions", args=[pk]),
        reverse("situation:api-decision", args=[pk, decision.pk]),
        reverse("situation:api-action-items", args=[pk]),
        reverse("situation:api-action-update", args=[pk, item.pk]),
        reverse("situation:api-close", args=[pk]),
        reverse("situation:api-incident-search"),
        reverse("situation:list"),
        reverse("situation:session", args=[pk]),
        reverse("situation:minutes", args=[pk]),
    ]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_endpoint_updates_or_deletes(chair, every_url, method):
    decisions = list(Decision.objects.values())
    for url in every_url:
        response = getattr(chair, method)(url, data=json.dumps({"text": "changed"}), content_type="application/json")
        assert response.status_code == 405, url
        assert "PUT" not in response["Allow"] and "DELETE" not in response["Allow"] and "PATCH" not in response["Allow"]
    assert list(Decision.objects.values()) == decisions


def test_the_api_needs_a_login_and_a_role(client, personas, session):
    url = reverse("situation:api-session", args=[session.pk])
    assert client.get(url).status_code == 401
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 403
    client.force_login(personas["opd_officer"])  # no incident or decision of Dinkes yet
    assert client.get(url).status_code == 404


def test_open_a_session_and_record_through_the_api(
    chair, personas, report, dinkes, django_capture_on_commit_callbacks, captured_events
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(chair, reverse("situation:api-sessions"), {"title": "Banjir Kecamatan Periuk"})
    assert response.status_code == 201
    state = response.json()
    pk = state["session"]["id"]
    assert state["session"]["chair"] == "operator" and state["permissions"] == {"chair": True, "contribute": True}
    assert captured_events[-1].type == "situation.changed" and captured_events[-1].data["session"] == pk
    assert captured_events[-1].audience == "staff"

    incident = report("BANJIR")
    response = post(chair, reverse("situation:api-link-incident", args=[pk]), {"ticket": incident.ticket.lower()})
    assert response.status_code == 201 and response.json()["incidents"][0]["ticket"] == incident.ticket
    response = post(
        chair,
        reverse("situation:api-decisions", args=[pk]),
        {
            "text": "Buka posko pengungsian di SDN Periuk 3",
            "basis": "Air 80 cm di RW 05",
            "agency": dinkes.pk,
            "deadline": "2026-11-29T18:00",
        },
    )
    assert response.status_code == 201
    decision = response.json()["decisions"][0]
    assert decision["assignee"]["agency"] == "Dinkes" and decision["deadline"].startswith("2026-11-29T18:00:00+07:00")
    response = post(
        chair,
        reverse("situation:api-decisions", args=[pk]),
        {"text": "Posko pengungsian di Masjid Al-Ikhlas", "corrects": decision["id"]},
    )
    rows = response.json()["decisions"]
    assert rows[0]["corrected_by"] == rows[1]["id"] and rows[1]["corrects"] == rows[0]["id"]
    response = post(
        chair,
        reverse("situation:api-action-items", args=[pk]),
        {"text": "Kirim perahu karet", "user": personas["executive"].pk, "decision": rows[1]["id"]},
    )
    item = response.json()["action_items"][0]
    assert item["status"] == "open" and item["decision_number"] == 2
    response = post(
        chair,
        reverse("situation:api-action-update", args=[pk, item["id"]]),
        {"status": "in_progress", "note": "Perahu berangkat"},
    )
    assert response.json()["action_items"][0]["status"] == "in_progress"
    response = post(chair, reverse("situation:api-attendee", args=[pk]), {"name": "PLN UP3 Cikokol"})
    assert [a["label"] for a in response.json()["attendees"]] == ["operator", "PLN UP3 Cikokol"]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(chair, reverse("situation:api-close", args=[pk]), {"note": "Air surut"})
    state = response.json()
    assert not state["session"]["is_open"] and state["permissions"] == {"chair": False, "contribute": False}
    assert captured_events[-1].data == {"session": pk, "what": "closed"}
    kinds = [entry["kind"] for entry in state["timeline"]]
    assert kinds == ["opened", "incident", "decision", "correction", "action", "action_update", "attendee", "closed"]


@pytest.mark.parametrize(
    "path, body, message",
    [
        ("api-decisions", {"text": ""}, "Decision is required"),
        ("api-decisions", {"text": "Evakuasi", "deadline": "besok sore"}, "not a date"),
        ("api-decisions", {"text": "Evakuasi", "agency": 999999}, "no such OPD"),
        ("api-decisions", {"text": "Evakuasi", "corrects": 999999}, "not one of this session"),
        ("api-decisions", {"text": "Evakuasi", "agency": "dinkes"}, "must be a number"),
        ("api-action-items", {"text": "Tenda"}, "assigned to an OPD or a person"),
        ("api-link-incident", {"ticket": "TNG-0000-99999"}, "no incident with that ticket"),
        ("api-link-incident", {}, "ticket number"),
        ("api-note", {"text": 5}, "must be text"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_stored(chair, session, path, body, message):
    before = (session.decisions.count(), session.action_items.count(), session.timeline.count())
    response = post(chair, reverse(f"situation:{path}", args=[session.pk]), body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert (session.decisions.count(), session.action_items.count(), session.timeline.count()) == before


def test_malformed_json_is_refused(chair, session):
    response = chair.post(reverse("situation:api-note", args=[session.pk]), data=b"{not json", content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]


def test_someone_else_than_the_chair_gets_403(client, personas, session):
    client.force_login(personas["executive"])
    response = post(client, reverse("situation:api-decisions", args=[session.pk]), {"text": "Saya putuskan"})
    assert response.status_code == 403 and "Only the chair" in response.json()["error"]
    response = post(client, reverse("situation:api-close", args=[session.pk]), {})
    assert response.status_code == 403
    assert Decision.objects.count() == 0 and Session.objects.get(pk=session.pk).is_open
    # the executive may link and note
    assert post(client, reverse("situation:api-note", args=[session.pk]), {"text": "Hujan reda"}).status_code == 201


def test_an_opd_officer_updates_their_opds_item_through_the_api(client, personas, session, dinkes):
    item = do_add_action_item(session, "Kirim ambulans", acting_user=personas["operator"], assigned_agency=dinkes)
    client.force_login(personas["opd_officer"])
    state = client.get(reverse("situation:api-session", args=[session.pk])).json()
    assert state["permissions"] == {"chair": False, "contribute": False}
    assert state["action_items"][0]["may_update"] is True
    response = post(client, reverse("situation:api-action-update", args=[session.pk, item.pk]), {"status": "done"})
    assert response.status_code == 201
    assert list(ActionItemUpdate.objects.filter(action_item=item).values_list("status", flat=True)) == ["open", "done"]
    assert post(client, reverse("situation:api-decisions", args=[session.pk]), {"text": "x"}).status_code == 403


def test_incident_search_by_ticket(chair, report):
    incident = report("BANJIR")
    response = chair.get(reverse("situation:api-incident-search"), {"q": incident.ticket[:8]})
    assert incident.ticket in [row["ticket"] for row in response.json()["incidents"]]


def test_the_pages_render(chair, session, personas, report):
    from komando.situation.actions import do_link_incident

    do_link_incident(session, report("BANJIR"), acting_user=personas["operator"])
    listing = chair.get(reverse("situation:list"))
    assert listing.status_code == 200 and b"Banjir Kecamatan Periuk" in listing.content and b'id="open-form"' in listing.content
    page = chair.get(reverse("situation:session", args=[session.pk]))
    assert page.status_code == 200 and b"sesi-config" in page.content and b"vendor/leaflet/leaflet.js" in page.content


def test_the_open_form_opens_a_session_or_says_why_not(chair):
    response = chair.post(reverse("situation:list"), {"title": "  "})
    assert response.status_code == 400 and b"Title is required" in response.content
    assert Session.objects.count() == 0
    response = chair.post(reverse("situation:list"), {"title": "Kebakaran Pasar Anyar"})
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("situation:session", args=[session.pk])


def test_pages_need_a_login(client, session):
    response = client.get(reverse("situation:session", args=[session.pk]))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_top_bar_links_to_the_situation_room_for_signed_in_users(client, personas):
    assert b'href="/ruang/"' not in client.get(reverse("dashboard:pis")).content
    client.force_login(personas["executive"])
    assert b'href="/ruang/"' in client.get(reverse("dashboard:pis")).content


def test_a_refused_step_tells_no_screen(chair, session, django_capture_on_commit_callbacks, captured_events):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(chair, reverse("situation:api-decisions", args=[session.pk]), {"text": ""})
    assert response.status_code == 400
    assert captured_events == []
