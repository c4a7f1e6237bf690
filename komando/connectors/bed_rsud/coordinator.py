"""Bed availability coordinator: sync the hospitals, add each ward's report not stored yet."""

from __future__ import annotations

from datetime import UTC, datetime

from komando.connectors.bed_rsud.client import BedRsudClient, Hospital, WardBeds
from komando.connectors.bed_rsud.config import BedRsudConfig
from komando.services.actions import do_record_beds
from komando.services.records import BedRecord
from komando.sources.framework import AssetItem, BaseCoordinator, FetchResult

CURSOR_KEY = "last_observed_at"


def hospital_item(hospital: Hospital) -> AssetItem:
    """A hospital as a generic asset item (see ``komando.assets.actions.do_sync_assets``)."""
    return AssetItem(
        source_ref=hospital.kode_rs,
        name=hospital.nama,
        lat=hospital.lat,
        lon=hospital.lon,
        region_code=hospital.kode_kelurahan,
        online=hospital.status_online,
        attributes={"class": hospital.kelas_rs, "address": hospital.alamat},
    )


def bed_record(row: WardBeds) -> BedRecord:
    return BedRecord(
        hospital_ref=row.kode_rs,
        ward=row.kode_ruang,
        total=row.kapasitas,
        occupied=row.terisi,
        free=row.kosong,
        observed_at=row.diperbarui.astimezone(UTC),
    )


class Coordinator(BaseCoordinator):
    """The service has the current state only: each run stores the reports it has not seen (history
    grows one row per ward per hospital update). The cursor records the newest report, for health."""

    config_class = BedRsudConfig

    def fetch(self, cursor: dict) -> FetchResult:
        hospitals, beds = BedRsudClient(self.config.base_url, self.config.timeout_seconds).fetch()
        records = [bed_record(row) for row in beds]
        newest = max((r.observed_at for r in records), default=None)
        previous = cursor.get(CURSOR_KEY)
        if newest is not None and previous and datetime.fromisoformat(previous) > newest:
            newest = datetime.fromisoformat(previous)
        return FetchResult(
            data=([hospital_item(h) for h in hospitals], records),
            records=len(records),
            cursor={CURSOR_KEY: newest.isoformat()} if newest else dict(cursor) or None,
            data_as_of=newest,
            notes=[f"{len(hospitals)} hospitals, {len(records)} wards"],
        )

    def store(self, source, result: FetchResult) -> None:
        hospitals, records = result.data
        do_record_beds(source, hospitals, records)
