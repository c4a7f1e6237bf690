"""An SP4N-LAPOR! integration server, as the city sees it: the reports disposed (didisposisikan) to
Pemkot Tangerang, and the follow-ups (tindak lanjut) the city sends back.

The real integration schema is not public (see ``client.py``); this server speaks the shape the
connector assumes, after the public facts (JSON, ``KEYTOKEN`` header, numeric Tracking IDs):

- ``POST /api/services/f01/gettopics``: topics ``[{"id", "parent", "topic_name"}]`` (legacy public API);
- ``POST /api/integrasi/laporan/disposisi`` body ``{"instansi_id", "sejak"?, "halaman"}``: disposed
  reports changed at or after ``sejak`` (all of the last 12 days without it), 50 per page;
- ``POST /api/integrasi/laporan/{tracking_id}/tindaklanjut`` body ``{"instansi_id", "status", "isi"}``:
  the city's follow-up; recorded in ``app.model.follow_ups`` (tests look there) and shown in the
  report from then on.

A wrong or missing ``KEYTOKEN`` answers 401. The key is ``KOMANDO_LAPOR_KEYTOKEN`` (the same variable
the connector reads), or the ``keytoken`` option (tests). Reports arrive about every half hour;
confidential (rahasia) and anonymous reports carry no reporter; the others carry ``pelapor``, which
the connector never reads. Some reports are followed up in the LAPOR! panel directly.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Request, Response, SimulatorApp

KEYTOKEN_VARIABLE = "KOMANDO_LAPOR_KEYTOKEN"
PAGE_SIZE = 50


def _read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class LaporModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "lapor.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.data = data
        self.seed = str(data["seed"])
        self.instansi_id = data["instansi_id"]
        self.slot = int(data["slot_minutes"]) * 60
        self.history = timedelta(days=float(data["history_days"]))
        self.topics = data["topics"]
        self.kelurahan = [row for row in _read_csv(city_dir / "regions.csv") if row["level"] == "kelurahan"]
        self.names = {row["code"]: row["name"] for row in _read_csv(city_dir / "regions.csv")}
        self.clock = clock
        self.follow_ups: list[dict] = []  # what the city sent, in order
        self.lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def tracking_id(self, slot: int) -> str:
        return str(int(self.data["first_tracking_id"]) + slot % 10**7)

    def report(self, slot: int) -> dict | None:
        """The report of time slot ``slot`` (since the epoch) as LAPOR! itself moves it, or None."""
        data = self.data
        rng = random.Random(f"{self.seed}:{slot}")
        if rng.random() >= float(data["chance_per_slot"]):
            return None
        topic = rng.choice(self.topics)
        title, text = rng.choice(topic["texts"])
        reported = datetime.fromtimestamp(slot * self.slot + rng.randint(0, self.slot - 1), UTC)
        disposed = reported + timedelta(hours=rng.uniform(*data["hours_to_dispose"]))
        followed = closed = None
        if rng.random() < float(data["share_followed_up_in_lapor"]):
            followed = disposed + timedelta(days=rng.uniform(*data["days_to_follow_up"]))
            closed = followed + timedelta(days=rng.uniform(*data["days_to_close"]))
        place = None
        if rng.random() < float(data["share_with_location"]):
            kelurahan = rng.choice(self.kelurahan)
            place = {
                "lat": round(float(kelurahan["centroid_lat"]) + rng.uniform(-0.004, 0.004), 6),
                "lon": round(float(kelurahan["centroid_lon"]) + rng.uniform(-0.004, 0.004), 6),
                "kode_kelurahan": kelurahan["code"],
                "alamat": (
                    f"{rng.choice(data['streets'])}, Kel. {kelurahan['name']}, "
                    f"Kec. {self.names[kelurahan['parent_code']]}, Kota Tangerang"
                ),
            }
        confidential = rng.random() < float(data["share_confidential"])
        anonymous = not confidential and rng.random() < float(data["share_anonymous"])
        return {
            "tracking_id": self.tracking_id(slot),
            "topic": topic,
            "title": title,
            "text": text,
            "reported": reported,
            "disposed": disposed,
            "followed": followed,
            "closed": closed,
            "place": place,
            "confidential": confidential,
            "anonymous": anonymous,
            "reporter": None if confidential or anonymous else rng.choice(data["reporter_names"]),
        }

    def state(self, report: dict, now: datetime) -> tuple[str, datetime, str | None]:
        """(status, last change, last follow-up text) at ``now``; the city's own follow-ups win."""
        status, changed, note = "didisposisikan", report["disposed"], None
        if report["followed"] is not None and report["followed"] <= now:
            status, changed, note = "ditindaklanjuti", report["followed"], "Sedang ditangani oleh OPD terkait."
        if report["closed"] is not None and report["closed"] <= now:
            status, changed, note = "selesai", report["closed"], "Laporan telah ditindaklanjuti dan diselesaikan."
        with self.lock:
            for follow_up in self.follow_ups:
                if follow_up["tracking_id"] == report["tracking_id"] and follow_up["received_at"] >= changed:
                    status, changed, note = follow_up["status"], follow_up["received_at"], follow_up["isi"]
        return status, changed, note

    def reports(self) -> list[dict]:
        """Every report disposed to the city by now, of the last ``history``."""
        now = self.now()
        first = int((now - self.history).timestamp()) // self.slot
        last = int(now.timestamp()) // self.slot
        found = []
        for slot in range(first, last + 1):
            report = self.report(slot)
            if report is not None and report["disposed"] <= now:
                found.append(report)
        return found

    def as_wire(self, report: dict) -> dict:
        status, changed, note = self.state(report, self.now())
        tz = self.timezone
        row = {
            "tracking_id": report["tracking_id"],
            "judul": report["title"],
            "isi": report["text"],
            "topik_id": report["topic"]["id"],
            "topik": report["topic"]["topic_name"],
            "status": status,
            "tanggal_laporan": report["reported"].astimezone(tz).isoformat(),
            "tanggal_disposisi": report["disposed"].astimezone(tz).isoformat(),
            "tanggal_update": changed.astimezone(tz).isoformat(),
            "lokasi": report["place"],
            "rahasia": report["confidential"],
            "anonim": report["anonymous"],
            "tindak_lanjut_terakhir": note,
            "url": f"https://www.lapor.go.id/pengaduan/{report['tracking_id']}",
        }
        if report["reporter"]:
            row["pelapor"] = {"nama": report["reporter"]}
        return row

    def disposed_since(self, since: datetime | None) -> list[dict]:
        rows = [self.as_wire(report) for report in self.reports()]
        if since is not None:
            rows = [row for row in rows if datetime.fromisoformat(row["tanggal_update"]) >= since]
        rows.sort(key=lambda row: (datetime.fromisoformat(row["tanggal_update"]), int(row["tracking_id"])))
        return rows


