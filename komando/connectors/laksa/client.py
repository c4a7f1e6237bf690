"""Client of LAKSA's Open311 GeoReport v2 API (JSON, or XML read with defusedxml). No Django here.

Reads the service list and the requests updated since a time, paging by ``start_date`` when an
answer is full (Open311 servers return at most 1000 requests), and checks them strictly: ids and
codes are strings, datetimes carry a time zone, every request's service is in the service list,
Open311 status agrees with LAKSA's own status.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from pydantic import AwareDatetime, TypeAdapter

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import JsonClient, KelurahanCode, Lat, Lon, NonEmpty, StrictModel, parse_json

API_PREFIX = "/open311/v2"
MAX_PAGES = 50


class Service(StrictModel):
    service_code: NonEmpty
    service_name: NonEmpty
    description: str | None = None
    group: str | None = None


class LaksaExtension(StrictModel):
    laksa_status: Literal["menunggu", "proses", "selesai"] | None = None
    kode_kelurahan: KelurahanCode | None = None


class ServiceRequest(StrictModel):
    service_request_id: NonEmpty
    status: Literal["open", "closed"]
    status_notes: str | None = None
    service_name: str | None = None
    service_code: NonEmpty
    description: str | None = None
    agency_responsible: str | None = None
    requested_datetime: AwareDatetime
    updated_datetime: AwareDatetime | None = None
    address: str | None = None
    lat: Lat | None = None
    long: Lon | None = None
    media_url: str | None = None
    extended_attributes: LaksaExtension | None = None

    @property
    def last_change(self) -> datetime:
        return self.updated_datetime or self.requested_datetime

    @property
    def laksa_status(self) -> str:
        """LAKSA's word when it sends one; else derived from the Open311 status."""
        if self.extended_attributes and self.extended_attributes.laksa_status:
            return self.extended_attributes.laksa_status
        return "selesai" if self.status == "closed" else "menunggu"


SERVICES = TypeAdapter(list[Service])
REQUESTS = TypeAdapter(list[ServiceRequest])
NUMBER_FIELDS = {"lat", "long"}


def _element_value(element):
    children = list(element)
    if children:
        return {child.tag: _element_value(child) for child in children}
    text = (element.text or "").strip()
    return text if text else None


def xml_to_json(body: bytes, root: str, item: str, what: str) -> bytes:
    """The XML form (``<root><item>…</item></root>``) as the JSON form, so both are checked alike."""
    try:
        tree = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise SourceDataInvalid(f"{what}: malformed XML ({error})") from error
    if tree.tag != root:
        raise SourceDataInvalid(f"{what}: expected <{root}>, got <{tree.tag}>")
    rows = []
    for position, element in enumerate(tree):
        if element.tag != item:
            raise SourceDataInvalid(f"{what}: unexpected <{element.tag}> in <{root}>")
        row = {child.tag: _element_value(child) for child in element}
        for name in NUMBER_FIELDS & row.keys():
            if row[name] is not None:
                try:
                    row[name] = float(row[name])
                except (TypeError, ValueError) as error:
                    raise SourceDataInvalid(f"{what}: {position}.{name}: not a number (got {row[name]!r:.60})") from error
        rows.append(row)
    return json.dumps(rows).encode()


class LaksaClient(JsonClient):
    application = "LAKSA"

    def __init__(self, base_url: str, timeout_seconds: float = 10.0, jurisdiction_id: str = "", fmt: str = "json"):
        super().__init__(base_url.rstrip("/") + API_PREFIX, timeout_seconds)
        self.jurisdiction_id = jurisdiction_id
        self.fmt = fmt

    def _get(
        self, http: httpx.Client, resource: str, root: str, item: str, adapter: TypeAdapter, what: str, params: dict | None = None
    ) -> list:
        params = {**({"jurisdiction_id": self.jurisdiction_id} if self.jurisdiction_id else {}), **(params or {})}
        body = self.get_body(http, f"/{resource}.{self.fmt}", params)
        if self.fmt == "xml":
            body = xml_to_json(body, root, item, what)
        return parse_json(adapter, body, what)

    def services(self, http: httpx.Client) -> list[Service]:
        return self._get(http, "services", "services", "service", SERVICES, "LAKSA services")

    def requests(self, http: httpx.Client, start: datetime | None = None) -> list[ServiceRequest]:
        params = {"start_date": start.isoformat()} if start else None
        return self._get(http, "requests", "service_requests", "request", REQUESTS, "LAKSA requests", params)

    def fetch(self, since: datetime | None) -> tuple[list[Service], list[ServiceRequest]]:
        """The service list and every request updated at or after ``since`` (None: LAKSA's default
        window), newest version of each, checked, sorted by last change."""
        found: dict[str, ServiceRequest] = {}
        with self.session(Accept="text/xml" if self.fmt == "xml" else "application/json") as http:
            services = self.services(http)
            start = since
            for _ in range(MAX_PAGES):
                page = self.requests(http, start)
                for request in page:
                    known = found.get(request.service_request_id)
                    if known is None or request.last_change >= known.last_change:
                        found[request.service_request_id] = request
                newest = max((r.last_change for r in page), default=None)
                # A full page (Open311 servers cap answers, LAKSA at 1000) may hide more: ask again from its end.
                if len(page) < 1000 or newest is None or (start is not None and newest <= start):
                    break
                start = newest
            else:
                raise SourceDataInvalid(f"LAKSA requests: more than {MAX_PAGES} full pages since {since}")
        requests = sorted(found.values(), key=lambda r: (r.last_change, r.service_request_id))
        check(services, requests)
        return services, requests


def check(services: list[Service], requests: list[ServiceRequest]) -> None:
    """Rules a type cannot say: known service codes, unique codes, statuses that agree."""
    codes = [service.service_code for service in services]
    if len(set(codes)) != len(codes):
        raise SourceDataInvalid("LAKSA services list a service_code twice")
    known = set(codes)
    for request in requests:
        if request.service_code not in known:
            raise SourceDataInvalid(f"LAKSA request {request.service_request_id}: unknown service_code {request.service_code!r}")
        if (request.laksa_status == "selesai") != (request.status == "closed"):
            raise SourceDataInvalid(
                f"LAKSA request {request.service_request_id}: status {request.status!r} "
                f"contradicts LAKSA status {request.laksa_status!r}"
            )
        if (request.lat is None) != (request.long is None):
            raise SourceDataInvalid(f"LAKSA request {request.service_request_id}: lat without long or long without lat")
