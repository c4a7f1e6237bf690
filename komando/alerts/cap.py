"""Our own warnings as CAP 1.2 (OASIS) messages, and an Atom index of them.

Which alerts are public: only alerts of rules marked ``public``, and only water-level and BMKG
rules may be marked so (``komando.alerts.rules.PUBLIC_KINDS``): they concern residents' safety.
SLA breaches, source outages, traffic thresholds and kritis projects are internal and never
published. An open alert is an ``Alert`` message; a cleared one is a ``Cancel`` message (its own
identifier, ``references`` pointing at the original).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from lxml import etree

from komando.alerts.choices import RuleKind
from komando.alerts.models import Alert
from komando.core import clock
from komando.core.city import current_city

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SEVERITY = {"critical": "Severe", "warning": "Moderate", "info": "Minor"}
URGENCY = {"critical": "Immediate", "warning": "Expected", "info": "Future"}
CIRCLE_RADIUS_KM = {RuleKind.SENSOR_THRESHOLD: 2.0, RuleKind.BMKG_WARNING: 50.0}


def cap_time(value: datetime) -> str:
    """CAP's dateTime: the city's wall clock with its explicit offset (``+07:00`` WIB, ``+08:00`` WITA,
    ``+09:00`` WIT), no fractions, never 'Z'."""
    return clock.iso(value)


def identifier(alert: Alert, cancel: bool = False) -> str:
    city = current_city()
    return f"komando.{city.code}.alert.{alert.pk}" + (".cancel" if cancel else "")


def _sub(parent, name: str, text=None):
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _category(alert: Alert) -> str:
    if alert.rule.kind == RuleKind.BMKG_WARNING and (alert.facts or {}).get("type") == "earthquake":
        return "Geo"
    return "Met"


def _polygons(alert: Alert) -> list[str]:
    """GeoJSON (Multi)Polygon rings [lon, lat] → CAP polygons "lat,lon lat,lon …" (closed rings)."""
    geometry = (alert.facts or {}).get("polygons") or {}
    if geometry.get("type") == "Polygon":
        polygons = [geometry.get("coordinates") or []]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry.get("coordinates") or []
    else:
        return []
    result = []
    for polygon in polygons:
        if not polygon:
            continue
        ring = [(float(lat), float(lon)) for lon, lat, *_ in polygon[0]]
        if len(ring) < 3:
            continue
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        if len(ring) >= 4:
            result.append(" ".join(f"{lat:.4f},{lon:.4f}" for lat, lon in ring))
    return result


def alert_element(alert: Alert) -> etree._Element:
    from komando.alerts.selectors import alert_dict

    city = current_city()
    cancel = alert.cleared_at is not None
    with translation.override("id"):
        shown = alert_dict(alert)
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", identifier(alert, cancel))
    _sub(root, "sender", settings.KOMANDO_ALERTS_CAP_SENDER)
    _sub(root, "sent", cap_time(alert.cleared_at if cancel else alert.raised_at))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Cancel" if cancel else "Alert")
    _sub(root, "scope", "Public")
    if cancel:
        _sub(root, "references", f"{settings.KOMANDO_ALERTS_CAP_SENDER},{identifier(alert)},{cap_time(alert.raised_at)}")
    info = _sub(root, "info")
    _sub(info, "language", "id-ID")
    _sub(info, "category", _category(alert))
    _sub(info, "event", alert.rule.name)
    _sub(info, "urgency", "Past" if cancel else URGENCY.get(alert.severity, "Unknown"))
    _sub(info, "severity", SEVERITY.get(alert.severity, "Unknown"))
    _sub(info, "certainty", "Observed")
    _sub(info, "effective", cap_time(alert.raised_at))
    expires = (alert.facts or {}).get("expires")
    if expires and not cancel:
        _sub(info, "expires", cap_time(datetime.fromisoformat(expires)))
    elif cancel:
        _sub(info, "expires", cap_time(alert.cleared_at + timedelta(hours=1)))
    _sub(info, "senderName", f"Komando {city.name}")
    headline = ("Berakhir: " if cancel else "") + shown["title"]
    _sub(info, "headline", headline[:160])
    _sub(info, "description", shown["detail"] or shown["title"])
    base = settings.KOMANDO_PUBLIC_URL.rstrip("/")
    _sub(info, "web", f"{base}/peringatan/cap/{alert.pk}.xml")
    area = _sub(info, "area")
    _sub(area, "areaDesc", f"{alert.subject}, {city.name}" if alert.subject else city.name)
    for polygon in _polygons(alert):
        _sub(area, "polygon", polygon)
    if alert.lat is not None and alert.lon is not None:
        _sub(area, "circle", f"{alert.lat:.5f},{alert.lon:.5f} {CIRCLE_RADIUS_KM.get(alert.rule.kind, 1.0)}")
    elif not _polygons(alert):
        center = city.center
        _sub(area, "circle", f"{center['lat']:.5f},{center['lon']:.5f} 10")
    return root


def alert_document(alert: Alert) -> bytes:
    return etree.tostring(alert_element(alert), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def atom_index(alerts: list[Alert]) -> bytes:
    city = current_city()
    base = settings.KOMANDO_PUBLIC_URL.rstrip("/")
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})

    def sub(parent, name, text=None, **attributes):
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", **attributes)
        if text is not None:
            element.text = text
        return element

    sub(feed, "id", f"{base}/peringatan/cap.xml")
    sub(feed, "title", f"Peringatan Komando {city.name} (CAP 1.2)")
    newest = max((a.cleared_at or a.raised_at for a in alerts), default=timezone.now())
    sub(feed, "updated", cap_time(newest))
    sub(feed, "link", rel="self", href=f"{base}/peringatan/cap.xml")
    author = sub(feed, "author")
    sub(author, "name", f"Komando {city.name}")
    from komando.alerts.selectors import alert_title

    with translation.override("id"):
        for alert in alerts:
            entry = sub(feed, "entry")
            sub(entry, "id", identifier(alert, alert.cleared_at is not None))
            sub(entry, "title", ("Berakhir: " if alert.cleared_at else "") + alert_title(alert))
            sub(entry, "updated", cap_time(alert.cleared_at or alert.raised_at))
            sub(entry, "link", rel="alternate", type="application/cap+xml", href=f"{base}/peringatan/cap/{alert.pk}.xml")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
