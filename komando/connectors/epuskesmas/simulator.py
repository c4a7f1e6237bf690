"""e-Puskesmas simulator: a FHIR R4 server in SATUSEHAT's shape, serving the city's puskesmas.

- ``POST /oauth2/v1/accesstoken?grant_type=client_credentials`` (form ``client_id``, ``client_secret``)
  returns an ``access_token``. The accepted pair comes from ``KOMANDO_EPUSKESMAS_CLIENT_ID`` and
  ``KOMANDO_EPUSKESMAS_CLIENT_SECRET`` (the connector reads the same variables); when both are unset
  the simulator is in demo mode and accepts any non-empty pair.
- ``/fhir-r4/v1/{Organization,Location,Encounter,Condition,MedicationRequest,Medication}`` (search,
  and read by id) need ``Authorization: Bearer <token>``; otherwise 401 with an ``OperationOutcome``.
  Searches take ``_lastUpdated`` (gt/ge/lt/le instants, repeatable), ``_count``, ``_id`` (comma list);
  they return a ``searchset`` Bundle with ``total`` and a ``next`` link carrying a page token that
  freezes the result set as of the first page.

Visits are generated lazily and deterministically: the day (WIB) is cut into 5-minute slots and a
slot's visits come from a random generator seeded with (seed, date, slot), so any slot can be
rebuilt on demand and every resource id names the slot that holds it. A visit's Encounter,
Conditions and MedicationRequests are "created" when the visit is recorded (its end); only resources
created up to ``now()`` are visible, and ``meta.lastUpdated`` is that instant in UTC (+00:00).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import re
import secrets
import threading
import time
import uuid
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from komando.core.city import read_city
from komando.sources.simulation import Request, Response, SimulatorApp

WIB = timezone(timedelta(hours=7), "WIB")
SLOT_SECONDS = 300
ENCOUNTER_CLASSES = {
    "AMB": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
    "EMER": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER", "display": "emergency"},
}
SLOTS_PER_DAY = 24 * 3600 // SLOT_SECONDS
FHIR = "/fhir-r4/v1"
TOKEN_SECONDS = 14399
MAX_COUNT = 1000
ID_PATTERN = re.compile(r"^(\d{8})-(\d{4})-4(\d{3})-8(\d)(\d{2})-[0-9a-f]{12}$")
KIND_DIGIT = {"Encounter": "0", "Condition": "1", "MedicationRequest": "2"}
ICD10 = "http://hl7.org/fhir/sid/icd-10"
KFA = "http://sys-ids.kemkes.go.id/kfa"
ADMIN_CODE_URL = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
ID_NAMESPACE = uuid.UUID("6f1c2d4e-3671-4e0a-9b1e-6b6f6d616e64")


def _us(moment: datetime) -> int:
    """Microseconds since the epoch (UTC) of an aware datetime."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _instant(us: int, *, fraction: bool = True) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    return moment.isoformat(timespec="milliseconds" if fraction else "seconds")


def _day_start_us(day: date) -> int:
    return _us(datetime(day.year, day.month, day.day, tzinfo=WIB))


def _wib_date(us: int) -> date:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).astimezone(WIB).date()


def _stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(part) for part in parts)))


def _outcome(status: int, code: str, text: str) -> Response:
    return Response.json(
        {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "details": {"text": text}}]},
        status=status,
        content_type="application/fhir+json",
    )


@dataclass(frozen=True, slots=True)
class Visit:
    """One outpatient visit: everything needed to render its resources, nothing rendered yet."""

    id: str
    recorded_us: int  # end of the visit = creation of its resources = meta.lastUpdated
    arrived_us: int
    facility: int  # index into puskesmas
    poli: int  # index into polis
    practitioner: int
    patient: str
    diagnoses: tuple[int, ...]  # indices into the ICD-10 list
    drugs: tuple[int, ...]  # indices into the drug list

    def child_id(self, kind: str, number: int) -> str:
        head, _, tail = self.id.rpartition("-")
        head = head[: -len("8000")]
        return f"{head}8{KIND_DIGIT[kind]}{number:02d}-{tail}"


