"""Flood early-warning coordinator: sync gauges, sluice gates and pumps; keep each gauge's latest
level when it is newer than what is stored (the device ingest writes the same attributes)."""

from __future__ import annotations

from datetime import UTC

from komando.connectors.banjir.client import BanjirClient, Gauge, Pump, SluiceGate
from komando.connectors.banjir.config import BanjirConfig
from komando.fieldops.actions import LevelRow, do_record_flood
from komando.sources.framework import AssetItem, BaseCoordinator, FetchResult

GATE_STATUS = {"terbuka": "open", "tertutup": "closed", "perbaikan": "maintenance"}
PUMP_STATUS = {"beroperasi": "running", "siaga": "standby", "rusak": "broken"}


def gauge_item(gauge: Gauge) -> AssetItem:
    return AssetItem(
        source_ref=gauge.id,
        name=gauge.nama,
        lat=gauge.lat,
        lon=gauge.lon,
        region_code=gauge.kode_kecamatan,
        attributes={
            "river": gauge.sungai,
            "normal_m": gauge.normal_m,
            "siaga_3_m": gauge.siaga_3_m,
            "siaga_2_m": gauge.siaga_2_m,
            "siaga_1_m": gauge.siaga_1_m,
        },
    )


def gate_item(gate: SluiceGate) -> AssetItem:
    return AssetItem(
        source_ref=gate.id,
        name=gate.nama,
        lat=gate.lat,
        lon=gate.lon,
        region_code=gate.kode_kelurahan,
        online=gate.status != "perbaikan",
        attributes={
            "river": gate.sungai,
            "doors": gate.jumlah_pintu,
            "opening_pct": gate.bukaan_persen,
            "status": GATE_STATUS[gate.status],
        },
    )


def pump_item(pump: Pump) -> AssetItem:
    return AssetItem(
        source_ref=pump.id,
        name=pump.nama,
        lat=pump.lat,
        lon=pump.lon,
        region_code=pump.kode_kelurahan,
        online=pump.status != "rusak",
        attributes={"capacity_m3s": pump.kapasitas_m3_per_detik, "status": PUMP_STATUS[pump.status]},
    )


class Coordinator(BaseCoordinator):
    config_class = BanjirConfig

    def fetch(self, cursor: dict) -> FetchResult:
        gauges, levels, gates, pumps = BanjirClient(self.config.base_url, self.config.timeout_seconds).fetch()
        rows = [
            LevelRow(gauge_ref=level.id_pos, level_m=level.level_m, observed_at=level.observed_at.astimezone(UTC))
            for level in levels
        ]
        newest = max((row.observed_at for row in rows), default=None)
        return FetchResult(
            data=([gauge_item(g) for g in gauges], [gate_item(g) for g in gates], [pump_item(p) for p in pumps], rows),
            records=len(rows),
            cursor=None,
            data_as_of=newest,
            notes=[f"{len(gauges)} gauges, {len(rows)} levels, {len(gates)} sluice gates, {len(pumps)} pumps"],
        )

    def store(self, source, result: FetchResult):
        gauges, gates, pumps, levels = result.data
        return do_record_flood(source, gauges, gates, pumps, levels)
