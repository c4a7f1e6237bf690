"""Open311 GeoReport v2 views: parse, authorise, call one action or selector, render.

Plain Django views (not in the OpenAPI schema), CSRF-exempt: clients are programs that send an
``api_key``, not browsers with a session. Every answer, errors included, is in the format the path
asks for (``.xml`` or ``.json``); an unknown format is a 404 in XML, the mandatory format.
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from komando.core import clock
from komando.core.city import current_city
from komando.incidents.actions import do_report_incident
from komando.incidents.choices import Channel
from komando.incidents.errors import IncidentError, UnknownCategory
from komando.incidents.models import PlaybookVersion
from komando.incidents.open311 import config, requests, services
from komando.incidents.open311.render import CONTENT_TYPES, render, render_error
from komando.incidents.open311.validation import (
    Open311Error,
    bad_request,
    body_from_form,
    body_from_json,
    clean_attributes,
    idempotency_ref,
    parse_new_request,
    parse_request_query,
)

ERROR_STATUS = {"unknown_category": 404}


def open311_view(*methods: str):
    """The frame of every endpoint: the format, the method, the jurisdiction, and errors rendered
    the GeoReport way (never a 500 for bad input)."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt: str = "", **kwargs):
            if fmt not in CONTENT_TYPES:
                return render_error("xml", 404, _("Unknown format %(fmt)s: use .xml or .json.") % {"fmt": repr(fmt)})
            if request.method not in methods:
                response = render_error(fmt, 405, _("Method %(method)s is not allowed here.") % {"method": request.method})
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if request.method == "GET":
                    check_jurisdiction(request.GET.get("jurisdiction_id"))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render_error(fmt, error.status, error.description)
            except IncidentError as error:
                return render_error(fmt, ERROR_STATUS.get(error.code, 400), str(error))

        return wrapper

    return decorate


def check_jurisdiction(given: str | None) -> None:
    if given is not None and given.strip() and given.strip().lower() != config.jurisdiction_id().lower():
        raise Open311Error(404, _("jurisdiction_id %(id)s not found") % {"id": repr(given.strip()[:80])})


def endpoint_url(request) -> str:
    return request.build_absolute_uri(reverse("open311:root")).rstrip("/")


@open311_view("GET")
def discovery(request, fmt):
    changed = PlaybookVersion.objects.aggregate(at=Max("created_at"))["at"]
    city = current_city()
    changeset = requests.w3c(changed or clock.start_of_day(date(2026, 1, 1)))
    body = {
        "changeset": changeset,
        "contact": city.get("open311_contact") or _("Command center of %(city)s") % {"city": city.name},
        "key_service": city.get("open311_key_service")
        or _("API keys are issued by the city's command center administrators on request."),
        "endpoints": [
            {
                "specification": config.SPECIFICATION,
                "url": endpoint_url(request),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", body)


@open311_view("GET")
def service_list(request, fmt):
    return render(fmt, "services", services.service_list())


@open311_view("GET")
def service_definition(request, service_code, fmt):
    category = services.service_category(service_code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s not found") % {"code": repr(service_code[:60])})
    return render(fmt, "service_definition", services.service_definition(category))


@open311_view("GET", "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    query = parse_request_query(request.GET)
    if query.codes:
        known = set(services.service_categories().filter(code__in=query.codes).values_list("code", flat=True))
        unknown = [code for code in query.codes if code not in known]
        if unknown:
            raise Open311Error(404, _("service_code %(code)s not found") % {"code": repr(unknown[0][:60])})
    return render(fmt, "service_requests", requests.request_rows(requests.find_requests(query)))


def read_body(request):
    content_type = (request.content_type or "").lower()
    try:
        if content_type == "application/json":
            return body_from_json(request.body)
        if content_type in ("", "application/x-www-form-urlencoded", "multipart/form-data"):
            return body_from_form(request.POST)
    except (RequestDataTooBig, TooManyFieldsSent):
        raise bad_request(_("The request body is too large.")) from None
    raise bad_request(_("Send the request as application/x-www-form-urlencoded or application/json."))


def create_request(request, fmt):
    """POST requests: one report through ``do_report_incident`` (channel open311)."""
    body = read_body(request)
    client = config.client_for_key(body.values.get("api_key") or request.GET.get("api_key"))
    if client is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    check_jurisdiction(body.values.get("jurisdiction_id") or request.GET.get("jurisdiction_id"))
    new = parse_new_request(body)
    service = services.service_entry(new.service_code)
    if service is None:
        raise Open311Error(404, _("service_code %(code)s not found") % {"code": repr(new.service_code[:60])})
    category = service.category
    attributes = clean_attributes(services.attribute_definitions().get(category.code, []), new.attributes)
    lat, lon = new.lat, new.lon
    if lat is None:
        point = requests.place_address(new.address_string, attributes)
        if point is None:
            raise bad_request(_("The address could not be placed in the city; send lat and long."))
        lat, lon = point
    source_ref = idempotency_ref(client, request.headers.get("Idempotency-Key"))
    try:
        incident, report, created = do_report_incident(
            Channel.OPEN311,
            source_ref=source_ref,
            category_code=service,
            description=new.description,
            lat=lat,
            lon=lon,
            reported_at=timezone.now(),
            contact=new.contact,
            address=new.address_string,
            media_url=new.media_url,
            attributes=attributes,
            via="open311",
        )
    except UnknownCategory as error:
        raise Open311Error(404, str(error)) from None
    ticket_incident = report.ticket_incident
    notice = _("Report received as %(ticket)s; %(agency)s is responsible for it.") % {
        "ticket": ticket_incident.ticket,
        "agency": ticket_incident.agency.name,
    }
    row = {"service_request_id": str(ticket_incident.ticket), "service_notice": notice, "account_id": None}
    return render(fmt, "service_requests", [row], status=201 if created else 200)


@open311_view("GET")
def service_request(request, request_id, fmt):
    incident = requests.find_request(request_id)
    if incident is None:
        raise Open311Error(404, _("service_request_id %(id)s not found") % {"id": repr(request_id[:60])})
    return render(fmt, "service_requests", requests.request_rows([incident]))


@open311_view("GET")
def token(request, token, fmt):
    """Komando answers POST with the ``service_request_id`` at once, so clients rarely need tokens;
    a token is the reference of an Open311 report (its ``Idempotency-Key`` as ``client:key``)."""
    report = requests.report_by_token(token)
    if report is None:
        raise Open311Error(404, _("token %(token)s not found") % {"token": repr(token[:60])})
    return render(
        fmt, "service_requests", [{"service_request_id": str(report.ticket_incident.ticket), "token": str(report.source_ref)}]
    )


@csrf_exempt
def not_found(request, rest=""):
    fmt = rest.rsplit(".", 1)[-1] if "." in rest else "xml"
    return render_error(fmt, 404, _("Unknown Open311 resource %(path)s.") % {"path": repr(rest[:80])})
