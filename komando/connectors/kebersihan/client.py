"""Client of DLH's Kebersihan application. No Django here.

Reads the truck roster, the TPS registry with fill status, and the routes of one or more days,
and checks them strictly: types, codes, statuses, and that routes name known trucks and TPS name
known routes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import (
    JsonClient,
    KecamatanCode,
    KelurahanCode,
    Lat,
    Lon,
    NonEmpty,
    StrictModel,
)

APPLICATION = "Kebersihan"
MAX_DAYS_BACK = 7


class Truck(StrictModel):
    id: NonEmpty
    nama: NonEmpty
    nopol: str
    rute: str
    kapasitas_m3: Annotated[float, Field(gt=0, le=100)]
    kode_kecamatan: KecamatanCode | None = None
    status: Literal["operasi", "perbaikan"]


class TruckList(StrictModel):
    data: list[Truck]


class Tps(StrictModel):
    id: NonEmpty
    nama: NonEmpty
    kode_kecamatan: KecamatanCode
    kode_kelurahan: KelurahanCode | None = None
    lat: Lat
    lon: Lon
    kapasitas_m3: Annotated[float, Field(gt=0, le=1000)]
    terisi_persen: Annotated[float, Field(ge=0, le=100)]
    penuh: bool
    terakhir_diangkut: AwareDatetime | None
    id_rute: str | None = None


class TpsList(StrictModel):
    waktu: AwareDatetime | None = None  # when the fill levels were read
    data: list[Tps]


class Route(StrictModel):
    id: NonEmpty
    nama: NonEmpty
    id_truk: str | None
    kode_kecamatan: KecamatanCode | None
    status: Literal["belum", "berjalan", "selesai", "terlewat"]
    jumlah_tps: Annotated[int, Field(ge=0)]
    tps_terlayani: Annotated[int, Field(ge=0)]
    tonase_ton: Annotated[float, Field(ge=0, le=500)]
    mulai: AwareDatetime | None
    selesai: AwareDatetime | None


class RouteDay(StrictModel):
    tanggal: date
    data: list[Route]


class KebersihanClient(JsonClient):
    application = APPLICATION

    def fetch(self, since_day: date | None) -> tuple[list[Truck], TpsList, list[RouteDay]]:
        """Roster, TPS, and the routes of today and of every day from ``since_day`` (at most
        ``MAX_DAYS_BACK`` days back) — so a day that ended during an outage gets its final state."""
        with self.session() as http:
            trucks = self.get_model(http, "/api/armada", TruckList, "Kebersihan truck roster").data
            tps_list = self.get_model(http, "/api/tps", TpsList, "Kebersihan TPS registry")
            today = self.get_model(http, "/api/rute", RouteDay, "Kebersihan routes")
            days = [today]
            if since_day is not None and since_day < today.tanggal:
                first = max(since_day, date.fromordinal(today.tanggal.toordinal() - MAX_DAYS_BACK))
                for ordinal in range(first.toordinal(), today.tanggal.toordinal()):
                    day = date.fromordinal(ordinal)
                    answer = self.get_model(
                        http, "/api/rute", RouteDay, f"Kebersihan routes of {day}", {"tanggal": day.isoformat()}
                    )
                    if answer.tanggal != day:
                        raise SourceDataInvalid(f"Kebersihan sent the routes of {answer.tanggal} when asked for {day}")
                    days.insert(-1, answer)
        check(trucks, tps_list.data, days)
        return trucks, tps_list, days


def check(trucks: list[Truck], tps: list[Tps], days: list[RouteDay]) -> None:
    """Rules a type cannot say: unique ids, routes of known trucks, TPS of known routes, served ≤ total."""
    truck_ids = _unique([truck.id for truck in trucks], "truck")
    _unique([row.id for row in tps], "TPS")
    for row in tps:
        if row.kode_kelurahan and not row.kode_kelurahan.startswith(row.kode_kecamatan + "."):
            raise SourceDataInvalid(
                f"Kebersihan TPS {row.id}: kelurahan {row.kode_kelurahan} is not in kecamatan {row.kode_kecamatan}"
            )
    for day in days:
        route_ids = _unique([route.id for route in day.data], f"route (on {day.tanggal})")
        for route in day.data:
            if route.id_truk and route.id_truk not in truck_ids:
                raise SourceDataInvalid(f"Kebersihan route {route.id} names truck {route.id_truk!r}, which is not in the roster")
            if route.tps_terlayani > route.jumlah_tps:
                raise SourceDataInvalid(
                    f"Kebersihan route {route.id} on {day.tanggal} served more TPS "
                    f"({route.tps_terlayani}) than it has ({route.jumlah_tps})"
                )
        if day is days[-1]:
            for row in tps:
                if row.id_rute and row.id_rute not in route_ids:
                    raise SourceDataInvalid(f"Kebersihan TPS {row.id} names route {row.id_rute!r}, which is unknown")


def _unique(ids: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise SourceDataInvalid(f"Kebersihan lists {what} {item} twice")
        seen.add(item)
    return seen
