"""e-Monev connector against its simulator over real HTTP."""

import json
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings

from komando.connectors.emonev.config import EmonevConfig
from komando.connectors.emonev.simulator import build_simulator, progress_rows
from komando.connectors.emonev.tests.conftest import (
    TEST_PASSWORD,
    TEST_USERNAME,
    TODAY,
    make_coordinator,
    tamper_kegiatan,
)
from komando.development.models import ProgressMonth, Project
from komando.development.progress import STATUSES
from komando.development.selectors import development_panel_for_scope
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response

CITY_PROJECTS = json.loads((settings.KOMANDO_CITY_DIR / "simulators" / "emonev.json").read_text())["kegiatan"]


def stored_state() -> list[tuple]:
    projects = list(
        Project.objects.order_by("source_ref").values_list(
            "source_ref", "agency__code", "name", "budget", "region__code", "lat", "lon", "fiscal_year"
        )
    )
    months = list(
        ProgressMonth.objects.order_by("project__source_ref", "month").values_list(
            "project__source_ref", "month", "planned_physical", "realised_physical", "planned_financial", "realised_financial"
        )
    )
    return projects + months


@pytest.fixture
def synced(emonev_url, emonev_source):
    assert run_source(emonev_source, make_coordinator(emonev_url, page_size=20))
    return stored_state()


def test_sync_stores_every_project_with_twelve_months(synced, emonev_source):
    emonev_source.refresh_from_db()
    assert Project.objects.count() == len(CITY_PROJECTS)
    assert ProgressMonth.objects.count() == len(CITY_PROJECTS) * 12
    assert emonev_source.records_last_run == len(CITY_PROJECTS)
    assert emonev_source.consecutive_failures == 0 and emonev_source.last_success_at is not None
    assert emonev_source.data_as_of is not None
    # Realisation is reported up to the current month only.
    assert not ProgressMonth.objects.filter(month__gt=TODAY.replace(day=1), realised_physical__isnull=False).exists()
    assert not ProgressMonth.objects.filter(month__lte=TODAY.replace(day=1), realised_physical__isnull=True).exists()


def test_stored_progress_equals_what_the_simulator_served(synced):
    source_item = CITY_PROJECTS[1]
    project = Project.objects.get(source_ref=f"{TODAY.year}{source_item['id']}")
    assert project.budget == source_item["pagu"]
    assert project.agency.code == source_item["kode_opd"]
    assert project.region.code == source_item["lokasi"]["kode_kelurahan"]
    served = progress_rows(source_item, TODAY.month, 20)
    stored = list(project.progress.order_by("month"))
    assert [row.month.month for row in stored] == [row["bulan"] for row in served]
    for row, expected in zip(stored, served, strict=True):
        assert row.planned_physical == Decimal(str(expected["rencana_fisik"]))
        assert row.planned_financial == Decimal(str(expected["rencana_keuangan"]))
        if expected["realisasi_fisik"] is None:
            assert row.realised_physical is None
        else:
            assert row.realised_physical == Decimal(str(expected["realisasi_fisik"]))


def test_projects_without_location_are_stored_without_region(synced):
    without = [item for item in CITY_PROJECTS if not item.get("lokasi")]
    assert without, "the city data should have non-located kegiatan (e.g. procurement)"
    project = Project.objects.get(source_ref=f"{TODAY.year}{without[0]['id']}")
    assert project.region is None and project.lat is None


def test_city_data_has_every_status_in_the_middle_of_the_year(synced):
    statuses = Counter()
    from komando.development.selectors import _project_rows, _scoped_projects, reporting_period

    year, as_of = reporting_period()
    for row in _project_rows(_scoped_projects(None), year, as_of):
        statuses[row["status"]] += 1
    assert set(statuses) == set(STATUSES), statuses
    panel = development_panel_for_scope(None)
    assert panel["as_of_month"] == TODAY.strftime("%Y-%m")
    assert panel["budget_total"] == sum(item["pagu"] for item in CITY_PROJECTS)


