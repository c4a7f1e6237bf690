"""Client of DPMPTSP's permit service. No Django here.

Reads the permit types and the applications changed since a keyset cursor (diperbarui, nomor),
checks them strictly, and keeps no applicant identity: the typed records below have no field for
the applicant's name, NIK or phone, so those never leave this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import describe_validation_error, get_body

KELURAHAN_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
APPLICATION = "Perizinan"


class _Strict(BaseModel):
    # extra="ignore": fields not named here (the applicant's name, NIK, phone) are dropped on parsing.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class PermitTypeRecord(_Strict):
    kode: NonEmpty
    nama: NonEmpty
    sla_hari: Annotated[int, Field(ge=0, le=365)]


class PermitTypeList(_Strict):
    data: list[PermitTypeRecord]


class Application(_Strict):
    nomor_permohonan: NonEmpty
    jenis_izin: NonEmpty
    kode_kelurahan: Annotated[str, StringConstraints(pattern=KELURAHAN_CODE)]
    tanggal_pengajuan: AwareDatetime
    status: Literal["diajukan", "verifikasi", "terbit", "ditolak"]
    tanggal_selesai: AwareDatetime | None = None
    diperbarui: AwareDatetime


class ApplicationPage(_Strict):
    ada_berikutnya: bool
    data: list[Application]


class PerizinanClient:
    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds

    def _get(self, http: httpx.Client, path: str, params: dict | None = None) -> bytes:
        return get_body(http, f"{self.base_url}{path}", application=APPLICATION, timeout=self.timeout, params=params)

    @staticmethod
    def _parse(model, body: bytes, what: str):
        try:
            return model.model_validate_json(body)
        except ValidationError as error:
            raise SourceDataInvalid(describe_validation_error(error, what)) from error

    def fetch(self, since: datetime | None, after: str, page_size: int, max_pages: int
              ) -> tuple[list[PermitTypeRecord], list[Application], bool]:
        """Permit types and the applications changed after (since, after), oldest change first, up to
        ``max_pages`` pages. Returns (types, applications, whether more remain)."""
        applications: list[Application] = []
        more = False
        with httpx.Client(timeout=self.timeout, headers={"Accept": "application/json"}) as http:
            types = self._parse(PermitTypeList, self._get(http, "/api/v1/jenis-izin"), "Perizinan permit types").data
            check(types, [])
            for _ in range(max_pages):
                params: dict[str, str | int] = {"batas": page_size}
                if since is not None:
                    params["diperbarui_sejak"] = since.isoformat()
                    if after:
                        params["setelah"] = after
                page = self._parse(ApplicationPage, self._get(http, "/api/v1/permohonan", params),
                                   "Perizinan applications")
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
