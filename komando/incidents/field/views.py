"""``/petugas/``: the field officers' app (an installable web app that works offline), its JSON API,
and the access-checked view staff read incident photos through.

The app's page is a shell: its script loads the tasks from ``api/tasks/`` and sends every update
from a queue kept on the phone (IndexedDB), each with an id of its own (``client_ref``), so an
update sent twice is stored once. The API answers in JSON only, errors included: an expired
session is a 401 with ``{"error": "login_required"}``, never a redirect to the login page."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render, resolve_url
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from komando.accounts.access import roles_of
from komando.accounts.models import Role
from komando.incidents.access import can_resolve_from_field, can_update_dispatch, can_view_incident_photos, unit_of
from komando.incidents.actions.field import check_client_ref, do_field_resolve_incident, do_field_update_dispatch
from komando.incidents.actions.photos import do_add_incident_photo
from komando.incidents.errors import IncidentError
from komando.incidents.field.selectors import tasks_of_unit, unit_summary
from komando.incidents.models import Dispatch, IncidentPhoto, PhotoKind
from komando.incidents.public.photos import max_photo_bytes, megabytes

STEPS = ("en_route", "on_scene", "done")
FIELD_PHOTO_KINDS = (PhotoKind.BEFORE, PhotoKind.AFTER)
APP_FILES = ("incidents/field/app.js", "incidents/field/app.css", "komando/komando.css")
ICONS = (
    "incidents/field/icon-192.png",
    "incidents/field/icon-512.png",
    "incidents/field/icon-maskable-512.png",
    "incidents/field/apple-touch-icon.png",
)


def app_labels() -> dict[str, str]:
    """Every string the app's script writes, translated here."""
    return {
        "step_en_route": gettext("Accept"),
        "step_on_scene": gettext("Arrived"),
        "step_done": gettext("Done"),
        "status_dispatched": gettext("Dispatched"),
        "status_en_route": gettext("En route"),
        "status_on_scene": gettext("On scene"),
        "status_done": gettext("Done"),
        "status_cancelled": gettext("Cancelled"),
        "photo_before": gettext("Before photo"),
        "photo_after": gettext("After photo"),
        "photos_taken": gettext("Photos: {before} before, {after} after"),
        "note": gettext("Note (optional, sent with the next update)"),
        "sop": gettext("SOP steps"),
        "sop_mandatory": gettext("mandatory"),
        "distance_phone": gettext("{distance} from you"),
        "distance_unit": gettext("{distance} from the unit's last position"),
        "no_tasks": gettext(
            "No tasks for your unit right now. New tasks appear here when the command room dispatches your unit."
        ),
        "finished": gettext("Finished"),
        "queue_one": gettext("update waiting to be sent"),
        "queue_many": gettext("updates waiting to be sent"),
        "state_online": gettext("Online"),
        "state_offline": gettext("Offline: updates are kept on this phone and sent when the network is back"),
        "state_syncing": gettext("Sending…"),
        "state_retry": gettext("The server cannot be reached; trying again in {seconds} s"),
        "state_login": gettext("Your session has ended. Log in again to send the waiting updates."),
        "state_synced": gettext("Every update has been sent"),
        "tasks_cached": gettext("Offline: showing the tasks as they were at {time}"),
        "refused": gettext("Not accepted by the server: {message}"),
        "pending": gettext("waiting to be sent"),
        "photo_pending": gettext("{kind}: waiting to be sent"),
        "photo_too_large": gettext("The photo is too large ({size} MB). Send a photo of at most {max} MB."),
        "resolved": gettext("The report is marked resolved."),
        "resolve": gettext("Report resolved"),
        "resolve_hint": gettext(
            "Your unit is done. If the problem is solved, report it resolved: the command room then checks and closes it."
        ),
        "resolve_needs_photo": gettext("Add an after photo to report the problem resolved."),
        "after_photo_hint": gettext(
            "Take an after photo when the work is finished: it is needed to report the problem resolved."
        ),
        "dismiss": gettext("Dismiss"),
        "location_known": gettext("Your location is shared with each update."),
        "location_unknown": gettext("Your location is not shared (allow location to attach it to updates)."),
    }


def _denied(request, reason: str, status: int = 403):
    return render(request, "incidents/field/no_access.html", {"reason": reason}, status=status)


