"""The development watch pages: /pembangunan/, /pembangunan/opd/<code>/, /pembangunan/proyek/<id>/.
Read-only: they parse the request, check access, read through the selectors and render. The pages
re-read themselves when a development event arrives over /ws/live/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from komando.agencies.models import Agency
from komando.development.access import can_view_development_watch, watch_scope
from komando.development.progress import STATUSES
from komando.development.selectors import development_watch, open_kritis_alerts, project_watch, watch_agency
from komando.regions.models import RegionLevel
from komando.regions.selectors import region_feature_collection


def status_labels() -> dict[str, str]:
    return {
        "on_track": gettext("On track"),
        "waspada": gettext("Waspada"),
        "terlambat": gettext("Terlambat"),
        "kritis": gettext("Kritis"),
    }


def chart_labels() -> dict[str, str]:
    """Every string the page's script writes, translated here."""
    return {
        **status_labels(),
        "planned_physical": gettext("Planned physical"),
        "realised_physical": gettext("Realised physical"),
        "planned_financial": gettext("Planned financial"),
        "realised_financial": gettext("Realised financial"),
        "deviation_physical": gettext("Physical deviation (points)"),
        "percent_axis": gettext("Cumulative progress (%)"),
        "points_axis": gettext("Points"),
        "deviation": gettext("deviation {n} points"),
        "live": gettext("Connected"),
        "connecting": gettext("Connecting…"),
        "offline": gettext("Connection lost, reconnecting…"),
    }


def _require_viewer(request) -> None:
    if not can_view_development_watch(request.user):
        raise PermissionDenied(gettext("The development watch needs a role that may see e-Monev data."))


def _agency_choices(user, fiscal_year: int) -> list[Agency]:
    agencies = Agency.objects.filter(projects__fiscal_year=fiscal_year).distinct().order_by("short_name")
    scope = watch_scope(user)
    return list(agencies if scope is None else agencies.filter(pk=scope))


def _page_context(request, watch: dict, **alert_filter) -> dict:
    language = get_language() or "id"
    return {
        "watch": watch,
        "status_names": status_labels(),
        "statuses": STATUSES,
        "labels": chart_labels(),
        "number_locale": "id-ID" if language.startswith("id") else "en-GB",
        "kritis_alerts": open_kritis_alerts(request.user, **alert_filter),
    }


def _map_points(projects: list[dict]) -> list[dict]:
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "agency": row["agency"],
            "status": row["status"],
            "deviation": row["deviation_physical"],
            "lat": row["lat"],
            "lon": row["lon"],
            "url": reverse("development:project", args=[row["id"]]),
        }
        for row in projects
        if row["lat"] is not None and row["lon"] is not None
    ]


def _render_watch(request, agency_code: str | None):
    watch = development_watch(request.user, agency_code)
    context = _page_context(request, watch, agency=watch["agency"]["short_name"] if watch["agency"] else None)
    # Each kritis project's open alert beside it; alerts of projects no longer kritis listed apart.
    alerts = {alert["url"]: alert for alert in context["kritis_alerts"]}
    for row in watch["projects"]:
        row["alert"] = alerts.pop(reverse("development:project", args=[row["id"]]), None) if row["status"] == "kritis" else None
    context["kritis_alerts"] = list(alerts.values())
    context["agencies"] = _agency_choices(request.user, watch["fiscal_year"])
    context["unscoped"] = watch_scope(request.user) is None
    context["chart_data"] = {
        "kind": "watch",
        "s_curve": watch["s_curve"],
        "points": _map_points(watch["projects"]),
        "kecamatan": region_feature_collection(RegionLevel.KECAMATAN),
    }
    return render(request, "development/watch.html", context)


@require_safe
@login_required
def overview(request):
    _require_viewer(request)
    code = request.GET.get("opd")
    if code:  # the OPD filter (works without script): to the OPD's page, 404 if unknown or unseen
        return redirect("development:agency", code=watch_agency(request.user, code).code)
    return _render_watch(request, None)


@require_safe
@login_required
def agency_page(request, code: str):
    _require_viewer(request)
    return _render_watch(request, code)


@require_safe
@login_required
def project_page(request, project_id: int):
    _require_viewer(request)
    project = project_watch(request.user, project_id)
    context = _page_context(request, project, project_id=project["id"])
    context["project"] = project
    context["chart_data"] = {
        "kind": "project",
        "months": project["months"],
        "points": [
            {
                "id": project["id"],
                "name": project["name"],
                "agency": project["agency"],
                "status": project["current"]["status"] if project["current"] else None,
                "deviation": project["current"]["deviation_physical"] if project["current"] else None,
                "lat": project["lat"],
                "lon": project["lon"],
                "url": "",
            }
        ]
        if project["lat"] is not None and project["lon"] is not None
        else [],
        "kecamatan": region_feature_collection(RegionLevel.KECAMATAN),
    }
    context["agency_url"] = reverse("development:agency", args=[project["agency_code"]])
    return render(request, "development/project.html", context)
