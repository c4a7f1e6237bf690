"""The situation room's pages and its JSON API. Views parse input, ask ``access``, call one action,
render. The API offers GET (read) and POST (append) only: there is no PUT, PATCH or DELETE, so
those methods get 405. Refusals: bad input 400 ``{"error": ...}``, not allowed 403, not visible 404."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from komando.agencies.models import Agency
from komando.incidents.models import Incident
from komando.incidents.selectors import incident_by_ticket
from komando.regions.models import Region, RegionLevel
from komando.situation import access, selectors
from komando.situation.actions import (
    SituationError,
    SituationRefused,
    do_add_action_item,
    do_add_attendee,
    do_add_note,
    do_close_session,
    do_link_incident,
    do_open_session,
    do_record_decision,
    do_update_action_item,
)
from komando.situation.models import ActionStatus, Decision

MAX_BODY = 64 * 1024
READ_AND_APPEND = ("GET", "POST")


def _error(message, status: int) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


def _body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise SituationError(_("The request is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise SituationError(_("The request is not valid JSON.")) from error
    if not isinstance(data, dict):
        raise SituationError(_("The request must be a JSON object."))
    return data


def _pk(data: dict, name: str, *, required: bool = False) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise SituationError(_("%(field)s is required.") % {"field": name})
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise SituationError(_("%(field)s must be a number.") % {"field": name})
    return int(value)


def _agency(data):
    pk = _pk(data, "agency")
    if pk is None:
        return None
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        raise SituationError(_("There is no such OPD."))
    return agency


def _person(data, name="user"):
    pk = _pk(data, name)
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise SituationError(_("There is no such person."))
    return user


def _deadline(data):
    value = data.get("deadline")
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise SituationError(_("The deadline is not a date and time (YYYY-MM-DDTHH:MM)."))
    if timezone.is_naive(parsed):  # what the form's clock shows: WIB
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def api(methods=READ_AND_APPEND):
    """A JSON endpoint: only ``methods`` (405 otherwise), a signed-in user of the situation room (401,
    403), action refusals as JSON."""

    def wrap(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            if not request.user.is_authenticated:
                return _error(_("Your session has ended. Log in again."), 401)
            if not access.can_use_situation_room(request.user):
                return _error(_("The situation room is for the command room and the OPDs."), 403)
            try:
                return view(request, *args, **kwargs)
            except SituationRefused as refusal:
                return _error(refusal, 403)
            except SituationError as error:
                return _error(error, 400)

        return inner

    return wrap


def _session_or_404(request, pk):
    session = selectors.visible_session(request.user, pk)
    if session is None:
        raise Http404
    return session


def _state(request, session, status=200) -> JsonResponse:
    session = selectors.visible_session(request.user, session.pk) or session
    return JsonResponse(selectors.session_state(session, request.user), status=status, json_dumps_params={"default": str})


# --- Pages ------------------------------------------------------------------------------------


def _page_user(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_use_situation_room(request.user):
        return HttpResponse(_("The situation room is for the command room and the OPDs."), status=403)
    return None


def session_list(request):
    if request.method not in READ_AND_APPEND:
        return HttpResponseNotAllowed(READ_AND_APPEND)
    refused = _page_user(request)
    if refused:
        return refused
    error = ""
    form = {"title": "", "kecamatan": ""}
    if request.method == "POST":
        form = {"title": request.POST.get("title", ""), "kecamatan": request.POST.get("kecamatan", "")}
        try:
            kecamatan = None
            if form["kecamatan"]:
                kecamatan = Region.objects.filter(pk=_pk(form, "kecamatan"), level=RegionLevel.KECAMATAN).first()
                if kecamatan is None:
                    raise SituationError(_("There is no such kecamatan."))
            session = do_open_session(form["title"], acting_user=request.user, kecamatan=kecamatan)
            return redirect("situation:session", pk=session.pk)
        except (SituationError, SituationRefused) as problem:
            error = str(problem)
    return render(
        request,
        "situation/ruang.html",
        {
            "rows": selectors.session_rows(request.user),
            "may_open": access.can_open_session(request.user),
            "kecamatan": Region.objects.filter(level=RegionLevel.KECAMATAN).order_by("name"),
            "form": form,
            "error": error,
        },
        status=400 if error else 200,
    )


def session_page(request, pk):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refused = _page_user(request)
    if refused:
        return refused
    session = _session_or_404(request, pk)
    config = {
        "state": selectors.session_state(session, request.user),
        "choices": selectors.form_choices(),
        "statuses": [{"value": value, "label": str(label)} for value, label in ActionStatus.choices],
        "api": f"/ruang/api/sesi/{session.pk}/",
        "locale": "id-ID" if (get_language() or "id").startswith("id") else "en-GB",
    }
    return render(request, "situation/sesi.html", {"session": session, "config": config})


def minutes_pdf(request, pk):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refused = _page_user(request)
    if refused:
        return refused
    session = _session_or_404(request, pk)
    from komando.situation.minutes import minutes_filename, render_minutes_pdf

    response = HttpResponse(render_minutes_pdf(session), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{minutes_filename(session)}"'
    return response


# --- JSON API ---------------------------------------------------------------------------------


@api()
def api_sessions(request):
    if request.method == "GET":
        rows = selectors.session_rows(request.user)
        return JsonResponse(rows, json_dumps_params={"default": str})
    data = _body(request)
    kecamatan = kelurahan = None
    if _pk(data, "kecamatan") is not None:
        kecamatan = Region.objects.filter(pk=_pk(data, "kecamatan"), level=RegionLevel.KECAMATAN).first()
        if kecamatan is None:
            raise SituationError(_("There is no such kecamatan."))
    if _pk(data, "kelurahan") is not None:
        kelurahan = Region.objects.filter(pk=_pk(data, "kelurahan"), level=RegionLevel.KELURAHAN).first()
        if kelurahan is None:
            raise SituationError(_("There is no such kelurahan."))
    session = do_open_session(
        data.get("title"), acting_user=request.user, chair=_person(data, "chair"), kecamatan=kecamatan, kelurahan=kelurahan
    )
    return _state(request, session, status=201)


@api(methods=("GET",))
def api_session(request, pk):
    return _state(request, _session_or_404(request, pk))


@api(methods=("POST",))
def api_attendee(request, pk):
    session = _session_or_404(request, pk)
    data = _body(request)
    do_add_attendee(session, acting_user=request.user, user=_person(data), name=data.get("name") or "")
    return _state(request, session, status=201)


@api(methods=("POST",))
def api_link_incident(request, pk):
    session = _session_or_404(request, pk)
    data = _body(request)
    incident = None
    if _pk(data, "incident") is not None:
        incident = Incident.objects.filter(pk=_pk(data, "incident")).first()
    elif isinstance(data.get("ticket"), str) and data["ticket"].strip():
        incident = incident_by_ticket(data["ticket"])
    else:
        raise SituationError(_("Give the incident's ticket number or choose an open incident."))
    if incident is None:
        raise SituationError(_("There is no incident with that ticket number."))
    do_link_incident(session, incident, acting_user=request.user)
    return _state(request, session, status=201)


@api(methods=("POST",))
def api_note(request, pk):
    session = _session_or_404(request, pk)
    do_add_note(session, _body(request).get("text"), acting_user=request.user)
    return _state(request, session, status=201)


@api()
def api_decisions(request, pk):
    session = _session_or_404(request, pk)
    if request.method == "GET":
        return JsonResponse({"decisions": selectors.decision_rows(session)}, json_dumps_params={"default": str})
    data = _body(request)
    corrects = None
    if _pk(data, "corrects") is not None:
        corrects = selectors.decision_in(session, _pk(data, "corrects"))
        if corrects is None:
            raise SituationError(_("The decision to correct is not one of this session's."))
    do_record_decision(
        session,
        data.get("text"),
        acting_user=request.user,
        basis=data.get("basis") or "",
        decided_by=_person(data, "decided_by"),
        assigned_agency=_agency(data),
        assigned_user=_person(data),
        deadline=_deadline(data),
        corrects=corrects,
    )
    return _state(request, session, status=201)


@api(methods=("GET",))
def api_decision(request, pk, decision_pk):
    session = _session_or_404(request, pk)
    row = next((row for row in selectors.decision_rows(session) if row["id"] == decision_pk), None)
    if row is None or not Decision.objects.filter(pk=decision_pk, session=session).exists():
        raise Http404
    return JsonResponse(row, json_dumps_params={"default": str})


@api()
def api_action_items(request, pk):
    session = _session_or_404(request, pk)
    if request.method == "GET":
        return JsonResponse({"action_items": selectors.action_rows(session, request.user)}, json_dumps_params={"default": str})
    data = _body(request)
    decision = None
    if _pk(data, "decision") is not None:
        decision = selectors.decision_in(session, _pk(data, "decision"))
        if decision is None:
            raise SituationError(_("The decision is not one of this session's."))
    do_add_action_item(
        session,
        data.get("text"),
        acting_user=request.user,
        assigned_agency=_agency(data),
        assigned_user=_person(data),
        deadline=_deadline(data),
        decision=decision,
    )
    return _state(request, session, status=201)


@api(methods=("POST",))
def api_action_update(request, pk, item_pk):
    session = _session_or_404(request, pk)
    item = selectors.action_item_in(session, item_pk)
    if item is None:
        raise Http404
    data = _body(request)
    do_update_action_item(item, data.get("status"), acting_user=request.user, note=data.get("note") or "")
    return _state(request, session, status=201)


@api(methods=("POST",))
def api_close(request, pk):
    session = _session_or_404(request, pk)
    do_close_session(session, acting_user=request.user, note=_body(request).get("note") or "")
    return _state(request, session, status=201)


@api(methods=("GET",))
def api_incident_search(request):
    """Incidents by ticket number (prefix), for linking: the command room's roles only."""
    if not access.can_open_session(request.user):
        raise SituationRefused(_("You may not link incidents."))
    query = (request.GET.get("q") or "").strip().upper()[:32]
    if len(query) < 3:
        return JsonResponse({"incidents": []})
    incidents = Incident.objects.filter(ticket__startswith=query).select_related("category", "kelurahan")[:20]
    return JsonResponse(
        {
            "incidents": [
                {
                    "id": i.pk,
                    "ticket": i.ticket,
                    "label": f"{i.ticket} · {i.category.name} · {i.kelurahan.name}",
                    "status": i.status,
                }
                for i in incidents
            ]
        }
    )
