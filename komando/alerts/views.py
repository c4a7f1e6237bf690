"""Pages and endpoints of /peringatan/: the alert list (live), its JSON, acknowledging, the CAP feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from komando.alerts import cap
from komando.alerts.access import can_view_alerts
from komando.alerts.actions import AlertRefused, do_acknowledge_alert
from komando.alerts.models import Alert
from komando.alerts.selectors import alert_dict, get_alert, open_alerts, public_alerts, recent_alerts


def _require_viewer(request):
    if not can_view_alerts(request.user):
        raise PermissionDenied(_("Alerts are for the command room."))


def _texts() -> dict:
    return {
        "live": _("Live"),
        "offline": _("Offline, reconnecting…"),
        "connecting": _("Connecting…"),
        "critical": _("Alert level: critical"),
        "warning": _("Alert level: warning"),
        "info": _("Alert level: info"),
        "raised": _("Raised"),
        "cleared": _("cleared"),
        "active": _("still active"),
        "acknowledged": _("Acknowledged by"),
        "look": _("Look"),
    }


def _state(user) -> dict:
    return {"open": open_alerts(user), "recent": recent_alerts(user), "as_of": timezone.now().isoformat()}


@login_required
@require_GET
def alerts_page(request):
    _require_viewer(request)
    return render(request, "alerts/peringatan.html", {"state": _state(request.user), "texts": _texts()})


@login_required
@require_GET
def alerts_json(request):
    _require_viewer(request)
    return JsonResponse(_state(request.user))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def acknowledge(request, alert_id: int):
    _require_viewer(request)
    try:
        alert = do_acknowledge_alert(alert_id, request.user, request.POST.get("comment", ""))
    except Alert.DoesNotExist as missing:
        raise Http404(_("No such alert.")) from missing
    except AlertRefused as refusal:
        message = _translate_refusal(str(refusal))
        if _wants_json(request):
            return JsonResponse({"error": message}, status=409 if "already" in str(refusal) else 400)
        messages.error(request, message)
        return redirect("alerts:page")
    if _wants_json(request):
        return JsonResponse({"alert": alert_dict(get_alert(alert.pk))})
    messages.success(request, _("Alert acknowledged."))
    return redirect("alerts:page")


def _translate_refusal(text: str) -> str:
    if text.startswith("A comment is required"):
        return _("A comment is required to acknowledge an alert.")
    if text.startswith("The comment is longer"):
        return _("The comment is longer than 2000 characters.")
    if text.startswith("This alert was already acknowledged by "):
        return _("This alert was already acknowledged: %(detail)s") % {
            "detail": text.removeprefix("This alert was already acknowledged by ")
        }
    if "someone else" in text:
        return _("This alert was acknowledged by someone else a moment ago.")
    return text


@require_GET
def cap_index(request):
    return HttpResponse(cap.atom_index(public_alerts()), content_type="application/atom+xml; charset=utf-8")


@require_GET
def cap_alert(request, alert_id: int):
    alert = get_alert(alert_id)
    if alert is None or not alert.rule.public:
        raise Http404("No public alert with this number.")
    return HttpResponse(cap.alert_document(alert), content_type="application/cap+xml; charset=utf-8")
