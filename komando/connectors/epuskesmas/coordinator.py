"""e-Puskesmas coordinator: incremental FHIR searches by ``_lastUpdated``, aggregated at the edge.

One run:
1. token; Organization and Location searches (the puskesmas and their poli rooms);
2. ``Encounter?_lastUpdated=ge<through − overlap>``: every new visit (no upper bound; the server's
   page token freezes the set as of the first page). ``upper`` = the newest ``lastUpdated`` seen;
3. ``Condition`` and ``MedicationRequest`` with ``ge<through − overlap>`` and ``le<upper>``, so a
   diagnosis or prescription is only read once its visit can have been read too;
4. aggregate per day (WIB) × puskesmas × poli / ICD-10 code / KFA code.

The cursor is ``{"through": <upper>, "recent": {type: {resource id: lastUpdated µs}}}``: ``recent``
holds the ids already counted whose ``lastUpdated`` is within ``overlap_seconds`` of ``through``.
The next run re-reads from ``through − overlap`` and skips those ids, so a resource that shares the
boundary instant, or is committed a little after an earlier ``lastUpdated``, is counted exactly once.
The cursor advances in the same transaction that stores the counts: a failed run changes nothing
and the next run starts from the same place (no gap, no double count). Only ids of Encounter,
Condition and MedicationRequest resources are kept there, never a patient or practitioner id.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from komando.connectors.epuskesmas import fhir_mapping as fm
from komando.connectors.epuskesmas.client import FhirClient
from komando.connectors.epuskesmas.config import EpuskesmasConfig
from komando.sources.framework import AssetItem, BaseCoordinator, FetchResult, SourceDataInvalid

DYNAMIC_TYPES = ("Encounter", "Condition", "MedicationRequest")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Medication resources do not change once written; keep their KFA codes across runs (per server).
_medication_cache: dict[tuple[str, str], tuple[str, str]] = {}
MEDICATION_CACHE_LIMIT = 50_000


def _us(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass
class Directory:
    """The source's puskesmas (Organization ids) and poli rooms (Location id → Room), as last read."""

    fetched_at: float  # time.monotonic()
    organizations: set[str]
    rooms: dict[str, fm.Room]
    facilities: list[AssetItem]  # for do_sync_assets


# Re-read every ``directory_refresh_seconds`` (or at once when a visit names an unknown one).
_directory_cache: dict[str, Directory] = {}


def clear_caches() -> None:
    _directory_cache.clear()
    _medication_cache.clear()


@dataclass
class HealthBatch:
    """What one run brings: assets to sync and count increments. Keys use the source's org ids."""

    facilities: list[AssetItem]
    visits: Counter = field(default_factory=Counter)  # (day, org id, poli) → n
    diagnoses: Counter = field(default_factory=Counter)  # (day, org id, ICD-10 code) → n
    prescriptions: Counter = field(default_factory=Counter)  # (day, org id, KFA code) → n
    diagnosis_names: dict[str, str] = field(default_factory=dict)
    drug_names: dict[str, str] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)


