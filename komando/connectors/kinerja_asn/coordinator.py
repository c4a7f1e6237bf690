"""Kinerja ASN coordinator: the recaps from the cursor's day (kept open while it is today) to today."""

from __future__ import annotations

from datetime import UTC, date

from komando.connectors.kinerja_asn.client import DayRecap, KinerjaAsnClient
from komando.connectors.kinerja_asn.config import KinerjaAsnConfig
from komando.services.actions import do_record_attendance
from komando.services.records import AttendanceRecord
from komando.sources.framework import BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_KEY = "date"


def records_of(recap: DayRecap) -> list[AttendanceRecord]:
    return [
        AttendanceRecord(
            agency_code=row.kode_opd,
            date=recap.tanggal,
            asn_count=row.jumlah_asn,
            present=row.hadir,
            on_time=row.tepat_waktu,
            late=row.terlambat,
            on_leave=row.cuti,
            sick=row.sakit,
            absent=row.tanpa_keterangan,
            performance_score=row.rata_rata_capaian_skp,
            updated_at=recap.diperbarui.astimezone(UTC),
        )
        for row in recap.data
    ]


class Coordinator(BaseCoordinator):
    config_class = KinerjaAsnConfig

    @staticmethod
    def first_day(cursor: dict) -> date | None:
        """The day to start from: the last day fetched, which was still open then; None on the first run."""
        raw = cursor.get(CURSOR_KEY)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except (TypeError, ValueError) as error:
            raise SourceDataInvalid(f"Kinerja ASN cursor {raw!r} is not a date") from error

    def fetch(self, cursor: dict) -> FetchResult:
        config: KinerjaAsnConfig = self.config
        first = self.first_day(cursor)
        recaps = KinerjaAsnClient(config.base_url, config.timeout_seconds).fetch(first, config.first_run_days, config.max_days)
        records = [record for recap in recaps for record in records_of(recap)]
        today = recaps[-1]
        return FetchResult(
            data=records,
            records=len(records),
            cursor={CURSOR_KEY: today.tanggal.isoformat()},
            data_as_of=today.diperbarui.astimezone(UTC),
            notes=[f"{len(recaps)} days from {recaps[0].tanggal.isoformat()}, {len(records)} OPD rows"],
        )

    def store(self, source, result: FetchResult) -> None:
        do_record_attendance(source, result.data)
