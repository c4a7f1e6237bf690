"""The flood early-warning application (Peringatan Dini Banjir, Dinas PUPR/BPBD) for one city.

Endpoints (JSON with Indonesian field names):

- ``GET /api/pos``: the water-level gauges (pos duga air, from ``fleet.json``) with their river and
  siaga levels in metres (siaga 3 < siaga 2 < siaga 1);
- ``GET /api/tma``: the latest water level (tinggi muka air) per gauge: ``level_m``, ``observed_at``
  (every 10 minutes);
- ``GET /api/pintu-air``: sluice gates with opening (%) and status terbuka / tertutup / perbaikan;
- ``GET /api/pompa``: pump houses with capacity (m³/s) and status beroperasi / siaga / rusak.

Levels follow a slow daily rhythm with an afternoon peak; on rainy days the peak passes siaga 3
(and at some gauges siaga 2). Gates open and pumps start as the level of their gauge rises. Every
value is a pure function of (thing, time), so asking twice gives the same answer.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp


class FloodModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "banjir.json").read_text(encoding="utf-8"))
        fleet = json.loads((city_dir / "simulators" / "fleet.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.interval = timedelta(minutes=int(data.get("interval_minutes", 10)))
        self.peak_hour = float(data.get("puncak_jam", 15.5))
        self.rain_chance = float(data.get("peluang_hujan", 0.45))
        self.pump_broken_chance = float(data.get("peluang_pompa_rusak", 0.06))
        self.gate_repair_chance = float(data.get("peluang_pintu_perbaikan", 0.04))
        self.gauges = {gauge["device_id"]: gauge for gauge in fleet["gauges"]}
        self.gates = {gate["id"]: gate for gate in data["sluice_gates"]}
        self.pumps = {pump["id"]: pump for pump in data["pumps"]}
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _rng(self, *parts) -> random.Random:
        return random.Random(":".join([self.seed, *map(str, parts)]))

    def last_observation(self, moment: datetime) -> datetime:
        step = int(self.interval.total_seconds())
        return datetime.fromtimestamp(int(moment.timestamp()) // step * step, UTC)

    def rainy(self, day: date) -> bool:
        return self._rng("rain", day.isoformat()).random() < self.rain_chance

    def intensity(self, gauge_id: str, day: date) -> float:
        """How high the day's peak rises, as a share of the way from normal to siaga 3."""
        rng = self._rng("peak", gauge_id, day.isoformat())
        return rng.uniform(1.05, 1.9) if self.rainy(day) else rng.uniform(0.15, 0.6)

    def level(self, gauge_id: str, moment: datetime) -> float:
        gauge = self.gauges[gauge_id]
        local = moment.astimezone(self.timezone)
        hour = local.hour + local.minute / 60
        span = float(gauge["siaga_3_m"]) - float(gauge["normal_m"])
        # Today's peak, and the tail of yesterday's (a river falls slowly after midnight).
        today = self.intensity(gauge_id, local.date()) * math.exp(-(((hour - self.peak_hour) / 2.6) ** 2))
        yesterday = self.intensity(gauge_id, local.date() - timedelta(days=1)) * math.exp(
            -(((hour + 24 - self.peak_hour) / 4.0) ** 2)
        )
        wave = 0.08 * math.sin(2 * math.pi * moment.timestamp() / (7 * 3600) + len(gauge_id))
        noise = self._rng("noise", gauge_id, int(moment.timestamp())).uniform(-0.015, 0.015)
        return round(max(0.05, float(gauge["normal_m"]) * 0.85 + span * (max(today, yesterday) + wave) + noise), 2)

    def share_to_siaga_3(self, gauge_id: str, moment: datetime) -> float:
        gauge = self.gauges[gauge_id]
        normal, siaga_3 = float(gauge["normal_m"]), float(gauge["siaga_3_m"])
        return (self.level(gauge_id, self.last_observation(moment)) - normal) / (siaga_3 - normal)

    def gauge_rows(self) -> list[dict]:
        return [
            {
                "id": gauge_id,
                "nama": gauge["name"],
                "sungai": gauge["river"],
                "kode_kecamatan": gauge["kecamatan_code"],
                "lat": gauge["location"]["lat"],
                "lon": gauge["location"]["lon"],
                "normal_m": gauge["normal_m"],
                "siaga_3_m": gauge["siaga_3_m"],
                "siaga_2_m": gauge["siaga_2_m"],
                "siaga_1_m": gauge["siaga_1_m"],
            }
            for gauge_id, gauge in self.gauges.items()
        ]

    def level_rows(self) -> list[dict]:
        observed = self.last_observation(self.now())
        return [
            {
                "id_pos": gauge_id,
                "level_m": self.level(gauge_id, observed),
                "observed_at": observed.astimezone(self.timezone).isoformat(),
            }
            for gauge_id in self.gauges
        ]

    def gate_rows(self) -> list[dict]:
        now = self.now()
        day = now.astimezone(self.timezone).date().isoformat()
        rows = []
        for gate_id, gate in self.gates.items():
            share = self.share_to_siaga_3(gate["id_pos"], now)
            opening = 0 if share < 0.2 else min(100, 5 * round((25 + 75 * share) / 5))
            if self._rng("repair", gate_id, day).random() < self.gate_repair_chance:
                status, opening = "perbaikan", 0
            else:
                status = "terbuka" if opening > 0 else "tertutup"
            rows.append(
                {
                    "id": gate_id,
                    "nama": gate["nama"],
                    "sungai": gate["sungai"],
                    "kode_kelurahan": gate["kode_kelurahan"],
                    "lat": gate["lat"],
                    "lon": gate["lon"],
                    "jumlah_pintu": gate["jumlah_pintu"],
                    "bukaan_persen": opening,
                    "status": status,
                }
            )
        return rows

    def pump_rows(self) -> list[dict]:
        now = self.now()
        day = now.astimezone(self.timezone).date().isoformat()
        rows = []
        for pump_id, pump in self.pumps.items():
            if self._rng("broken", pump_id, day).random() < self.pump_broken_chance:
                status = "rusak"
            else:
                status = "beroperasi" if self.share_to_siaga_3(pump["id_pos"], now) >= 0.5 else "siaga"
            rows.append(
                {
                    "id": pump_id,
                    "nama": pump["nama"],
                    "kode_kelurahan": pump["kode_kelurahan"],
                    "lat": pump["lat"],
                    "lon": pump["lon"],
                    "kapasitas_m3_per_detik": pump["kapasitas_m3_per_detik"],
                    "status": status,
                }
            )
        return rows


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = FloodModel(Path(city_dir), clock=clock)
    app = SimulatorApp("banjir")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/pos/?")
    def gauges(request):
        rows = model.gauge_rows()
        return Response.json({"status": "ok", "jumlah": len(rows), "data": rows})

    @app.route("GET", r"/api/tma/?")
    def levels(request):
        return Response.json({"status": "ok", "satuan": "m", "data": model.level_rows()})

    @app.route("GET", r"/api/pintu-air/?")
    def gates(request):
        return Response.json({"status": "ok", "data": model.gate_rows()})

    @app.route("GET", r"/api/pompa/?")
    def pumps(request):
        return Response.json({"status": "ok", "data": model.pump_rows()})

    return app
