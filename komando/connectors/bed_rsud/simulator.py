"""The city's hospital bed availability service (RSUD Kota Tangerang and the hospitals Dinkes tracks).

Endpoints (JSON with Indonesian field names, in the spirit of Kemenkes' SIRS bed feed):

- ``GET /api/rumah-sakit``: the hospitals: code, name, class, address, kelurahan, location, and
  whether their bed feed is online;
- ``GET /api/tempat-tidur``: per hospital and ward (IGD, ICU, NICU, PICU, HCU, isolasi, VIP,
  kelas I/II/III, perinatologi, bersalin): capacity, occupied, free, and when the hospital last
  updated them. Only the current state: each hospital updates every few minutes (staggered).

Occupancy follows a daily wave (fuller in the afternoon) and drifts from hour to hour; ICU and IGD
run close to full, so now and then none is free. A ``flaky`` hospital misses updates for half an
hour now and then. Every figure is a pure function of (hospital, ward, update time).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

OFFLINE_BLOCK_SECONDS = 30 * 60


class BedModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "bed-rsud.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.operator = data.get("operator", "")
        self.step = int(data.get("update_minutes", 5)) * 60
        self.ward_names = data["wards"]
        self.hospitals = {h["kode_rs"]: h for h in data["hospitals"]}
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def is_online(self, code: str, moment: datetime) -> bool:
        block = int(moment.timestamp()) // OFFLINE_BLOCK_SECONDS
        chance = 0.25 if self.hospitals[code].get("flaky") else 0.0
        return random.Random(f"{self.seed}:offline:{code}:{block}").random() >= chance

    def last_update(self, code: str, moment: datetime) -> datetime:
        """The hospital's latest update at or before ``moment`` (hospitals update at staggered minutes).
        A hospital that is offline keeps the update from before it went offline."""
        offset = (sorted(self.hospitals).index(code) * 53) % self.step
        t = (int(moment.timestamp()) - offset) // self.step * self.step + offset
        while not self.is_online(code, datetime.fromtimestamp(t, UTC)):
            t -= self.step
        return datetime.fromtimestamp(t, UTC)

    def _drift(self, code: str, ward: str, hour: int) -> float:
        return random.Random(f"{self.seed}:drift:{code}:{ward}:{hour}").uniform(-0.09, 0.09)

    def occupied(self, code: str, ward: str, at: datetime) -> int:
        capacity, base = self.hospitals[code]["ruang"][ward]
        local = at.astimezone(self.timezone)
        hour = local.hour + local.minute / 60
        wave = 0.06 * math.sin(2 * math.pi * (hour - 9) / 24)
        epoch_hour = int(at.timestamp()) // 3600
        share = (at.timestamp() % 3600) / 3600
        drift = self._drift(code, ward, epoch_hour) * (1 - share) + self._drift(code, ward, epoch_hour + 1) * share
        noise = random.Random(f"{self.seed}:noise:{code}:{ward}:{int(at.timestamp())}").uniform(-0.03, 0.03)
        return max(0, min(capacity, round(capacity * (base + wave + drift + noise))))

    def beds(self, now: datetime | None = None) -> list[dict]:
        now = now or self.now()
        rows = []
        for code, hospital in self.hospitals.items():
            at = self.last_update(code, now)
            for ward, (capacity, _base) in hospital["ruang"].items():
                occupied = self.occupied(code, ward, at)
                rows.append(
                    {
                        "kode_rs": code,
                        "kode_ruang": ward,
                        "nama_ruang": self.ward_names[ward],
                        "kapasitas": capacity,
                        "terisi": occupied,
                        "kosong": capacity - occupied,
                        "diperbarui": at.astimezone(self.timezone).isoformat(),
                    }
                )
        return rows


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = BedModel(Path(city_dir), clock=clock)
    app = SimulatorApp("bed-rsud")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/rumah-sakit/?")
    def hospitals(request):
        now = model.now()
        rows = [
            {
                "kode_rs": code,
                "nama": h["nama"],
                "kelas_rs": h["kelas_rs"],
                "alamat": h["alamat"],
                "kode_kelurahan": h["kode_kelurahan"],
                "lat": h["lat"],
                "lon": h["lon"],
                "status_online": model.is_online(code, now),
            }
            for code, h in model.hospitals.items()
        ]
        return Response.json({"status": "ok", "instansi": model.operator, "data": rows})

    @app.route("GET", r"/api/tempat-tidur/?")
    def beds(request):
        return Response.json(
            {"status": "ok", "waktu_server": model.now().astimezone(model.timezone).isoformat(), "data": model.beds()}
        )

    return app
