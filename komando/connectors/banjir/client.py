"""Client of the flood early-warning application (PUPR/BPBD). No Django here.

Reads the gauge registry with siaga levels, the latest level per gauge, the sluice gates and the
pump houses, and checks them strictly: types, codes, statuses, ordered siaga levels, and that
every level belongs to a registered gauge.
"""

from __future__ import annotations

from typing import Annotated, Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import describe_validation_error, get_body

APPLICATION = "Banjir"
KELURAHAN_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
KECAMATAN_CODE = r"^\d{2}\.\d{2}\.\d{2}$"
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Metres = Annotated[float, Field(ge=0, le=50)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Gauge(_Strict):
    id: NonEmpty
    nama: NonEmpty
    sungai: str
    kode_kecamatan: Annotated[str, StringConstraints(pattern=KECAMATAN_CODE)]
    lat: Lat
    lon: Lon
    normal_m: Metres
    siaga_3_m: Metres
    siaga_2_m: Metres
    siaga_1_m: Metres


class GaugeList(_Strict):
    data: list[Gauge]


class Level(_Strict):
    id_pos: NonEmpty
    level_m: Metres
    observed_at: AwareDatetime


class LevelList(_Strict):
    data: list[Level]


class SluiceGate(_Strict):
    id: NonEmpty
    nama: NonEmpty
    sungai: str = ""
    kode_kelurahan: Annotated[str, StringConstraints(pattern=KELURAHAN_CODE)]
    lat: Lat
    lon: Lon
    jumlah_pintu: Annotated[int, Field(ge=1, le=100)] | None = None
    bukaan_persen: Annotated[float, Field(ge=0, le=100)]
    status: Literal["terbuka", "tertutup", "perbaikan"]


class SluiceGateList(_Strict):
    data: list[SluiceGate]


class Pump(_Strict):
    id: NonEmpty
    nama: NonEmpty
    kode_kelurahan: Annotated[str, StringConstraints(pattern=KELURAHAN_CODE)]
    lat: Lat
    lon: Lon
    kapasitas_m3_per_detik: Annotated[float, Field(gt=0, le=100)]
    status: Literal["beroperasi", "siaga", "rusak"]


class PumpList(_Strict):
    data: list[Pump]


class BanjirClient:
    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds

    def _get(self, http: httpx.Client, path: str) -> bytes:
        return get_body(http, f"{self.base_url}{path}", application=APPLICATION, timeout=self.timeout)

    @staticmethod
    def _parse(model, body: bytes, what: str):
        try:
            return model.model_validate_json(body)
        except ValidationError as error:
            raise SourceDataInvalid(describe_validation_error(error, what)) from error

    def fetch(self) -> tuple[list[Gauge], list[Level], list[SluiceGate], list[Pump]]:
        with httpx.Client(timeout=self.timeout, headers={"Accept": "application/json"}) as http:
            gauges = self._parse(GaugeList, self._get(http, "/api/pos"), "Banjir gauge registry").data
            levels = self._parse(LevelList, self._get(http, "/api/tma"), "Banjir water levels").data
            gates = self._parse(SluiceGateList, self._get(http, "/api/pintu-air"), "Banjir sluice gates").data
            pumps = self._parse(PumpList, self._get(http, "/api/pompa"), "Banjir pumps").data
        check(gauges, levels, gates, pumps)
        return gauges, levels, gates, pumps


def check(gauges: list[Gauge], levels: list[Level], gates: list[SluiceGate], pumps: list[Pump]) -> None:
    """Rules a type cannot say: unique ids, siaga 3 < siaga 2 < siaga 1, levels of known gauges."""
    known = _unique([gauge.id for gauge in gauges], "gauge")
    _unique([gate.id for gate in gates], "sluice gate")
    _unique([pump.id for pump in pumps], "pump")
    for gauge in gauges:
        if not gauge.siaga_3_m < gauge.siaga_2_m < gauge.siaga_1_m:
            raise SourceDataInvalid(f"Banjir gauge {gauge.id}: siaga levels must rise from siaga 3 to siaga 1 "
                                    f"(got {gauge.siaga_3_m}, {gauge.siaga_2_m}, {gauge.siaga_1_m} m)")
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
