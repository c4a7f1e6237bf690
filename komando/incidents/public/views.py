"""Residents' pages. Views parse the form, call the intake action once, and render; the tracking page
renders only the plain values of ``tracking.tracking_context`` (no personal data)."""

from __future__ import annotations

import logging

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from komando.core.city import current_city
from komando.incidents.actions import do_report_incident
from komando.incidents.actions.photos import do_add_incident_photo
from komando.incidents.choices import Channel
from komando.incidents.errors import IncidentError, InvalidReport, OutsideCity, UnknownCategory
from komando.incidents.models import PhotoKind
from komando.incidents.public import ratelimit
from komando.incidents.public.forms import ReportForm, TicketLookupForm, new_form_key
from komando.incidents.public.mapdata import form_map
from komando.incidents.public.photos import max_photo_bytes, megabytes
from komando.incidents.public.tracking import tracking_context
from komando.incidents.selectors import incident_by_ticket

logger = logging.getLogger(__name__)


def map_labels() -> dict[str, str]:
    """Every string the form's script writes, translated here."""
    return {
        "marked": gettext("Place marked in Kelurahan {kelurahan}, Kecamatan {kecamatan}. Tap again to move it."),
        "marked_plain": gettext("Place marked. Tap again to move it."),
        "outside": gettext("This place is outside the city. Tap a place inside the outlined area."),
        "locating": gettext("Finding your location…"),
        "no_geolocation": gettext("Your browser cannot share its location. Tap the map instead."),
        "geolocation_failed": gettext("Your location could not be found. Tap the map instead."),
        "photo_too_large": gettext("The photo is too large ({size} MB). Send a photo of at most {max} MB."),
        "sending": gettext("Sending…"),
    }


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"city": current_city(), **context}, status=status)


def _form_page(request, form: ReportForm, status: int = 200):
    response = _page(
        request,
        "incidents/public/lapor.html",
        {
            "form": form,
            "outlines": form_map(),
            "labels": map_labels(),
            "photo_max_bytes": max_photo_bytes(),
            "photo_max_mb": megabytes(max_photo_bytes()),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"  # going back never shows a sent form with its key again
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    """``/lapor/``: the report form. A form sent twice (same hidden key) is one report."""
    if request.method == "GET":
        return _form_page(request, ReportForm(initial={"key": new_form_key()}))
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if not ratelimit.allow(request, form.source_ref()):
        form.add_error(
            None,
            gettext("Many reports were sent from this connection in a short time. Please wait a few minutes and send it again."),
        )
        return _form_page(request, form, status=429)
    lat, lon = form.point()
    data = form.cleaned_data
    try:
        _incident, report_row, _created = do_report_incident(
            Channel.WEB,
            source_ref=form.source_ref(),
            category_code=data["category"],
            description=data["description"],
            lat=lat,
            lon=lon,
            reported_at=timezone.now(),
            contact=form.contact(),
            address=data["address"],
            attributes=form.attributes(),
            via="web",
        )
    except UnknownCategory as error:
        form.add_error("category", str(error))
    except OutsideCity:
        form.add_error("lat", gettext("This place is outside the city. Mark a place inside the city on the map."))
    except InvalidReport as error:
        form.add_error(None, str(error))
    else:
        if form.photo is not None:
            _keep_photo(report_row, form)
        return redirect("incidents_public:sent", ticket=report_row.ticket_incident.ticket)
    return _form_page(request, form, status=400)


def _keep_photo(report_row, form: ReportForm) -> None:
    """The resident's photo, kept with their report (the same form sent twice keeps it once). The
    photo was checked and re-encoded by the form: a refusal here would be a fault of ours, and the
    report stands without it."""
    try:
        do_add_incident_photo(
            report_row.incident, form.photo, kind=PhotoKind.REPORT, report=report_row, client_ref=form.source_ref(), via="web"
        )
    except (IncidentError, OSError):  # a refusal, or a full or unwritable media directory
        logger.exception("the photo of report %s could not be kept", report_row.pk)


def sent(request, ticket: str):
    """After sending: the ticket number and the way to follow it."""
    incident = incident_by_ticket(ticket)
    if incident is None:
        return not_found(request, ticket)
    return _page(request, "incidents/public/terkirim.html", {"ticket": incident.ticket})


def lookup(request):
    """``/lapor/lacak/``: type a ticket number, go to its page."""
    form = TicketLookupForm(request.GET or None)
    status = 200
    if form.is_valid():
        ticket = form.cleaned_data["tiket"]
        if incident_by_ticket(ticket) is not None:
            return redirect("incidents_public:track", ticket=ticket)
        form.add_error(
            "tiket",
            gettext("There is no report with ticket number %(ticket)s. Check the number and try again.") % {"ticket": ticket},
        )
        status = 404
    return _page(request, "incidents/public/lacak.html", {"form": form}, status=status)


def track(request, ticket: str):
    """``/lapor/lacak/<ticket>/``: the public tracking page."""
    incident = incident_by_ticket(ticket)
    if incident is None:
        return not_found(request, ticket)
    if incident.ticket != ticket:
        return redirect("incidents_public:track", ticket=incident.ticket)
    return _page(request, "incidents/public/tiket.html", {"track": tracking_context(incident)})


def not_found(request, ticket: str = ""):
    return _page(request, "incidents/public/tidak_ada.html", {"ticket": ticket[:32], "form": TicketLookupForm()}, status=404)