class CityHealthData:
    """The simulator's data file, indexed for fast weighted draws."""

    def __init__(self, city_dir: Path):
        raw = json.loads((Path(city_dir) / "simulators" / "epuskesmas.json").read_text(encoding="utf-8"))
        city = read_city(city_dir)
        self.city_name = city.name
        self.daily_volume = int(raw["daily_volume"])
        self.weekday_factors = [float(f) for f in raw["weekday_factors"]]
        self.puskesmas = raw["puskesmas"]
        self.polis = raw["polis"]
        self.poli_index = {poli["name"]: i for i, poli in enumerate(self.polis)}
        self.drugs = raw["drugs"]
        self.forms = raw["medication_forms"]
        drug_index = {drug["code"]: i for i, drug in enumerate(self.drugs)}
        # ICD-10 codes across all tables, once each.
        self.icd10: list[tuple[str, str]] = []
        icd_index: dict[str, int] = {}
        self.tables: dict[str, tuple[list[int], list[float], list[tuple[int, ...]]]] = {}
        for name, entries in raw["diagnoses"].items():
            codes, weights, linked = [], [], []
            for entry in entries:
                if entry["code"] not in icd_index:
                    icd_index[entry["code"]] = len(self.icd10)
                    self.icd10.append((entry["code"], entry["name"]))
                codes.append(icd_index[entry["code"]])
                weights.append(float(entry["weight"]))
                linked.append(tuple(drug_index[code] for code in entry["drugs"]))
            self.tables[name] = (codes, list(itertools.accumulate(weights)), linked)
        self.extra_drugs = [i for i, drug in enumerate(self.drugs) if drug["extra_weight"] > 0]
        self.extra_cum = list(itertools.accumulate(self.drugs[i]["extra_weight"] for i in self.extra_drugs))
        self.facility_cum = list(itertools.accumulate(float(p["weight"]) for p in self.puskesmas))
        self.facility_polis = [[self.poli_index[name] for name in p["polis"]] for p in self.puskesmas]
        self.facility_poli_cum = [
            list(itertools.accumulate(float(self.polis[i]["weight"]) for i in polis)) for polis in self.facility_polis
        ]
        hours = raw["hourly_weights"]
        first_h, first_m = (int(x) for x in raw["opening_hours"]["first_record"].split(":"))
        last_h, last_m = (int(x) for x in raw["opening_hours"]["last_record"].split(":"))
        first, last = (first_h * 60 + first_m) * 60, (last_h * 60 + last_m) * 60
        weights = []
        for slot in range(SLOTS_PER_DAY):
            start = slot * SLOT_SECONDS
            inside = first <= start < last
            weights.append(float(hours.get(str(start // 3600), 0.0)) if inside else 0.0)
        total = sum(weights)
        self.slot_shares = [w / total for w in weights]
        # Outside opening hours only the 24-hour emergency rooms (UGD) record visits.
        self.night_visits_per_slot = float(raw.get("night_emergency_visits_per_hour", 0)) * SLOT_SECONDS / 3600
        self.night_facilities = [i for i, p in enumerate(self.puskesmas) if p.get("open_24h")]
        self.night_facility_cum = list(itertools.accumulate(float(self.puskesmas[i]["weight"]) for i in self.night_facilities))
        self.emergency_poli = next((i for i, poli in enumerate(self.polis) if poli.get("encounter_class") == "EMER"), None)
        self.location_ids = {
            (f, p): _stable_uuid("location", self.puskesmas[f]["id"], self.polis[p]["name"])
            for f, polis in enumerate(self.facility_polis)
            for p in polis
        }
        self.location_by_id = {loc: key for key, loc in self.location_ids.items()}
        self.medication_ids = {
            (f, d): _stable_uuid("medication", self.puskesmas[f]["id"], self.drugs[d]["code"])
            for f in range(len(self.puskesmas))
            for d in range(len(self.drugs))
        }
        self.medication_by_id = {med: key for key, med in self.medication_ids.items()}


class EpuskesmasSimulation:
    """Generates and renders the resources; the HTTP layer is in ``build_simulator``."""

    def __init__(
        self, data: CityHealthData, *, now: Callable[[], datetime], daily_volume: int | None, seed: int, history_days: int
    ):
        self.data = data
        self.now = now
        self.daily_volume = data.daily_volume if daily_volume is None else daily_volume
        self.seed = seed
        self.history_days = history_days
        self._cache: dict[tuple[date, int], tuple[Visit, ...]] = {}
        self._cache_lock = threading.Lock()

    # --- generation ------------------------------------------------------------------------
    def slot_visits(self, day: date, slot: int) -> tuple[Visit, ...]:
        key = (day, slot)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        visits = self._generate(day, slot)
        with self._cache_lock:
            if len(self._cache) > 3 * SLOTS_PER_DAY:
                self._cache.clear()
            self._cache[key] = visits
        return visits

    def _generate(self, day: date, slot: int) -> tuple[Visit, ...]:
        share = self.data.slot_shares[slot]
        data = self.data
        night = share == 0.0
        if night and not (data.night_facilities and data.emergency_poli is not None and self.daily_volume):
            return ()
        rng = random.Random(f"{self.seed}:{day.isoformat()}:{slot}")
        if night:
            expected = data.night_visits_per_slot * self.daily_volume / data.daily_volume
        else:
            expected = self.daily_volume * data.weekday_factors[day.weekday()] * share
        count = min(999, int(expected) + (1 if rng.random() < expected - int(expected) else 0))
        slot_start = _day_start_us(day) + slot * SLOT_SECONDS * 1_000_000
        offsets = sorted(rng.randrange(SLOT_SECONDS * 1000) * 1000 for _ in range(count))
        facilities = data.night_facilities if night else range(len(data.puskesmas))
        facility_cum = data.night_facility_cum if night else data.facility_cum
        visits = []
        for index, offset in enumerate(offsets):
            facility = rng.choices(facilities, cum_weights=facility_cum)[0]
            if night:
                poli = data.emergency_poli
            else:
                poli = rng.choices(data.facility_polis[facility], cum_weights=data.facility_poli_cum[facility])[0]
            settings = data.polis[poli]
            codes, cum, linked = data.tables[settings["diagnoses"]]
            picks = [rng.choices(range(len(codes)), cum_weights=cum)[0]]
            if rng.random() < settings["secondary_diagnosis_rate"]:
                second = rng.choices(range(len(codes)), cum_weights=cum)[0]
                if second != picks[0]:
                    picks.append(second)
            drugs: list[int] = []
            for pick in picks:
                options = linked[pick]
                if options and rng.random() < 0.85:
                    # The first-listed drug of a diagnosis is the usual first choice.
                    drug = options[0] if rng.random() < 0.55 else rng.choice(options)
                    if drug not in drugs:
                        drugs.append(drug)
            for _ in range(rng.randint(0, settings["extra_drugs_max"])):
                extra = data.extra_drugs[bisect_left(data.extra_cum, rng.random() * data.extra_cum[-1])]
                if extra not in drugs:
                    drugs.append(extra)
            recorded = slot_start + offset
            minutes = rng.randint(20, 150)
            # A visit belongs to the day it starts: just after midnight, arrival is clamped to 00:00.
            minutes = min(minutes, (recorded - _day_start_us(day)) // 60_000_000)
            visits.append(
                Visit(
                    id=f"{day:%Y%m%d}-{slot:04d}-4{index:03d}-8000-{rng.getrandbits(48):012x}",
                    recorded_us=recorded,
                    arrived_us=recorded - minutes * 60_000_000,
                    facility=facility,
                    poli=poli,
                    practitioner=rng.randrange(1, 7),
                    patient=f"P{rng.randrange(10**10, 10**11)}",
                    diagnoses=tuple(codes[pick] for pick in picks),
                    drugs=tuple(drugs),
                )
            )
        return tuple(visits)

    def data_start_us(self) -> int:
        today = self.now().astimezone(WIB).date()
        return _day_start_us(today - timedelta(days=self.history_days))

    def visit_by_id(self, resource_id: str) -> tuple[Visit, str, int] | None:
        """(visit, kind, number) of a generated resource id, or None."""
        match = ID_PATTERN.match(resource_id)
        if not match:
            return None
        try:
            day = datetime.strptime(match.group(1), "%Y%m%d").date()
        except ValueError:
            return None
        slot, index, kind_digit, number = (int(match.group(i)) for i in (2, 3, 4, 5))
        if slot >= SLOTS_PER_DAY:
            return None
        visits = self.slot_visits(day, slot)
        if index >= len(visits):
            return None
        visit = visits[index]
        kind = {v: k for k, v in KIND_DIGIT.items()}.get(str(kind_digit))
        if kind is None or visit.recorded_us > _us(self.now()):
            return None
        wanted = visit.child_id(kind, number) if kind != "Encounter" else visit.id
        if wanted != resource_id:
            return None
        if kind == "Condition" and number >= len(visit.diagnoses):
            return None
        if kind == "MedicationRequest" and number >= len(visit.drugs):
            return None
        if kind == "Encounter" and number != 0:
            return None
        return visit, kind, number

    def visits_between(self, lo_us: int, hi_us: int) -> Iterator[Visit]:
        """Visits recorded in [lo_us, hi_us], in (recorded, id) order."""
        lo_us = max(lo_us, self.data_start_us())
        if hi_us < lo_us:
            return
        day = _wib_date(lo_us)
        last_day = _wib_date(hi_us)
        while day <= last_day:
            start = _day_start_us(day)
            first_slot = max(0, (lo_us - start) // (SLOT_SECONDS * 1_000_000))
            last_slot = min(SLOTS_PER_DAY - 1, (hi_us - start) // (SLOT_SECONDS * 1_000_000))
            for slot in range(first_slot, last_slot + 1):
                for visit in self.slot_visits(day, slot):
                    if lo_us <= visit.recorded_us <= hi_us:
                        yield visit
            day += timedelta(days=1)

    # --- rendering -------------------------------------------------------------------------
    def _meta(self, us: int) -> dict:
        return {"versionId": "1", "lastUpdated": _instant(us)}

    def organization(self, facility: int) -> dict:
        pk = self.data.puskesmas[facility]
        return {
            "resourceType": "Organization",
            "id": pk["id"],
            "meta": self._meta(self.data_start_us()),
            "active": True,
            "identifier": [
                {
                    "use": "official",
                    "system": f"http://sys-ids.kemkes.go.id/organization/{pk['id']}",
                    "value": "PKM-" + pk["name"].removeprefix("Puskesmas ").upper().replace(" ", "-"),
                }
            ],
            "type": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/organization-type",
                            "code": "prov",
                            "display": "Healthcare Provider",
                        }
                    ]
                }
            ],
            "name": pk["name"],
            "address": [self._address(pk, "both")],
        }

    def _address(self, pk: dict, kind: str | None) -> dict:
        village = pk["village_code"].replace(".", "")
        address = {
            "use": "work",
            "line": [f"Kelurahan {pk['name'].removeprefix('Puskesmas ')} (alamat ilustratif)"],
            "city": self.data.city_name,
            "country": "ID",
            "extension": [
                {
                    "url": ADMIN_CODE_URL,
                    "extension": [
                        {"url": "province", "valueCode": village[:2]},
                        {"url": "city", "valueCode": village[:4]},
                        {"url": "district", "valueCode": village[:6]},
                        {"url": "village", "valueCode": village},
                    ],
                }
            ],
        }
        if kind:
            address["type"] = kind
        return address

    def location(self, facility: int, poli: int) -> dict:
        pk = self.data.puskesmas[facility]
        name = self.data.polis[poli]["name"]
        return {
            "resourceType": "Location",
            "id": self.data.location_ids[(facility, poli)],
            "meta": self._meta(self.data_start_us()),
            "identifier": [
                {"system": f"http://sys-ids.kemkes.go.id/location/{pk['id']}", "value": name.upper().replace(" ", "-")}
            ],
            "status": "active",
            "name": name,
            "description": f"{name}, {pk['name']}",
            "mode": "instance",
            "address": self._address(pk, None),
            "physicalType": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/location-physical-type", "code": "ro", "display": "Room"}
                ]
            },
            "position": {"longitude": pk["lon"], "latitude": pk["lat"], "altitude": 0},
            "managingOrganization": {"reference": f"Organization/{pk['id']}"},
        }

    def medication(self, facility: int, drug: int) -> dict:
        pk = self.data.puskesmas[facility]
        item = self.data.drugs[drug]
        return {
            "resourceType": "Medication",
            "id": self.data.medication_ids[(facility, drug)],
            "meta": {
                **self._meta(self.data_start_us()),
                "profile": ["https://fhir.kemkes.go.id/r4/StructureDefinition/Medication"],
            },
            "identifier": [
                {
                    "use": "official",
                    "system": f"http://sys-ids.kemkes.go.id/medication/{pk['id']}",
                    "value": f"OBT-{item['code']}",
                }
            ],
            "code": {"coding": [{"system": KFA, "code": item["code"], "display": item["name"]}]},
            "status": "active",
            "form": {
                "coding": [
                    {
                        "system": "http://terminology.kemkes.go.id/CodeSystem/medication-form",
                        "code": item["form"],
                        "display": self.data.forms.get(item["form"], ""),
                    }
                ]
            },
            "extension": [
                {
                    "url": "https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationType",
                    "valueCodeableConcept": {
                        "coding": [
                            {
                                "system": "http://terminology.kemkes.go.id/CodeSystem/medication-type",
                                "code": "NC",
                                "display": "Non-compound",
                            }
                        ]
                    },
                }
            ],
        }

    def _practitioner(self, visit: Visit) -> str:
        return f"Practitioner/N1{self.data.puskesmas[visit.facility]['id'][-4:]}{visit.practitioner:03d}"

    def encounter(self, visit: Visit) -> dict:
        pk = self.data.puskesmas[visit.facility]
        poli = self.data.polis[visit.poli]["name"]
        waited = visit.arrived_us + (visit.recorded_us - visit.arrived_us) * 2 // 3
        arrived, started, ended = (_instant(v, fraction=False) for v in (visit.arrived_us, waited, visit.recorded_us))
        return {
            "resourceType": "Encounter",
            "id": visit.id,
            "meta": self._meta(visit.recorded_us),
            "identifier": [
                {
                    "system": f"http://sys-ids.kemkes.go.id/encounter/{pk['id']}",
                    "value": f"REG-{visit.id[:8]}-{visit.id[9:13]}{visit.id[15:18]}",
                }
            ],
            "status": "finished",
            "class": ENCOUNTER_CLASSES[self.data.polis[visit.poli].get("encounter_class", "AMB")],
            "subject": {"reference": f"Patient/{visit.patient}"},
            "participant": [
                {
                    "type": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                    "code": "ATND",
                                    "display": "attender",
                                }
                            ]
                        }
                    ],
                    "individual": {"reference": self._practitioner(visit)},
                }
            ],
            "period": {"start": arrived, "end": ended},
            "location": [
                {
                    "location": {
                        "reference": f"Location/{self.data.location_ids[(visit.facility, visit.poli)]}",
                        "display": f"{poli}, {pk['name']}",
                    }
                }
            ],
            "diagnosis": [
                {
                    "condition": {
                        "reference": f"Condition/{visit.child_id('Condition', n)}",
                        "display": self.data.icd10[code][1],
                    },
                    "use": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/diagnosis-role",
                                "code": "DD",
                                "display": "Discharge diagnosis",
                            }
                        ]
                    },
                    "rank": n + 1,
                }
                for n, code in enumerate(visit.diagnoses)
            ],
            "statusHistory": [
                {"status": "arrived", "period": {"start": arrived, "end": started}},
                {"status": "in-progress", "period": {"start": started, "end": ended}},
                {"status": "finished", "period": {"start": ended, "end": ended}},
            ],
            "serviceProvider": {"reference": f"Organization/{pk['id']}"},
        }

    def condition(self, visit: Visit, number: int) -> dict:
        code, name = self.data.icd10[visit.diagnoses[number]]
        recorded = _instant(visit.recorded_us, fraction=False)
        return {
            "resourceType": "Condition",
            "id": visit.child_id("Condition", number),
            "meta": self._meta(visit.recorded_us),
            "clinicalStatus": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active", "display": "Active"}
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "encounter-diagnosis",
                            "display": "Encounter Diagnosis",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": ICD10, "code": code, "display": name}]},
            "subject": {"reference": f"Patient/{visit.patient}"},
            "encounter": {"reference": f"Encounter/{visit.id}"},
            "onsetDateTime": _instant(visit.arrived_us, fraction=False),
            "recordedDate": recorded,
        }

    def medication_request(self, visit: Visit, number: int) -> dict:
        pk = self.data.puskesmas[visit.facility]
        drug = visit.drugs[number]
        authored = _instant(visit.recorded_us, fraction=False)
        prescription = f"{visit.id[:8]}{visit.id[9:13]}{visit.id[15:18]}"
        return {
            "resourceType": "MedicationRequest",
            "id": visit.child_id("MedicationRequest", number),
            "meta": self._meta(visit.recorded_us),
            "identifier": [
                {"use": "official", "system": f"http://sys-ids.kemkes.go.id/prescription/{pk['id']}", "value": prescription},
                {
                    "use": "official",
                    "system": f"http://sys-ids.kemkes.go.id/prescription-item/{pk['id']}",
                    "value": f"{prescription}-{number + 1}",
                },
            ],
            "status": "completed",
            "intent": "order",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                            "code": "outpatient",
                            "display": "Outpatient",
                        }
                    ]
                }
            ],
            "medicationReference": {
                "reference": f"Medication/{self.data.medication_ids[(visit.facility, drug)]}",
                "display": self.data.drugs[drug]["name"],
            },
            "subject": {"reference": f"Patient/{visit.patient}"},
            "encounter": {"reference": f"Encounter/{visit.id}"},
            "authoredOn": authored,
            "requester": {"reference": self._practitioner(visit)},
            "dosageInstruction": [
                {"sequence": 1, "text": "3 x sehari", "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}}}
            ],
            "dispenseRequest": {
                "quantity": {
                    "value": 10,
                    "unit": "TAB",
                    "system": "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm",
                    "code": "TAB",
                },
                "performer": {"reference": f"Organization/{pk['id']}"},
            },
        }

    def render(self, visit: Visit, kind: str, number: int) -> dict:
        if kind == "Encounter":
            return self.encounter(visit)
        if kind == "Condition":
            return self.condition(visit, number)
        return self.medication_request(visit, number)

    # --- searches --------------------------------------------------------------------------
    def matches(self, kind: str, lo_us: int, hi_us: int) -> Iterator[tuple[int, Visit, int]]:
        """(lastUpdated, visit, number) of ``kind`` resources in [lo_us, hi_us], in (lastUpdated, id)
        order (a visit's children share its instant and their ids sort by number)."""
        for visit in self.visits_between(lo_us, hi_us):
            if kind == "Encounter":
                yield visit.recorded_us, visit, 0
            else:
                count = len(visit.diagnoses) if kind == "Condition" else len(visit.drugs)
                for number in range(count):
                    yield visit.recorded_us, visit, number

    @staticmethod
    def resource_id(kind: str, visit: Visit, number: int) -> str:
        return visit.id if kind == "Encounter" else visit.child_id(kind, number)

    def static_resources(self, kind: str) -> list[dict]:
        data = self.data
        if kind == "Organization":
            return [self.organization(f) for f in range(len(data.puskesmas))]
        if kind == "Location":
            return [self.location(f, p) for f, polis in enumerate(data.facility_polis) for p in polis]
        return [self.medication(f, d) for f in range(len(data.puskesmas)) for d in range(len(data.drugs))]

    def read(self, kind: str, resource_id: str) -> dict | None:
        data = self.data
        if kind == "Organization":
            for f, pk in enumerate(data.puskesmas):
                if pk["id"] == resource_id:
                    return self.organization(f)
            return None
        if kind == "Location":
            key = data.location_by_id.get(resource_id)
            return self.location(*key) if key else None
        if kind == "Medication":
            key = data.medication_by_id.get(resource_id)
            return self.medication(*key) if key else None
        found = self.visit_by_id(resource_id)
        if found is None or found[1] != kind:
            return None
        return self.render(*found)


