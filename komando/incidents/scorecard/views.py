"""``/kinerja/``: the public scorecard page and its JSON (``/kinerja/data.json``). No login: everything
shown is an aggregate (``selectors``); the views parse the period, read the cached scorecard and render."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from komando.core.city import current_city
from komando.core.clock import city_zone, zone_name
from komando.incidents.scorecard import selectors
from komando.incidents.scorecard.selectors import BadPeriod

PERIOD_PARAMETER = "bulan"
HOURS_SHOWN_AS_HOURS = 48  # a median up to two days reads best in hours; longer, in days


def source_note() -> str:
    return gettext(
        "Komando incident records of the city: reports from every channel (LAKSA, SP4N-LAPOR!, "
        "call center 112, Open311 clients, the residents' web form, operators and field officers)."
    )


def definitions() -> dict[str, str]:
    return {
        "received": gettext("Incidents first reported in the period. A problem reported several times is counted once."),
        "rejected": gettext("Reports not accepted (for example, not the city's authority)."),
        "resolved": gettext(
            "Incidents the OPD marked resolved. A reopened incident counts again only once it is resolved again."
        ),
        "resolved_within_sla": gettext("Resolved no later than the target time of the SOP (SLA)."),
        "within_sla_percent": gettext(
            "Resolved within target, out of the incidents whose target is settled: "
            "resolved (in time or late) or still open past the target."
        ),
        "median_hours_to_resolve": gettext(
            "From the first report to resolution: half of the resolved incidents took less time, half took more."
        ),
        "reopened": gettext("Found not done after being resolved, and reopened."),
        "open_overdue": gettext("Still open now, past the target time."),
    }


def period_label(period: dict) -> str:
    """The period of a computed scorecard (``data["period"]``) in words."""
    if period["month"] is not None:
        return date_format(period["month"], "F Y")
    start, end = period["start"].astimezone(city_zone()), period["end"].astimezone(city_zone())
    return gettext("Last 30 days (%(start)s – %(end)s)") % {
        "start": date_format(start, "j F Y"),
        "end": date_format(end, "j F Y"),
    }


def duration_text(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < HOURS_SHOWN_AS_HOURS:
        return gettext("%(amount)s hours") % {"amount": number_format(hours, 1)}
    return gettext("%(amount)s days") % {"amount": number_format(hours / 24, 1)}


def percent_text(share: float | None) -> str:
    return "—" if share is None else f"{number_format(share, 1)}%"


def shown(row: dict) -> dict:
    """A row of figures with its share and median in words (the cached row is left as it is)."""
    return {
        **row,
        "within_sla_text": percent_text(row["within_sla_percent"]),
        "median_text": duration_text(row["median_hours_to_resolve"]),
        "suppressed": row["within_sla_percent"] is None or row["median_hours_to_resolve"] is None,
    }


def month_choices(selected: str) -> list[dict]:
    choices = [{"value": "", "label": gettext("Last 30 days"), "selected": selected == selectors.RECENT_KEY}]
    for month in selectors.recent_months():
        choices.append({"value": month.key, "label": date_format(month.month, "F Y"), "selected": selected == month.key})
    return choices


@require_GET
def scorecard_page(request):
    try:
        period = selectors.parse_period(request.GET.get(PERIOD_PARAMETER))
    except BadPeriod as error:
        return render(
            request,
            "incidents/scorecard/kinerja.html",
            {
                "city": current_city(),
                "error": str(error),
                "months": month_choices(selectors.RECENT_KEY),
                "json_url": reverse("scorecard:data"),
            },
            status=400,
        )
    data = selectors.scorecard(period)
    return render(
        request,
        "incidents/scorecard/kinerja.html",
        {
            "city": current_city(),
            "data": data,
            "period_label": period_label(data["period"]),
            "total": shown(data["city"]),
            "agencies": [shown(row) for row in data["agencies"]],
            "kecamatan": [shown(row) for row in data["kecamatan"]],
            "any_suppressed": any(shown(row)["suppressed"] for row in [data["city"], *data["agencies"], *data["kecamatan"]]),
            "months": month_choices(period.key),
            "definitions": definitions(),
            "source": source_note(),
            "min_denominator": selectors.MIN_DENOMINATOR,
            "json_url": reverse("scorecard:data") + (f"?{PERIOD_PARAMETER}={period.key}" if period.is_month else ""),
        },
    )


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public figures, for journalists' scripts
    response["Cache-Control"] = f"public, max-age={selectors.CACHE_SECONDS}"
    return response


@require_GET
def scorecard_json(request):
    try:
        period = selectors.parse_period(request.GET.get(PERIOD_PARAMETER))
    except BadPeriod as error:
        return _json({"error": str(error), "parameter": PERIOD_PARAMETER}, status=400)
    data = selectors.scorecard(period)
    city = current_city()
    return _json(
        {
            "city": {"code": city.code, "name": city.name},
            "period": {
                "key": data["period"]["key"],
                "label": period_label(data["period"]),
                "start": data["period"]["start"],
                "end": data["period"]["end"],
                "timezone": zone_name(),
            },
            "computed_at": data["computed_at"],
            "cache_seconds": selectors.CACHE_SECONDS,
            "source": source_note(),
            "min_denominator": selectors.MIN_DENOMINATOR,
            "suppression": gettext(
                "within_sla_percent and median_hours_to_resolve are null when their denominator "
                "(sla_settled, resolved) is below min_denominator."
            ),
            "definitions": definitions(),
            "totals": data["city"],
            "agencies": data["agencies"],
            "kecamatan": data["kecamatan"],
        }
    )
