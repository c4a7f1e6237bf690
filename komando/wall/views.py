"""The video wall's pages and their JSON state. Pages need a login of the command room (operators,
executives, administrators); a wall browser stays signed in for ``KOMANDO_WALL_SESSION_DAYS``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache

from komando.core.env import env_int
from komando.wall.access import can_view_wall
from komando.wall.panels import PANELS
from komando.wall.selectors import layout_by_slug, screens_of, wall_state

SESSION_DAYS = env_int("KOMANDO_WALL_SESSION_DAYS", 90)


def wall_labels() -> dict[str, str]:
    """Every string the wall's script writes, translated here."""
    labels = {f"panel_{key}": str(title) for key, title in PANELS.items()}
    return labels | {
        "live": gettext("Connected"),
        "reconnected": gettext("Reconnected"),
        "offline": gettext("Disconnected, reconnecting…"),
        "connecting": gettext("Connecting…"),
        "source": gettext("Source: {name}"),
        "as_of": gettext("as of {time}"),
        "no_data": gettext("no data yet"),
        "waiting": gettext("Waiting for data…"),
        "open": gettext("Open"),
        "overdue": gettext("Past SLA"),
        "new_today": gettext("New today"),
        "by_status": gettext("By status"),
        "by_priority": gettext("Open by priority (past SLA)"),
        "cameras_online": gettext("{n}/{m} online"),
        "camera_offline": gettext("Camera offline"),
        "no_picture": gettext("No picture"),
        "lancar": gettext("smooth"),
        "ramai": gettext("busy"),
        "padat": gettext("dense"),
        "macet": gettext("jammed"),
        "status_ok": gettext("current"),
        "status_stale": gettext("stale"),
        "status_failing": gettext("failing"),
        "status_waiting": gettext("waiting"),
        "status_paused": gettext("paused"),
        "normal": gettext("normal"),
        "siaga_3": gettext("Siaga 3"),
        "siaga_2": gettext("Siaga 2"),
        "siaga_1": gettext("Siaga 1"),
        "unknown": gettext("no reading"),
        "at_siaga": gettext("{n} at siaga"),
        "no_complaints": gettext("No complaints today"),
        "physical": gettext("Physical"),
        "plan": gettext("Plan"),
        "deviation": gettext("Deviation"),
        "fiscal_year": gettext("FY {year}"),
        "no_alerts": gettext("No open alerts"),
        "alerts_total": gettext("{n} open"),
        "acknowledged": gettext("acknowledged"),
        "units": gettext("{n} units"),
        "incidents": gettext("{n} incidents"),
        "gauges": gettext("{n} gauges"),
        "cameras": gettext("{n} cameras"),
        "metre": gettext("{n} m"),
        "wib": gettext("WIB"),
        "severity_critical": gettext("Critical"),
        "severity_warning": gettext("Warning"),
        "severity_info": gettext("Info"),
        "legend_incidents": gettext("Incidents"),
        "legend_units": gettext("Field units"),
        "legend_gauges": gettext("Gauges"),
        "legend_cameras": gettext("Cameras"),
    }


def _allowed_page(request):
    if not can_view_wall(request.user):
        raise PermissionDenied
    request.session.set_expiry(SESSION_DAYS * 24 * 3600)  # a kiosk stays signed in


def _page(request, layout, screens, canvas: bool):
    from komando.wall.selectors import build_id

    language = get_language() or "id"
    panel_keys = sorted({key for screen in screens for key in screen.panel_keys()})
    state_url = request.path + "state.json"
    return render(
        request,
        "wall/wall.html",
        {
            "layout": layout,
            "screens": screens,
            "canvas": canvas,
            "panels": panel_keys,
            "config": {
                "layout": layout.as_dict(),
                "screens": [s.as_dict() for s in screens],
                "canvas": canvas,
                "panels": panel_keys,
                "state_url": state_url,
                "build": build_id(),
                "number_locale": "id-ID" if language.startswith("id") else "en-GB",
                "time_zone": settings.TIME_ZONE,
            },
            "labels": wall_labels(),
        },
    )


@login_required
def wall_index(request):
    from komando.wall.models import WallLayout

    _allowed_page(request)
    layouts = WallLayout.objects.prefetch_related("screens")
    return render(request, "wall/index.html", {"layouts": layouts})


@login_required
def wall_canvas(request, slug: str):
    _allowed_page(request)
    layout = layout_by_slug(slug)
    if layout is None:
        raise Http404
    screens = screens_of(layout)
    if not screens:
        raise Http404
    return _page(request, layout, screens, canvas=True)


@login_required
def wall_screen(request, slug: str, number: int):
    _allowed_page(request)
    layout = layout_by_slug(slug)
    screens = screens_of(layout, number) if layout else []
    if not screens:
        raise Http404
    return _page(request, layout, screens, canvas=False)


@never_cache
def wall_state_view(request, slug: str, number: int | None = None):
    """The panels of one screen (or of the whole canvas) as JSON. ``?panels=a,b`` reads only those
    (a live refresh, without the map's boundaries). 401/403/404 as JSON."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": gettext("Sign in first.")}, status=401)
    if not can_view_wall(request.user):
        return JsonResponse({"error": gettext("The wall is for the command room.")}, status=403)
    layout = layout_by_slug(slug)
    screens = screens_of(layout, number) if layout else []
    if not screens:
        return JsonResponse({"error": gettext("No such wall screen.")}, status=404)
    keys = {key for screen in screens for key in screen.panel_keys()}
    wanted = request.GET.get("panels")
    if wanted is not None:
        asked = {key for key in wanted.split(",") if key}
        unknown = asked - set(PANELS)
        if unknown:
            return JsonResponse(
                {"error": gettext("Unknown panels: %(names)s") % {"names": ", ".join(sorted(unknown))}}, status=400
            )
        return JsonResponse(wall_state(request.user, keys & asked, full=False))
    return JsonResponse(wall_state(request.user, keys))
