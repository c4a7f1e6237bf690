"""Parsing of what Open311 clients send: POST bodies (form-encoded as FixMyStreet sends them, or
JSON) and the filters of ``GET requests``. Pure: no database. Every problem is an ``Open311Error``
carrying the HTTP status the GeoReport v2 spec asks for (400 bad input, 403 bad key, 404 unknown).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.core import clock
from komando.core.clock import city_zone

MAX_DESCRIPTION = 4000  # GeoReport v2: "limited to 4,000 characters"
MAX_TEXT = 300
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
MAX_IDS = 1000
STATUSES = ("open", "closed")
SCALAR_FIELDS = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]{1,50})\](\[\])?$")
HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PLUS_AS_SPACE = re.compile(r" (\d\d:?\d\d)$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,50}$")


class Open311Error(Exception):
    """A request the endpoint refuses: ``status`` is the HTTP status and the error ``code``."""

    def __init__(self, status: int, description):
        self.status = status
        self.description = description
        super().__init__(str(description))


def bad_request(description) -> Open311Error:
    return Open311Error(400, description)


@dataclass
class Body:
    """A POST body as single values and attributes (``{code: [values]}``)."""

    values: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _scalar(name: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise bad_request(_("%(name)s must be text or a number.") % {"name": name})
    return str(value)


def body_from_form(form) -> Body:
    """A form-encoded (or multipart) body: ``attribute[CODE]=v`` and ``attribute[CODE][]=v1&…``."""
    body = Body()
    for key in form:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            code = match.group(1)
            body.attributes.setdefault(code, []).extend(form.getlist(key))
        elif key in SCALAR_FIELDS:
            body.values[key] = form.getlist(key)[-1]
    return body


def body_from_json(raw: bytes) -> Body:
    """A JSON object with the same names as the form; attributes either as ``"attribute[CODE]"`` keys
    or as an ``"attribute"`` object ``{CODE: value or [values]}``."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise bad_request(_("The request body must be a JSON object."))
    body = Body()
    attributes = dict(data.get("attribute") or {}) if isinstance(data.get("attribute") or {}, dict) else None
    if attributes is None:
        raise bad_request(_("attribute must be an object of codes and values."))
    for key, value in data.items():
        match = ATTRIBUTE_KEY.match(key)
        if match:
            attributes[match.group(1)] = value
        elif key in SCALAR_FIELDS:
            text = _scalar(key, value)
            if text is not None:
                body.values[key] = text
    for code, value in attributes.items():
        code = str(code)
        if not ATTRIBUTE_KEY.match(f"attribute[{code}]"):
            raise bad_request(_("Attribute code %(code)s is not valid.") % {"code": code[:60]})
        if isinstance(value, list):
            body.attributes[code] = [_scalar(f"attribute[{code}]", item) or "" for item in value]
        elif value is not None:
            body.attributes[code] = [_scalar(f"attribute[{code}]", value)]
    return body


def _text(values: dict, name: str, limit: int = MAX_TEXT) -> str:
    text = (values.get(name) or "").strip()
    if CONTROL.search(text):
        raise bad_request(_("%(name)s contains control characters.") % {"name": name})
    if len(text) > limit:
        raise bad_request(_("%(name)s is longer than %(max)s characters.") % {"name": name, "max": limit})
    return text


def _number(values: dict, name: str, low: float, high: float) -> float:
    raw = (values.get(name) or "").strip()
    try:
        number = float(raw)
    except ValueError:
        raise bad_request(_("%(name)s must be a number (got %(value)s).") % {"name": name, "value": repr(raw[:40])}) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise bad_request(_("%(name)s must be between %(low)s and %(high)s.") % {"name": name, "low": low, "high": high})
    return number


@dataclass
class NewRequest:
    service_code: str
    lat: float | None
    lon: float | None
    address_string: str
    description: str
    media_url: str
    email: str
    first_name: str
    last_name: str
    phone: str
    attributes: dict[str, list[str]]

    @property
    def contact(self) -> dict | None:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        contact = {"name": name, "email": self.email, "phone": self.phone}
        return contact if any(contact.values()) else None


def parse_new_request(body: Body) -> NewRequest:
    """The fields of ``POST requests`` checked (not yet against the database)."""
    values = body.values
    service_code = _text(values, "service_code", 50)
    if not service_code:
        raise bad_request(_("service_code is required."))
    has_lat, has_long = bool((values.get("lat") or "").strip()), bool((values.get("long") or "").strip())
    if has_lat != has_long:
        raise bad_request(_("lat and long must be given together."))
    lat = _number(values, "lat", -90, 90) if has_lat else None
    lon = _number(values, "long", -180, 180) if has_long else None
    address = _text(values, "address_string")
    if lat is None and not address:
        if (values.get("address_id") or "").strip():
            raise bad_request(_("address_id is not supported here; send lat and long, or address_string."))
        raise bad_request(_("A location is required: lat and long, or address_string."))
    description = (values.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise bad_request(_("description is longer than %(max)s characters.") % {"max": MAX_DESCRIPTION})
    if CONTROL.search(description):
        raise bad_request(_("description contains control characters."))
    if HTML_TAG.search(description):
        raise bad_request(_("description may not contain HTML."))
    if len(body.attributes) > 50 or any(len(items) > 50 for items in body.attributes.values()):
        raise bad_request(_("Too many attributes."))
    return NewRequest(
        service_code=service_code,
        lat=lat,
        lon=lon,
        address_string=address,
        description=description,
        media_url=_text(values, "media_url", 500),
        email=_text(values, "email", 254),
        first_name=_text(values, "first_name", 60),
        last_name=_text(values, "last_name", 60),
        phone=_text(values, "phone", 40),
        attributes=body.attributes,
    )


def _w3c_example() -> str:
    """An example date-time with the city's own offset: ``2025-03-10T08:15:00+07:00`` in a WIB city."""
    return clock.iso(clock.start_of_day(date(2025, 3, 10)) + timedelta(hours=8, minutes=15))


def parse_w3c(raw: str, name: str, *, end_of_day: bool = False) -> datetime:
    """A W3C (ISO 8601) date or date-time. A date-time needs a time zone (``Z`` or ``±HH:MM``); a bare
    date is a whole day in the city's zone (its start, or its end with ``end_of_day``)."""
    raw = (raw or "").strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            at = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=city_zone())
            return at
        if "T" not in raw:
            raise ValueError(raw)
        # A "+" in a query string that the client did not encode arrives as a space.
        at = datetime.fromisoformat(PLUS_AS_SPACE.sub(r"+\1", raw))
    except ValueError:
        raise bad_request(
            _("%(name)s must be a W3C date-time such as %(example)s (got %(value)s).")
            % {"name": name, "example": _w3c_example(), "value": repr(raw[:40])}
        ) from None
    if at.tzinfo is None:
        raise bad_request(_("%(name)s needs a time zone, e.g. %(example)s or …Z.") % {"name": name, "example": _w3c_example()})
    return at


