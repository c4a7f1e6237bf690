"""BKPSDM's attendance and e-Kinerja service for one city's civil servants (ASN), aggregated per OPD.

Endpoint (JSON with Indonesian field names):

- ``GET /api/v1/rekap-kehadiran?tanggal=YYYY-MM-DD``: per OPD on that day: number of ASN, present
  (on time and late), on leave (cuti), sick, absent without reason, and the average realisation of
  the SKP (e-Kinerja) so far this month. Without ``tanggal``: today (WIB). No NIP or names: the
  service aggregates itself. Weekends have no attendance (``hari_kerja`` false, ``data`` empty).

Through a working day the figures grow as people check in (06:00–10:00, on time until 07:30);
absences without reason are known from 10:00. Every figure is a pure function of (OPD, day, time).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

FIRST_CHECK_IN = 6.0  # local hours
ON_TIME_UNTIL = 7.5
LAST_CHECK_IN = 10.0
DAY_CLOSED = 23.0


def _ramp(hour: float, start: float, end: float) -> float:
    if hour <= start:
        return 0.0
    if hour >= end:
        return 1.0
    x = (hour - start) / (end - start)
    return x * x * (3 - 2 * x)  # smoothstep: few early, most in the middle, stragglers at the end


class AttendanceModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "kinerja-asn.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.operator = data.get("operator", "")
        self.agencies = {row["kode_opd"]: int(row["jumlah_asn"]) for row in data["opd"]}
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def today(self) -> date:
        return self.now().astimezone(self.timezone).date()

    @staticmethod
    def is_working_day(day: date) -> bool:
        return day.weekday() < 5

    def final(self, code: str, day: date) -> dict:
        """The day's figures once everyone has checked in."""
        rng = random.Random(f"{self.seed}:{code}:{day.isoformat()}")
        total = self.agencies[code]
        friday = 0.01 if day.weekday() == 4 else 0.0
        on_leave = round(total * rng.uniform(0.015, 0.045 + friday))
        sick = round(total * rng.uniform(0.004, 0.018))
        absent = round(total * rng.uniform(0.0, 0.012))
        present = total - on_leave - sick - absent
        late = round(present * rng.uniform(0.04, 0.16 + friday))
        score_rng = random.Random(f"{self.seed}:skp:{code}:{day:%Y-%m}")
        base = score_rng.uniform(78, 96)
        # SKP realisation grows over the month towards the OPD's level.
        score = base * (0.55 + 0.45 * day.day / 31) + rng.uniform(-1.5, 1.5)
        return {
            "total": total,
            "on_leave": on_leave,
            "sick": sick,
            "absent": absent,
            "on_time": present - late,
            "late": late,
            "score": round(max(0.0, min(100.0, score)), 1),
        }

    def row(self, code: str, day: date, now: datetime) -> dict:
        """The OPD's figures of ``day`` as known at ``now``."""
        final = self.final(code, day)
        local = now.astimezone(self.timezone)
        if local.date() > day:
            hour = 24.0
        else:
            hour = local.hour + local.minute / 60 + local.second / 3600
        on_time = round(final["on_time"] * _ramp(hour, FIRST_CHECK_IN, ON_TIME_UNTIL))
        late = round(final["late"] * _ramp(hour, ON_TIME_UNTIL, LAST_CHECK_IN))
        return {
            "kode_opd": code,
            "jumlah_asn": final["total"],
            "hadir": on_time + late,
            "tepat_waktu": on_time,
            "terlambat": late,
            "cuti": final["on_leave"],
            "sakit": final["sick"],
            "tanpa_keterangan": final["absent"] if hour >= LAST_CHECK_IN else 0,
            "rata_rata_capaian_skp": final["score"],
        }

    def recap(self, day: date) -> dict | None:
        """The whole recap of ``day`` as the API serves it now (None for a day still to come)."""
        now = self.now()
        if day > self.today():
            return None
        local_now = now.astimezone(self.timezone)
        if day < local_now.date():
            updated = datetime(day.year, day.month, day.day, int(DAY_CLOSED), tzinfo=self.timezone)
        else:
            updated = local_now.replace(second=0, microsecond=0)
        working = self.is_working_day(day)
        return {
            "status": "ok",
            "instansi": self.operator,
            "tanggal": day.isoformat(),
            "hari_kerja": working,
            "diperbarui": updated.isoformat(),
            "data": [self.row(code, day, now) for code in self.agencies] if working else [],
        }


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = AttendanceModel(Path(city_dir), clock=clock)
    app = SimulatorApp("kinerja-asn")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/v1/rekap-kehadiran/?")
    def recap(request):
        raw = request.arg("tanggal")
        try:
            day = date.fromisoformat(raw) if raw else model.today()
        except ValueError:
            return Response.json({"status": "error", "pesan": "tanggal harus YYYY-MM-DD"}, status=400)
        body = model.recap(day)
        if body is None:
            return Response.json({"status": "error", "pesan": "tanggal belum terjadi"}, status=404)
        return Response.json(body)

    return app
