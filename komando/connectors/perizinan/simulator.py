"""A permit service of DPMPTSP Kota Tangerang (the SiCantik/OSS back office) for one city.

Endpoints (JSON with Indonesian field names):

- ``GET /api/v1/jenis-izin``: the permit types with their service time (SLA, days);
- ``GET /api/v1/permohonan?diperbarui_sejak=<ISO>&setelah=<nomor>&batas=<n>``: applications whose
  last change ``(diperbarui, nomor_permohonan)`` comes after the given key, oldest change first, at
  most ``batas`` (keyset paging; ``ada_berikutnya`` says whether more follow). Without
  ``diperbarui_sejak``: changes of the last 30 days. As real back offices do, every application
  carries the applicant's name, NIK and phone number: a connector must drop them.

Applications arrive through the day (many in office hours, few at night and on weekends), are
verified within hours, then issued (most within the service time, some late) or rejected. Every
application is a pure function of (hour, index), so asking twice gives the same answer, and the
status an application has depends only on the simulator's clock.
"""

from __future__ import annotations

import csv
import json
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

DEFAULT_WINDOW = timedelta(days=30)
MAX_WINDOW = timedelta(days=90)
MAX_LIMIT = 1000
HOUR = timedelta(hours=1)


def hourly_share(local: datetime) -> float:
    """The share of a weekday's applications that arrive in this local hour."""
    weekend = local.weekday() >= 5
    hour = local.hour
    if 8 <= hour < 16:
        share = 0.105  # the service counter (Mal Pelayanan Publik) and OSS in office hours
    elif 6 <= hour < 22:
        share = 0.02  # online, evenings
    else:
        share = 0.004
    return share * (0.25 if weekend else 1.0)


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


class PermitModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "perizinan.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.operator = data.get("operator", "")
        self.types = data["permit_types"]
        self.late_share = float(data["late_share"])
        self.rejected_share = float(data["rejected_share"])
        self.first_names = data["first_names"]
        self.last_names = data["last_names"]
        with open(city_dir / "regions.csv", newline="", encoding="utf-8") as handle:
            self.kelurahan = [row["code"] for row in csv.DictReader(handle) if row["level"] == "kelurahan"]
        self.longest = timedelta(days=max(t["sla_hari"] for t in self.types) * 2 + 1)
        self.clock = clock
        self._hours: dict[int, list[dict]] = {}  # hour → applications (a pure function: cached)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def hour_applications(self, hour_start: datetime) -> list[dict]:
        """Every application that arrives in the hour starting at ``hour_start`` (UTC), whatever the clock."""
        key = int(hour_start.timestamp())
        cached = self._hours.get(key)
        if cached is None:
            cached = self._hours[key] = self._generate(hour_start)
        return cached

    def _generate(self, hour_start: datetime) -> list[dict]:
        local = hour_start.astimezone(self.timezone)
        rng = random.Random(f"{self.seed}:hour:{int(hour_start.timestamp())}")
        rows = []
        for kind in self.types:
            for _ in range(poisson(rng, float(kind["per_hari"]) * hourly_share(local))):
                rows.append((rng.uniform(0, 3600), kind))
        rows.sort(key=lambda row: row[0])
        applications = []
        for index, (offset, kind) in enumerate(rows, start=1):
            rng = random.Random(f"{self.seed}:application:{int(hour_start.timestamp())}:{index}")
            applied = hour_start + timedelta(seconds=int(offset))
            verified = applied + timedelta(seconds=int(rng.uniform(20, 240) * 60))
            sla = timedelta(days=kind["sla_hari"])
            if rng.random() < self.late_share:
                decided = applied + sla * rng.uniform(1.05, 1.9)
            else:
                decided = applied + sla * rng.uniform(0.15, 0.97)
            decided = max(decided, verified + timedelta(minutes=30)).replace(microsecond=0)
            rejected = rng.random() < self.rejected_share
            name = f"{rng.choice(self.first_names)} {rng.choice(self.last_names)}"
            applications.append(
                {
                    "nomor": f"DPMPTSP/{local:%Y%m%d}/{local:%H}{index:02d}",
                    "jenis": kind["kode"],
                    "kelurahan": rng.choice(self.kelurahan),
                    "applied": applied,
                    "verified": verified,
                    "decided": decided,
                    "rejected": rejected,
                    "nama": name,
                    "nik": "3671" + "".join(str(rng.randrange(10)) for _ in range(12)),
                    "hp": "08" + "".join(str(rng.randrange(10)) for _ in range(10)),
                }
            )
        return applications

    def state(self, application: dict, now: datetime) -> dict | None:
        """The application as the API shows it at ``now`` (None before it arrived)."""
        if application["applied"] > now:
            return None
        if application["decided"] <= now:
            status, updated = ("ditolak" if application["rejected"] else "terbit"), application["decided"]
        elif application["verified"] <= now:
            status, updated = "verifikasi", application["verified"]
        else:
            status, updated = "diajukan", application["applied"]
        tz = self.timezone
        return {
            "nomor_permohonan": application["nomor"],
            "jenis_izin": application["jenis"],
            "nama_pemohon": application["nama"],
            "nik_pemohon": application["nik"],
            "telepon_pemohon": application["hp"],
            "kode_kelurahan": application["kelurahan"],
            "kode_kecamatan": application["kelurahan"].rsplit(".", 1)[0],
            "tanggal_pengajuan": application["applied"].astimezone(tz).isoformat(),
            "status": status,
            "tanggal_selesai": application["decided"].astimezone(tz).isoformat() if status in ("terbit", "ditolak") else None,
            "diperbarui": updated.astimezone(tz).isoformat(),
        }

    def changes_since(self, since: datetime, after: str = "") -> list[dict]:
        """Every application whose last change (diperbarui, nomor) comes after (since, after), oldest first."""
        now = self.now()
        hour = datetime.fromtimestamp(int((since - self.longest).timestamp()) // 3600 * 3600, UTC)
        rows = []
        while hour <= now:
            for application in self.hour_applications(hour):
                shown = self.state(application, now)
                if shown is None:
                    continue
                updated = datetime.fromisoformat(shown["diperbarui"])
                if (updated, shown["nomor_permohonan"]) > (since, after):
                    rows.append((updated, shown["nomor_permohonan"], shown))
            hour += HOUR
        rows.sort(key=lambda row: (row[0], row[1]))
        return [row[2] for row in rows]

    def all_applications(self, since: datetime) -> list[dict]:
        """Every application that arrived after ``since`` up to now, in the state it has now (tests)."""
        now = self.now()
        hour = datetime.fromtimestamp(int(since.timestamp()) // 3600 * 3600, UTC)
        rows = []
        while hour <= now:
            for application in self.hour_applications(hour):
                shown = self.state(application, now)
                if shown is not None and application["applied"] > since:
                    rows.append(shown)
            hour += HOUR
        return rows


def _parse_time(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = PermitModel(Path(city_dir), clock=clock)
    app = SimulatorApp("perizinan")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/v1/jenis-izin/?")
    def permit_types(request):
        rows = [{"kode": t["kode"], "nama": t["nama"], "sla_hari": t["sla_hari"]} for t in model.types]
        return Response.json({"status": "ok", "instansi": model.operator, "data": rows})

    @app.route("GET", r"/api/v1/permohonan/?")
    def applications(request):
        now = model.now()
        raw_since = request.arg("diperbarui_sejak")
        if raw_since:
            since = _parse_time(raw_since)
            if since is None:
                return Response.json(
                    {"status": "error", "pesan": "diperbarui_sejak harus waktu ISO 8601 dengan zona"}, status=400
                )
        else:
            since = now - DEFAULT_WINDOW
        since = max(since, now - MAX_WINDOW)
        try:
            limit = min(MAX_LIMIT, max(1, int(request.arg("batas", "200"))))
        except ValueError:
            return Response.json({"status": "error", "pesan": "batas harus bilangan"}, status=400)
        rows = model.changes_since(since, request.arg("setelah", "") or "")
        return Response.json(
            {
                "status": "ok",
                "waktu_server": now.astimezone(model.timezone).isoformat(),
                "jumlah": min(limit, len(rows)),
                "ada_berikutnya": len(rows) > limit,
                "data": rows[:limit],
            }
        )

    return app
