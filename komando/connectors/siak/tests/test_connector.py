"""SIAK connector against its simulator over real HTTP."""

import json
import time
from collections import Counter
from datetime import datetime

import pytest
from django.conf import settings

from komando.connectors.siak.coordinator import Coordinator
from komando.connectors.siak.simulator import build_simulator
from komando.metrics.models import PopulationCount
from komando.metrics.selectors.population import population_panel
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import closed_port, served

STILL = 10**9  # a tick so long the simulated registry does not change during a test


@pytest.fixture
def simulator():
    return build_simulator(settings.KOMANDO_CITY_DIR, tick_seconds=STILL)


@pytest.fixture
def siak(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="siak"), url


def coordinator(url, **options):
    return Coordinator(manifests()["siak"], Coordinator.config_class(base_url=url, **options))


def stored_cells():
    return sorted(PopulationCount.objects.values_list("region__code", "sex", "age_group", "count", "as_of"))


def corrupting(app, mutate):
    """A fault that serves the real kelurahan pages after ``mutate(body)``."""

    def fault(request):
        if "/agregat/kelurahan" not in request.path:
            return None
        body = json.loads(served(app, request).body)
        mutate(body)
        return Response.json(body)

    return fault


@pytest.mark.django_db
def test_run_stores_city_totals_equal_to_simulator(siak, simulator):
    source, url = siak
    assert run_source(source, coordinator(url)) is True

    truth = simulator.registry.totals()
    panel = population_panel()
    assert (panel["total"], panel["male"], panel["female"]) == (truth["total"], truth["male"], truth["female"])
    assert panel["total"] == 1_957_349  # city.json: Kepmendagri 2025
    assert panel["source"] == "siak"
    assert len(panel["by_kecamatan"]) == 13
    assert len(panel["by_kelurahan"]) == 104
    assert all(row["total"] > 0 for row in panel["by_kelurahan"])
    assert panel["as_of"] == simulator.registry.snapshot()[1]
    source.refresh_from_db()
    assert source.last_error == "" and source.records_last_run == 104
    assert source.data_as_of == datetime.fromisoformat(simulator.registry.updated_at())


@pytest.mark.django_db
def test_run_stores_each_kecamatan_as_the_simulator_counts_it(siak, simulator):
    source, url = siak
    assert run_source(source, coordinator(url, page_size=7)) is True  # many pages

    _, _, cells = simulator.registry.snapshot()
    expected = Counter()
    for (code, _sex, _age), count in cells.items():
        expected[code.rsplit(".", 1)[0]] += count
    panel = population_panel()
    assert {row["code"]: row["total"] for row in panel["by_kecamatan"]} == dict(expected)
    cipondoh = next(row for row in panel["by_kecamatan"] if row["code"] == "36.71.05")
    assert cipondoh["density_per_km2"] == round(cipondoh["total"] / cipondoh["area_km2"])
    assert sum(row["total"] for row in panel["by_kelurahan"] if row["kecamatan_code"] == "36.71.05") == cipondoh["total"]


@pytest.mark.django_db
def test_age_sex_pyramid_is_ordered_youngest_first_and_sums_to_total(siak):
    source, url = siak
    run_source(source, coordinator(url))

    panel = population_panel()
    groups = [row["age_group"] for row in panel["by_age_sex"]]
    assert groups[0] == "0-4" and groups[1] == "5-9" and groups[-1] == "75+" and len(groups) == 16
    assert sum(row["male"] for row in panel["by_age_sex"]) == panel["male"]
    assert sum(row["female"] for row in panel["by_age_sex"]) == panel["female"]


@pytest.mark.django_db
def test_run_follows_the_registry_when_residents_are_born_die_or_move(siak, simulator):
    source, url = siak
    run_source(source, coordinator(url))
    simulator.registry.advance(ticks=25)

    assert run_source(source, coordinator(url)) is True
    assert population_panel()["total"] == simulator.registry.totals()["total"]
    source.refresh_from_db()
    assert source.cursor["versi_data"].endswith("-25")


@pytest.mark.django_db
def test_rerun_without_changes_publishes_only_source_health(siak, django_capture_on_commit_callbacks):
    source, url = siak
    with django_capture_on_commit_callbacks() as first:
        run_source(source, coordinator(url))
    with django_capture_on_commit_callbacks() as second:
        run_source(source, coordinator(url))
    assert len(first) == 2  # panel.population + source.health
    assert len(second) == 1  # source.health only: nothing changed