def _comma_list(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


@dataclass
class RequestQuery:
    """Filters of ``GET requests``. ``ids`` (service_request_id) overrides every other filter."""

    ids: list[str] | None = None
    codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None


def parse_request_query(params, *, now: datetime | None = None) -> RequestQuery:
    """The spec's filters: ``service_request_id`` (comma list, overrides the others), ``service_code``
    (comma list), ``start_date``/``end_date`` (at most 90 days apart; default the last 90 days),
    ``status`` (``open``, ``closed`` or both)."""
    if params.get("service_request_id") is not None:
        ids = _comma_list(params.get("service_request_id"))
        if not ids:
            raise bad_request(_("service_request_id is empty."))
        if len(ids) > MAX_IDS:
            raise bad_request(_("At most %(max)s service_request_id values at once.") % {"max": MAX_IDS})
        return RequestQuery(ids=ids)
    now = now or timezone.now()
    query = RequestQuery()
    if params.get("service_code") is not None:
        query.codes = _comma_list(params.get("service_code"))
        if not query.codes:
            raise bad_request(_("service_code is empty."))
    if params.get("status") is not None:
        query.statuses = [status.lower() for status in _comma_list(params.get("status"))]
        if not query.statuses or any(status not in STATUSES for status in query.statuses):
            raise bad_request(_("status must be open, closed, or both separated by a comma."))
    start = parse_w3c(params["start_date"], "start_date") if params.get("start_date") is not None else None
    end = parse_w3c(params["end_date"], "end_date", end_of_day=True) if params.get("end_date") is not None else None
    if start is None and end is None:
        start, end = now - MAX_SPAN, now
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if start > end:
        raise bad_request(_("start_date is after end_date."))
    if end - start > MAX_SPAN + timedelta(days=1):
        raise bad_request(_("start_date and end_date may be at most 90 days apart."))
    query.start, query.end = start, end
    return query


def idempotency_ref(client: str, key: str | None) -> str | None:
    """The report reference of a POST that names itself (non-standard ``Idempotency-Key`` header):
    the same key from the same client is the same report. None without a key."""
    if key is None:
        return None
    key = key.strip()
    if not IDEMPOTENCY_KEY.match(key):
        raise bad_request(_("The Idempotency-Key header must be 1-50 visible ASCII characters."))
    return f"{client}:{key}"


def clean_attributes(definition: list[dict], given: dict[str, list[str]]) -> dict:
    """The answers to a service's attributes, checked against its definition: required ones present,
    list values among the keys, numbers and date-times parseable. Codes the definition does not
    name are dropped (clients such as FixMyStreet may send their own)."""
    cleaned: dict = {}
    for attribute in definition:
        code, datatype = attribute["code"], attribute["datatype"]
        items = [item.strip() for item in given.get(code, []) if item is not None and item.strip()]
        if not items:
            if attribute["required"]:
                raise bad_request(
                    _("attribute[%(code)s] is required (%(description)s).")
                    % {"code": code, "description": attribute["description"]}
                )
            continue
        if datatype != "multivaluelist" and len(items) > 1:
            raise bad_request(_("attribute[%(code)s] takes one value.") % {"code": code})
        limit = MAX_DESCRIPTION if datatype == "text" else MAX_TEXT
        if any(len(item) > limit or CONTROL.search(item) for item in items):
            raise bad_request(_("attribute[%(code)s] is too long or contains control characters.") % {"code": code})
        if datatype in ("singlevaluelist", "multivaluelist"):
            keys = [value["key"] for value in attribute["values"]]
            wrong = [item for item in items if item not in keys]
            if wrong:
                raise bad_request(
                    _("attribute[%(code)s] must be one of %(keys)s (got %(value)s).")
                    % {"code": code, "keys": ", ".join(keys), "value": repr(wrong[0][:40])}
                )
        elif datatype == "number":
            try:
                if not math.isfinite(float(items[0])):
                    raise ValueError(items[0])
            except ValueError:
                raise bad_request(_("attribute[%(code)s] must be a number.") % {"code": code}) from None
        elif datatype == "datetime":
            parse_w3c(items[0], f"attribute[{code}]")
        cleaned[code] = items if datatype == "multivaluelist" else items[0]
    return cleaned
