"""SP4N-LAPOR! coordinator: reports disposed to the city that changed since the cursor (with overlap)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from komando.complaints.records import ComplaintRecord
from komando.connectors.lapor.client import LAPOR_STATUSES, LaporReport, gateway_from_config
from komando.connectors.lapor.config import LaporConfig
from komando.sources.framework import BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_KEY = "updated_since"


def complaint_record(report: LaporReport) -> ComplaintRecord:
    place = report.lokasi
    return ComplaintRecord(
        source_ref=report.tracking_id,
        status=LAPOR_STATUSES[report.status],
        source_status=report.status,
        status_notes=report.tindak_lanjut_terakhir or "",
        reported_at=report.tanggal_laporan.astimezone(UTC),
        disposed_at=report.tanggal_disposisi.astimezone(UTC),
        source_updated_at=report.tanggal_update.astimezone(UTC),
        category_code=report.topik_id,
        category=report.topik,
        title=report.judul,
        description=report.isi,
        address=(place.alamat or "") if place else "",
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        region_code=(place.kode_kelurahan or "") if place else "",
        confidential=report.rahasia or report.anonim,
    )


class Coordinator(BaseCoordinator):
    config_class = LaporConfig

    def gateway(self):
        return gateway_from_config(self.config)

    def fetch(self, cursor: dict) -> FetchResult:
        raw = cursor.get(CURSOR_KEY)
        last = None
        if raw:
            try:
                last = datetime.fromisoformat(raw)
            except (TypeError, ValueError) as error:
                raise SourceDataInvalid(f"SP4N-LAPOR! cursor {raw!r} is not a time") from error
        since = last - timedelta(seconds=self.config.overlap_seconds) if last else None
        records = [complaint_record(report) for report in self.gateway().fetch_disposed(since)]
        newest = max((record.source_updated_at for record in records), default=None)
        if last is not None and (newest is None or newest < last):
            newest = last
        return FetchResult(
            data=records,
            records=len(records),
            cursor={CURSOR_KEY: newest.isoformat()} if newest else dict(cursor) or None,
            data_as_of=newest,
            notes=[f"{len(records)} disposed reports changed since {since.isoformat() if since else 'the start'}"],
        )

    def store(self, source, result: FetchResult):
        from komando.complaints.actions import do_record_complaints
        from komando.complaints.models import Channel

        return do_record_complaints(source, Channel.LAPOR, result.data)
