"""A simulated e-Monev ("Evaluasi dan Pelaporan", Bappeda): a JSON API behind a login.

API (shaped like the regional e-Monev/SIPD-style reporting services):

- ``POST /api/v1/auth/login`` with JSON ``{"username", "password"}`` → ``{"access_token",
  "token_type": "Bearer", "expires_in"}``; wrong credentials → 401.
- ``GET /api/v1/kegiatan?tahun=YYYY&page=N&per_page=M`` with ``Authorization: Bearer <token>`` →
  ``{"tahun", "bulan_berjalan", "diperbarui", "page", "per_page", "total", "data": [kegiatan…]}``.
  A kegiatan: ``id_kegiatan, kode_sub_kegiatan, nama_sub_kegiatan, kode_opd, nama_opd, pagu (Rupiah),
  lokasi {kode_kelurahan, lat, lon} | null, progres [{bulan, rencana_fisik, realisasi_fisik,
  rencana_keuangan, realisasi_keuangan}]`` (cumulative percent; realisasi is null after the current month).

The city's kegiatan come from ``<city_dir>/simulators/emonev.json``: planned months of work and how
far each one lags; the monthly S-curves are derived from those. Credentials come from the same
environment variables the connector reads (``KOMANDO_EMONEV_USERNAME`` / ``KOMANDO_EMONEV_PASSWORD``).
"""

from __future__ import annotations

import csv
import hmac
import json
import os
import secrets
import time
from datetime import date, datetime
from pathlib import Path

from komando.core.clock import city_zone
from komando.sources.simulation import Request, Response, SimulatorApp

TOKEN_LIFETIME_SECONDS = 3600
MAX_PAGE_SIZE = 100
USERNAME_VARIABLE = "KOMANDO_EMONEV_USERNAME"
PASSWORD_VARIABLE = "KOMANDO_EMONEV_PASSWORD"


# --- S-curves -------------------------------------------------------------------------------


def planned_physical(t: float, start_month: int, end_month: int) -> float:
    """Cumulative planned physical progress (%) at time ``t`` in months since 1 January
    (t = m is the end of month m): a smooth S between the start of ``start_month`` and the end
    of ``end_month``."""
    span = end_month - start_month + 1
    x = min(1.0, max(0.0, (t - (start_month - 1)) / span))
    return 100.0 * x * x * (3 - 2 * x)


def realised_physical(month: int, start_month: int, end_month: int, lag_months: float, stopped_after: int | None) -> float:
    effective = min(month, stopped_after) if stopped_after else month
    return planned_physical(effective - lag_months, start_month, end_month)


def financial_from_physical(
    month: int, physical_previous_month: float, physical_this_month: float, start_month: int, advance_percent: float
) -> float:
    """Payments follow work: an advance (uang muka) when work starts, then monthly progress
    payments one month behind the work, and the rest when the work is complete."""
    if month < start_month:
        return 0.0
    if physical_this_month >= 100.0:
        return 100.0
    return min(100.0, advance_percent + (100.0 - advance_percent) * physical_previous_month / 100.0)


def progress_rows(kegiatan: dict, current_month: int, advance_percent: float) -> list[dict]:
    start, end = kegiatan["mulai_bulan"], kegiatan["selesai_bulan"]
    lag = float(kegiatan.get("keterlambatan_bulan", 0.0))
    stopped = kegiatan.get("terhenti_sejak_bulan")
    rows = []
    for month in range(1, 13):
        plan = planned_physical(month, start, end)
        plan_previous = planned_physical(month - 1, start, end)
        row = {
            "bulan": month,
            "rencana_fisik": round(plan, 2),
            "realisasi_fisik": None,
            "rencana_keuangan": round(financial_from_physical(month, plan_previous, plan, start, advance_percent), 2),
            "realisasi_keuangan": None,
        }
        if month <= current_month:
            real = realised_physical(month, start, end, lag, stopped)
            real_previous = realised_physical(month - 1, start, end, lag, stopped)
            row["realisasi_fisik"] = round(real, 2)
            paid_from = start + (1 if lag >= 1 else 0)  # a late contract gets its advance late too
            row["realisasi_keuangan"] = round(financial_from_physical(month, real_previous, real, paid_from, advance_percent), 2)
        rows.append(row)
    return rows


