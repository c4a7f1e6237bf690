"""The field app's JSON API (``/petugas/api/``) and its pages: each step, an update sent again with the
same ``client_ref`` stored once, another unit's task refused, bad input refused with nothing stored,
an ended session answered in JSON (never a redirect to the login page)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from komando.incidents.actions.dispatch import do_update_dispatch
from komando.incidents.choices import DispatchStatus, Status
from komando.incidents.field.tests.conftest import files_in, jpeg_bytes, new_ref
from komando.incidents.models import DispatchStatusChange, IncidentPhoto, TimelineEntry

pytestmark = pytest.mark.django_db


def steps_url(dispatch) -> str:
    return f"/petugas/api/dispatches/{dispatch.pk}/steps/"


def photos_url(dispatch) -> str:
    return f"/petugas/api/dispatches/{dispatch.pk}/photos/"


def resolve_url(dispatch) -> str:
    return f"/petugas/api/dispatches/{dispatch.pk}/resolve/"


def post_step(client, dispatch, status, ref=None, **extra):
    body = {"client_ref": ref or new_ref(), "status": status, **extra}
    return client.post(steps_url(dispatch), json.dumps(body), content_type="application/json")


def post_photo(client, dispatch, kind="after", ref=None, data=None, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("foto.jpg", jpeg_bytes() if data is None else data, content_type="image/jpeg")
    return client.post(photos_url(dispatch), {"client_ref": ref or new_ref(), "kind": kind, "photo": photo, **extra})


def post_resolve(client, dispatch, ref=None, **extra):
    return client.post(
        resolve_url(dispatch), json.dumps({"client_ref": ref or new_ref(), **extra}), content_type="application/json"
    )


def changes(dispatch) -> list[str]:
    return list(DispatchStatusChange.objects.filter(dispatch=dispatch).values_list("status", flat=True))


def snapshot():
    return (DispatchStatusChange.objects.count(), IncidentPhoto.objects.count(), TimelineEntry.objects.count())


# --- the tasks ------------------------------------------------------------------------------------


def test_the_officer_sees_their_units_task_without_the_reporters_contact(officer_client, dispatch, report, make_unit, operator):
    from komando.incidents.actions.dispatch import do_dispatch_units
    from komando.incidents.tests.conftest import bring_to

    other = bring_to(report("SAMPAH", contact={"name": "Budi Santoso", "phone": "0813 1111 2222"}), Status.DIVERIFIKASI, operator)
    do_dispatch_units(other, [make_unit("Truk DLH 12")], acting_user=operator)  # another unit's task
    response = officer_client.get("/petugas/api/tasks/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["unit"]["name"] == "Truk DLH 07"
    assert [task["dispatch"] for task in body["tasks"]] == [dispatch.pk]
    task = body["tasks"][0]
    assert (task["ticket"], task["status"], task["category"], task["kelurahan"]) == (
        dispatch.incident.ticket,
        "dispatched",
        dispatch.incident.category.name,
        "Sukarasa",
    )
    assert task["next"] == ["en_route", "on_scene"]
    assert task["steps"] and all({"key", "title", "mandatory", "done"} <= set(step) for step in task["steps"])
    assert task["photos"] == {"before": 0, "after": 0}
    assert "Budi" not in response.content.decode() and "0813" not in response.content.decode()


def test_finished_tasks_follow_the_active_ones(officer_client, officer, dispatch, report, operator, unit):
    from komando.incidents.actions.dispatch import do_dispatch_units
    from komando.incidents.tests.conftest import bring_to

    for status in ("on_scene", "done"):
        do_update_dispatch(dispatch, status, acting_user=officer)
    second = do_dispatch_units(bring_to(report("SAMPAH"), Status.DIVERIFIKASI, operator), [unit], acting_user=operator)[0]
    tasks = officer_client.get("/petugas/api/tasks/").json()["tasks"]
    assert [(task["dispatch"], task["active"]) for task in tasks] == [(second.pk, True), (dispatch.pk, False)]


# --- steps ----------------------------------------------------------------------------------------


def test_each_step_is_stored_with_its_position_note_and_id(officer_client, officer, dispatch):
    refs = [new_ref() for _ in range(3)]
    response = post_step(officer_client, dispatch, "en_route", refs[0], lat=-6.18, lon=106.62, note="Berangkat")
    assert response.status_code == 201
    assert response.json() == {
        "ok": True,
        "repeat": False,
        "client_ref": refs[0],
        "dispatch": {"id": dispatch.pk, "status": "en_route"},
        "incident_status": "ditugaskan",
    }
    change = DispatchStatusChange.objects.get(client_ref=refs[0])
    assert (change.status, change.lat, change.lon, change.note, change.by_id) == (
        "en_route",
        -6.18,
        106.62,
        "Berangkat",
        officer.pk,
    )
    response = post_step(officer_client, dispatch, "on_scene", refs[1])
    assert response.status_code == 201 and response.json()["incident_status"] == Status.DALAM_PENANGANAN
    response = post_step(officer_client, dispatch, "done", refs[2], note="Sampah sudah diangkut")
    assert response.status_code == 201
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.DONE
    assert changes(dispatch) == ["dispatched", "en_route", "on_scene", "done"]
    assert list(DispatchStatusChange.objects.exclude(client_ref=None).values_list("client_ref", flat=True).order_by("id")) == refs


def test_the_same_update_sent_again_is_one_row(officer_client, dispatch):
    ref = new_ref()
    first = post_step(officer_client, dispatch, "en_route", ref)
    before = snapshot()
    again = post_step(officer_client, dispatch, "en_route", ref)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["repeat"] is True and again.json()["dispatch"]["status"] == "en_route"
    assert snapshot() == before
    assert DispatchStatusChange.objects.filter(client_ref=ref).count() == 1
    # Sent again even after the unit moved on: still the stored answer, never a second row or a refusal.
    post_step(officer_client, dispatch, "on_scene")
    late = post_step(officer_client, dispatch, "en_route", ref)
    assert late.status_code == 200 and late.json()["repeat"] is True
    assert changes(dispatch) == ["dispatched", "en_route", "on_scene"]


def test_an_id_used_for_another_dispatch_is_refused(officer_client, officer, dispatch, report, operator, make_unit, make_officer):
    ref = new_ref()
    post_step(officer_client, dispatch, "en_route", ref)
    from komando.incidents.actions.dispatch import do_dispatch_units
    from komando.incidents.tests.conftest import bring_to

    other_unit = make_unit("Truk DLH 08")
    other = do_dispatch_units(bring_to(report("SAMPAH"), Status.DIVERIFIKASI, operator), [other_unit], acting_user=operator)[0]
    client = Client()
    client.force_login(make_officer("petugas-truk-08", other_unit))
    before = snapshot()
    response = post_step(client, other, "en_route", ref)
    assert response.status_code == 400 and response.json()["error"] == "dispatch_refused"
    assert snapshot() == before


def test_another_units_task_is_forbidden(client, dispatch, make_officer, make_unit):
    client.force_login(make_officer("petugas-lain", make_unit("Truk DLH 99")))
    before = snapshot()
    for response in (post_step(client, dispatch, "en_route"), post_photo(client, dispatch), post_resolve(client, dispatch)):
        assert response.status_code == 403 and response.json()["error"] == "not_your_task"
    assert snapshot() == before and changes(dispatch) == ["dispatched"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"status": "selesai"}, "invalid_status"),
        ({"status": "cancelled"}, "invalid_status"),  # the command room cancels, not the officer
        ({"status": None}, "invalid_status"),
        ({"status": "en_route", "client_ref": ""}, "dispatch_refused"),
        ({"status": "en_route", "client_ref": "short"}, "dispatch_refused"),
        ({"status": "en_route", "client_ref": "x" * 65}, "dispatch_refused"),
        ({"status": "en_route", "client_ref": "ada spasi di dalamnya"}, "dispatch_refused"),
        ({"status": "en_route", "lat": 95, "lon": 106.6}, "invalid_position"),
        ({"status": "en_route", "lat": "utara", "lon": 106.6}, "invalid_position"),
        ({"status": "en_route", "lat": -6.17}, "invalid_position"),
        ({"status": "en_route", "lat": True, "lon": True}, "invalid_position"),
        ({"status": "en_route", "note": ["bukan", "teks"]}, "invalid_note"),
        ({"status": "en_route", "note": "x" * 1001}, "dispatch_refused"),
        ({"status": "done"}, "dispatch_refused"),  # not on scene yet
    ],
)
def test_bad_steps_are_refused_and_nothing_is_stored(officer_client, dispatch, body, error):
    body = {"client_ref": new_ref(), **body}
    before = snapshot()
    response = officer_client.post(steps_url(dispatch), json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == error and response.json()["message"]
    assert snapshot() == before and changes(dispatch) == ["dispatched"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_refused(officer_client, dispatch, raw):
    before = snapshot()
    response = officer_client.post(steps_url(dispatch), raw, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"
    assert snapshot() == before


def test_a_task_cancelled_meanwhile_refuses_the_queued_step(officer_client, dispatch, operator):
    do_update_dispatch(dispatch, DispatchStatus.CANCELLED, acting_user=operator, note="Unit lain lebih dekat")
    before = snapshot()
    response = post_step(officer_client, dispatch, "en_route")
    assert response.status_code == 400 and response.json()["error"] == "dispatch_refused"
    response = post_photo(officer_client, dispatch)
    assert response.status_code == 400 and response.json()["error"] == "invalid_photo"
    assert snapshot() == before


def test_an_unknown_task_is_404(officer_client):
    response = officer_client.post(
        "/petugas/api/dispatches/999999/steps/", json.dumps({"status": "en_route"}), content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["error"] == "unknown_dispatch"


# --- photos ---------------------------------------------------------------------------------------


def test_a_photo_is_stored_once_per_id(officer_client, officer, dispatch, media_root):
    ref = new_ref()
    first = post_photo(officer_client, dispatch, "before", ref, lat="-6.1729", lon="106.6319", note="Sebelum")
    assert first.status_code == 201
    photo = IncidentPhoto.objects.get()
    assert first.json() == {
        "ok": True,
        "repeat": False,
        "client_ref": ref,
        "photo": {"id": photo.pk, "kind": "before", "width": 60, "height": 40},
    }
    assert (photo.dispatch_id, photo.incident_id, photo.taken_by_id, photo.lat, photo.note) == (
        dispatch.pk,
        dispatch.incident_id,
        officer.pk,
        -6.1729,
        "Sebelum",
    )
    again = post_photo(officer_client, dispatch, "before", ref)
    assert again.status_code == 200 and again.json()["repeat"] is True and again.json()["photo"]["id"] == photo.pk
    assert IncidentPhoto.objects.count() == 1 and len(files_in(media_root)) == 1
    tasks = officer_client.get("/petugas/api/tasks/").json()["tasks"]
    assert tasks[0]["photos"] == {"before": 1, "after": 0}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"data": b"%PDF-1.4 bukan foto"}, "photo_not_image"),
        ({"data": b""}, "photo_empty"),
        ({"kind": "report"}, "invalid_kind"),
        ({"kind": "selfie"}, "invalid_kind"),
        ({"lat": "95", "lon": "106"}, "invalid_position"),
        ({"lat": "-6.17"}, "invalid_position"),
        ({"ref": "pendek"}, "dispatch_refused"),
        ({"note": "x" * 1001}, "invalid_photo"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_stored(officer_client, dispatch, media_root, change, error):
    before = snapshot()
    response = post_photo(officer_client, dispatch, **change)
    assert response.status_code == 400 and response.json()["error"] == error, response.json()
    assert snapshot() == before and files_in(media_root) == []


def test_a_photo_too_large_is_refused(officer_client, dispatch, media_root, settings):
    settings.KOMANDO_REPORT_PHOTO_MAX_BYTES = 10_000
    response = post_photo(officer_client, dispatch, data=jpeg_bytes() + b"\0" * 20_000)
    assert response.status_code == 400 and response.json()["error"] == "photo_too_large"
    assert IncidentPhoto.objects.count() == 0 and files_in(media_root) == []


def test_a_photo_request_without_a_file_is_refused(officer_client, dispatch):
    response = officer_client.post(photos_url(dispatch), {"client_ref": new_ref(), "kind": "after"})
    assert response.status_code == 400 and response.json()["error"] == "photo_missing"
    assert IncidentPhoto.objects.count() == 0


# --- resolving from the field ---------------------------------------------------------------------


def finish(client, dispatch, *, after_photo=True):
    post_step(client, dispatch, "on_scene")
    if after_photo:
        post_photo(client, dispatch, "after")
    post_step(client, dispatch, "done")


def test_the_officer_resolves_the_incident_once_done_with_an_after_photo(officer_client, officer, dispatch):
    finish(officer_client, dispatch)
    ref = new_ref()
    response = post_resolve(officer_client, dispatch, ref, note="Lokasi bersih")
    assert response.status_code == 201
    assert response.json() == {"ok": True, "repeat": False, "client_ref": ref, "incident_status": "selesai"}
    incident = dispatch.incident
    incident.refresh_from_db()
    assert incident.status == Status.SELESAI
    entry = TimelineEntry.objects.get(incident=incident, to_status=Status.SELESAI)
    dispatch.refresh_from_db()
    assert (entry.actor_id, dispatch.resolved_ref) == (officer.pk, ref)
    assert "Lokasi bersih" in entry.comment
    before = snapshot()
    again = post_resolve(officer_client, dispatch, ref)
    assert again.status_code == 200 and again.json()["repeat"] is True and snapshot() == before
    # Another id: the incident is already resolved, a real refusal (shown to the officer, not retried).
    other = post_resolve(officer_client, dispatch)
    assert other.status_code == 400 and other.json()["error"] == "resolve_refused"


@pytest.mark.parametrize("situation", ["not_done", "no_after_photo", "other_unit_at_work"])
def test_resolving_too_early_is_refused(officer_client, dispatch, operator, make_unit, situation):
    from komando.incidents.actions.dispatch import do_dispatch_units

    if situation == "not_done":
        post_step(officer_client, dispatch, "on_scene")
        post_photo(officer_client, dispatch, "after")
    elif situation == "no_after_photo":
        finish(officer_client, dispatch, after_photo=False)
    else:
        do_dispatch_units(dispatch.incident, [make_unit("Truk DLH 31")], acting_user=operator)
        finish(officer_client, dispatch)
    before = snapshot()
    response = post_resolve(officer_client, dispatch)
    assert response.status_code == 400 and response.json()["error"] == "resolve_refused"
    assert snapshot() == before
    dispatch.incident.refresh_from_db()
    assert dispatch.incident.status == Status.DALAM_PENANGANAN


# --- sessions, roles, CSRF ------------------------------------------------------------------------


def test_an_ended_session_is_a_json_401_not_a_redirect(client, dispatch):
    for response in (
        client.get("/petugas/api/tasks/"),
        post_step(client, dispatch, "en_route"),
        post_photo(client, dispatch),
        post_resolve(client, dispatch),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == "login_required"
    assert changes(dispatch) == ["dispatched"] and IncidentPhoto.objects.count() == 0


def test_a_logged_out_officer_gets_401(officer_client, dispatch):
    officer_client.logout()
    assert post_step(officer_client, dispatch, "en_route").status_code == 401
    assert changes(dispatch) == ["dispatched"]


def test_users_who_are_not_field_officers_get_a_json_403(client, personas, dispatch, make_officer):
    for user in (personas["operator"], personas["outsider"], make_officer("petugas-tanpa-unit", None)):
        client.force_login(user)
        response = client.get("/petugas/api/tasks/")
        assert response.status_code == 403 and response.json()["error"] == "not_field_officer"


def test_a_write_without_the_csrf_token_is_refused(officer, dispatch):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = post_step(client, dispatch, "en_route")
    assert response.status_code == 403 and response.json()["error"] == "csrf_failed"
    assert changes(dispatch) == ["dispatched"]
    page = client.get("/petugas/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        steps_url(dispatch),
        json.dumps({"client_ref": new_ref(), "status": "en_route"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_wrong_methods_are_refused(officer_client, dispatch):
    assert officer_client.get(steps_url(dispatch)).status_code == 405
    assert officer_client.post("/petugas/api/tasks/").status_code == 405


# --- the pages ------------------------------------------------------------------------------------


def test_the_app_page_for_the_officer(officer_client, dispatch):
    response = officer_client.get("/petugas/")
    assert response.status_code == 200
    html = response.content.decode()
    for hook in (
        'id="field-app"',
        'id="queue-count"',
        'id="tasks"',
        'id="sync-state"',
        'rel="manifest"',
        'href="/petugas/manifest.webmanifest"',
        "incidents/field/app.js",
    ):
        assert hook in html, hook
    config = json.loads(html.split('id="field-config" type="application/json">')[1].split("</script>")[0])
    assert config["steps_url"] == "/petugas/api/dispatches/{id}/steps/"
    assert config["resolve_url"] == "/petugas/api/dispatches/{id}/resolve/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_app_page_for_others(client, personas, make_officer):
    response = client.get("/petugas/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=/petugas/")
    client.force_login(personas["operator"])
    response = client.get("/petugas/")
    assert response.status_code == 403 and 'data-reason="not_field_officer"' in response.content.decode()
    client.force_login(make_officer("petugas-baru", None))
    response = client.get("/petugas/")
    assert response.status_code == 403 and 'data-reason="no_unit"' in response.content.decode()


def test_the_manifest_and_the_service_worker(client):
    manifest = client.get("/petugas/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert (data["start_url"], data["scope"], data["display"]) == ("/petugas/", "/petugas/", "standalone")
    assert data["theme_color"].startswith("#") and data["name"]
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]
    worker = client.get("/petugas/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/petugas/"
    body = worker.content.decode()
    assert '"/petugas/"' in body and "/petugas/api/tasks/" in body and "{{" not in body
