"""A SIAK aggregate web service (Disdukcapil) for one city, with numbers that move a little.

Endpoints (JSON, Indonesian field names, as a Dukcapil aggregate service publishes them):

- ``GET /api/v1/agregat/ringkasan``: city totals (jumlah_penduduk, laki_laki, perempuan);
- ``GET /api/v1/agregat/kelurahan?halaman=1&per_halaman=50[&kode_kecamatan=36.71.01]``: paged
  aggregates per kelurahan, each with ``rincian`` per jenis_kelamin (L/P) × kelompok_umur.

The city's totals come from ``city.json``; they are spread over the kelurahan of ``regions.csv``
with the weights of ``simulators/siak.json``, deterministically, with exact totals. Every tick
(``tick_seconds``) a few residents are born, die or move, so the registry is "live"; the
``versi_data`` field names the tick, so a client can tell whether two pages belong together.
"""

from __future__ import annotations

import csv
import json
import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

MAX_PAGE_SIZE = 100
MAX_TICKS_PER_CATCH_UP = 500


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder); sums exactly."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    parts = [math.floor(q) for q in quotas]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (quotas[i] - parts[i], -i), reverse=True)
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


class PopulationRegistry:
    """The simulated registry: residents per (kelurahan, sex, age group), evolving per tick."""

    def __init__(self, city_dir: Path, *, tick_seconds: float | None = None, clock: Callable[[], float] = time.time):
        city_dir = Path(city_dir)
        self.city = read_city(city_dir)
        settings = json.loads((city_dir / "simulators" / "siak.json").read_text(encoding="utf-8"))
        with open(city_dir / "regions.csv", newline="", encoding="utf-8") as handle:
            regions = list(csv.DictReader(handle))
        self.timezone = ZoneInfo(self.city.timezone)
        self.seed = str(settings.get("seed", self.city.code))
        self.tick_seconds = float(tick_seconds or settings.get("tick_seconds", 60))
        self.clock = clock
        self.age_groups: list[str] = list(settings["age_groups"])
        self.kecamatan = {r["code"]: r["name"] for r in regions if r["level"] == "kecamatan"}
        self.kelurahan = [r for r in regions if r["level"] == "kelurahan"]
        self.cells = self._initial_cells(settings)
        self.lock = threading.Lock()
        self.started = clock()
        self.tick = 0

    # ---- initial distribution -------------------------------------------------------------------
    def _initial_cells(self, settings: dict) -> dict[tuple[str, str, str], int]:
        rng = random.Random(self.seed)
        kecamatan_weights = settings["kecamatan_weights"]
        kelurahan_weight: dict[str, float] = {}
        for code in self.kecamatan:
            members = [r for r in self.kelurahan if r["parent_code"] == code]
            raw = [math.sqrt(float(r["area_km2"] or 1.0)) * rng.uniform(0.8, 1.2) for r in members]
            for member, weight in zip(members, raw, strict=True):
                kelurahan_weight[member["code"]] = float(kecamatan_weights.get(code, 1)) * weight / sum(raw)
        codes = [r["code"] for r in self.kelurahan]
        cells: dict[tuple[str, str, str], int] = {}
        totals = (("L", int(self.city.get("population_male"))), ("P", int(self.city.get("population_female"))))
        for sex, total in totals:
            per_kelurahan = apportion(total, [kelurahan_weight[c] * rng.uniform(0.985, 1.015) for c in codes])
            pyramid = settings["age_pyramid"][sex]
            for code, kelurahan_total in zip(codes, per_kelurahan, strict=True):
                youth = rng.uniform(0.9, 1.1)  # newer suburbs are younger, old centres older
                weights = [share * (youth if i < 8 else 2 - youth) * rng.uniform(0.92, 1.08) for i, share in enumerate(pyramid)]
                counts = apportion(kelurahan_total, weights)
                for age_group, count in zip(self.age_groups, counts, strict=True):
                    cells[(code, sex, age_group)] = count
        return cells

    # ---- life goes on ---------------------------------------------------------------------------
    def _catch_up(self) -> None:
        due = int((self.clock() - self.started) // self.tick_seconds)
        if due - self.tick > MAX_TICKS_PER_CATCH_UP:
            self.tick = due - MAX_TICKS_PER_CATCH_UP
        while self.tick < due:
            self.tick += 1
            self._apply_tick(self.tick)

    def advance(self, ticks: int = 1) -> None:
        """Let ``ticks`` intervals pass now (tests and demos)."""
        with self.lock:
            self._catch_up()
            for _ in range(ticks):
                self.started -= self.tick_seconds
                self.tick += 1
                self._apply_tick(self.tick)

    def _apply_tick(self, tick: int) -> None:
        rng = random.Random(f"{self.seed}:{tick}")
        codes = [r["code"] for r in self.kelurahan]
        for _ in range(rng.randint(1, 3)):  # births
            self.cells[(rng.choice(codes), rng.choice("LP"), self.age_groups[0])] += 1
        for _ in range(rng.randint(0, 2)):  # deaths, mostly among the old
            key = (rng.choice(codes), rng.choice("LP"), rng.choice(self.age_groups[-4:]))
            if self.cells[key] > 0:
                self.cells[key] -= 1
        for _ in range(rng.randint(0, 3)):  # moves between kelurahan
            sex, age_group = rng.choice("LP"), rng.choice(self.age_groups)
            origin, destination = rng.sample(codes, 2)
            if self.cells[(origin, sex, age_group)] > 0:
                self.cells[(origin, sex, age_group)] -= 1
                self.cells[(destination, sex, age_group)] += 1

    # ---- reading --------------------------------------------------------------------------------
    def snapshot(self) -> tuple[str, str, dict[tuple[str, str, str], int]]:
        """(versi_data, tanggal_data, cells) of this moment."""
        with self.lock:
            self._catch_up()
            today = datetime.fromtimestamp(self.clock(), self.timezone).date().isoformat()
            return f"{self.seed}-{self.tick}", today, dict(self.cells)

    def updated_at(self) -> str:
        """When the registry last changed (the start of the current tick), ISO 8601 local time."""
        with self.lock:
            moment = self.started + self.tick * self.tick_seconds
        return datetime.fromtimestamp(moment, self.timezone).isoformat(timespec="seconds")

    def totals(self) -> dict[str, int]:
        _, _, cells = self.snapshot()
        male = sum(v for (_, sex, _), v in cells.items() if sex == "L")
        female = sum(v for (_, sex, _), v in cells.items() if sex == "P")
        return {"total": male + female, "male": male, "female": female}


def _int_arg(request, name: str, default: int) -> int | None:
    raw = request.arg(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 1 else None


def build_simulator(city_dir, tick_seconds: float | None = None, clock: Callable[[], float] = time.time) -> SimulatorApp:
    registry = PopulationRegistry(Path(city_dir), tick_seconds=tick_seconds, clock=clock)
    app = SimulatorApp("siak")
    app.registry = registry  # tests read the truth from here

    def error(status: int, message: str) -> Response:
        return Response.json({"status": "ERROR", "pesan": message}, status=status)

    @app.route("GET", r"/api/v1/agregat/ringkasan/?")
    def summary(request):
        version, day, cells = registry.snapshot()
        male = sum(v for (_, sex, _), v in cells.items() if sex == "L")
        female = sum(v for (_, sex, _), v in cells.items() if sex == "P")
        return Response.json(
            {
                "status": "OK",
                "kode_wilayah": registry.city.code,
                "nama_wilayah": registry.city.name,
                "tanggal_data": day,
                "versi_data": version,
                "diperbarui_pada": registry.updated_at(),
                "jumlah_penduduk": male + female,
                "laki_laki": male,
                "perempuan": female,
                "jumlah_kecamatan": len(registry.kecamatan),
                "jumlah_kelurahan": len(registry.kelurahan),
            }
        )

    @app.route("GET", r"/api/v1/agregat/kelurahan/?")
    def kelurahan_aggregates(request):
        page = _int_arg(request, "halaman", 1)
        page_size = _int_arg(request, "per_halaman", 50)
        if page is None or page_size is None:
            return error(400, "halaman dan per_halaman harus bilangan bulat positif")
        page_size = min(page_size, MAX_PAGE_SIZE)
        members = registry.kelurahan
        kecamatan_code = request.arg("kode_kecamatan")
        if kecamatan_code:
            if kecamatan_code not in registry.kecamatan:
                return error(404, f"kode_kecamatan {kecamatan_code} tidak dikenal")
            members = [r for r in members if r["parent_code"] == kecamatan_code]
        version, day, cells = registry.snapshot()
        pages = max(1, math.ceil(len(members) / page_size))
        rows = []
        for member in members[(page - 1) * page_size : page * page_size]:
            rows.append(
                {
                    "kode_wilayah": member["code"],
                    "nama": member["name"],
                    "kode_kecamatan": member["parent_code"],
                    "nama_kecamatan": registry.kecamatan[member["parent_code"]],
                    "rincian": [
                        {"jenis_kelamin": sex, "kelompok_umur": age_group, "jumlah": cells[(member["code"], sex, age_group)]}
                        for sex in ("L", "P")
                        for age_group in registry.age_groups
                    ],
                }
            )
        return Response.json(
            {
                "status": "OK",
                "tanggal_data": day,
                "versi_data": version,
                "diperbarui_pada": registry.updated_at(),
                "halaman": page,
                "per_halaman": page_size,
                "jumlah_halaman": pages,
                "total_data": len(members),
                "data": rows,
            }
        )

    return app