@pytest.mark.django_db
def test_run_retries_when_registry_changes_between_pages(siak, simulator):
    source, url = siak
    changed = {"done": False}

    def change_once_after_first_page(request):
        if request.arg("halaman") == "2" and not changed["done"]:
            changed["done"] = True
            simulator.registry.advance()
        return None

    simulator.fault = change_once_after_first_page
    assert run_source(source, coordinator(url, page_size=60)) is True
    assert population_panel()["total"] == simulator.registry.totals()["total"]


def _drop_field(body):
    del body["data"][3]["rincian"]


def _unknown_region(body):
    if body["halaman"] == 1:
        body["data"][0]["kode_wilayah"] = "36.71.01.1999"


def _count_as_text(body):
    body["data"][2]["rincian"][5]["jumlah"] = str(body["data"][2]["rincian"][5]["jumlah"])


def _unknown_sex(body):
    body["data"][0]["rincian"][0]["jenis_kelamin"] = "X"


def _negative_count(body):
    body["data"][0]["rincian"][0]["jumlah"] = -4


def _duplicate_kelurahan(body):
    body["data"][1] = body["data"][0]


def _update_time_without_zone(body):
    body["diperbarui_pada"] = body["diperbarui_pada"][:19]


def _fewer_rows_than_announced(body):
    if body["halaman"] == 1:
        body["data"].pop()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "kind", "message"),
    [
        (_drop_field, "invalid", "data.3.rincian: Field required"),
        (_unknown_region, "invalid", "unknown region code '36.71.01.1999'"),
        (_count_as_text, "invalid", "data.2.rincian.5.jumlah: Input should be a valid integer"),
        (_unknown_sex, "invalid", "jenis_kelamin"),
        (_negative_count, "invalid", "greater than or equal to 0"),
        (_duplicate_kelurahan, "invalid", "twice"),
        (_fewer_rows_than_announced, "invalid", "announced 104 kelurahan but sent 103"),
        (_update_time_without_zone, "invalid", "diperbarui_pada: Input should have timezone info"),
    ],
)
def test_bad_data_is_refused_and_keeps_stored_population(siak, simulator, mutate, kind, message):
    source, url = siak
    assert run_source(source, coordinator(url)) is True
    before = stored_cells()

    simulator.registry.advance(ticks=3)  # the registry moved on, but what it sends now is bad
    simulator.fault = corrupting(simulator, mutate)
    assert run_source(source, coordinator(url)) is False

    source.refresh_from_db()
    assert source.last_error_kind == kind
    assert message in source.last_error
    assert source.consecutive_failures == 1
    assert stored_cells() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (lambda request: Response(200, b'{"status": "OK", "data": [', "application/json"), "invalid", "malformed JSON"),
        (lambda request: Response(200, b"<html>Gateway</html>", "text/html"), "invalid", "malformed JSON"),
        (lambda request: Response.json({"error": "database down"}, status=500), "server", "HTTP 500"),
        (lambda request: Response.json({"pesan": "akses ditolak"}, status=401), "auth", "HTTP 401"),
        (lambda request: Response.json([1, 2, 3]), "invalid", "SIAK kelurahan page 1"),
    ],
)
def test_broken_responses_are_refused_and_keep_stored_population(siak, simulator, fault, kind, message):
    source, url = siak
    run_source(source, coordinator(url))
    before = stored_cells()

    simulator.fault = fault
    assert run_source(source, coordinator(url)) is False

    source.refresh_from_db()
    assert (source.last_error_kind, message in source.last_error) == (kind, True), source.last_error
    assert stored_cells() == before


@pytest.mark.django_db
def test_unreachable_server_is_reported_and_keeps_stored_population(siak):
    source, url = siak
    run_source(source, coordinator(url))
    before = stored_cells()
    port = closed_port()

    assert run_source(source, coordinator(f"http://127.0.0.1:{port}")) is False

    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert f"127.0.0.1:{port}" in source.last_error
    assert stored_cells() == before


@pytest.mark.django_db
def test_slow_server_times_out_as_unreachable(siak, simulator):
    source, url = siak

    def slow(request):
        time.sleep(1.0)
        return None

    simulator.fault = slow
    assert run_source(source, coordinator(url, timeout_seconds=0.3)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "did not answer within 0.3 s" in source.last_error
    assert PopulationCount.objects.count() == 0


@pytest.mark.django_db
def test_source_recovers_after_failure(siak, simulator):
    source, url = siak
    simulator.fault = lambda request: Response.json({}, status=503)
    assert run_source(source, coordinator(url)) is False
    simulator.fault = None
    assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert population_panel()["total"] == simulator.registry.totals()["total"]
