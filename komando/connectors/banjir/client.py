"""Client of the flood early-warning application (PUPR/BPBD). No Django here.

Reads the gauge registry with siaga levels, the latest level per gauge, the sluice gates and the
pump houses, and checks them strictly: types, codes, statuses, ordered siaga levels, and that
every level belongs to a registered gauge.
"""

from __future__ import annotations

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

APPLICATION = "Banjir"
Metres = Annotated[float, Field(ge=0, le=50)]


class Gauge(StrictModel):
    id: NonEmpty
    nama: NonEmpty
    sungai: str
    kode_kecamatan: KecamatanCode
    lat: Lat
    lon: Lon
    normal_m: Metres
    siaga_3_m: Metres
    siaga_2_m: Metres
    siaga_1_m: Metres


class GaugeList(StrictModel):
    data: list[Gauge]


class Level(StrictModel):
    id_pos: NonEmpty
    level_m: Metres
    observed_at: AwareDatetime


class LevelList(StrictModel):
    data: list[Level]


class SluiceGate(StrictModel):
    id: NonEmpty
    nama: NonEmpty
    sungai: str = ""
    kode_kelurahan: KelurahanCode
    lat: Lat
    lon: Lon
    jumlah_pintu: Annotated[int, Field(ge=1, le=100)] | None = None
    bukaan_persen: Annotated[float, Field(ge=0, le=100)]
    status: Literal["terbuka", "tertutup", "perbaikan"]


class SluiceGateList(StrictModel):
    data: list[SluiceGate]


class Pump(StrictModel):
    id: NonEmpty
    nama: NonEmpty
    kode_kelurahan: KelurahanCode
    lat: Lat
    lon: Lon
    kapasitas_m3_per_detik: Annotated[float, Field(gt=0, le=100)]
    status: Literal["beroperasi", "siaga", "rusak"]


class PumpList(StrictModel):
    data: list[Pump]


class BanjirClient(JsonClient):
    application = APPLICATION

    def fetch(self) -> tuple[list[Gauge], list[Level], list[SluiceGate], list[Pump]]:
        with self.session() as http:
            gauges = self.get_model(http, "/api/pos", GaugeList, "Banjir gauge registry").data
            levels = self.get_model(http, "/api/tma", LevelList, "Banjir water levels").data
            gates = self.get_model(http, "/api/pintu-air", SluiceGateList, "Banjir sluice gates").data
            pumps = self.get_model(http, "/api/pompa", PumpList, "Banjir pumps").data
        check(gauges, levels, gates, pumps)
        return gauges, levels, gates, pumps


def check(gauges: list[Gauge], levels: list[Level], gates: list[SluiceGate], pumps: list[Pump]) -> None:
    """Rules a type cannot say: unique ids, siaga 3 < siaga 2 < siaga 1, levels of known gauges."""
    known = _unique([gauge.id for gauge in gauges], "gauge")
    _unique([gate.id for gate in gates], "sluice gate")
    _unique([pump.id for pump in pumps], "pump")
    for gauge in gauges:
        if not gauge.siaga_3_m < gauge.siaga_2_m < gauge.siaga_1_m:
            raise SourceDataInvalid(
                f"Banjir gauge {gauge.id}: siaga levels must rise from siaga 3 to siaga 1 "
                f"(got {gauge.siaga_3_m}, {gauge.siaga_2_m}, {gauge.siaga_1_m} m)"
            )
    seen: set[str] = set()
    for level in levels:
        if level.id_pos not in known:
            raise SourceDataInvalid(f"Banjir water level for gauge {level.id_pos!r}, which is not in the registry")
        if level.id_pos in seen:
            raise SourceDataInvalid(f"Banjir water level for gauge {level.id_pos} reported twice")
        seen.add(level.id_pos)


def _unique(ids: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise SourceDataInvalid(f"Banjir lists {what} {item} twice")
        seen.add(item)
    return seen
