"""The population API, filled by the SIAK connector from its simulator."""

import pytest
from django.conf import settings

from komando.connectors.siak.coordinator import Coordinator
from komando.connectors.siak.simulator import build_simulator
from komando.metrics.selectors.population import population_panel
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import running_simulator


@pytest.fixture
def population(reference_data):
    app = build_simulator(settings.KOMANDO_CITY_DIR, tick_seconds=10**9)
    with running_simulator(app) as url:
        coordinator = Coordinator(manifests()["siak"], Coordinator.config_class(base_url=url))
        assert run_source(Source.objects.get(slug="siak"), coordinator)
    return app


@pytest.mark.django_db
def test_population_panel_is_public_and_equals_the_selector(client, population):
    response = client.get("/api/population/")
    assert response.status_code == 200
    body = response.json()
    assert body == population_panel()
    assert body["total"] == population.registry.totals()["total"]


@pytest.mark.django_db
def test_population_panel_before_first_run_is_empty_not_an_error(client, reference_data):
    body = client.get("/api/population/").json()
    assert body["as_of"] is None and body["total"] == 0
    assert len(body["by_kecamatan"]) == 13 and body["by_age_sex"] == []


@pytest.mark.django_db
def test_kecamatan_breakdown_lists_its_kelurahan_with_age_and_sex(client, population):
    response = client.get("/api/population/kecamatan/36.71.06/")
    assert response.status_code == 200
    body = response.json()
    panel_row = next(r for r in population_panel()["by_kecamatan"] if r["code"] == "36.71.06")
    assert (body["name"], body["total"], body["male"], body["female"]) == (
        "Ciledug",
        panel_row["total"],
        panel_row["male"],
        panel_row["female"],
    )
    assert len(body["kelurahan"]) == 8
    assert sum(k["total"] for k in body["kelurahan"]) == body["total"]
    first = body["kelurahan"][0]
    assert [g["age_group"] for g in first["by_age_sex"]][:3] == ["0-4", "5-9", "10-14"]
    assert sum(g["male"] + g["female"] for g in first["by_age_sex"]) == first["total"]


@pytest.mark.django_db
def test_unknown_kecamatan_is_not_found(client, population):
    response = client.get("/api/population/kecamatan/36.71.99/")
    assert response.status_code == 404
    assert "36.71.99" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_openapi_documents_population_endpoints(client, reference_data):
    schema = client.get("/api/openapi.json").json()
    panel = schema["paths"]["/api/population/"]["get"]
    assert "200" in panel["responses"]
    detail = schema["paths"]["/api/population/kecamatan/{code}/"]["get"]
    assert {"200", "404"} <= set(detail["responses"])
    assert "by_age_sex" in schema["components"]["schemas"]["PopulationPanel"]["properties"]