class Coordinator(BaseCoordinator):
    config_class = EpuskesmasConfig
    config: EpuskesmasConfig

    def __init__(self, manifest, config, *, clock: Callable[[], datetime] | None = None):
        super().__init__(manifest, config)
        self.clock = clock or (lambda: datetime.now(UTC))

    def client(self) -> FhirClient:
        config = self.config
        return FhirClient(
            config.base_url,
            config.client_id.get_secret_value(),
            config.client_secret.get_secret_value(),
            timeout=config.timeout_seconds,
            fhir_path=config.fhir_path,
            token_path=config.token_path,
        )

    def fetch(self, cursor: dict) -> FetchResult:
        overlap_us = self.config.overlap_seconds * 1_000_000
        if cursor.get("through"):
            through_us = _us(datetime.fromisoformat(cursor["through"]))
            recent = {kind: dict((cursor.get("recent") or {}).get(kind) or {}) for kind in DYNAMIC_TYPES}
            lower_us = through_us - overlap_us
        else:  # first run: back-fill today (WIB)
            today = fm.wib_day(self.clock())
            through_us = lower_us = _us(datetime(today.year, today.month, today.day, tzinfo=fm.WIB))
            recent = {kind: {} for kind in DYNAMIC_TYPES}
        lower = _from_us(lower_us).isoformat()
        page = self.config.page_size

        with self.client() as client:
            directory = self._directory(client)
            batch = HealthBatch(facilities=directory.facilities)
            fresh = {kind: {} for kind in DYNAMIC_TYPES}
            upper_us = through_us
            visits: dict[str, fm.VisitFacts] = {}

            for encounter in client.search("Encounter", {"_lastUpdated": f"ge{lower}", "_count": page}):
                updated = _us(fm.last_updated(encounter))
                upper_us = max(upper_us, updated)
                directory = self._directory_knowing(client, directory, encounter)
                batch.facilities = directory.facilities
                facts = self._visit(encounter, directory)
                rooms = directory.rooms
                visits[encounter["id"]] = facts
                if encounter["id"] in recent["Encounter"]:
                    continue
                fresh["Encounter"][encounter["id"]] = updated
                if facts.counted:
                    batch.visits[(facts.day, facts.organization_id, rooms[facts.location_id].poli)] += 1
                    batch.days.add(facts.day)

            window = {"_lastUpdated": [f"ge{lower}", f"le{_from_us(upper_us).isoformat()}"], "_count": page}
            diagnoses = []
            for condition in client.search("Condition", window):
                updated = _us(fm.last_updated(condition))
                if condition["id"] in recent["Condition"]:
                    continue
                fresh["Condition"][condition["id"]] = updated
                diagnoses.append(fm.diagnosis(condition))
            items = []
            for request in client.search("MedicationRequest", window):
                updated = _us(fm.last_updated(request))
                if request["id"] in recent["MedicationRequest"]:
                    continue
                fresh["MedicationRequest"][request["id"]] = updated
                item = fm.prescription_item(request)
                if item is not None:
                    items.append(item)

            # Diagnoses and prescriptions of visits read in an earlier run: look those visits up.
            missing = sorted(({enc for enc, *_ in diagnoses} | {enc for enc, _ in items}) - visits.keys())
            for encounter in client.search_by_ids("Encounter", missing):
                directory = self._directory_knowing(client, directory, encounter)
                batch.facilities = directory.facilities
                visits[encounter["id"]] = self._visit(encounter, directory)
            drugs = self._drugs(client, {medication for _, medication in items})

        for encounter_id, code, name in diagnoses:
            facts = self._known_visit(visits, encounter_id, "Condition")
            if facts.counted:
                batch.diagnoses[(facts.day, facts.organization_id, code)] += 1
                batch.diagnosis_names.setdefault(code, name)
                batch.days.add(facts.day)
        for encounter_id, medication_id in items:
            facts = self._known_visit(visits, encounter_id, "MedicationRequest")
            if facts.counted:
                code, name = drugs[medication_id]
                batch.prescriptions[(facts.day, facts.organization_id, code)] += 1
                batch.drug_names.setdefault(code, name)
                batch.days.add(facts.day)

        new_recent = {}
        for kind in DYNAMIC_TYPES:
            merged = {**recent[kind], **fresh[kind]}
            new_recent[kind] = {rid: us for rid, us in merged.items() if us >= upper_us - overlap_us}
        records = sum(len(fresh[kind]) for kind in DYNAMIC_TYPES)
        return FetchResult(
            data=batch,
            records=records,
            cursor={"through": _from_us(upper_us).isoformat(), "recent": new_recent},
            data_as_of=_from_us(upper_us),
            notes=[f"{len(fresh[kind])} {kind}" for kind in DYNAMIC_TYPES],
        )

    # --- the puskesmas and their rooms ------------------------------------------------------
    def _load_directory(self, client: FhirClient) -> Directory:
        page = self.config.page_size
        organizations = {org["id"]: org for org in client.search("Organization", {"_count": page})}
        rooms = {location["id"]: fm.room(location) for location in client.search("Location", {"_count": page})}
        for location_id, room in rooms.items():
            if room.organization_id not in organizations:
                raise SourceDataInvalid(f"Location/{location_id} belongs to unknown Organization/{room.organization_id}")
        facilities = [
            fm.facility_item(org, [r for r in rooms.values() if r.organization_id == org_id])
            for org_id, org in organizations.items()
        ]
        directory = Directory(time.monotonic(), set(organizations), rooms, facilities)
        _directory_cache[self.config.base_url] = directory
        return directory

    def _directory(self, client: FhirClient) -> Directory:
        cached = _directory_cache.get(self.config.base_url)
        if cached is not None and time.monotonic() - cached.fetched_at < self.config.directory_refresh_seconds:
            return cached
        return self._load_directory(client)

    def _directory_knowing(self, client: FhirClient, directory: Directory, encounter: dict) -> Directory:
        """The directory, re-read once if ``encounter`` names a puskesmas or room it does not know."""
        facts = fm.visit_facts(encounter)
        known = facts.organization_id in directory.organizations and facts.location_id in directory.rooms
        if known or time.monotonic() - directory.fetched_at < 1.0:
            return directory
        return self._load_directory(client)

    @staticmethod
    def _visit(encounter: dict, directory: Directory) -> fm.VisitFacts:
        facts = fm.visit_facts(encounter)
        if facts.organization_id not in directory.organizations:
            raise SourceDataInvalid(
                f"{fm.ident(encounter)}: serviceProvider Organization/{facts.organization_id} is not a known puskesmas"
            )
        if facts.location_id is None:
            raise SourceDataInvalid(f"{fm.ident(encounter)}: no location (poli)")
        if facts.location_id not in directory.rooms:
            raise SourceDataInvalid(f"{fm.ident(encounter)}: unknown Location/{facts.location_id}")
        return facts

    @staticmethod
    def _known_visit(visits: dict, encounter_id: str, kind: str) -> fm.VisitFacts:
        facts = visits.get(encounter_id)
        if facts is None:
            raise SourceDataInvalid(f"a {kind} references Encounter/{encounter_id}, which the server does not have")
        return facts

    def _drugs(self, client: FhirClient, medication_ids: set[str]) -> dict[str, tuple[str, str]]:
        server = self.config.base_url
        wanted = sorted(m for m in medication_ids if (server, m) not in _medication_cache)
        for medication in client.search_by_ids("Medication", wanted):
            if len(_medication_cache) >= MEDICATION_CACHE_LIMIT:
                _medication_cache.clear()
            _medication_cache[(server, medication["id"])] = fm.drug(medication)
        found = {}
        for medication_id in medication_ids:
            drug = _medication_cache.get((server, medication_id))
            if drug is None:
                raise SourceDataInvalid(f"Medication/{medication_id} is referenced but the server does not have it")
            found[medication_id] = drug
        return found

    def store(self, source, result: FetchResult) -> None:
        from komando.metrics.actions.health import do_add_health_counts

        batch: HealthBatch = result.data
        do_add_health_counts(
            source,
            facilities=batch.facilities,
            visits=batch.visits,
            diagnoses=batch.diagnoses,
            prescriptions=batch.prescriptions,
            diagnosis_names=batch.diagnosis_names,
            drug_names=batch.drug_names,
        )
