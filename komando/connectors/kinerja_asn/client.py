"""Client of BKPSDM's attendance service (Kinerja ASN). No Django here.

Reads the recap per OPD of one day and checks it strictly: types, counts that add up, one row per
OPD, and the day asked for. The service aggregates per OPD: no NIP or names exist in its answers.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import httpx
from pydantic import AwareDatetime, Field

from komando.sources.framework import SourceDataInvalid
from komando.sources.http import JsonClient, NonEmpty, StrictModel

APPLICATION = "Kinerja ASN"
Count = Annotated[int, Field(ge=0)]


class AgencyRecap(StrictModel):
    kode_opd: NonEmpty
    jumlah_asn: Count
    hadir: Count
    tepat_waktu: Count
    terlambat: Count
    cuti: Count
    sakit: Count
    tanpa_keterangan: Count
    rata_rata_capaian_skp: Annotated[float, Field(ge=0, le=150)] | None


class DayRecap(StrictModel):
    tanggal: Annotated[date, Field(strict=False)]
    hari_kerja: bool
    diperbarui: AwareDatetime
    data: list[AgencyRecap]


class KinerjaAsnClient(JsonClient):
    application = APPLICATION

    def _recap(self, http: httpx.Client, day: date | None) -> DayRecap:
        params = {"tanggal": day.isoformat()} if day else None
        what = f"Kinerja ASN recap of {day.isoformat() if day else 'today'}"
        recap = self.get_model(http, "/api/v1/rekap-kehadiran", DayRecap, what, params)
        if day is not None and recap.tanggal != day:
            raise SourceDataInvalid(f"{what}: the answer is for {recap.tanggal.isoformat()}")
        check(recap)
        return recap

    def fetch(self, first_day: date | None, first_run_days: int, max_days: int) -> list[DayRecap]:
        """The recaps from ``first_day`` (None: the last ``first_run_days`` days) through the service's
        today, oldest first; at most ``max_days`` days before today are caught up."""
        with self.session() as http:
            today = self._recap(http, None)
            start = first_day or date.fromordinal(today.tanggal.toordinal() - first_run_days + 1)
            start = max(start, date.fromordinal(today.tanggal.toordinal() - max_days))
            recaps = [
                self._recap(http, date.fromordinal(ordinal)) for ordinal in range(start.toordinal(), today.tanggal.toordinal())
            ]
        return [*recaps, today]


def check(recap: DayRecap) -> None:
    """Rules a type cannot say: one row per OPD, counts that add up."""
    seen: set[str] = set()
    day = recap.tanggal.isoformat()
    for row in recap.data:
        where = f"Kinerja ASN {day} OPD {row.kode_opd}"
        if row.kode_opd in seen:
            raise SourceDataInvalid(f"{where} reported twice")
        seen.add(row.kode_opd)
        if row.hadir != row.tepat_waktu + row.terlambat:
            raise SourceDataInvalid(
                f"{where}: hadir {row.hadir} is not tepat_waktu + terlambat ({row.tepat_waktu} + {row.terlambat})"
            )
        accounted = row.hadir + row.cuti + row.sakit + row.tanpa_keterangan
        if accounted > row.jumlah_asn:
            raise SourceDataInvalid(f"{where}: {accounted} ASN accounted for, but only {row.jumlah_asn} employed")
    if not recap.hari_kerja and recap.data:
        raise SourceDataInvalid(f"Kinerja ASN {day} is not a working day but has attendance")
