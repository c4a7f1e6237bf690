"""The operator console ``/konsol/``: the page, and a small JSON API that reads the queue and one
incident and takes each step through exactly one action. Access is asked of
``komando.incidents.access``; refusals of the actions come back as ``{"error": message}`` (400)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from komando.agencies.models import Agency
from komando.assets.models import Asset
from komando.core.city import current_city
from komando.devices.selectors import device_states
from komando.incidents import access
from komando.incidents.actions import (
    do_acknowledge_handoff,
    do_comment_incident,
    do_complete_checklist_step,
    do_escalate_incident,
    do_hand_off_incident,
    do_merge_incidents,
    do_set_incident_priority,
    do_transition_incident,
)
from komando.incidents.actions.dispatch import do_dispatch_units, do_update_dispatch
from komando.incidents.choices import HandoffTarget, Priority, external_party_choices
from komando.incidents.console.selectors import console_queue, finished_to_close, incident_detail, visible_incident
from komando.incidents.dispatch import FIELD_UNIT_KINDS, fresh_within
from komando.incidents.errors import IncidentError
from komando.incidents.models import Dispatch, Handoff, Incident
from komando.incidents.selectors import incident_by_ticket
from komando.regions.models import Region, RegionLevel
from komando.regions.selectors import region_feature_collection

MAX_BODY = 64 * 1024


class BadRequest(Exception):
    pass


def _error(message, status: int) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


def console_page(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_view_incidents(request.user):
        return HttpResponseForbidden(_("The operator console is for the command room and the OPDs."))
    units = [row for row in device_states(kinds=FIELD_UNIT_KINDS)]
    config = {
        "queue": console_queue(request.user),
        "finished": finished_to_close(request.user),
        "units": units,
        "now": timezone.now().isoformat(),
        "unit_fresh_seconds": int(fresh_within().total_seconds()),
        "may_command": access.can_command(request.user),
        "priorities": [{"value": value, "label": str(text)} for value, text in Priority.choices],
        "agencies": [{"id": agency.pk, "label": agency.short_name} for agency in Agency.objects.order_by("short_name")],
        "kelurahan": [
            {"id": region.pk, "label": region.name}
            for region in Region.objects.filter(level=RegionLevel.KELURAHAN).order_by("name")
        ],
        "parties": [{"value": value, "label": label} for value, label in external_party_choices()],
        "targets": [{"value": value, "label": str(text)} for value, text in HandoffTarget.choices],
        "kecamatan": region_feature_collection(RegionLevel.KECAMATAN),
        "center": current_city().center,  # the map's view when the city has no boundaries yet
        "locale": "id-ID" if (get_language() or "id").startswith("id") else "en-GB",
    }
    return render(request, "incidents/console/konsol.html", {"config": config, "city": current_city()})


def _api_user(request):
    """The signed-in user allowed to see incidents; a JSON 401/403 otherwise (never a login page)."""
    if not request.user.is_authenticated:
        return None, _error(_("Your session has ended. Log in again."), 401)
    if not access.can_view_incidents(request.user):
        return None, _error(_("You may not see incidents."), 403)
    return request.user, None


@require_GET
def api_queue(request):
    user, refused = _api_user(request)
    if refused:
        return refused
    return JsonResponse(
        {"now": timezone.now().isoformat(), "incidents": console_queue(user), "finished": finished_to_close(user)}
    )


@require_GET
def api_incident(request, pk: int):
    user, refused = _api_user(request)
    if refused:
        return refused
    incident = visible_incident(user, pk)
    if incident is None:
        return _error(_("There is no such incident."), 404)
    return JsonResponse(incident_detail(user, incident), json_dumps_params={"default": str})


def _body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise BadRequest(_("The request is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(_("The request is not valid JSON.")) from error
    if not isinstance(data, dict):
        raise BadRequest(_("The request must be a JSON object."))
    return data


def _text(data: dict, name: str, *, required: bool = False, limit: int = 4000) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadRequest(_("%(field)s must be text.") % {"field": name})
    value = value.strip()
    if required and not value:
        raise BadRequest(_("%(field)s is required.") % {"field": name})
    if len(value) > limit:
        raise BadRequest(_("%(field)s is longer than %(max)s characters.") % {"field": name, "max": limit})
    return value


def _id(data: dict, name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise BadRequest(_("%(field)s must be a number.") % {"field": name})
    return int(value)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- One function per step: check access, parse, call exactly one action. -----------------------


def step_transition(user, incident: Incident, data: dict):
    new_status = _text(data, "status", required=True, limit=30)
    _require(access.can_transition(user, incident, new_status))
    do_transition_incident(
        incident, new_status, acting_user=user, reason=_text(data, "reason"), comment=_text(data, "comment"), via="console"
    )


def step_checklist(user, incident, data):
    _require(access.can_work_incident(user, incident))
    do_complete_checklist_step(
        incident, _text(data, "step", required=True, limit=60), acting_user=user, note=_text(data, "note"), via="console"
    )


def step_comment(user, incident, data):
    _require(access.can_work_incident(user, incident))
    public = data.get("public", False)
    if not isinstance(public, bool):
        raise BadRequest(_("%(field)s must be true or false.") % {"field": "public"})
    do_comment_incident(incident, _text(data, "text", required=True), acting_user=user, public=public, via="console")


def step_priority(user, incident, data):
    _require(access.can_command(user))
    do_set_incident_priority(
        incident,
        _text(data, "priority", required=True, limit=20),
        acting_user=user,
        comment=_text(data, "comment"),
        via="console",
    )


def step_escalate(user, incident, data):
    _require(access.can_command(user))
    do_escalate_incident(incident, acting_user=user, comment=_text(data, "comment"), via="console")


def step_hand_off(user, incident, data):
    _require(access.can_command(user))
    target = _text(data, "target", required=True, limit=20)
    receiver = {}
    if target == HandoffTarget.AGENCY:
        receiver["to_agency"] = Agency.objects.filter(pk=_id(data, "agency")).first()
        if receiver["to_agency"] is None:
            raise BadRequest(_("Unknown OPD."))
    elif target == HandoffTarget.KELURAHAN:
        receiver["to_kelurahan"] = Region.objects.filter(pk=_id(data, "kelurahan"), level=RegionLevel.KELURAHAN).first()
        if receiver["to_kelurahan"] is None:
            raise BadRequest(_("Unknown kelurahan."))
    elif target == HandoffTarget.EXTERNAL:
        receiver["to_party"] = _text(data, "party", required=True, limit=20)
    else:
        raise BadRequest(_("Hand off to another OPD, another kelurahan or an outside party."))
    do_hand_off_incident(incident, reason=_text(data, "reason", required=True), acting_user=user, via="console", **receiver)


def step_acknowledge(user, incident, data):
    handoff = Handoff.objects.filter(pk=_id(data, "handoff"), incident=incident).first()
    if handoff is None:
        raise BadRequest(_("Unknown hand-off."))
    _require(access.can_acknowledge_handoff(user, handoff))
    do_acknowledge_handoff(handoff, acting_user=user, note=_text(data, "note"), via="console")


def step_merge(user, incident, data):
    _require(access.can_command(user))
    into = incident_by_ticket(_text(data, "into", required=True, limit=32))
    if into is None:
        raise BadRequest(_("There is no incident with that ticket number."))
    do_merge_incidents(incident, into, acting_user=user, comment=_text(data, "comment"), via="console")


def step_dispatch(user, incident, data):
    _require(access.can_work_incident(user, incident))
    ids = data.get("units")
    if not isinstance(ids, list) or not ids or len(ids) > 20:
        raise BadRequest(_("Choose at least one unit to dispatch."))
    ids = [_id({"unit": value}, "unit") for value in ids]
    units = list(Asset.objects.filter(pk__in=ids))
    if len(units) != len(set(ids)):
        raise BadRequest(_("Unknown unit."))
    if not access.can_command(user) and any(unit.source.agency_id != incident.agency_id for unit in units):
        raise PermissionDenied
    do_dispatch_units(incident, units, acting_user=user, note=_text(data, "note"), via="console")


def step_unit(user, incident, data):
    dispatch = Dispatch.objects.filter(pk=_id(data, "dispatch"), incident=incident).first()
    if dispatch is None:
        raise BadRequest(_("Unknown dispatch."))
    _require(access.can_command(user) or access.can_work_incident(user, incident))
    do_update_dispatch(
        dispatch, _text(data, "status", required=True, limit=20), acting_user=user, note=_text(data, "note"), via="console"
    )


STEPS: dict[str, Callable] = {
    "transition": step_transition,
    "checklist": step_checklist,
    "comment": step_comment,
    "priority": step_priority,
    "escalate": step_escalate,
    "hand-off": step_hand_off,
    "acknowledge": step_acknowledge,
    "merge": step_merge,
    "dispatch": step_dispatch,
    "unit": step_unit,
}


def _csrf_refused(request) -> bool:
    """Django's CSRF check, answered in JSON by the caller instead of the HTML failure page."""
    return CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {}) is not None


@csrf_exempt  # checked below, so that a refusal is JSON the console can show
@require_POST
def api_step(request, pk: int, step: str):
    user, refused = _api_user(request)
    if refused:
        return refused
    if _csrf_refused(request):
        return _error(_("The page's security token is missing or out of date. Reload the page."), 403)
    handler = STEPS.get(step)
    if handler is None:
        raise Http404
    incident = visible_incident(user, pk)
    if incident is None:
        return _error(_("There is no such incident."), 404)
    try:
        data = _body(request)
        with transaction.atomic():
            handler(user, incident, data)
    except PermissionDenied:
        return _error(_("You may not take this step on this incident."), 403)
    except (BadRequest, IncidentError) as error:
        return _error(error, 400)
    incident = visible_incident(user, pk)
    if incident is None:  # e.g. handed to another OPD: this officer no longer sees it
        return JsonResponse({"gone": True})
    return JsonResponse(incident_detail(user, incident), json_dumps_params={"default": str})
