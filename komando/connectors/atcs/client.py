"""Client of Dishub's ATCS integration service. No Django here.

Reads the camera registry and the traffic per camera per interval, and checks both strictly:
types, codes, congestion levels, and that every observation belongs to a registered camera.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from komando.sources.framework import (
    SourceDataInvalid,
)
from komando.sources.http import (
    JsonClient,
    KecamatanCode,
    KelurahanCode,
    Lat,
    Lon,
    NonEmpty,
    StrictModel,
)


class Camera(StrictModel):
    id: NonEmpty
    nama_simpang: NonEmpty
    ruas: list[str] = []
    lat: Lat
    lon: Lon
    kode_kecamatan: KecamatanCode
    kode_kelurahan: KelurahanCode | None = None
    status: Literal["online", "offline"]
    snapshot_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class CameraList(StrictModel):
    data: list[Camera]


class TrafficObservation(StrictModel):
    id_kamera: NonEmpty
    waktu_mulai: AwareDatetime
    waktu_selesai: AwareDatetime
    volume_kendaraan: Annotated[int, Field(ge=0)]
    kecepatan_rata_rata: Annotated[float, Field(ge=0, le=200)] | None
    tingkat_kemacetan: Literal["lancar", "ramai", "padat", "macet"]

    @property
    def interval_minutes(self) -> int:
        return round((self.waktu_selesai - self.waktu_mulai).total_seconds() / 60)


class TrafficBatch(StrictModel):
    interval_menit: Annotated[int, Field(ge=1, le=60)]
    data: list[TrafficObservation]


class AtcsClient(JsonClient):
    application = "ATCS"

    def fetch(self, since: datetime | None) -> tuple[list[Camera], list[TrafficObservation]]:
        """The camera registry and every interval that ended after ``since`` (None: ATCS's default
        window), checked."""
        with self.session() as http:
            cameras = self.get_model(http, "/api/cameras", CameraList, "ATCS camera registry").data
            params = {"since": since.isoformat()} if since else None
            batch = self.get_model(http, "/api/traffic", TrafficBatch, "ATCS traffic", params)
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
            raise SourceDataInvalid(
                f"ATCS camera {camera.id}: kelurahan {camera.kode_kelurahan} is not in kecamatan {camera.kode_kecamatan}"
            )
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
