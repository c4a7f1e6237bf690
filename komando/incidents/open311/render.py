"""Rendering of Open311 answers: XML (the mandatory format; built with lxml, no namespace) and JSON
(the spec's mapping of the XML: the root element becomes an array for lists).

Values: ``None`` is an empty element (``null`` in JSON), booleans are ``true``/``false``, a list is
one child per item named by ``ITEM_TAGS`` (``attributes`` → ``attribute``…). Text that XML 1.0
cannot carry (control characters) is dropped, everything else is escaped by lxml.
"""

from __future__ import annotations

import json
import re

from django.http import HttpResponse
from lxml import etree

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "services": "service",
    "service_requests": "request",
}
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return NOT_XML.sub("", str(value))


def _fill(element, value, tag: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(etree.SubElement(element, key), item, key)
    elif isinstance(value, (list, tuple)):
        child_tag = ITEM_TAGS[tag]
        for item in value:
            _fill(etree.SubElement(element, child_tag), item, child_tag)
    else:
        element.text = xml_text(value)


def to_xml(root: str, value) -> bytes:
    """``value`` (a dict, or a list of items named after ``root``) as an XML document."""
    tree = etree.Element(root)
    _fill(tree, value, root)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _json_safe(value):
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)  # lazy translations


def to_json(value) -> bytes:
    return json.dumps(_json_safe(value), ensure_ascii=False).encode("utf-8")


def render(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    """An answer in ``fmt`` ("xml" or "json"): ``root`` names the XML root element."""
    body = to_xml(root, value) if fmt == "xml" else to_json(value)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


def render_error(fmt: str, status: int, description) -> HttpResponse:
    """The spec's error list: ``<errors><error><code/><description/></error></errors>`` or
    ``[{"code": 403, "description": "…"}]``; ``fmt`` other than json answers in XML."""
    return render(
        "json" if fmt == "json" else "xml", "errors", [{"code": status, "description": str(description)}], status=status
    )