# --- The application ------------------------------------------------------------------------


def _agency_names(city_dir: Path) -> dict[str, str]:
    path = city_dir / "agencies.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def credentials_from_environment() -> tuple[str, str]:
    username = os.environ.get(USERNAME_VARIABLE, "")
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not username or not password:
        raise SystemExit(
            f"The e-Monev simulator needs credentials: set {USERNAME_VARIABLE} and {PASSWORD_VARIABLE} "
            "(the connector reads the same variables). `make demo` creates them in var/demo-secrets.json."
        )
    return username, password


def build_simulator(
    city_dir, *, username: str | None = None, password: str | None = None, today=None, clock=time.monotonic
) -> SimulatorApp:
    """The simulated e-Monev. ``username``/``password`` default to the environment (tests pass them);
    ``today`` (a date, or a callable returning one) fixes the current month (default: today in WIB)."""
    if username is None or password is None:
        username, password = credentials_from_environment()
    city_dir = Path(city_dir)
    document = json.loads((city_dir / "simulators" / "emonev.json").read_text(encoding="utf-8"))
    advance_percent = float(document.get("uang_muka_persen", 20))
    agency_names = _agency_names(city_dir)
    tokens: dict[str, float] = {}

    def current_date() -> date:
        if today is None:
            return datetime.now(city_zone()).date()
        return today() if callable(today) else today

    app = SimulatorApp("emonev")
    app.tokens = tokens  # tests expire tokens to exercise re-login

    @app.route("POST", r"/api/v1/auth/login")
    def login(request: Request) -> Response:
        try:
            body = request.json() or {}
            given_user, given_password = str(body.get("username", "")), str(body.get("password", ""))
        except (ValueError, AttributeError):
            return Response.json({"status": "error", "message": "Permintaan tidak valid"}, status=400)
        if not (hmac.compare_digest(given_user, username) and hmac.compare_digest(given_password, password)):
            return Response.json({"status": "error", "message": "Username atau password salah"}, status=401)
        token = secrets.token_urlsafe(24)
        tokens[token] = clock() + TOKEN_LIFETIME_SECONDS
        return Response.json({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS})

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return False
        expires = tokens.get(header[7:].strip())
        return expires is not None and expires > clock()

    @app.route("GET", r"/api/v1/kegiatan")
    def kegiatan(request: Request) -> Response:
        if not authorised(request):
            return Response.json({"status": "error", "message": "Token tidak valid atau kedaluwarsa"}, status=401)
        today_wib = current_date()
        try:
            year = int(request.arg("tahun") or today_wib.year)
            page = max(1, int(request.arg("page") or 1))
            per_page = min(MAX_PAGE_SIZE, max(1, int(request.arg("per_page") or 25)))
        except ValueError:
            return Response.json({"status": "error", "message": "Parameter tidak valid"}, status=400)
        if year > today_wib.year:
            items, current_month = [], 0
        else:
            items = document["kegiatan"]
            current_month = today_wib.month if year == today_wib.year else 12
        rows = []
        for item in items[(page - 1) * per_page : page * per_page]:
            rows.append(
                {
                    "id_kegiatan": f"{year}{item['id']}",
                    "kode_sub_kegiatan": item["kode_sub_kegiatan"],
                    "nama_sub_kegiatan": item["nama_sub_kegiatan"],
                    "kode_opd": item["kode_opd"],
                    "nama_opd": agency_names.get(item["kode_opd"], item["kode_opd"]),
                    "pagu": item["pagu"],
                    "lokasi": item.get("lokasi"),
                    "progres": progress_rows(item, current_month, advance_percent),
                }
            )
        if today is None:
            updated = datetime.now(city_zone()).replace(second=0, microsecond=0)
        else:
            updated = datetime.combine(today_wib, datetime.min.time(), tzinfo=city_zone())
        return Response.json(
            {
                "tahun": year,
                "bulan_berjalan": current_month,
                "diperbarui": updated.isoformat(),
                "page": page,
                "per_page": per_page,
                "total": len(items),
                "data": rows,
            }
        )

    return app
