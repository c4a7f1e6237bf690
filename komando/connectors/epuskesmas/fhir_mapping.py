"""From validated SATUSEHAT resources to the few facts Komando keeps (pure functions, no I/O).

Only facility, poli, day, ICD-10 code and KFA code leave this module: never a patient, practitioner
or encounter identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from komando.sources.framework import AssetItem, SourceDataInvalid

WIB = timezone(timedelta(hours=7), "WIB")
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
KFA_SYSTEM = "http://sys-ids.kemkes.go.id/kfa"
ADMIN_CODE_URL = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
NOT_COUNTED_STATUSES = {"cancelled", "entered-in-error"}


def ident(resource: dict) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id', '?')}"


def reference_id(resource: dict, reference: dict | None, resource_type: str, what: str) -> str:
    """The id in a ``{"reference": "Type/id"}``; SourceDataInvalid if it is missing or of another type."""
    ref = (reference or {}).get("reference") or ""
    kind, _, target = ref.rpartition("/")
    if kind.rsplit("/", 1)[-1] != resource_type or not target:
        raise SourceDataInvalid(f"{ident(resource)}: {what} is not a {resource_type} reference ({ref!r})")
    return target


def parse_instant(resource: dict, value: str | None, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        raise SourceDataInvalid(f"{ident(resource)}: {what} is not a date-time ({value!r})") from None
    if moment.tzinfo is None:
        raise SourceDataInvalid(f"{ident(resource)}: {what} has no time zone ({value!r})")
    return moment


def last_updated(resource: dict) -> datetime:
    return parse_instant(resource, (resource.get("meta") or {}).get("lastUpdated"), "meta.lastUpdated")


def wib_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def coding(resource: dict, concept: dict | None, system: str, what: str, max_length: int = 20) -> tuple[str, str]:
    for item in (concept or {}).get("coding") or []:
        if item.get("system") == system and item.get("code"):
            code = item["code"].strip()
            if len(code) > max_length:
                raise SourceDataInvalid(f"{ident(resource)}: {what} code {code[:40]!r} is too long for {system}")
            return code, (item.get("display") or code).strip()[:200]
    raise SourceDataInvalid(f"{ident(resource)}: {what} has no {system} coding")


def dotted_region_code(undotted: str) -> str:
    """Kemendagri code without dots (SATUSEHAT) → dotted (Komando): 3671051001 → 36.71.05.1001."""
    parts = [undotted[0:2], undotted[2:4], undotted[4:6], undotted[6:10]]
    return ".".join(part for part in parts if part)


def administrative_code(resource: dict, address: dict | None) -> str | None:
    for extension in (address or {}).get("extension") or []:
        if extension.get("url") != ADMIN_CODE_URL:
            continue
        parts = {sub.get("url"): sub.get("valueCode") for sub in extension.get("extension") or []}
        code = parts.get("village") or parts.get("district") or parts.get("city")
        if code:
            if not code.isdigit() or len(code) not in (4, 6, 10):
                raise SourceDataInvalid(f"{ident(resource)}: administrativeCode {code!r} is not a Kemendagri code")
            return dotted_region_code(code)
    return None


@dataclass(frozen=True)
class Room:
    organization_id: str
    poli: str
    lat: float | None
    lon: float | None


def room(location: dict) -> Room:
    org = reference_id(location, location.get("managingOrganization"), "Organization", "managingOrganization")
    position = location.get("position") or {}
    name = (location.get("name") or "").strip()[:80]
    if not name:
        raise SourceDataInvalid(f"{ident(location)}: Location has no name (the poli)")
    return Room(org, name, position.get("latitude"), position.get("longitude"))


def facility_item(organization: dict, rooms: list[Room]) -> AssetItem:
    """An ``assets.do_sync_assets`` item for a puskesmas."""
    addresses = organization.get("address") or []
    region_code = next((code for code in (administrative_code(organization, a) for a in addresses) if code), None)
    placed = next((r for r in rooms if r.lat is not None and r.lon is not None), None)
    return AssetItem(
        source_ref=organization["id"],
        name=organization.get("name") or organization["id"],
        lat=placed.lat if placed else None,
        lon=placed.lon if placed else None,
        region_code=region_code,
        online=organization.get("active", True) is not False,
        attributes={"polis": sorted({r.poli for r in rooms})},
    )


@dataclass(frozen=True)
class VisitFacts:
    day: date
    organization_id: str
    location_id: str | None
    counted: bool


def visit_facts(encounter: dict) -> VisitFacts:
    org = reference_id(encounter, encounter.get("serviceProvider"), "Organization", "serviceProvider")
    locations = encounter.get("location") or []
    location_id = None
    if locations:
        location_id = reference_id(encounter, locations[0].get("location"), "Location", "location")
    start = (encounter.get("period") or {}).get("start")
    moment = parse_instant(encounter, start, "period.start") if start else last_updated(encounter)
    return VisitFacts(wib_day(moment), org, location_id, encounter.get("status") not in NOT_COUNTED_STATUSES)


def diagnosis(condition: dict) -> tuple[str, str, str]:
    """(encounter id, ICD-10 code, name)."""
    encounter_id = reference_id(condition, condition.get("encounter"), "Encounter", "encounter")
    code, name = coding(condition, condition.get("code"), ICD10_SYSTEM, "code", max_length=10)
    return encounter_id, code, name


def prescription_item(request: dict) -> tuple[str, str] | None:
    """(encounter id, medication id), or None for a request that was never valid."""
    if request.get("status") == "entered-in-error":
        return None
    encounter_id = reference_id(request, request.get("encounter"), "Encounter", "encounter")
    medication_id = reference_id(request, request.get("medicationReference"), "Medication", "medicationReference")
    return encounter_id, medication_id


def drug(medication: dict) -> tuple[str, str]:
    return coding(medication, medication.get("code"), KFA_SYSTEM, "code")
