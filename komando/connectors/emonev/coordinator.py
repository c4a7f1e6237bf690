"""e-Monev → development projects: fetch every kegiatan of the fiscal year, store through one action."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from komando.connectors.emonev.client import EmonevClient, Kegiatan
from komando.connectors.emonev.config import EmonevConfig
from komando.development.actions import DevelopmentDataError, do_sync_development
from komando.development.records import MonthProgressRecord, ProjectRecord
from komando.sources.framework import BaseCoordinator, FetchResult, SourceDataInvalid


def _percent(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def to_record(item: Kegiatan, year: int) -> ProjectRecord:
    location = item.lokasi
    return ProjectRecord(
        source_ref=item.id_kegiatan,
        agency_code=item.kode_opd,
        name=item.nama_sub_kegiatan,
        fiscal_year=year,
        budget=item.pagu,
        kelurahan_code=(location.kode_kelurahan or None) if location else None,
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        months=[
            MonthProgressRecord(
                month=date(year, row.bulan, 1),
                planned_physical=_percent(row.rencana_fisik),
                realised_physical=_percent(row.realisasi_fisik),
                planned_financial=_percent(row.rencana_keuangan),
                realised_financial=_percent(row.realisasi_keuangan),
            )
            for row in sorted(item.progres, key=lambda row: row.bulan)
        ],
    )


class Coordinator(BaseCoordinator):
    config_class = EmonevConfig

    def fiscal_year(self) -> int:
        return self.config.fiscal_year or timezone.localdate().year

    def fetch(self, cursor: dict) -> FetchResult:
        config: EmonevConfig = self.config
        client = EmonevClient(
            config.base_url, config.username, config.password.get_secret_value(), timeout=config.timeout_seconds
        )
        year = self.fiscal_year()
        header, items = client.fetch_kegiatan(year, per_page=config.page_size)
        data_as_of = None
        if header.diperbarui:
            try:
                data_as_of = datetime.fromisoformat(header.diperbarui)
            except ValueError as error:
                raise SourceDataInvalid(f"e-Monev 'diperbarui' is not a timestamp: {header.diperbarui!r}") from error
            if timezone.is_naive(data_as_of):
                data_as_of = timezone.make_aware(data_as_of)
        records = [to_record(item, year) for item in items]
        return FetchResult(data=records, records=len(records), cursor={"fiscal_year": year}, data_as_of=data_as_of)

    def store(self, source, result: FetchResult) -> None:
        try:
            do_sync_development(source, result.data)
        except DevelopmentDataError as error:
            raise SourceDataInvalid(f"e-Monev: {error}") from error
