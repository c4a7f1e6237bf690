"""Client of SIAK's aggregate web service (Disdukcapil). No Django here.

It reads every page of ``/api/v1/agregat/kelurahan`` and checks each strictly: types, codes,
sexes, age groups, duplicates, and that all pages belong to one version of the data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import httpx
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from komando.sources.framework import (
    SourceDataInvalid,
)
from komando.sources.http import JsonClient, KecamatanCode, KelurahanCode, StrictModel

AGE_GROUP = r"^\d{1,3}(-\d{1,3}|\+)$"


class AgeSexCount(StrictModel):
    jenis_kelamin: Literal["L", "P"]
    kelompok_umur: Annotated[str, StringConstraints(pattern=AGE_GROUP)]
    jumlah: Annotated[int, Field(ge=0)]


class KelurahanAggregate(StrictModel):
    kode_wilayah: KelurahanCode
    nama: Annotated[str, StringConstraints(min_length=1)]
    kode_kecamatan: KecamatanCode
    rincian: list[AgeSexCount]


class KelurahanPage(StrictModel):
    tanggal_data: date
    versi_data: Annotated[str, StringConstraints(min_length=1)]
    diperbarui_pada: AwareDatetime | None = None
    halaman: Annotated[int, Field(ge=1)]
    jumlah_halaman: Annotated[int, Field(ge=1)]
    total_data: Annotated[int, Field(ge=0)]
    data: list[KelurahanAggregate]


class PopulationSnapshot(BaseModel):
    """Everything SIAK reported at one moment: one row per kelurahan."""

    as_of: date
    version: str
    updated_at: datetime | None = None
    kelurahan: list[KelurahanAggregate]


class SiakClient(JsonClient):
    application = "SIAK"

    def __init__(self, base_url: str, timeout_seconds: float = 10.0, page_size: int = 100, consistent_read_attempts: int = 3):
        super().__init__(base_url, timeout_seconds)
        self.page_size = page_size
        self.attempts = max(1, consistent_read_attempts)

    def _page(self, http: httpx.Client, number: int) -> KelurahanPage:
        params = {"halaman": number, "per_halaman": self.page_size}
        return self.get_model(http, "/api/v1/agregat/kelurahan", KelurahanPage, f"SIAK kelurahan page {number}", params)

    def _read_once(self, http: httpx.Client) -> PopulationSnapshot | None:
        first = self._page(http, 1)
        pages = [first]
        for number in range(2, first.jumlah_halaman + 1):
            page = self._page(http, number)
            if page.versi_data != first.versi_data:
                return None  # the registry changed while we were reading
            pages.append(page)
        rows = [row for page in pages for row in page.data]
        if len(rows) != first.total_data:
            raise SourceDataInvalid(f"SIAK announced {first.total_data} kelurahan but sent {len(rows)}")
        check_rows(rows)
        return PopulationSnapshot(
            as_of=first.tanggal_data, version=first.versi_data, updated_at=first.diperbarui_pada, kelurahan=rows
        )

    def fetch_population(self) -> PopulationSnapshot:
        with self.session() as http:
            for _ in range(self.attempts):
                snapshot = self._read_once(http)
                if snapshot is not None:
                    return snapshot
        raise SourceDataInvalid(f"SIAK data kept changing while being read ({self.attempts} attempts)")


def check_rows(rows: list[KelurahanAggregate]) -> None:
    """Rules a type cannot say: codes nest, nothing is counted twice."""
    seen: set[str] = set()
    for row in rows:
        if row.kode_wilayah in seen:
            raise SourceDataInvalid(f"SIAK sent kelurahan {row.kode_wilayah} twice")
        seen.add(row.kode_wilayah)
        if not row.kode_wilayah.startswith(row.kode_kecamatan + "."):
            raise SourceDataInvalid(f"SIAK kelurahan {row.kode_wilayah} does not belong to kecamatan {row.kode_kecamatan}")
        cells: set[tuple[str, str]] = set()
        for cell in row.rincian:
            key = (cell.jenis_kelamin, cell.kelompok_umur)
            if key in cells:
                raise SourceDataInvalid(
                    f"SIAK kelurahan {row.kode_wilayah}: {cell.jenis_kelamin}/{cell.kelompok_umur} counted twice"
                )
            cells.add(key)
