"""Client of Satpol PP's Ketertiban application. No Django here.

Reads the unit roster (call signs only: any personal field such as a name, NIP or phone number is
dropped here, at the edge), each unit's duty status, and the activity counts of one or more days,
checked strictly.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import (
    JsonClient,
    KecamatanCode,
    NonEmpty,
    StrictModel,
)

APPLICATION = "Ketertiban"
MAX_DAYS_BACK = 7


class Unit(StrictModel):
    id: NonEmpty
    nama_panggilan: NonEmpty  # the call sign, e.g. "Petugas Satpol PP 01"
    jenis: Literal["petugas", "patroli"]
    regu: NonEmpty
    kode_kecamatan: KecamatanCode | None = None


class UnitList(StrictModel):
    data: list[Unit]


class UnitStatus(StrictModel):
    id_unit: NonEmpty
    status: Literal["dinas", "lepas_dinas", "penugasan"]
    penugasan: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] | None = None
    sejak: AwareDatetime | None = None


class StatusList(StrictModel):
    waktu: AwareDatetime | None = None
    data: list[UnitStatus]


class ActivityCount(StrictModel):
    jenis: Literal["penertiban", "patroli", "pengamanan"]
    jumlah: Annotated[int, Field(ge=0, le=100000)]


class ActivityDay(StrictModel):
    tanggal: date
    data: list[ActivityCount]


class KetertibanClient(JsonClient):
    application = APPLICATION

    def fetch(self, since_day: date | None) -> tuple[list[Unit], StatusList, list[ActivityDay]]:
        """Roster, statuses, and the activity counts of today and of every day from ``since_day``
        (at most ``MAX_DAYS_BACK`` back), so a day that ended during an outage gets its final count."""
        with self.session() as http:
            units = self.get_model(http, "/api/unit", UnitList, "Ketertiban unit roster").data
            statuses = self.get_model(http, "/api/status", StatusList, "Ketertiban duty status")
            today = self.get_model(http, "/api/kegiatan", ActivityDay, "Ketertiban activities")
            days = [today]
            if since_day is not None and since_day < today.tanggal:
                first = max(since_day, date.fromordinal(today.tanggal.toordinal() - MAX_DAYS_BACK))
                for ordinal in range(first.toordinal(), today.tanggal.toordinal()):
                    day = date.fromordinal(ordinal)
                    answer = self.get_model(
                        http, "/api/kegiatan", ActivityDay, f"Ketertiban activities of {day}", {"tanggal": day.isoformat()}
                    )
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