def keytoken_from_environment() -> str:
    token = os.environ.get(KEYTOKEN_VARIABLE, "")
    if not token:
        raise SystemExit(f"The SP4N-LAPOR! simulator needs a key: set {KEYTOKEN_VARIABLE} (the same value the connector uses).")
    return token


def build_simulator(city_dir, clock: Callable[[], float] = time.time, keytoken: str | None = None) -> SimulatorApp:
    model = LaporModel(Path(city_dir), clock=clock)
    token = keytoken if keytoken is not None else keytoken_from_environment()
    app = SimulatorApp("lapor")
    app.model = model

    def refused(request: Request) -> Response | None:
        if request.headers.get("keytoken", "") != token:
            return Response.json({"status": "error", "pesan": "KEYTOKEN tidak valid"}, status=401)
        return None

    def body_of(request: Request) -> dict | None:
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    @app.route("POST", r"/api/services/f01/gettopics")
    def topics(request):
        return refused(request) or Response.json(
            [{"id": t["id"], "parent": t["parent"], "topic_name": t["topic_name"]} for t in model.topics]
        )

    @app.route("POST", r"/api/integrasi/laporan/disposisi")
    def disposed(request):
        if refused(request):
            return refused(request)
        body = body_of(request)
        if body is None or body.get("instansi_id") != model.instansi_id:
            return Response.json({"status": "error", "pesan": "instansi_id tidak dikenal"}, status=400)
        since = None
        if body.get("sejak"):
            try:
                since = datetime.fromisoformat(str(body["sejak"]))
            except ValueError:
                since = None
            if since is None or since.tzinfo is None:
                return Response.json({"status": "error", "pesan": "sejak harus waktu ISO 8601 dengan zona"}, status=400)
        page = body.get("halaman", 1)
        if not isinstance(page, int) or page < 1:
            return Response.json({"status": "error", "pesan": "halaman tidak valid"}, status=400)
        rows = model.disposed_since(since)
        pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
        return Response.json(
            {
                "status": "ok",
                "halaman": page,
                "jumlah_halaman": pages,
                "jumlah": len(rows),
                "data": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            }
        )

    @app.route("POST", r"/api/integrasi/laporan/(?P<tracking_id>[^/]+)/tindaklanjut")
    def follow_up(request, tracking_id):
        if refused(request):
            return refused(request)
        body = body_of(request)
        if body is None or body.get("status") not in ("ditindaklanjuti", "selesai") or not str(body.get("isi", "")).strip():
            return Response.json({"status": "error", "pesan": "status (ditindaklanjuti/selesai) dan isi wajib"}, status=400)
        if tracking_id not in {report["tracking_id"] for report in model.reports()}:
            return Response.json(
                {"status": "error", "pesan": f"laporan {tracking_id} tidak didisposisikan ke instansi ini"}, status=404
            )
        with model.lock:
            model.follow_ups.append(
                {"tracking_id": tracking_id, "status": body["status"], "isi": body["isi"], "received_at": model.now()}
            )
        return Response.json({"status": "ok", "tracking_id": tracking_id})

    return app
