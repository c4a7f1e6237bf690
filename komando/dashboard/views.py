from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache

from komando.dashboard.selectors import city_panel_sources, pis_initial_state


def pis_labels() -> dict[str, str]:
    """Every string the page's script writes, translated here (no JavaScript catalogue)."""
    return {
        "waiting": gettext("Waiting for data…"),
        "no_visits_today": gettext("No visits recorded yet today"),
        "updated_seconds": gettext("updated {n} s ago"),
        "updated_minutes": gettext("updated {n} min ago"),
        "updated_hours": gettext("updated {n} h ago"),
        "updated_days": gettext("updated {n} d ago"),
        "never_updated": gettext("no data received yet"),
        "status_ok": gettext("current"),
        "status_stale": gettext("stale"),
        "status_failing": gettext("failing"),
        "status_waiting": gettext("waiting"),
        "status_paused": gettext("paused"),
        "status_not_connected": gettext("not connected yet"),
        "live": gettext("Connected"),
        "connecting": gettext("Connecting…"),
        "offline": gettext("Connection lost, reconnecting…"),
        "male": gettext("Male"),
        "female": gettext("Female"),
        "population": gettext("Population"),
        "residents": gettext("residents"),
        "density": gettext("{n} per km²"),
        "visits": gettext("Visits"),
        "lancar": gettext("smooth"),
        "ramai": gettext("busy"),
        "padat": gettext("dense"),
        "macet": gettext("jammed"),
        "camera_offline": gettext("Camera offline"),
        "vehicles_per_interval": gettext("{n} veh. / {m} min"),
        "speed": gettext("{n} km/h"),
        "on_track": gettext("on track"),
        "waspada": gettext("watch"),
        "terlambat": gettext("late"),
        "kritis": gettext("critical"),
        "plan": gettext("Plan"),
        "physical": gettext("Physical"),
        "financial": gettext("Financial"),
        "deviation": gettext("Deviation"),
        "kritis_projects": gettext("{n} critical project(s)"),
        "projects": gettext("{n} projects"),
        "kelurahan_of": gettext("Kelurahan in {name}"),
        "back_to_city": gettext("Back to the whole city"),
        "click_hint": gettext("Click a kecamatan for its kelurahan"),
        "error_last": gettext("Last error: {error}"),
        "source_failing_detail": gettext("The source is not answering; the figures shown are the last received."),
        "source_stale_detail": gettext("No fresh data within the expected interval."),
        "puskesmas": gettext("Puskesmas"),
        "camera": gettext("Camera"),
        "data_as_of": gettext("data as of {date}"),
        "fiscal_year": gettext("FY {year}"),
        "up_to_month": gettext("up to {month}"),
        "budget": gettext("budget {amount}"),
        "staff_only": gettext("staff only"),
    }


def pis(request):
    """The Public Information System: every panel's data embedded, then kept live over a WebSocket."""
    state = pis_initial_state(request.user)
    language = get_language() or "id"
    return render(
        request,
        "dashboard/pis.html",
        {
            "state": state,
            "labels": pis_labels(),
            "number_locale": "id-ID" if language.startswith("id") else "en-GB",
            "city": state["city"],
            "can_view_development": state["can_view_development"],
            "panel_sources": city_panel_sources(),
        },
    )


@never_cache
def pis_state(request):
    """The page's state as JSON (the same as embedded in the page, for this viewer). The script reads
    it once its WebSocket is open, so nothing sent between the page's render and the connection is
    missed (and again after a reconnection)."""
    return JsonResponse(pis_initial_state(request.user))
