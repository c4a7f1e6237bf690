"""The operator console ``/konsol/``: the page, and a small JSON API that reads the queue and one
incident and takes each step through exactly one action. Access is asked of
``komando.incidents.access``; refusals come back in the one error shape of ``komando.core.api`` (``{"error": {"code", "message",
"fields"}}``)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from komando.agencies.models import Agency
from komando.assets.models import Asset
from komando.core.api import ApiError, JsonView, data_of, errors, validated
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
from komando.incidents.console.serializers import (
    AcknowledgeInput,
    ChecklistInput,
    CommentInput,
    DispatchInput,
    EscalateInput,
    GoneSerializer,
    HandOffInput,
    IncidentDetailSerializer,
    MergeInput,
    PriorityInput,
    QueueSerializer,
    TransitionInput,
    UnitInput,
)
from komando.incidents.dispatch import FIELD_UNIT_KINDS, fresh_within
from komando.incidents.errors import IncidentError
from komando.incidents.models import Dispatch, Handoff, Incident
from komando.incidents.selectors import incident_by_ticket
from komando.regions.models import Region, RegionLevel
from komando.regions.selectors import region_feature_collection


def _refused(message):
    return ApiError(400, "refused", message)


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


class CanViewIncidents(BasePermission):
    message = gettext_lazy("You may not see incidents.")
    code = "forbidden"

    def has_permission(self, request, view):
        return access.can_view_incidents(request.user)


class ConsoleView(JsonView):
    """A signed-in user allowed to see incidents (401/403 otherwise, in JSON, never a login page);
    a write needs the CSRF token (DRF's SessionAuthentication)."""

    permission_classes = [IsAuthenticated, CanViewIncidents]

    def incident(self, pk: int) -> Incident:
        incident = visible_incident(self.request.user, pk)
        if incident is None:
            raise ApiError(404, "not_found", _("There is no such incident."))
        return incident


class QueueView(ConsoleView):
    @extend_schema(
        operation_id="console_queue",
        tags=["console"],
        summary="The operator console's queue: open incidents, overdue first, and the resolved ones to close",
        responses={200: QueueSerializer, **errors(401, 403)},
    )
    def get(self, request):
        user = request.user
        now = timezone.now().isoformat()
        return Response({"now": now, "incidents": console_queue(user), "finished": finished_to_close(user)})


class IncidentView(ConsoleView):
    @extend_schema(
        operation_id="console_incident",
        tags=["console"],
        summary="One incident as the console shows it",
        responses={200: IncidentDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(incident_detail(request.user, self.incident(pk)))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- One function per step: check access, call exactly one action (the serializer parsed). -------


def step_transition(user, incident: Incident, data: dict):
    _require(access.can_transition(user, incident, data["status"]))
    do_transition_incident(
        incident, data["status"], acting_user=user, reason=data["reason"], comment=data["comment"], via="console"
    )


def step_checklist(user, incident, data):
    _require(access.can_work_incident(user, incident))
    do_complete_checklist_step(incident, data["step"], acting_user=user, note=data["note"], via="console")


def step_comment(user, incident, data):
    _require(access.can_work_incident(user, incident))
    do_comment_incident(incident, data["text"], acting_user=user, public=data["public"], via="console")


def step_priority(user, incident, data):
    _require(access.can_command(user))
    do_set_incident_priority(incident, data["priority"], acting_user=user, comment=data["comment"], via="console")


def step_escalate(user, incident, data):
    _require(access.can_command(user))
    do_escalate_incident(incident, acting_user=user, comment=data["comment"], via="console")


def _required_number(data: dict, name: str) -> int:
    if data.get(name) is None:
        raise ApiError(400, "invalid", _("%(field)s must be a number.") % {"field": name}, {name: [_("Required.")]})
    return data[name]


def step_hand_off(user, incident, data):
    _require(access.can_command(user))
    target = data["target"]
    receiver = {}
    if target == HandoffTarget.AGENCY:
        receiver["to_agency"] = Agency.objects.filter(pk=_required_number(data, "agency")).first()
        if receiver["to_agency"] is None:
            raise _refused(_("Unknown OPD."))
    elif target == HandoffTarget.KELURAHAN:
        receiver["to_kelurahan"] = Region.objects.filter(
            pk=_required_number(data, "kelurahan"), level=RegionLevel.KELURAHAN
        ).first()
        if receiver["to_kelurahan"] is None:
            raise _refused(_("Unknown kelurahan."))
    elif target == HandoffTarget.EXTERNAL:
        if not data["party"]:
            raise ApiError(400, "invalid", _("%(field)s is required.") % {"field": "party"})
        receiver["to_party"] = data["party"]
    else:
        raise _refused(_("Hand off to another OPD, another kelurahan or an outside party."))
    do_hand_off_incident(incident, reason=data["reason"], acting_user=user, via="console", **receiver)


def step_acknowledge(user, incident, data):
    handoff = Handoff.objects.filter(pk=data["handoff"], incident=incident).first()
    if handoff is None:
        raise _refused(_("Unknown hand-off."))
    _require(access.can_acknowledge_handoff(user, handoff))
    do_acknowledge_handoff(handoff, acting_user=user, note=data["note"], via="console")


def step_merge(user, incident, data):
    _require(access.can_command(user))
    into = incident_by_ticket(data["into"])
    if into is None:
        raise _refused(_("There is no incident with that ticket number."))
    do_merge_incidents(incident, into, acting_user=user, comment=data["comment"], via="console")


def step_dispatch(user, incident, data):
    _require(access.can_work_incident(user, incident))
    ids = data["units"]
    if not ids or len(ids) > 20:
        raise _refused(_("Choose at least one unit to dispatch."))
    units = list(Asset.objects.filter(pk__in=ids))
    if len(units) != len(set(ids)):
        raise _refused(_("Unknown unit."))
    if not access.can_command(user) and any(unit.source.agency_id != incident.agency_id for unit in units):
        raise PermissionDenied
    do_dispatch_units(incident, units, acting_user=user, note=data["note"], via="console")


def step_unit(user, incident, data):
    dispatch = Dispatch.objects.filter(pk=data["dispatch"], incident=incident).first()
    if dispatch is None:
        raise _refused(_("Unknown dispatch."))
    _require(access.can_command(user) or access.can_work_incident(user, incident))
    do_update_dispatch(dispatch, data["status"], acting_user=user, note=data["note"], via="console")


# The step's name in the URL → (what it takes, what it does).
STEPS: dict[str, tuple[type[serializers.Serializer], Callable]] = {
    "transition": (TransitionInput, step_transition),
    "checklist": (ChecklistInput, step_checklist),
    "comment": (CommentInput, step_comment),
    "priority": (PriorityInput, step_priority),
    "escalate": (EscalateInput, step_escalate),
    "hand-off": (HandOffInput, step_hand_off),
    "acknowledge": (AcknowledgeInput, step_acknowledge),
    "merge": (MergeInput, step_merge),
    "dispatch": (DispatchInput, step_dispatch),
    "unit": (UnitInput, step_unit),
}

STEP_RESULT = PolymorphicProxySerializer(
    component_name="ConsoleStepResult",
    serializers=[IncidentDetailSerializer, GoneSerializer],
    resource_type_field_name=None,
)


class StepView(ConsoleView):
    """One step on one incident: ``POST /konsol/api/insiden/<pk>/<step>/`` (one route per step, each
    with its own input in the OpenAPI document)."""

    step = ""

    def post(self, request, pk: int):
        serializer_class, handler = STEPS[self.step]
        incident = self.incident(pk)
        data = validated(serializer_class, data_of(request))
        try:
            with transaction.atomic():
                handler(request.user, incident, data)
        except PermissionDenied:
            raise ApiError(403, "forbidden", _("You may not take this step on this incident.")) from None
        except IncidentError as error:
            raise ApiError(400, getattr(error, "code", "refused") or "refused", str(error)) from error
        incident = visible_incident(request.user, pk)
        if incident is None:  # e.g. handed to another OPD: this officer no longer sees it
            return Response({"gone": True})
        return Response(incident_detail(request.user, incident))


def step_view(name: str):
    serializer_class = STEPS[name][0]

    def post(self, request, pk: int):  # its own function: each route gets its own schema
        return StepView.post(self, request, pk)

    view = type(
        f"Step{serializer_class.__name__.removesuffix('Input')}View",
        (StepView,),
        {
            "step": name,
            "post": extend_schema(
                operation_id=f"console_step_{name.replace('-', '_')}",
                tags=["console"],
                summary=f"Take the step '{name}' on an incident (one action)",
                request=serializer_class,
                responses={200: STEP_RESULT, **errors(400, 401, 403, 404)},
            )(post),
        },
    )
    return view.as_view()
