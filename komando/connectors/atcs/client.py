"""Client of Dishub's ATCS integration service. No Django here.

Reads the camera registry and the traffic per camera per interval, and checks both strictly:
types, codes, congestion levels, and that every observation belongs to a registered camera.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from komando.sources.framework import (
    SourceDataInvalid,
)
from komando.sources.http import describe_validation_error, get_body

KELURAHAN_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
KECAMATAN_CODE = r"^\d{2}\.\d{2}\.\d{2}$"
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Camera(_Strict):
    id: NonEmpty
    nama_simpang: NonEmpty
    ruas: list[str] = []
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    kode_kecamatan: Annotated[str, StringConstraints(pattern=KECAMATAN_CODE)]
    kode_kelurahan: Annotated[str, StringConstraints(pattern=KELURAHAN_CODE)] | None = None
    status: Literal["online", "offline"]
    snapshot_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class CameraList(_Strict):
    data: list[Camera]


class TrafficObservation(_Strict):
    id_kamera: NonEmpty
    waktu_mulai: AwareDatetime
    waktu_selesai: AwareDatetime
    volume_kendaraan: Annotated[int, Field(ge=0)]
    kecepatan_rata_rata: Annotated[float, Field(ge=0, le=200)] | None
    tingkat_kemacetan: Literal["lancar", "ramai", "padat", "macet"]

    @property
    def interval_minutes(self) -> int:
        return round((self.waktu_selesai - self.waktu_mulai).total_seconds() / 60)


class TrafficBatch(_Strict):
    interval_menit: Annotated[int, Field(ge=1, le=60)]
    data: list[TrafficObservation]




class AtcsClient:
    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds

    def _get(self, http: httpx.Client, path: str, params: dict | None = None) -> bytes:
        return get_body(http, f"{self.base_url}{path}", application="ATCS", timeout=self.timeout,
                        params=params)

    @staticmethod
    def _parse(model, body: bytes, what: str):
        try:
            return model.model_validate_json(body)
        except ValidationError as error:
            raise SourceDataInvalid(describe_validation_error(error, what)) from error

    def fetch(self, since: datetime | None) -> tuple[list[Camera], list[TrafficObservation]]:
        """The camera registry and every interval that ended after ``since`` (None: ATCS's default
        window), checked."""
        with httpx.Client(timeout=self.timeout, headers={"Accept": "application/json"}) as http:
            cameras = self._parse(CameraList, self._get(http, "/api/cameras"), "ATCS camera registry").data
            params = {"since": since.isoformat()} if since else None
            batch = self._parse(TrafficBatch, self._get(http, "/api/traffic", params), "ATCS traffic")
        check(cameras, batch.data)
        return cameras, sorted(batch.data, key=lambda o: (o.waktu_selesai, o.id_kamera))


def check(cameras: list[Camera], observations: list[TrafficObservation]) -> None:
    """Rules a type cannot say: unique cameras, known cameras, one row per camera and interval."""
    known: set[str] = set()
    for camera in cameras:
        if camera.id in known:
            raise SourceDataInvalid(f"ATCS registry lists camera {camera.id} twice")
        known.add(camera.id)
        if camera.kode_kelurahan and not camera.kode_kelurahan.startswith(camera.kode_kecamatan + "."):
            raise SourceDataInvalid(f"ATCS camera {camera.id}: kelurahan {camera.kode_kelurahan} is not in "
                                    f"kecamatan {camera.kode_kecamatan}")
    seen: set[tuple[str, datetime]] = set()
    for row in observations:
        if row.id_kamera not in known:
            raise SourceDataInvalid(f"ATCS traffic for camera {row.id_kamera!r}, which is not in the registry")
        if row.waktu_selesai <= row.waktu_mulai:
            raise SourceDataInvalid(f"ATCS traffic of {row.id_kamera} ends before it starts ({row.waktu_mulai})")
        key = (row.id_kamera, row.waktu_selesai)
        if key in seen:
            raise SourceDataInvalid(f"ATCS traffic of {row.id_kamera} at {row.waktu_selesai} reported twice")
        seen.add(key)
