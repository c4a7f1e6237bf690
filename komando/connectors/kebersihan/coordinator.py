"""Kebersihan coordinator: sync trucks and TPS, upsert the routes of the day (and of the days
missed since the cursor, so their final state is kept)."""

from __future__ import annotations

from datetime import UTC, date

from komando.connectors.kebersihan.client import KebersihanClient, Route, Tps, Truck
from komando.connectors.kebersihan.config import KebersihanConfig
from komando.fieldops.actions import RouteRow, do_record_waste
from komando.sources.framework import AssetItem, BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_KEY = "routes_day"
ROUTE_STATUS = {"belum": "scheduled", "berjalan": "in_progress", "selesai": "done", "terlewat": "missed"}


def truck_item(truck: Truck) -> AssetItem:
    """A truck as an asset item; its position comes from the device ingest, not from here."""
    return AssetItem(
        source_ref=truck.id,
        name=truck.nama,
        region_code=truck.kode_kecamatan,
        online=truck.status == "operasi",
        attributes={
            "plate": truck.nopol,
            "route": truck.rute,
            "capacity_m3": truck.kapasitas_m3,
            "in_repair": truck.status == "perbaikan",
        },
    )


def tps_item(tps: Tps) -> AssetItem:
    return AssetItem(
        source_ref=tps.id,
        name=tps.nama,
        lat=tps.lat,
        lon=tps.lon,
        region_code=tps.kode_kelurahan or tps.kode_kecamatan,
        attributes={
            "capacity_m3": tps.kapasitas_m3,
            "fill_pct": tps.terisi_persen,
            "full": tps.penuh,
            "last_emptied_at": tps.terakhir_diangkut.astimezone(UTC).isoformat() if tps.terakhir_diangkut else None,
            "route_ref": tps.id_rute,
        },
    )


def route_row(day: date, route: Route) -> RouteRow:
    return RouteRow(
        route_ref=route.id,
        date=day,
        name=route.nama,
        truck_ref=route.id_truk or None,
        kecamatan_code=route.kode_kecamatan,
        status=ROUTE_STATUS[route.status],
        tps_total=route.jumlah_tps,
        tps_served=route.tps_terlayani,
        tonnage_t=route.tonase_ton,
        started_at=route.mulai.astimezone(UTC) if route.mulai else None,
        finished_at=route.selesai.astimezone(UTC) if route.selesai else None,
    )


class Coordinator(BaseCoordinator):
    config_class = KebersihanConfig

    @staticmethod
    def since_day(cursor: dict) -> date | None:
        raw = cursor.get(CURSOR_KEY)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except (TypeError, ValueError) as error:
            raise SourceDataInvalid(f"Kebersihan cursor {raw!r} is not a date") from error

    def fetch(self, cursor: dict) -> FetchResult:
        since = self.since_day(cursor)
        trucks, tps_list, days = KebersihanClient(self.config.base_url, self.config.timeout_seconds).fetch(since)
        tps = tps_list.data
        rows = [route_row(day.tanggal, route) for day in days for route in day.data]
        today = days[-1].tanggal
        if since is not None and today < since:
            today = since  # never move the cursor backwards
        return FetchResult(
            data=([truck_item(truck) for truck in trucks], [tps_item(row) for row in tps], rows),
            records=len(rows) + len(tps),
            cursor={CURSOR_KEY: today.isoformat()},
            data_as_of=tps_list.waktu.astimezone(UTC) if tps_list.waktu else None,
            notes=[f"{len(trucks)} trucks, {len(tps)} TPS, {len(rows)} routes over {len(days)} day(s)"],
        )

    def store(self, source, result: FetchResult) -> None:
        trucks, tps, rows = result.data
        do_record_waste(source, trucks, tps, rows)
