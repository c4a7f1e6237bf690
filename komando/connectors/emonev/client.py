"""Speaks e-Monev's JSON API: token login, then paged ``kegiatan`` with monthly progress.

No Django here. Every failure is a ``ConnectorError`` whose message never contains the password.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field, ValidationError, field_validator

from komando.sources.framework import (
    SourceAuthFailed,
    SourceDataInvalid,
    SourceServerError,
)
from komando.sources.http import StrictModel, send


def percent():
    """A cumulative percentage; present in every row (realised ones may be null)."""
    return Field(ge=0, le=100)


class Location(StrictModel):
    kode_kelurahan: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class MonthProgress(StrictModel):
    bulan: int = Field(ge=1, le=12)
    rencana_fisik: float = percent()
    realisasi_fisik: float | None = percent()
    rencana_keuangan: float = percent()
    realisasi_keuangan: float | None = percent()


class Kegiatan(StrictModel):
    id_kegiatan: str = Field(min_length=1, max_length=80)
    kode_sub_kegiatan: str = ""
    nama_sub_kegiatan: str = Field(min_length=1, max_length=300)
    kode_opd: str = Field(min_length=1)
    nama_opd: str = ""
    pagu: int = Field(ge=0)
    lokasi: Location | None = None
    progres: list[MonthProgress]

    @field_validator("id_kegiatan", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("progres")
    @classmethod
    def _one_row_per_month(cls, rows: list[MonthProgress]) -> list[MonthProgress]:
        months = [row.bulan for row in rows]
        if len(months) != len(set(months)):
            raise ValueError("a month appears more than once")
        return rows


class KegiatanPage(StrictModel):
    tahun: int
    bulan_berjalan: int = Field(ge=0, le=12)
    diperbarui: str | None = None
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    total: int = Field(ge=0)
    data: list[dict[str, Any]]


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(root)"
    return f"{where}: {first['msg']}"


class EmonevClient:
    LOGIN_PATH = "/api/v1/auth/login"
    KEGIATAN_PATH = "/api/v1/kegiatan"
    MAX_PAGES = 1000

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout = timeout
        self._token: str | None = None

    def __repr__(self) -> str:  # never the password
        return f"EmonevClient({self.base_url!r}, username={self.username!r})"

    # --- transport ---

    def _request(self, http: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response:
        return send(http, method, self.base_url + path, application="e-Monev", timeout=self.timeout, **kwargs)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise SourceDataInvalid(
                f"e-Monev sent malformed JSON for {response.request.url.path} (HTTP {response.status_code})"
            ) from error

    def _refused(self, response: httpx.Response, during: str) -> SourceAuthFailed:
        return SourceAuthFailed(
            f"e-Monev refused {during} for user {self.username!r} (HTTP {response.status_code}); "
            "check KOMANDO_EMONEV_USERNAME and KOMANDO_EMONEV_PASSWORD"
        )

    @staticmethod
    def _unexpected(response: httpx.Response) -> SourceServerError:
        return SourceServerError(f"e-Monev answered HTTP {response.status_code} for {response.request.url.path}")

    # --- API ---

    def login(self, http: httpx.Client) -> str:
        if not self.username or not self._password:
            raise SourceAuthFailed("no e-Monev credentials configured: set KOMANDO_EMONEV_USERNAME and KOMANDO_EMONEV_PASSWORD")
        response = self._request(http, "POST", self.LOGIN_PATH, json={"username": self.username, "password": self._password})
        if response.status_code in (401, 403):
            raise self._refused(response, "the login")
        if response.status_code != 200:
            raise self._unexpected(response)
        body = self._json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceDataInvalid("e-Monev login answer has no access_token")
        self._token = token
        return token

    def _get_page(self, http: httpx.Client, year: int, page: int, per_page: int) -> KegiatanPage:
        params = {"tahun": year, "page": page, "per_page": per_page}
        for attempt in (1, 2):
            if self._token is None:
                self.login(http)
            response = self._request(
                http, "GET", self.KEGIATAN_PATH, params=params, headers={"Authorization": f"Bearer {self._token}"}
            )
            if response.status_code in (401, 403):
                self._token = None
                if attempt == 1:
                    continue  # the token expired: log in again once
                raise self._refused(response, "access to kegiatan")
            break
        if response.status_code != 200:
            raise self._unexpected(response)
        body = self._json(response)
        try:
            return KegiatanPage.model_validate(body)
        except ValidationError as error:
            raise SourceDataInvalid(f"e-Monev kegiatan page {page}: {describe_validation_error(error)}") from error

    def fetch_kegiatan(self, year: int, per_page: int = 50) -> tuple[KegiatanPage, list[Kegiatan]]:
        """Every kegiatan of ``year`` (all pages). Returns the first page's header and the items."""
        found: list[Kegiatan] = []
        header: KegiatanPage | None = None
        with httpx.Client(timeout=self.timeout) as http:
            for page in range(1, self.MAX_PAGES + 1):
                current = self._get_page(http, year, page, per_page)
                header = header or current
                for index, raw in enumerate(current.data):
                    try:
                        found.append(Kegiatan.model_validate(raw))
                    except ValidationError as error:
                        ref = raw.get("id_kegiatan", f"#{index + 1} of page {page}") if isinstance(raw, dict) else index
                        raise SourceDataInvalid(f"e-Monev kegiatan {ref}: {describe_validation_error(error)}") from error
                if not current.data or len(found) >= current.total:
                    break
        assert header is not None
        if header.tahun != year:
            raise SourceDataInvalid(f"e-Monev answered for fiscal year {header.tahun}, asked for {year}")
        ids = [item.id_kegiatan for item in found]
        if len(ids) != len(set(ids)):
            raise SourceDataInvalid("e-Monev sent the same id_kegiatan twice")
        return header, found
