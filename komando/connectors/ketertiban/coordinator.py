"""Ketertiban coordinator: sync the officer and patrol roster, set duty statuses, upsert the
activity counts of the day (and of the days missed since the cursor)."""

from __future__ import annotations

from datetime import UTC, date

from komando.connectors.ketertiban.client import KetertibanClient, Unit, UnitStatus
from komando.connectors.ketertiban.config import KetertibanConfig
from komando.fieldops.actions import ActivityRow, DutyRow, do_record_public_order
from komando.sources.framework import AssetItem, BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_KEY = "activities_day"
DUTY_STATUS = {"dinas": "on_duty", "lepas_dinas": "off_duty", "penugasan": "on_assignment"}


def unit_item(unit: Unit) -> AssetItem:
    """A unit as an asset item: call sign and regu only; its position comes from the device ingest."""
    return AssetItem(
        source_ref=unit.id,
        name=unit.nama_panggilan,
        region_code=unit.kode_kecamatan,
        attributes={"regu": unit.regu, "unit_type": "officer" if unit.jenis == "petugas" else "patrol"},
    )


def duty_row(status: UnitStatus) -> DutyRow:
    return DutyRow(
        unit_ref=status.id_unit,
        status=DUTY_STATUS[status.status],
        assignment=status.penugasan or "",
        since=status.sejak.astimezone(UTC) if status.sejak else None,
    )


class Coordinator(BaseCoordinator):
    config_class = KetertibanConfig

    @staticmethod
    def since_day(cursor: dict) -> date | None:
        raw = cursor.get(CURSOR_KEY)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except (TypeError, ValueError) as error:
            raise SourceDataInvalid(f"Ketertiban cursor {raw!r} is not a date") from error

    def fetch(self, cursor: dict) -> FetchResult:
        since = self.since_day(cursor)
        units, statuses, days = KetertibanClient(self.config.base_url, self.config.timeout_seconds).fetch(since)
        activities = [ActivityRow(date=day.tanggal, kind=row.jenis, count=row.jumlah) for day in days for row in day.data]
        today = days[-1].tanggal
        if since is not None and today < since:
            today = since  # never move the cursor backwards
        officers = [unit_item(unit) for unit in units if unit.jenis == "petugas"]
        patrols = [unit_item(unit) for unit in units if unit.jenis == "patroli"]
        return FetchResult(
            data=(officers, patrols, [duty_row(row) for row in statuses.data], activities),
            records=len(statuses.data) + len(activities),
            cursor={CURSOR_KEY: today.isoformat()},
            data_as_of=statuses.waktu.astimezone(UTC) if statuses.waktu else None,
            notes=[f"{len(units)} units, {len(statuses.data)} statuses, activities over {len(days)} day(s)"],
        )

    def store(self, source, result: FetchResult) -> None:
        officers, patrols, duties, activities = result.data
        do_record_public_order(source, officers, patrols, duties, activities)
