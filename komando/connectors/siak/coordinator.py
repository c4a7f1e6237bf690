"""SIAK coordinator: read every kelurahan's aggregates, replace the population snapshot."""

from __future__ import annotations

from datetime import datetime, time

from komando.connectors.siak.client import PopulationSnapshot, SiakClient
from komando.connectors.siak.config import SiakConfig
from komando.core.clock import city_zone
from komando.metrics.actions.population import PopulationRow, do_replace_population
from komando.sources.framework import BaseCoordinator, FetchResult


class Coordinator(BaseCoordinator):
    config_class = SiakConfig

    def client(self) -> SiakClient:
        return SiakClient(
            self.config.base_url, self.config.timeout_seconds, self.config.page_size, self.config.consistent_read_attempts
        )

    def fetch(self, cursor: dict) -> FetchResult:
        snapshot = self.client().fetch_population()
        residents = sum(cell.jumlah for row in snapshot.kelurahan for cell in row.rincian)
        return FetchResult(
            data=snapshot,
            records=len(snapshot.kelurahan),
            cursor={"versi_data": snapshot.version, "tanggal_data": snapshot.as_of.isoformat()},
            # When SIAK says it last changed; else the start of the day its data is dated (WIB).
            data_as_of=snapshot.updated_at or datetime.combine(snapshot.as_of, time.min, tzinfo=city_zone()),
            notes=[f"{residents} residents in {len(snapshot.kelurahan)} kelurahan"],
        )

    def store(self, source, result: FetchResult) -> None:
        snapshot: PopulationSnapshot = result.data
        rows = [
            PopulationRow(row.kode_wilayah, cell.jenis_kelamin, cell.kelompok_umur, cell.jumlah)
            for row in snapshot.kelurahan
            for cell in row.rincian
        ]
        do_replace_population(source, rows, snapshot.as_of)
