"""Perizinan coordinator: the applications changed since the keyset cursor, without applicants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from komando.connectors.perizinan.client import Application, PerizinanClient, PermitTypeRecord
from komando.connectors.perizinan.config import PerizinanConfig
from komando.services.actions import do_sync_permits
from komando.services.models import PermitStatus
from komando.services.records import PermitRecord, PermitTypeItem
from komando.sources.framework import BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_TIME = "updated_at"
CURSOR_REF = "after"
STATUSES = {
    "diajukan": PermitStatus.SUBMITTED,
    "verifikasi": PermitStatus.IN_PROCESS,
    "terbit": PermitStatus.ISSUED,
    "ditolak": PermitStatus.REJECTED,
}


def permit_record(application: Application, sla_days: dict[str, int]) -> PermitRecord:
    issued_at = None
    within_sla = None
    if application.status == "terbit":
        issued_at = application.tanggal_selesai.astimezone(UTC)
        within_sla = application.tanggal_selesai - application.tanggal_pengajuan <= timedelta(
            days=sla_days[application.jenis_izin]
        )
    return PermitRecord(
        source_ref=application.nomor_permohonan,
        permit_type=application.jenis_izin,
        kelurahan_code=application.kode_kelurahan,
        status=STATUSES[application.status],
        applied_at=application.tanggal_pengajuan.astimezone(UTC),
        issued_at=issued_at,
        within_sla=within_sla,
        updated_at=application.diperbarui.astimezone(UTC),
    )


def type_item(record: PermitTypeRecord) -> PermitTypeItem:
    return PermitTypeItem(code=record.kode, name=record.nama, sla_days=record.sla_hari)


class Coordinator(BaseCoordinator):
    config_class = PerizinanConfig

    @staticmethod
    def resume_from(cursor: dict) -> tuple[datetime | None, str]:
        """The last change already stored: (its time, its application number); None on the first run
        (the permit service then sends the changes of the last 30 days)."""
        raw = cursor.get(CURSOR_TIME)
        if not raw:
            return None, ""
        try:
            moment = datetime.fromisoformat(raw)
        except (TypeError, ValueError) as error:
            raise SourceDataInvalid(f"Perizinan cursor {raw!r} is not a time") from error
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), str(cursor.get(CURSOR_REF) or "")

    def fetch(self, cursor: dict) -> FetchResult:
        config: PerizinanConfig = self.config
        since, after = self.resume_from(cursor)
        types, applications, more = PerizinanClient(config.base_url, config.timeout_seconds).fetch(
            since, after, config.page_size, config.max_pages
        )
        sla_days = {t.kode: t.sla_hari for t in types}
        records = [permit_record(application, sla_days) for application in applications]
        if applications:
            last = applications[-1]
            next_cursor = {CURSOR_TIME: last.diperbarui.astimezone(UTC).isoformat(), CURSOR_REF: last.nomor_permohonan}
            if since is not None and (last.diperbarui, last.nomor_permohonan) < (since, after):
                next_cursor = dict(cursor)  # never move the cursor backwards
        else:
            next_cursor = dict(cursor) or None
        newest = max((r.updated_at for r in records), default=None)
        notes = [
            f"{len(types)} permit types, {len(records)} applications changed since "
            f"{since.isoformat() if since else 'the default window'}"
        ]
        if more:
            notes.append("more changes remain; the next run continues from the cursor")
        return FetchResult(
            data=([type_item(t) for t in types], records),
            records=len(records),
            cursor=next_cursor,
            data_as_of=newest,
            notes=notes,
        )

    def store(self, source, result: FetchResult) -> None:
        types, records = result.data
        do_sync_permits(source, types, records)
