"""Client of Satpol PP's Ketertiban application. No Django here.

Reads the unit roster (call signs only: any personal field such as a name, NIP or phone number is
dropped here, at the edge), each unit's duty status, and the activity counts of one or more days,
checked strictly.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import describe_validation_error, get_body

APPLICATION = "Ketertiban"
KECAMATAN_CODE = r"^\d{2}\.\d{2}\.\d{2}$"
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
MAX_DAYS_BACK = 7


class _Strict(BaseModel):
    # extra="ignore": fields we do not model (names, NIP, phone numbers) never leave the client.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Unit(_Strict):
    id: NonEmpty
    nama_panggilan: NonEmpty  # the call sign, e.g. "Petugas Satpol PP 01"
    jenis: Literal["petugas", "patroli"]
    regu: NonEmpty
    kode_kecamatan: Annotated[str, StringConstraints(pattern=KECAMATAN_CODE)] | None = None


class UnitList(_Strict):
    data: list[Unit]


class UnitStatus(_Strict):
    id_unit: NonEmpty
    status: Literal["dinas", "lepas_dinas", "penugasan"]
    penugasan: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] | None = None
    sejak: AwareDatetime | None = None


class StatusList(_Strict):
    waktu: AwareDatetime | None = None
    data: list[UnitStatus]


class ActivityCount(_Strict):
    jenis: Literal["penertiban", "patroli", "pengamanan"]
    jumlah: Annotated[int, Field(ge=0, le=100000)]


class ActivityDay(_Strict):
    tanggal: date
    data: list[ActivityCount]


class KetertibanClient:
    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds

    def _get(self, http: httpx.Client, path: str, params: dict | None = None) -> bytes:
        return get_body(http, f"{self.base_url}{path}", application=APPLICATION, timeout=self.timeout,
                        params=params)

    @staticmethod
    def _parse(model, body: bytes, what: str):
        try:
            return model.model_validate_json(body)
        except ValidationError as error:
            raise SourceDataInvalid(describe_validation_error(error, what)) from error

    def fetch(self, since_day: date | None) -> tuple[list[Unit], StatusList, list[ActivityDay]]:
        """Roster, statuses, and the activity counts of today and of every day from ``since_day``
        (at most ``MAX_DAYS_BACK`` back), so a day that ended during an outage gets its final count."""
        with httpx.Client(timeout=self.timeout, headers={"Accept": "application/json"}) as http:
            units = self._parse(UnitList, self._get(http, "/api/unit"), "Ketertiban unit roster").data
            statuses = self._parse(StatusList, self._get(http, "/api/status"), "Ketertiban duty status")
            today = self._parse(ActivityDay, self._get(http, "/api/kegiatan"), "Ketertiban activities")
            days = [today]
            if since_day is not None and since_day < today.tanggal:
                first = max(since_day, date.fromordinal(today.tanggal.toordinal() - MAX_DAYS_BACK))
                for ordinal in range(first.toordinal(), today.tanggal.toordinal()):
                    day = date.fromordinal(ordinal)
                    answer = self._parse(ActivityDay, self._get(http, "/api/kegiatan", {"tanggal": day.isoformat()}),
                                         f"Ketertiban activities of {day}")
                    if answer.tanggal != day:
                        raise SourceDataInvalid(f"Ketertiban sent the activities of {answer.tanggal} when asked for {day}")
                    days.insert(-1, answer)
        check(units, statuses.data, days)
        return units, statuses, days


def check(units: list[Unit], statuses: list[UnitStatus], days: list[ActivityDay]) -> None:
    """Rules a type cannot say: unique units, statuses of known units, one count per kind and day."""
    known: set[str] = set()
    for unit in units:
        if unit.id in known:
            raise SourceDataInvalid(f"Ketertiban lists unit {unit.id} twice")
        known.add(unit.id)
    seen: set[str] = set()
    for row in statuses:
        if row.id_unit not in known:
            raise SourceDataInvalid(f"Ketertiban status of unit {row.id_unit!r}, which is not in the roster")
        if row.id_unit in seen:
            raise SourceDataInvalid(f"Ketertiban status of unit {row.id_unit} reported twice")
        seen.add(row.id_unit)
        if row.status == "penugasan" and not row.penugasan:
            raise SourceDataInvalid(f"Ketertiban unit {row.id_unit} is on an assignment without its description")
    for day in days:
        kinds = [row.jenis for row in day.data]
        if len(set(kinds)) != len(kinds):
            raise SourceDataInvalid(f"Ketertiban activities of {day.tanggal} list a kind twice")