DYNAMIC = ("Encounter", "Condition", "MedicationRequest")
STATIC = ("Organization", "Location", "Medication")


def _parse_instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"instant without a time zone: {value!r}")
    return moment


def _encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_token(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def build_simulator(
    city_dir,
    *,
    now: Callable[[], datetime] | None = None,
    daily_volume: int | None = None,
    seed: int = 3671,
    history_days: int = 7,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> SimulatorApp:
    """The e-Puskesmas FHIR server. ``now`` and ``daily_volume`` are injectable for tests."""
    data = CityHealthData(Path(city_dir))
    sim = EpuskesmasSimulation(
        data, now=now or (lambda: datetime.now(UTC)), daily_volume=daily_volume, seed=seed, history_days=history_days
    )
    expected_id = client_id if client_id is not None else os.environ.get("KOMANDO_EPUSKESMAS_CLIENT_ID", "")
    expected_secret = client_secret if client_secret is not None else os.environ.get("KOMANDO_EPUSKESMAS_CLIENT_SECRET", "")
    tokens: dict[str, float] = {}
    app = SimulatorApp("epuskesmas")
    app.simulation = sim  # tests reach the generator to build tampered payloads

    @app.route("POST", r"/oauth2/v1/accesstoken")
    def access_token(request: Request) -> Response:
        if request.arg("grant_type") != "client_credentials":
            return _outcome(400, "invalid", "grant_type must be client_credentials")
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
        demo_mode = not expected_id and not expected_secret
        accepted = (
            bool(given_id and given_secret)
            if demo_mode
            else secrets.compare_digest(given_id, expected_id) and secrets.compare_digest(given_secret, expected_secret)
        )
        if not accepted:
            return _outcome(401, "security", "Invalid client credentials")
        token = secrets.token_urlsafe(24)
        tokens[token] = time.monotonic() + TOKEN_SECONDS
        issued = str(int(time.time() * 1000))
        return Response.json(
            {
                "refresh_token_expires_in": "0",
                "api_product_list": "[api-dev]",
                "organization_name": "Dinkes",
                "token_type": "BearerToken",
                "issued_at": issued,
                "client_id": given_id,
                "access_token": token,
                "application_name": "komando",
                "scope": "",
                "expires_in": str(TOKEN_SECONDS),
                "status": "approved",
            }
        )

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return False
        expiry = tokens.get(header[7:])
        return expiry is not None and expiry > time.monotonic()

    def bundle(request: Request, kind: str, entries: list[dict], total: int, next_query: dict | None) -> Response:
        base = f"http://{request.headers.get('host', '127.0.0.1')}{FHIR}"
        self_query = {k: v[0] for k, v in request.query.items()}
        links = [{"relation": "self", "url": f"{base}/{kind}?{urlencode(self_query)}"}]
        if next_query is not None:
            links.append({"relation": "next", "url": f"{base}/{kind}?{urlencode(next_query)}"})
        return Response.json(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": total,
                "link": links,
                "entry": [
                    {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                    for r in entries
                ],
            },
            content_type="application/fhir+json",
        )

    def page_size(request: Request) -> int:
        return max(1, min(MAX_COUNT, int(request.arg("_count") or 100)))

    @app.route("GET", FHIR + r"/(?P<kind>[A-Za-z]+)")
    def search(request: Request, kind: str) -> Response:
        if not authorised(request):
            return _outcome(401, "login", "Invalid access token")
        if kind not in DYNAMIC + STATIC:
            return _outcome(404, "not-supported", f"Resource type {kind} is not supported")
        try:
            count = page_size(request)
        except ValueError:
            return _outcome(400, "invalid", "_count must be an integer")
        ids = [i for i in (request.arg("_id") or "").split(",") if i]
        if ids:
            found = [r for r in (sim.read(kind, i) for i in ids[:MAX_COUNT]) if r is not None]
            return bundle(request, kind, found, len(found), None)
        if kind in STATIC:
            resources = sim.static_resources(kind)
            offset = int(_decode_token(request.arg("_page_token"))["offset"]) if request.arg("_page_token") else 0
            page = resources[offset : offset + count]
            next_query = None
            if offset + count < len(resources):
                next_query = {"_count": count, "_page_token": _encode_token({"offset": offset + count})}
            return bundle(request, kind, page, len(resources), next_query)
        return search_dynamic(request, kind, count)

    def search_dynamic(request: Request, kind: str, count: int) -> Response:
        token = request.arg("_page_token")
        if token:
            try:
                state = _decode_token(token)
                lo_us, hi_us, after = int(state["lo"]), int(state["hi"]), state.get("after")
            except (ValueError, KeyError, TypeError):
                return _outcome(400, "invalid", "Invalid _page_token")
        else:
            lo_us, hi_us, after = 0, _us(sim.now()), None
            for value in request.query.get("_lastUpdated", []):
                prefix, raw = value[:2], value[2:]
                if prefix not in {"gt", "ge", "lt", "le"}:
                    prefix, raw = "eq", value
                try:
                    moment = _us(_parse_instant(raw))
                except ValueError as error:
                    return _outcome(400, "invalid", f"Invalid _lastUpdated {value!r}: {error}")
                if prefix == "gt":
                    lo_us = max(lo_us, moment + 1)
                elif prefix == "ge":
                    lo_us = max(lo_us, moment)
                elif prefix == "lt":
                    hi_us = min(hi_us, moment - 1)
                elif prefix == "le":
                    hi_us = min(hi_us, moment)
                else:
                    return _outcome(400, "not-supported", "_lastUpdated needs a gt/ge/lt/le prefix")
        total = 0
        page: list[dict] = []
        last_key = None
        after_key = (int(after[0]), str(after[1])) if after else None
        more = False
        for updated, visit, number in sim.matches(kind, lo_us, hi_us):
            total += 1
            if after_key is not None and updated <= after_key[0]:
                if updated < after_key[0] or sim.resource_id(kind, visit, number) <= after_key[1]:
                    continue
            if len(page) < count:
                page.append(sim.render(visit, kind, number))
                last_key = (updated, sim.resource_id(kind, visit, number))
            else:
                more = True
        next_query = None
        if more and last_key is not None:
            next_query = {"_count": count, "_page_token": _encode_token({"lo": lo_us, "hi": hi_us, "after": list(last_key)})}
        return bundle(request, kind, page, total, next_query)

    @app.route("GET", FHIR + r"/(?P<kind>[A-Za-z]+)/(?P<resource_id>[^/]+)")
    def read(request: Request, kind: str, resource_id: str) -> Response:
        if not authorised(request):
            return _outcome(401, "login", "Invalid access token")
        resource = sim.read(kind, resource_id)
        if resource is None:
            return _outcome(404, "not-found", f"{kind}/{resource_id} not found")
        return Response.json(resource, content_type="application/fhir+json")

    return app
