"""Client of the city's hospital bed availability service. No Django here.

Reads the hospitals and the current beds per hospital and ward, checked strictly: types, ward
codes, counts that add up, and that every ward belongs to a listed hospital.
"""

from __future__ import annotations

from typing import Annotated, Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import describe_validation_error, get_body

APPLICATION = "Bed availability"
KELURAHAN_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Count = Annotated[int, Field(ge=0, le=5000)]
WardCode = Literal["igd", "icu", "nicu", "picu", "hcu", "isolasi", "vip", "kelas_1", "kelas_2", "kelas_3",
                   "perinatologi", "bersalin"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Hospital(_Strict):
    kode_rs: NonEmpty
    nama: NonEmpty
    kelas_rs: str = ""
    alamat: str = ""
    kode_kelurahan: Annotated[str, StringConstraints(pattern=KELURAHAN_CODE)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    status_online: bool


class HospitalList(_Strict):
    data: list[Hospital]


class WardBeds(_Strict):
    kode_rs: NonEmpty
    kode_ruang: WardCode
    kapasitas: Count
    terisi: Count
    kosong: Count
    diperbarui: AwareDatetime


class BedList(_Strict):
    data: list[WardBeds]


class BedRsudClient:
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

    def fetch(self) -> tuple[list[Hospital], list[WardBeds]]:
        with httpx.Client(timeout=self.timeout, headers={"Accept": "application/json"}) as http:
            hospitals = self._parse(HospitalList, self._get(http, "/api/rumah-sakit"), "Bed availability hospitals").data
            beds = self._parse(BedList, self._get(http, "/api/tempat-tidur"), "Bed availability beds").data
        check(hospitals, beds)
        return hospitals, beds


def check(hospitals: list[Hospital], beds: list[WardBeds]) -> None:
    """Rules a type cannot say: unique hospitals, known hospitals, one row per ward, counts that add up."""
    known: set[str] = set()
    for hospital in hospitals:
        if hospital.kode_rs in known:
            raise SourceDataInvalid(f"Bed availability lists hospital {hospital.kode_rs} twice")
        known.add(hospital.kode_rs)
    seen: set[tuple[str, str]] = set()
    for row in beds:
        where = f"Bed availability {row.kode_rs} {row.kode_ruang}"
        if row.kode_rs not in known:
            raise SourceDataInvalid(f"{where}: hospital {row.kode_rs!r} is not in the hospital list")
        if (row.kode_rs, row.kode_ruang) in seen:
            raise SourceDataInvalid(f"{where} reported twice")
        seen.add((row.kode_rs, row.kode_ruang))
        if row.terisi + row.kosong != row.kapasitas:
            raise SourceDataInvalid(f"{where}: terisi {row.terisi} + kosong {row.kosong} is not kapasitas "
                                    f"{row.kapasitas}")
