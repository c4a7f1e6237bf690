"""DLH's Kebersihan application (garbage collection) for one city.

Endpoints (JSON with Indonesian field names):

- ``GET /api/armada``: the truck roster (from ``fleet.json``): plate, route, capacity, status;
- ``GET /api/tps``: the TPS registry with fill level now (``terisi_persen``), the full flag
  (``penuh``, at 95 %) and when it was last emptied;
- ``GET /api/rute?tanggal=YYYY-MM-DD``: the routes of a day (default today, WIB; at most 7 days
  back): belum / berjalan / selesai / terlewat, TPS served, tonnes collected.

Time-driven and deterministic: a route starts at its hour (with a daily jitter), serves its TPS
one after another and is now and then missed for the day; a TPS fills steadily and is emptied when
its route passes, so a missed route leaves its TPS full the next morning.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

FULL_AT_PCT = 95.0
HISTORY_DAYS = 7
MISSED_AFTER = timedelta(minutes=90)
RETURN_TO_TPA = timedelta(minutes=40)


class WasteModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "kebersihan.json").read_text(encoding="utf-8"))
        fleet = json.loads((city_dir / "simulators" / "fleet.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.tonnes_per_m3 = float(data.get("tonnes_per_m3", 0.35))
        self.trucks = {truck["device_id"]: truck for truck in fleet["trucks"]}
        self.tps = {row["id"]: row for row in data["tps"]}
        self.routes = {row["id"]: row for row in data["routes"]}
        self.route_of_tps = {tps_id: route_id for route_id, route in self.routes.items() for tps_id in route["tps"]}
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def today(self) -> date:
        return self.now().astimezone(self.timezone).date()

    def _rng(self, *parts) -> random.Random:
        return random.Random(":".join([self.seed, *map(str, parts)]))

    def missed(self, route_id: str, day: date) -> bool:
        return self._rng("missed", route_id, day.isoformat()).random() < float(self.routes[route_id]["peluang_terlewat"])

    def start(self, route_id: str, day: date) -> datetime:
        route = self.routes[route_id]
        jitter = self._rng("start", route_id, day.isoformat()).randint(0, 20)
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.timezone)
        return (midnight + timedelta(hours=float(route["mulai_jam"]), minutes=jitter)).astimezone(UTC)

    def service_time(self, tps_id: str, day: date) -> datetime:
        route_id = self.route_of_tps[tps_id]
        route = self.routes[route_id]
        index = route["tps"].index(tps_id)
        return self.start(route_id, day) + timedelta(minutes=float(route["menit_per_tps"]) * (index + 1))

    def finish(self, route_id: str, day: date) -> datetime:
        route = self.routes[route_id]
        return self.start(route_id, day) + timedelta(minutes=float(route["menit_per_tps"]) * len(route["tps"])) + RETURN_TO_TPA

    def last_emptied(self, tps_id: str, moment: datetime) -> datetime | None:
        local_day = moment.astimezone(self.timezone).date()
        route_id = self.route_of_tps[tps_id]
        for back in range(0, 5):
            day = local_day - timedelta(days=back)
            if self.missed(route_id, day):
                continue
            served = self.service_time(tps_id, day)
            if served <= moment:
                return served
        return None

    def fill_pct(self, tps_id: str, moment: datetime) -> float:
        emptied = self.last_emptied(tps_id, moment)
        if emptied is None:
            return 100.0
        hours = (moment - emptied).total_seconds() / 3600
        return round(min(100.0, hours * float(self.tps[tps_id]["persen_per_jam"])), 1)

    def tps_rows(self) -> list[dict]:
        now = self.now()
        rows = []
        for tps_id, tps in self.tps.items():
            fill = self.fill_pct(tps_id, now)
            emptied = self.last_emptied(tps_id, now)
            rows.append(
                {
                    "id": tps_id,
                    "nama": tps["nama"],
                    "kode_kecamatan": tps["kode_kelurahan"].rsplit(".", 1)[0],
                    "kode_kelurahan": tps["kode_kelurahan"],
                    "lat": tps["lat"],
                    "lon": tps["lon"],
                    "kapasitas_m3": tps["kapasitas_m3"],
                    "terisi_persen": fill,
                    "penuh": fill >= FULL_AT_PCT,
                    "terakhir_diangkut": emptied.astimezone(self.timezone).isoformat() if emptied else None,
                    "id_rute": self.route_of_tps[tps_id],
                }
            )
        return rows

    def route_rows(self, day: date) -> list[dict]:
        now = self.now()
        end_of_day = datetime(day.year, day.month, day.day, tzinfo=self.timezone) + timedelta(days=1)
        moment = min(now, end_of_day.astimezone(UTC))
        rows = []
        for route_id, route in self.routes.items():
            start, finish = self.start(route_id, day), self.finish(route_id, day)
            served = [tps_id for tps_id in route["tps"] if self.service_time(tps_id, day) <= moment]
            started_at = finished_at = None
            if self.missed(route_id, day):
                status = "terlewat" if moment >= start + MISSED_AFTER else "belum"
                served = []
            elif moment < start:
                status = "belum"
            elif moment < finish:
                status, started_at = "berjalan", start
            else:
                status, started_at, finished_at = "selesai", start, finish
            tonnes = 0.0
            for tps_id in served:
                before = self.service_time(tps_id, day) - timedelta(seconds=1)
                tonnes += self.fill_pct(tps_id, before) / 100 * float(self.tps[tps_id]["kapasitas_m3"]) * self.tonnes_per_m3
            rows.append(
                {
                    "id": route_id,
                    "nama": route["nama"],
                    "id_truk": route["id_truk"],
                    "kode_kecamatan": route["kode_kecamatan"],
                    "status": status,
                    "jumlah_tps": len(route["tps"]),
                    "tps_terlayani": len(served),
                    "tonase_ton": round(tonnes, 2),
                    "mulai": started_at.astimezone(self.timezone).isoformat() if started_at else None,
                    "selesai": finished_at.astimezone(self.timezone).isoformat() if finished_at else None,
                }
            )
        return rows

    def truck_rows(self) -> list[dict]:
        today = self.today()
        rows = []
        for device_id, truck in self.trucks.items():
            plate = re.search(r"\(([^)]+)\)", truck["name"])
            in_repair = self._rng("repair", device_id, today.isoformat()).random() < 0.04
            rows.append(
                {
                    "id": device_id,
                    "nama": truck["name"],
                    "nopol": plate.group(1) if plate else "",
                    "rute": truck["route"],
                    "kapasitas_m3": truck["capacity_m3"],
                    "kode_kecamatan": truck["kecamatan_code"],
                    "status": "perbaikan" if in_repair else "operasi",
                }
            )
        return rows


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = WasteModel(Path(city_dir), clock=clock)
    app = SimulatorApp("kebersihan")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/armada/?")
    def trucks(request):
        rows = model.truck_rows()
        return Response.json({"status": "ok", "jumlah": len(rows), "data": rows})

    @app.route("GET", r"/api/tps/?")
    def tps(request):
        rows = model.tps_rows()
        return Response.json(
            {"status": "ok", "waktu": model.now().astimezone(model.timezone).isoformat(), "jumlah": len(rows), "data": rows}
        )

    @app.route("GET", r"/api/rute/?")
    def routes(request):
        today = model.today()
        raw = request.arg("tanggal")
        try:
            day = date.fromisoformat(raw) if raw else today
        except ValueError:
            return Response.json({"status": "error", "pesan": "tanggal harus YYYY-MM-DD"}, status=400)
        if day > today or day < today - timedelta(days=HISTORY_DAYS):
            return Response.json(
                {"status": "error", "pesan": f"tanggal di luar rentang (hari ini dan {HISTORY_DAYS} hari ke belakang)"},
                status=400,
            )
        return Response.json(
            {"status": "ok", "tanggal": day.isoformat(), "hari_ini": today.isoformat(), "data": model.route_rows(day)}
        )

    return app