@never_cache
@ensure_csrf_cookie
@require_GET
def app(request):
    """The app's page (also the shell the service worker keeps for opening it offline)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if Role.FIELD_OFFICER not in roles_of(request.user):
        return _denied(request, "not_field_officer")
    unit = unit_of(request.user)
    if unit is None:
        return _denied(request, "no_unit")
    return render(
        request,
        "incidents/field/app.html",
        {
            "unit": unit_summary(unit),
            "labels": app_labels(),
            "config": {
                "tasks_url": reverse("field:api_tasks"),
                "steps_url": reverse("field:api_step", args=[0]).replace("/0/", "/{id}/"),
                "photos_url": reverse("field:api_photo", args=[0]).replace("/0/", "/{id}/"),
                "resolve_url": reverse("field:api_resolve", args=[0]).replace("/0/", "/{id}/"),
                "sw_url": reverse("field:service_worker"),
                "login_url": f"{resolve_url(settings.LOGIN_URL)}?next={reverse('field:app')}",
                "photo_max_bytes": max_photo_bytes(),
                "photo_max_mb": megabytes(max_photo_bytes()),
                "user": request.user.get_username(),
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
            },
        },
    )


@require_GET
def manifest(request):
    """The web app manifest (public: browsers fetch it without the session cookie)."""
    data = {
        "name": gettext("Komando field officers"),
        "short_name": gettext("Komando Field"),
        "description": gettext("Tasks of your unit: accept, report arrival and completion, add photos; works offline."),
        "id": "/petugas/",
        "start_url": "/petugas/",
        "scope": "/petugas/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#070d1a",
        "theme_color": "#0a1222",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static(ICONS[0]), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static(ICONS[1]), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static(ICONS[2]), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _app_version() -> str:
    """Changes whenever a file of the app shell changes: the service worker then caches it afresh."""
    digest = hashlib.sha256()
    for name in (*APP_FILES, *ICONS, "../templates/incidents/field/app.html", "../templates/incidents/field/sw.js"):
        path = finders.find(name) if not name.startswith("..") else Path(__file__).parent.parent / name[3:]
        if path and Path(path).exists():
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


_cached_app_version = lru_cache(maxsize=1)(_app_version)


@require_GET
def service_worker(request):
    """``/petugas/sw.js``: served from here (not /static/) so that its scope is ``/petugas/``."""
    version = _app_version() if settings.DEBUG else _cached_app_version()
    response = render(
        request,
        "incidents/field/sw.js",
        {
            "version": version,
            "shell_json": json.dumps(
                ["/petugas/", "/petugas/manifest.webmanifest", *(static(name) for name in (*APP_FILES, *ICONS))]
            ),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/petugas/"
    return response


# --- JSON API ---------------------------------------------------------------------------------


def api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": code, "message": message}, status=status)


def field_api(view):
    """JSON in and out: 401 without a session, 403 for a user who is not a field officer with a
    unit, 403 ``csrf_failed`` for a write without the CSRF token (all JSON, never a redirect)."""

    @csrf_exempt
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return api_error(401, "login_required", gettext("Your session has ended. Log in again."))
        unit = unit_of(request.user)
        if unit is None:
            return api_error(
                403, "not_field_officer", gettext("This app is for field officers whose account is linked to a unit.")
            )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if rejected is not None:
                return api_error(403, "csrf_failed", gettext("The page is out of date. Reload it and log in again."))
        return view(request, unit, *args, **kwargs)

    return wrapped


@require_GET
@field_api
def api_tasks(request, unit):
    return JsonResponse({"ok": True, "unit": unit_summary(unit), "tasks": tasks_of_unit(unit)})


def _dispatch_for(request, dispatch_id: int):
    dispatch = Dispatch.objects.select_related("unit", "incident").filter(pk=dispatch_id).first()
    if dispatch is None:
        return None, api_error(404, "unknown_dispatch", gettext("There is no such task."))
    if not can_update_dispatch(request.user, dispatch):
        return None, api_error(403, "not_your_task", gettext("This task belongs to another unit."))
    return dispatch, None


def _json_body(request) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@require_http_methods(["POST"])
@field_api
def api_step(request, unit, dispatch_id: int):
    """``{"client_ref", "status": en_route | on_scene | done, "note", "lat", "lon"}`` → the stored step.
    The same ``client_ref`` again returns what was stored the first time (``"repeat": true``)."""
    body = _json_body(request)
    if body is None:
        return api_error(400, "invalid_json", gettext("The update is not valid JSON."))
    dispatch, refused = _dispatch_for(request, dispatch_id)
    if refused:
        return refused
    status = body.get("status")
    if status not in STEPS:
        return api_error(400, "invalid_status", gettext("Unknown step %(status)s.") % {"status": repr(status)[:40]})
    note = body.get("note") or ""
    if not isinstance(note, str):
        return api_error(400, "invalid_note", gettext("The note must be text."))
    try:
        result = do_field_update_dispatch(
            dispatch,
            status,
            acting_user=request.user,
            client_ref=body.get("client_ref"),
            lat=body.get("lat"),
            lon=body.get("lon"),
            note=note,
        )
    except IncidentError as error:
        return api_error(400, error.code, str(error))
    return JsonResponse(
        {
            "ok": True,
            "repeat": not result.created,
            "client_ref": result.change.client_ref,
            "dispatch": {"id": dispatch.pk, "status": result.change.status},
            "incident_status": result.incident_status,
        },
        status=201 if result.created else 200,
    )


@require_http_methods(["POST"])
@field_api
def api_resolve(request, unit, dispatch_id: int):
    """``{"client_ref", "note"}``: the officer reports the incident resolved (selesai) once their
    unit is done and has an after photo; the same ``client_ref`` again changes nothing."""
    body = _json_body(request)
    if body is None:
        return api_error(400, "invalid_json", gettext("The update is not valid JSON."))
    dispatch, refused = _dispatch_for(request, dispatch_id)
    if refused:
        return refused
    if not can_resolve_from_field(request.user, dispatch):
        return api_error(403, "not_your_task", gettext("This task belongs to another unit."))
    try:
        result = do_field_resolve_incident(
            dispatch, acting_user=request.user, client_ref=body.get("client_ref"), note=body.get("note") or ""
        )
    except IncidentError as error:
        return api_error(400, error.code, str(error))
    return JsonResponse(
        {
            "ok": True,
            "repeat": not result.created,
            "client_ref": body.get("client_ref"),
            "incident_status": result.incident.status,
        },
        status=201 if result.created else 200,
    )


@require_http_methods(["POST"])
@field_api
def api_photo(request, unit, dispatch_id: int):
    """multipart: ``client_ref``, ``kind`` (before | after), ``photo`` (the file), ``note``, ``lat``,
    ``lon`` → the stored photo; the same ``client_ref`` again returns it (``"repeat": true``)."""
    dispatch, refused = _dispatch_for(request, dispatch_id)
    if refused:
        return refused
    kind = request.POST.get("kind")
    if kind not in FIELD_PHOTO_KINDS:
        return api_error(400, "invalid_kind", gettext("A field photo is a before or an after photo."))
    try:
        client_ref = check_client_ref(request.POST.get("client_ref", ""))
        photo, created = do_add_incident_photo(
            dispatch.incident,
            request.FILES.get("photo"),
            kind=kind,
            acting_user=request.user,
            dispatch=dispatch,
            lat=request.POST.get("lat"),
            lon=request.POST.get("lon"),
            note=request.POST.get("note", ""),
            client_ref=client_ref,
            via="api",
        )
    except IncidentError as error:
        return api_error(400, error.code, str(error))
    return JsonResponse(
        {
            "ok": True,
            "repeat": not created,
            "client_ref": photo.client_ref,
            "photo": {"id": photo.pk, "kind": photo.kind, "width": photo.width, "height": photo.height},
        },
        status=201 if created else 200,
    )


# --- Photos for staff ---------------------------------------------------------------------------


@require_GET
def photo(request, photo_id: int):
    """One incident photo, for whoever may see the incident (``access.can_view_incident_photos``).
    Photos are never public files: this view is the only way to them."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    row = get_object_or_404(IncidentPhoto.objects.select_related("incident"), pk=photo_id)
    if not can_view_incident_photos(request.user, row.incident):
        return _denied(request, "not_allowed")
    try:
        handle = default_storage.open(row.file.name, "rb")
    except FileNotFoundError:
        raise Http404("photo file missing") from None
    response = FileResponse(handle, content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="foto-{row.incident.ticket}-{row.pk}.{row.file.name.rsplit(".", 1)[-1]}"'
    return response
