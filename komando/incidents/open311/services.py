"""Open311 services: the city's incident categories as the service list, and service definitions
(the extra questions, "attributes", a category asks) from the city's ``open311_services.json``.

A category is a service when it is active and has an SOP playbook (a report of it can be taken).
``group`` is the name of the category's parent (a top-level category is its own group).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from komando.incidents import catalogue
from komando.incidents.models import Category

DEFINITIONS_FILE = "open311_services.json"
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
ATTRIBUTE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")
ATTRIBUTE_FIELDS = ("variable", "code", "datatype", "required", "datatype_description", "order", "description")


def clean_definitions(data) -> dict[str, list[dict]]:
    """``{service_code: [attribute, …]}`` checked and in spec order (pure); ``ImproperlyConfigured``
    names the first problem. Attributes are sorted by ``order``."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        raise ImproperlyConfigured(f'{DEFINITIONS_FILE}: expected {{"services": {{code: {{"attributes": [...]}}}}}}')
    cleaned: dict[str, list[dict]] = {}
    for code, service in services.items():
        where = f"{DEFINITIONS_FILE}: {code}"
        attributes = service.get("attributes") if isinstance(service, dict) else None
        if not isinstance(attributes, list):
            raise ImproperlyConfigured(f"{where}: attributes must be a list")
        rows, seen = [], set()
        for index, attribute in enumerate(attributes, start=1):
            rows.append(_clean_attribute(attribute, f"{where} attribute {index}"))
            if rows[-1]["code"] in seen:
                raise ImproperlyConfigured(f"{where}: attribute code {rows[-1]['code']} appears twice")
            seen.add(rows[-1]["code"])
        cleaned[str(code)] = sorted(rows, key=lambda row: row["order"])
    return cleaned


def _clean_attribute(attribute, where: str) -> dict:
    if not isinstance(attribute, dict):
        raise ImproperlyConfigured(f"{where}: must be an object")
    code, datatype = attribute.get("code"), attribute.get("datatype")
    if not isinstance(code, str) or not ATTRIBUTE_CODE.match(code):
        raise ImproperlyConfigured(f"{where}: code must be 1-50 letters, digits, '_', '.' or '-'")
    if datatype not in DATATYPES:
        raise ImproperlyConfigured(f"{where}: datatype must be one of {', '.join(DATATYPES)}")
    for name in ("variable", "required"):
        if not isinstance(attribute.get(name, True), bool):
            raise ImproperlyConfigured(f"{where}: {name} must be true or false")
    order = attribute.get("order")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ImproperlyConfigured(f"{where}: order must be a whole number from 1")
    description = attribute.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ImproperlyConfigured(f"{where}: description is required")
    datatype_description = attribute.get("datatype_description")
    if datatype_description is not None and not isinstance(datatype_description, str):
        raise ImproperlyConfigured(f"{where}: datatype_description must be text or null")
    row = {
        "variable": attribute.get("variable", True),
        "code": code,
        "datatype": datatype,
        "required": attribute.get("required", False),
        "datatype_description": datatype_description or None,
        "order": order,
        "description": description.strip(),
    }
    values = attribute.get("values")
    if datatype in LIST_DATATYPES:
        if not isinstance(values, list) or not values:
            raise ImproperlyConfigured(f"{where}: a {datatype} needs values [{{key, name}}, ...]")
        keys = []
        for value in values:
            if not isinstance(value, dict) or not str(value.get("key") or "").strip() or not value.get("name"):
                raise ImproperlyConfigured(f"{where}: every value needs a key and a name")
            keys.append(str(value["key"]).strip())
        if len(set(keys)) != len(keys):
            raise ImproperlyConfigured(f"{where}: value keys must be unique")
        row["values"] = [{"key": key, "name": str(value["name"])} for key, value in zip(keys, values, strict=True)]
    elif values:
        raise ImproperlyConfigured(f"{where}: only list datatypes have values")
    return row


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, list[dict]]:
    return clean_definitions(json.loads(Path(path).read_text(encoding="utf-8")))


def attribute_definitions() -> dict[str, list[dict]]:
    """The city's attribute definitions per service code (``{}`` when the city has no file)."""
    path = Path(settings.KOMANDO_CITY_DIR) / DEFINITIONS_FILE
    if not path.is_file():
        return {}
    return _load(str(path), path.stat().st_mtime)


def service_categories():
    """Categories that are Open311 services, in the city's order."""
    return Category.objects.filter(active=True, playbook__isnull=False).select_related("parent").order_by("sort_order", "name")


def service_category(code: str) -> Category | None:
    """The service of a service_code (exact match, else case-insensitive), or None. From the intake
    catalogue (cached per process, see ``komando.incidents.catalogue``)."""
    found = service_entry(code)
    return found.category if found is not None else None


def service_entry(code: str) -> catalogue.Entry | None:
    """``service_category`` with the SOP version reports of it start under (one catalogue snapshot)."""
    return catalogue.entry(code, with_playbook=True)


def service_row(category: Category, definitions: dict[str, list[dict]]) -> dict:
    return {
        "service_code": str(category.code),
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(definitions.get(category.code)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.parent.name if category.parent_id else category.name,
    }


def service_list() -> list[dict]:
    definitions = attribute_definitions()
    return [service_row(category, definitions) for category in service_categories()]


def service_definition(category: Category) -> dict:
    return {"service_code": str(category.code), "attributes": attribute_definitions().get(category.code, [])}
