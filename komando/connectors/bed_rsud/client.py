"""Client of the city's hospital bed availability service. No Django here.

Reads the hospitals and the current beds per hospital and ward, checked strictly: types, ward
codes, counts that add up, and that every ward belongs to a listed hospital.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import (
    JsonClient,
    KelurahanCode,
    Lat,
    Lon,
    NonEmpty,
    StrictModel,
)

APPLICATION = "Bed availability"
Count = Annotated[int, Field(ge=0, le=5000)]
WardCode = Literal[
    "igd", "icu", "nicu", "picu", "hcu", "isolasi", "vip", "kelas_1", "kelas_2", "kelas_3", "perinatologi", "bersalin"
]


class Hospital(StrictModel):
    kode_rs: NonEmpty
    nama: NonEmpty
    kelas_rs: str = ""
    alamat: str = ""
    kode_kelurahan: KelurahanCode
    lat: Lat
    lon: Lon
    status_online: bool


class HospitalList(StrictModel):
    data: list[Hospital]


class WardBeds(StrictModel):
    kode_rs: NonEmpty
    kode_ruang: WardCode
    kapasitas: Count
    terisi: Count
    kosong: Count
    diperbarui: AwareDatetime


class BedList(StrictModel):
    data: list[WardBeds]


class BedRsudClient(JsonClient):
    application = APPLICATION

    def fetch(self) -> tuple[list[Hospital], list[WardBeds]]:
        with self.session() as http:
            hospitals = self.get_model(http, "/api/rumah-sakit", HospitalList, "Bed availability hospitals").data
            beds = self.get_model(http, "/api/tempat-tidur", BedList, "Bed availability beds").data
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
            raise SourceDataInvalid(f"{where}: terisi {row.terisi} + kosong {row.kosong} is not kapasitas {row.kapasitas}")
