"""Client of BMKG's public feeds: earthquakes (TEWS) and weather warnings (nowcast, CAP 1.2). No Django.

Earthquakes: ``/DataMKG/TEWS/{autogempa,gempaterkini,gempadirasakan}.{json,xml}``; all values are
strings. ``autogempa`` carries one quake as an object, the other two an array; the current JSON
has ``"Coordinates": "lat,lon"``, the older one (≤ 2021) ``"point": {"coordinates": "lat,lon"}``.

Weather warnings: the nowcast RSS lists one item per warning; each item links a CAP 1.2 file.
External XML is untrusted: it is parsed with defusedxml only (no entities, no external references).

Anything that does not fit raises ``SourceDataInvalid`` naming the feed and the problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import get_body

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
EARTHQUAKE_PATH = "/DataMKG/TEWS/"
NOWCAST_RSS_PATH = "/alerts/nowcast/id/rss.xml"

MAGNITUDE = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
DEPTH = re.compile(r"^(\d{1,4}(\.\d{1,2})?)\s*km$", re.IGNORECASE)
COORDINATES = re.compile(r"^\s*(-?\d{1,3}(\.\d+)?)\s*,\s*(-?\d{1,3}(\.\d+)?)\s*$")
HEMISPHERE = re.compile(r"^(\d{1,3}(\.\d+)?)\s*(LU|LS|BT|BB)$", re.IGNORECASE)
CAP_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "agu": 8,
    "agt": 8,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "des": 12,
    "dec": 12,
}
LOCAL_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}

CAP_STATUS = {"Actual", "Exercise", "System", "Test", "Draft"}
CAP_MSG_TYPE = {"Alert", "Update", "Cancel", "Ack", "Error"}
CAP_SCOPE = {"Public", "Restricted", "Private"}
CAP_URGENCY = {"Immediate", "Expected", "Future", "Past", "Unknown"}
CAP_SEVERITY = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
CAP_CERTAINTY = {"Observed", "Likely", "Possible", "Unlikely", "Unknown", "Very Likely"}  # 1.0's "Very Likely"


@dataclass(frozen=True)
class Quake:
    source_ref: str  # DateTime (UTC) and coordinates: the same quake in every feed has the same ref
    occurred_at: datetime
    magnitude: Decimal
    depth_km: Decimal
    lat: float
    lon: float
    region: str
    tsunami_potential: str
    felt: str
    shakemap: str


@dataclass(frozen=True)
class Warning:
    identifier: str
    status: str
    msg_type: str
    sent: datetime
    effective: datetime
    expires: datetime | None
    event: str
    headline: str
    description: str
    severity: str
    urgency: str
    certainty: str
    sender_name: str
    area_desc: str
    polygons: dict | None  # GeoJSON MultiPolygon, [lon, lat]
    web: str


@dataclass(frozen=True)
class NowcastItem:
    link: str
    guid: str
    title: str


# --- Earthquakes ---------------------------------------------------------------------------------


def parse_magnitude(raw, feed: str) -> Decimal:
    text = _text(raw, feed, "Magnitude")
    if not MAGNITUDE.match(text):
        raise SourceDataInvalid(f"{feed}: Magnitude {text!r} is not a number like '4.1'")
    value = Decimal(text)
    if not Decimal("0") <= value <= Decimal("10"):
        raise SourceDataInvalid(f"{feed}: Magnitude {text} is outside 0–10")
    return value


def parse_depth(raw, feed: str) -> Decimal:
    text = _text(raw, feed, "Kedalaman")
    match = DEPTH.match(text)
    if not match:
        raise SourceDataInvalid(f"{feed}: Kedalaman {text!r} is not a depth like '10 km'")
    return Decimal(match.group(1))


def parse_hemisphere(raw: str, feed: str, field: str) -> float:
    """``"1.17 LS"`` → −1.17 (LS/BB negative, LU/BT positive)."""
    match = HEMISPHERE.match(raw.strip())
    if not match:
        raise SourceDataInvalid(f"{feed}: {field} {raw!r} is not like '1.17 LS' or '120.06 BT'")
    value = float(match.group(1))
    return -value if match.group(3).upper() in ("LS", "BB") else value


def parse_coordinates(raw: str, feed: str) -> tuple[float, float]:
    """``"lat,lon"`` (BMKG's order) → (lat, lon), checked for range."""
    match = COORDINATES.match(raw)
    if not match:
        raise SourceDataInvalid(f"{feed}: coordinates {raw!r} are not 'lat,lon'")
    lat, lon = float(match.group(1)), float(match.group(3))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SourceDataInvalid(f"{feed}: coordinates {raw!r} are out of range")
    return lat, lon


def _text(raw, feed: str, field: str) -> str:
    if raw is None:
        raise SourceDataInvalid(f"{feed}: {field} is missing")
    if not isinstance(raw, str):
        raise SourceDataInvalid(f"{feed}: {field} must be a string, got {type(raw).__name__} {raw!r:.40}")
    text = raw.strip()
    if not text:
        raise SourceDataInvalid(f"{feed}: {field} is empty")
    return text


def _optional_text(record: dict, field: str, feed: str) -> str:
    raw = record.get(field)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise SourceDataInvalid(f"{feed}: {field} must be a string, got {type(raw).__name__}")
    return raw.strip()


def parse_quake_time(record: dict, feed: str) -> datetime:
    """``DateTime`` (ISO with offset); without it ``Tanggal`` + ``Jam`` ("06 Agu 2026", "09:59:47 WIB")."""
    raw = record.get("DateTime")
    if raw is not None:
        text = _text(raw, feed, "DateTime")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            raise SourceDataInvalid(f"{feed}: DateTime {text!r} is not an ISO 8601 time") from error
        if moment.tzinfo is None:
            raise SourceDataInvalid(f"{feed}: DateTime {text!r} has no UTC offset")
        return moment.astimezone(UTC)
    date_text = _text(record.get("Tanggal"), feed, "Tanggal (or DateTime)")
    time_text = _text(record.get("Jam"), feed, "Jam")
    date_match = re.match(r"^(\d{1,2})[ -]([A-Za-z]{3})[a-z]*[ -](\d{4})$", date_text)
    time_match = re.match(r"^(\d{2}):(\d{2}):(\d{2})\s*(WIB|WITA|WIT)$", time_text)
    if not date_match or date_match.group(2).lower() not in MONTHS or not time_match:
        raise SourceDataInvalid(
            f"{feed}: Tanggal/Jam {date_text!r} {time_text!r} is not a date like '06 Agu 2026' '09:59:47 WIB'"
        )
    zone = timezone(timedelta(hours=LOCAL_ZONES[time_match.group(4)]))
    try:
        local = datetime(
            int(date_match.group(3)),
            MONTHS[date_match.group(2).lower()],
            int(date_match.group(1)),
            int(time_match.group(1)),
            int(time_match.group(2)),
            int(time_match.group(3)),
            tzinfo=zone,
        )
    except ValueError as error:
        raise SourceDataInvalid(f"{feed}: Tanggal/Jam {date_text!r} {time_text!r}: {error}") from error
    return local.astimezone(UTC)


def parse_quake(record, feed: str) -> Quake:
    if not isinstance(record, dict):
        raise SourceDataInvalid(f"{feed}: a gempa must be an object, got {type(record).__name__}")
    occurred_at = parse_quake_time(record, feed)
    where = f"{feed} (gempa at {occurred_at.isoformat()})"
    raw_coordinates = record.get("Coordinates")
    point = record.get("point")
    if raw_coordinates is None and isinstance(point, dict):
        raw_coordinates = point.get("coordinates")
    if raw_coordinates is not None:
        lat, lon = parse_coordinates(_text(raw_coordinates, where, "Coordinates"), where)
    else:
        lat = parse_hemisphere(_text(record.get("Lintang"), where, "Coordinates (or Lintang)"), where, "Lintang")
        lon = parse_hemisphere(_text(record.get("Bujur"), where, "Bujur"), where, "Bujur")
    if record.get("Lintang") is not None:
        parse_hemisphere(_text(record.get("Lintang"), where, "Lintang"), where, "Lintang")  # strict, even if unused
    if record.get("Bujur") is not None:
        parse_hemisphere(_text(record.get("Bujur"), where, "Bujur"), where, "Bujur")
    return Quake(
        source_ref=f"{occurred_at.strftime('%Y-%m-%dT%H:%M:%SZ')} {lat:.2f},{lon:.2f}",
        occurred_at=occurred_at,
        magnitude=parse_magnitude(record.get("Magnitude"), where),
        depth_km=parse_depth(record.get("Kedalaman"), where),
        lat=lat,
        lon=lon,
        region=_text(record.get("Wilayah"), where, "Wilayah"),
        tsunami_potential=_optional_text(record, "Potensi", where),
        felt=_optional_text(record, "Dirasakan", where),
        shakemap=_optional_text(record, "Shakemap", where),
    )


def _gempa_records(document, feed: str) -> list:
    """The gempa of ``{"Infogempa": {"gempa": obj | [obj…]}}``, or a bare gempa object (old captures)."""
    if not isinstance(document, dict):
        raise SourceDataInvalid(f"{feed}: expected a JSON object, got {type(document).__name__}")
    if "Infogempa" not in document:
        if "DateTime" in document or "Tanggal" in document:
            return [document]
        raise SourceDataInvalid(f"{feed}: no Infogempa object")
    info = document["Infogempa"]
    if not isinstance(info, dict) or "gempa" not in info:
        raise SourceDataInvalid(f"{feed}: Infogempa has no gempa")
    gempa = info["gempa"]
    if isinstance(gempa, dict):
        return [gempa]
    if isinstance(gempa, list):
        return gempa
    raise SourceDataInvalid(f"{feed}: gempa must be an object or an array, got {type(gempa).__name__}")


def parse_earthquakes_json(body: bytes, feed: str) -> list[Quake]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceDataInvalid(f"{feed}: malformed JSON ({error})") from error
    return [parse_quake(record, feed) for record in _gempa_records(document, feed)]


def parse_xml(body: bytes, feed: str) -> Element:
    try:
        return fromstring(body)
    except DefusedXmlException as error:
        raise SourceDataInvalid(f"{feed}: forbidden XML construct ({type(error).__name__})") from error
    except ParseError as error:
        raise SourceDataInvalid(f"{feed}: malformed XML ({error})") from error


def _element_as_record(element: Element) -> dict:
    record: dict = {}
    for child in element:
        if len(child):
            record[child.tag] = {grandchild.tag: (grandchild.text or "") for grandchild in child}
        else:
            record[child.tag] = child.text or ""
    return record


def parse_earthquakes_xml(body: bytes, feed: str) -> list[Quake]:
    root = parse_xml(body, feed)
    if root.tag != "Infogempa":
        raise SourceDataInvalid(f"{feed}: root element is <{root.tag}>, expected <Infogempa>")
    elements = root.findall("gempa")
    if not elements:
        raise SourceDataInvalid(f"{feed}: Infogempa has no gempa")
    return [parse_quake(_element_as_record(element), feed) for element in elements]


def merge_quakes(quakes: list[Quake]) -> list[Quake]:
    """One quake per ref; a field empty in one feed is filled from another (terkini has the
    shakemap, dirasakan the felt report). Newest first."""
    merged: dict[str, Quake] = {}
    for quake in quakes:
        known = merged.get(quake.source_ref)
        if known is None:
            merged[quake.source_ref] = quake
            continue
        merged[quake.source_ref] = Quake(
            **{name: getattr(known, name) or getattr(quake, name) for name in Quake.__dataclass_fields__}
        )
    return sorted(merged.values(), key=lambda q: q.occurred_at, reverse=True)


# --- Weather warnings (CAP 1.2) ------------------------------------------------------------------


def parse_nowcast_rss(body: bytes, feed: str, base_url: str = "") -> list[NowcastItem]:
    root = parse_xml(body, feed)
    if root.tag != "rss":
        raise SourceDataInvalid(f"{feed}: root element is <{root.tag}>, expected <rss>")
    channel = root.find("channel")
    if channel is None:
        raise SourceDataInvalid(f"{feed}: rss has no channel")
    items = []
    for number, item in enumerate(channel.findall("item"), start=1):
        link = (item.findtext("link") or "").strip()
        if not link:
            raise SourceDataInvalid(f"{feed}: item {number} has no link to its CAP file")
        absolute = urljoin(base_url, link) if base_url else link
        if not absolute.startswith(("http://", "https://")):
            raise SourceDataInvalid(f"{feed}: item {number} links {link!r}, not an http(s) URL")
        items.append(
            NowcastItem(link=absolute, guid=(item.findtext("guid") or "").strip(), title=(item.findtext("title") or "").strip())
        )
    return items


def _cap(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _cap_text(parent: Element, tag: str, feed: str, *, required: bool) -> str:
    text = (parent.findtext(_cap(tag)) or "").strip()
    if required and not text:
        raise SourceDataInvalid(f"{feed}: required CAP element <{tag}> is missing or empty")
    return text


def _cap_choice(parent: Element, tag: str, allowed: set[str], feed: str) -> str:
    value = _cap_text(parent, tag, feed, required=True)
    if value not in allowed:
        raise SourceDataInvalid(f"{feed}: <{tag}> {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _cap_time(raw: str, feed: str, tag: str) -> datetime:
    if not CAP_TIME.match(raw):
        raise SourceDataInvalid(f"{feed}: <{tag}> {raw!r} is not a CAP time like 2026-02-16T22:50:00+08:00")
    try:
        return datetime.fromisoformat(raw).astimezone(UTC)
    except ValueError as error:
        raise SourceDataInvalid(f"{feed}: <{tag}> {raw!r}: {error}") from error


def parse_cap_polygon(raw: str, feed: str) -> list[list[float]]:
    """CAP ``"lat,lon lat,lon …"`` (closed, ≥ 4 points) → a GeoJSON ring of ``[lon, lat]``."""
    ring = []
    for pair in raw.split():
        lat, lon = parse_coordinates(pair, f"{feed} polygon")
        ring.append([lon, lat])
    if len(ring) < 4:
        raise SourceDataInvalid(f"{feed}: a polygon needs at least 4 points, got {len(ring)}")
    if ring[0] != ring[-1]:
        raise SourceDataInvalid(f"{feed}: a polygon must end where it starts ({raw.split()[0]})")
    return ring


def parse_cap(body: bytes, feed: str) -> Warning:
    root = parse_xml(body, feed)
    if root.tag != _cap("alert"):
        raise SourceDataInvalid(f"{feed}: root element is <{root.tag}>, expected <alert> in namespace {CAP_NS}")
    identifier = _cap_text(root, "identifier", feed, required=True)
    feed = f"{feed} ({identifier})"
    _cap_text(root, "sender", feed, required=True)
    sent = _cap_time(_cap_text(root, "sent", feed, required=True), feed, "sent")
    status = _cap_choice(root, "status", CAP_STATUS, feed)
    msg_type = _cap_choice(root, "msgType", CAP_MSG_TYPE, feed)
    _cap_choice(root, "scope", CAP_SCOPE, feed)
    infos = root.findall(_cap("info"))
    if not infos:
        raise SourceDataInvalid(f"{feed}: the alert has no <info>")
    info = next((i for i in infos if (i.findtext(_cap("language")) or "").strip().startswith("id")), infos[0])
    if not info.findall(_cap("category")):
        raise SourceDataInvalid(f"{feed}: required CAP element <category> is missing")
    effective_raw = _cap_text(info, "effective", feed, required=False)
    expires_raw = _cap_text(info, "expires", feed, required=False)
    area_names, rings = [], []
    for area in info.findall(_cap("area")):
        area_names.append(_cap_text(area, "areaDesc", feed, required=True))
        for polygon in area.findall(_cap("polygon")):
            rings.append(parse_cap_polygon(polygon.text or "", feed))
    return Warning(
        identifier=identifier,
        status=status,
        msg_type=msg_type,
        sent=sent,
        effective=_cap_time(effective_raw, feed, "effective") if effective_raw else sent,
        expires=_cap_time(expires_raw, feed, "expires") if expires_raw else None,
        event=_cap_text(info, "event", feed, required=True),
        headline=_cap_text(info, "headline", feed, required=False),
        description=_cap_text(info, "description", feed, required=False),
        severity=_cap_choice(info, "severity", CAP_SEVERITY, feed),
        urgency=_cap_choice(info, "urgency", CAP_URGENCY, feed),
        certainty=_cap_choice(info, "certainty", CAP_CERTAINTY, feed),
        sender_name=_cap_text(info, "senderName", feed, required=False),
        area_desc="; ".join(area_names),
        polygons={"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]} if rings else None,
        web=_cap_text(info, "web", feed, required=False),
    )


# --- HTTP ----------------------------------------------------------------------------------------


class BmkgClient:
    def __init__(self, base_url: str, nowcast_base_url: str = "", timeout_seconds: float = 10.0, earthquake_format: str = "json"):
        self.base_url = base_url.rstrip("/")
        self.nowcast_base_url = (nowcast_base_url or base_url).rstrip("/")
        self.timeout = timeout_seconds
        self.earthquake_format = earthquake_format

    def _get(self, http: httpx.Client, url: str) -> bytes:
        return get_body(http, url, application="BMKG", timeout=self.timeout)

    def fetch_earthquakes(self, http: httpx.Client) -> list[Quake]:
        quakes: list[Quake] = []
        for name in ("autogempa", "gempaterkini", "gempadirasakan"):
            filename = f"{name}.{self.earthquake_format}"
            body = self._get(http, f"{self.base_url}{EARTHQUAKE_PATH}{filename}")
            feed = f"BMKG {filename}"
            parse = parse_earthquakes_xml if self.earthquake_format == "xml" else parse_earthquakes_json
            quakes.extend(parse(body, feed))
        return merge_quakes(quakes)

    def fetch_warnings(self, http: httpx.Client) -> list[Warning]:
        rss_url = f"{self.nowcast_base_url}{NOWCAST_RSS_PATH}"
        items = parse_nowcast_rss(self._get(http, rss_url), "BMKG nowcast rss.xml", rss_url)
        warnings = {}
        for item in items:
            name = item.link.rsplit("/", 1)[-1]
            warning = parse_cap(self._get(http, item.link), f"BMKG CAP {name}")
            warnings[warning.identifier] = warning
        return list(warnings.values())

    def fetch(self) -> tuple[list[Quake], list[Warning]]:
        with httpx.Client(timeout=self.timeout) as http:
            return self.fetch_earthquakes(http), self.fetch_warnings(http)


__all__ = [
    "BmkgClient",
    "NowcastItem",
    "Quake",
    "Warning",
    "merge_quakes",
    "parse_cap",
    "parse_earthquakes_json",
    "parse_earthquakes_xml",
    "parse_nowcast_rss",
]