def test_second_identical_sync_changes_nothing_and_sends_no_event(
    synced, emonev_url, emonev_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert run_source(emonev_source, make_coordinator(emonev_url))
    # Only the runner's source.health event; no panel.development.
    assert len(callbacks) == 1
    assert stored_state() == synced


def test_sync_with_changes_publishes_panels(synced, emonev_app, emonev_url, emonev_source, django_capture_on_commit_callbacks):
    def raise_one_budget(body):
        for item in body["data"]:
            if item["id_kegiatan"].endswith("0001"):
                item["pagu"] += 1_000_000

    tamper_kegiatan(emonev_app, raise_one_budget)
    with django_capture_on_commit_callbacks() as callbacks:
        assert run_source(emonev_source, make_coordinator(emonev_url, page_size=100))
    agencies_with_projects = Project.objects.values("agency").distinct().count()
    assert len(callbacks) == 1 + 1 + agencies_with_projects  # health, unscoped panel, one per OPD


def test_projects_the_source_no_longer_lists_are_removed(synced, emonev_app, emonev_url, emonev_source):
    def drop_first(body):
        body["data"] = [item for item in body["data"] if not item["id_kegiatan"].endswith("0001")]
        body["total"] -= 1

    tamper_kegiatan(emonev_app, drop_first)
    assert run_source(emonev_source, make_coordinator(emonev_url, page_size=100))
    assert Project.objects.count() == len(CITY_PROJECTS) - 1
    assert not Project.objects.filter(source_ref=f"{TODAY.year}0001").exists()


def test_expired_token_is_renewed_once(synced, emonev_app, emonev_url, emonev_source):
    expired = {"done": False}

    def expire_once(request):
        if request.path == "/api/v1/kegiatan" and request.arg("page") == "2" and not expired["done"]:
            expired["done"] = True
            emonev_app.tokens.clear()
        return None

    emonev_app.fault = expire_once
    assert run_source(emonev_source, make_coordinator(emonev_url, page_size=20))
    assert expired["done"]
    assert stored_state() == synced


# --- credentials -----------------------------------------------------------------------------


def assert_auth_failure_kept_data(source, before, password):
    source.refresh_from_db()
    assert source.last_error_kind == "auth"
    assert "KOMANDO_EMONEV_PASSWORD" in source.last_error
    assert password not in source.last_error
    assert stored_state() == before


def test_wrong_password_shows_auth_error_and_changes_nothing(synced, emonev_url, emonev_source):
    wrong = "not-the-password-123"
    assert not run_source(emonev_source, make_coordinator(emonev_url, password=wrong))
    assert_auth_failure_kept_data(emonev_source, synced, wrong)
    assert "refused the login" in emonev_source.last_error
    assert TEST_USERNAME in emonev_source.last_error


def test_missing_credentials_show_auth_error(emonev_url, emonev_source):
    assert not run_source(emonev_source, make_coordinator(emonev_url, username="", password=""))
    emonev_source.refresh_from_db()
    assert emonev_source.last_error_kind == "auth"
    assert "no e-Monev credentials configured" in emonev_source.last_error
    assert Project.objects.count() == 0


def test_forbidden_data_shows_auth_error_and_changes_nothing(synced, emonev_app, emonev_url, emonev_source):
    emonev_app.fault = lambda request: (
        Response.json({"message": "Akses ditolak"}, status=403) if request.path == "/api/v1/kegiatan" else None
    )
    assert not run_source(emonev_source, make_coordinator(emonev_url))
    assert_auth_failure_kept_data(emonev_source, synced, TEST_PASSWORD)
    assert "HTTP 403" in emonev_source.last_error


def test_password_is_never_shown_by_config_or_client(emonev_url, monkeypatch):
    monkeypatch.setenv("KOMANDO_EMONEV_USERNAME", TEST_USERNAME)
    monkeypatch.setenv("KOMANDO_EMONEV_PASSWORD", TEST_PASSWORD)
    config = EmonevConfig.from_environment(manifests()["emonev"])
    assert config.password.get_secret_value() == TEST_PASSWORD
    assert TEST_PASSWORD not in repr(config) and TEST_PASSWORD not in str(config)
    assert TEST_PASSWORD not in config.model_dump_json()
    from komando.connectors.emonev.client import EmonevClient

    assert TEST_PASSWORD not in repr(EmonevClient(emonev_url, TEST_USERNAME, TEST_PASSWORD))


def test_simulator_refuses_to_start_without_credentials(monkeypatch):
    monkeypatch.delenv("KOMANDO_EMONEV_USERNAME", raising=False)
    monkeypatch.delenv("KOMANDO_EMONEV_PASSWORD", raising=False)
    with pytest.raises(SystemExit) as refused:
        build_simulator(settings.KOMANDO_CITY_DIR)
    assert "KOMANDO_EMONEV_USERNAME" in str(refused.value) and "KOMANDO_EMONEV_PASSWORD" in str(refused.value)


def test_simulator_reads_credentials_from_environment(monkeypatch):
    monkeypatch.setenv("KOMANDO_EMONEV_USERNAME", "env-user")
    monkeypatch.setenv("KOMANDO_EMONEV_PASSWORD", "env-password-42")
    app = build_simulator(settings.KOMANDO_CITY_DIR, today=TODAY)
    from komando.sources.simulation import running_simulator

    with running_simulator(app) as url:
        coordinator = make_coordinator(url, username="env-user", password="env-password-42")
        result = coordinator.fetch({})
    assert result.records == len(CITY_PROJECTS)


# --- bad input: a clear error on the source's health, and nothing stored changes -------------


def _first_item(body):
    return body["data"][0]


BAD_ANSWERS = {
    "malformed JSON": ("invalid", lambda body: b'{"tahun": 2026, "data": [', "malformed JSON"),
    "missing pagu": ("invalid", lambda body: _first_item(body).pop("pagu"), "pagu: Field required"),
    "missing progress": ("invalid", lambda body: _first_item(body).pop("progres"), "progres: Field required"),
    "pagu of the wrong type": ("invalid", lambda body: _first_item(body).update(pagu="banyak"), "pagu"),
    "percent above 100": ("invalid", lambda body: _first_item(body)["progres"][0].update(rencana_fisik=140), "rencana_fisik"),
    "month out of range": ("invalid", lambda body: _first_item(body)["progres"][0].update(bulan=13), "bulan"),
    "data not a list": ("invalid", lambda body: body.update(data={"oops": 1}), "data"),
    "unknown OPD code": (
        "invalid",
        lambda body: _first_item(body).update(kode_opd="dinas-antah-berantah"),
        "unknown OPD code 'dinas-antah-berantah'",
    ),
    "unknown kelurahan code": (
        "invalid",
        lambda body: _first_item(body).update(lokasi={"kode_kelurahan": "36.71.99.9999", "lat": -6.2, "lon": 106.6}),
        "unknown kelurahan code '36.71.99.9999'",
    ),
    "wrong fiscal year": ("invalid", lambda body: body.update(tahun=1999), "fiscal year 1999"),
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_bad_answer_shows_clear_error_and_keeps_data(case, synced, emonev_app, emonev_url, emonev_source):
    kind, change, message = BAD_ANSWERS[case]
    tamper_kegiatan(emonev_app, change)
    assert not run_source(emonev_source, make_coordinator(emonev_url, page_size=100))
    emonev_source.refresh_from_db()
    assert emonev_source.last_error_kind == kind
    assert message in emonev_source.last_error
    assert emonev_source.consecutive_failures == 1
    assert stored_state() == synced


def test_server_error_shows_on_health_and_keeps_data(synced, emonev_app, emonev_url, emonev_source):
    emonev_app.fault = lambda request: Response.json({"error": "database down"}, status=500)
    assert not run_source(emonev_source, make_coordinator(emonev_url))
    emonev_source.refresh_from_db()
    assert emonev_source.last_error_kind == "server"
    assert "HTTP 500" in emonev_source.last_error
    assert stored_state() == synced


def test_timeout_shows_unreachable_and_keeps_data(synced, emonev_app, emonev_url, emonev_source):
    def slow(request):
        time.sleep(1.0)
        return None

    emonev_app.fault = slow
    assert not run_source(emonev_source, make_coordinator(emonev_url, timeout_seconds=0.3))
    emonev_source.refresh_from_db()
    assert emonev_source.last_error_kind == "unreachable"
    assert "did not answer within 0.3 s" in emonev_source.last_error
    assert stored_state() == synced


def test_stopped_server_shows_unreachable(emonev_source):
    from komando.sources.simulation import running_simulator

    app = build_simulator(settings.KOMANDO_CITY_DIR, username=TEST_USERNAME, password=TEST_PASSWORD, today=TODAY)
    with running_simulator(app) as url:
        pass  # the server is gone once the block ends
    assert not run_source(emonev_source, make_coordinator(url))
    emonev_source.refresh_from_db()
    assert emonev_source.last_error_kind == "unreachable"
    assert "unreachable" in emonev_source.last_error
