"""Client of DPMPTSP's permit service. No Django here.

Reads the permit types and the applications changed since a keyset cursor (diperbarui, nomor),
checks them strictly, and keeps no applicant identity: the typed records below have no field for
the applicant's name, NIK or phone, so those never leave this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import (
    JsonClient,
    KelurahanCode,
    NonEmpty,
    StrictModel,
)

APPLICATION = "Perizinan"


class PermitTypeRecord(StrictModel):
    kode: NonEmpty
    nama: NonEmpty
    sla_hari: Annotated[int, Field(ge=0, le=365)]


class PermitTypeList(StrictModel):
    data: list[PermitTypeRecord]


class Application(StrictModel):
    nomor_permohonan: NonEmpty
    jenis_izin: NonEmpty
    kode_kelurahan: KelurahanCode
    tanggal_pengajuan: AwareDatetime
    status: Literal["diajukan", "verifikasi", "terbit", "ditolak"]
    tanggal_selesai: AwareDatetime | None = None
    diperbarui: AwareDatetime


class ApplicationPage(StrictModel):
    ada_berikutnya: bool
    data: list[Application]


class PerizinanClient(JsonClient):
    application = APPLICATION

    def fetch(
        self, since: datetime | None, after: str, page_size: int, max_pages: int
    ) -> tuple[list[PermitTypeRecord], list[Application], bool]:
        """Permit types and the applications changed after (since, after), oldest change first, up to
        ``max_pages`` pages. Returns (types, applications, whether more remain)."""
        applications: list[Application] = []
        more = False
        with self.session() as http:
            types = self.get_model(http, "/api/v1/jenis-izin", PermitTypeList, "Perizinan permit types").data
            check(types, [])
            for _ in range(max_pages):
                params: dict[str, str | int] = {"batas": page_size}
                if since is not None:
                    params["diperbarui_sejak"] = since.isoformat()
                    if after:
                        params["setelah"] = after
                page = self.get_model(http, "/api/v1/permohonan", ApplicationPage, "Perizinan applications", params)
                check(types, page.data)
                applications.extend(page.data)
                more = page.ada_berikutnya
                if not page.data or not more:
                    break
                last = page.data[-1]
                since, after = last.diperbarui, last.nomor_permohonan
        # An application that changed again while we paged shows up twice: keep its latest change.
        latest = {row.nomor_permohonan: row for row in applications}
        return types, sorted(latest.values(), key=lambda row: (row.diperbarui, row.nomor_permohonan)), more


def check(types: list[PermitTypeRecord], applications: list[Application]) -> None:
    """Rules a type cannot say: unique types, known types, dates in order, one row per application (in one page)."""
    known: set[str] = set()
    for kind in types:
        if kind.kode in known:
            raise SourceDataInvalid(f"Perizinan lists permit type {kind.kode} twice")
        known.add(kind.kode)
    seen: set[str] = set()
    for row in applications:
        ref = row.nomor_permohonan
        if row.jenis_izin not in known:
            raise SourceDataInvalid(f"Perizinan application {ref} has unknown permit type {row.jenis_izin!r}")
        if ref in seen:
            raise SourceDataInvalid(f"Perizinan application {ref} reported twice")
        seen.add(ref)
        finished = row.status in ("terbit", "ditolak")
        if finished and row.tanggal_selesai is None:
            raise SourceDataInvalid(f"Perizinan application {ref} is {row.status} without tanggal_selesai")
        if not finished and row.tanggal_selesai is not None:
            raise SourceDataInvalid(f"Perizinan application {ref} is {row.status} but has tanggal_selesai")
        if row.tanggal_selesai is not None and row.tanggal_selesai < row.tanggal_pengajuan:
            raise SourceDataInvalid(f"Perizinan application {ref} finishes before it was submitted")
        if row.diperbarui < row.tanggal_pengajuan:
            raise SourceDataInvalid(f"Perizinan application {ref} changed before it was submitted")
