"""Satpol PP's Ketertiban application (public order) for one city.

Endpoints (JSON with Indonesian field names):

- ``GET /api/unit``: the roster of officers and patrol cars, by call sign only (from ``fleet.json``);
- ``GET /api/status``: each unit's duty status now: ``dinas`` (on duty), ``lepas_dinas`` (off) or
  ``penugasan`` (on an assignment, with its text), and since when;
- ``GET /api/kegiatan?tanggal=YYYY-MM-DD``: activities started that day (default today, WIB; at
  most 7 days back) per kind: penertiban, patroli, pengamanan.

Each regu works one shift a day; patrol cars also cover the night. Time runs in 30-minute blocks:
in each block a unit on duty is on an assignment with a given chance. A new assignment counts as
one activity of its kind, so the day's counts grow as the day goes on. Deterministic per block.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

HISTORY_DAYS = 7
KINDS = ("penertiban", "patroli", "pengamanan")


class OrderModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "ketertiban.json").read_text(encoding="utf-8"))
        fleet = json.loads((city_dir / "simulators" / "fleet.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.block = timedelta(minutes=int(data.get("block_minutes", 30)))
        self.shifts = {regu: tuple(hours) for regu, hours in data["shifts"].items()}
        self.night = tuple(data.get("patrol_night_shift", [23, 7]))
        self.chance = data["assignment_chance"]
        self.assignments = data["assignments"]
        self.units = {unit["device_id"]: unit for unit in fleet["officers"] + fleet["patrols"]}
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def today(self) -> date:
        return self.now().astimezone(self.timezone).date()

    def block_start(self, moment: datetime) -> datetime:
        step = int(self.block.total_seconds())
        return datetime.fromtimestamp(int(moment.timestamp()) // step * step, UTC)

    @staticmethod
    def _within(hour: float, hours: tuple) -> bool:
        start, end = hours
        return start <= hour < end if start < end else (hour >= start or hour < end)

    def on_duty(self, unit_id: str, block: datetime) -> bool:
        unit = self.units[unit_id]
        local = block.astimezone(self.timezone)
        hour = local.hour + local.minute / 60
        if self._within(hour, self.shifts.get(unit["regu"], (7, 15))):
            return True
        return unit["unit_type"] == "patrol" and self._within(hour, self.night)

    def assignment(self, unit_id: str, block: datetime) -> dict | None:
        """The assignment of a unit in the block starting at ``block`` (None: none or off duty)."""
        if not self.on_duty(unit_id, block):
            return None
        unit = self.units[unit_id]
        rng = random.Random(f"{self.seed}:assign:{unit_id}:{int(block.timestamp())}")
        if rng.random() >= float(self.chance.get(unit["unit_type"], 0.3)):
            return None
        # An assignment usually continues into the next block: keep the previous one half the time.
        previous = block - self.block
        if rng.random() < 0.5 and self.on_duty(unit_id, previous):
            earlier = random.Random(f"{self.seed}:assign:{unit_id}:{int(previous.timestamp())}")
            if earlier.random() < float(self.chance.get(unit["unit_type"], 0.3)):
                return self._pick(unit_id, previous)
        return self._pick(unit_id, block)

    def _pick(self, unit_id: str, block: datetime) -> dict:
        rng = random.Random(f"{self.seed}:which:{unit_id}:{int(block.timestamp())}")
        unit = self.units[unit_id]
        pool = [
            a
            for a in self.assignments
            if (a["kind"] == "patroli") == (unit["unit_type"] == "patrol") or unit["unit_type"] == "officer"
        ]
        return rng.choice(pool)

    def status(self, unit_id: str, block: datetime) -> tuple[str, str | None]:
        if not self.on_duty(unit_id, block):
            return "lepas_dinas", None
        assignment = self.assignment(unit_id, block)
        return ("penugasan", assignment["text"]) if assignment else ("dinas", None)

    def status_rows(self) -> list[dict]:
        block = self.block_start(self.now())
        rows = []
        for unit_id in self.units:
            status, text = self.status(unit_id, block)
            since = block
            for _ in range(48):  # walk back to where this status began
                earlier = since - self.block
                if self.status(unit_id, earlier) != (status, text):
                    break
                since = earlier
            rows.append(
                {"id_unit": unit_id, "status": status, "penugasan": text, "sejak": since.astimezone(self.timezone).isoformat()}
            )
        return rows

    def activity_counts(self, day: date) -> dict[str, int]:
        """Assignments that began on ``day`` (WIB) up to now, per kind."""
        start = datetime(day.year, day.month, day.day, tzinfo=self.timezone).astimezone(UTC)
        end = min(self.block_start(self.now()), start + timedelta(days=1) - self.block)
        counts = dict.fromkeys(KINDS, 0)
        block = start
        while block <= end:
            for unit_id in self.units:
                current = self.assignment(unit_id, block)
                if current is not None and current != self.assignment(unit_id, block - self.block):
                    counts[current["kind"]] += 1
            block += self.block
        return counts

    def unit_rows(self) -> list[dict]:
        return [
            {
                "id": unit_id,
                "nama_panggilan": unit["name"],
                "jenis": "petugas" if unit["unit_type"] == "officer" else "patroli",
                "regu": unit["regu"],
                "kode_kecamatan": unit["kecamatan_code"],
            }
            for unit_id, unit in self.units.items()
        ]


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = OrderModel(Path(city_dir), clock=clock)
    app = SimulatorApp("ketertiban")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/unit/?")
    def units(request):
        rows = model.unit_rows()
        return Response.json({"status": "ok", "jumlah": len(rows), "data": rows})

    @app.route("GET", r"/api/status/?")
    def statuses(request):
        return Response.json(
            {"status": "ok", "waktu": model.now().astimezone(model.timezone).isoformat(), "data": model.status_rows()}
        )

    @app.route("GET", r"/api/kegiatan/?")
    def activities(request):
        today = model.today()
        raw = request.arg("tanggal")
        try:
            day = date.fromisoformat(raw) if raw else today
        except ValueError:
            return Response.json({"status": "error", "pesan": "tanggal harus YYYY-MM-DD"}, status=400)
        if day > today or day < today - timedelta(days=HISTORY_DAYS):
            return Response.json({"status": "error", "pesan": "tanggal di luar rentang"}, status=400)
        counts = model.activity_counts(day)
        return Response.json(
            {"status": "ok", "tanggal": day.isoformat(), "data": [{"jenis": kind, "jumlah": counts[kind]} for kind in KINDS]}
        )

    return app
