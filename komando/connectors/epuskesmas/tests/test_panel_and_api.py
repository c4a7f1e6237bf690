"""The health panel (selector, live event) and its REST API, fed by a real connector run."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from komando.core import events
from komando.metrics.selectors.health import health_panel
from komando.sources.runner import run_source

TODAY = date(2026, 11, 23)


@pytest.fixture
def ran(source, simulator_url, make_coordinator):
    assert run_source(source, make_coordinator(simulator_url)) is True
    return source


def test_health_panel_follows_the_contract(ran):
    panel = health_panel(TODAY, exact=True)  # the contract; the public sees small counts as "<5"
    assert set(panel) == {
        "source",
        "date",
        "visits_total",
        "facilities_reporting",
        "facilities_total",
        "by_poli",
        "top_diagnoses",
        "top_drugs",
        "by_facility",
    }
    assert panel["source"] == "epuskesmas" and panel["date"] == "2026-11-23"
    assert panel["visits_total"] == sum(row["count"] for row in panel["by_poli"]) > 0
    assert panel["facilities_total"] == 39 and 0 < panel["facilities_reporting"] <= 39
    counts = [row["count"] for row in panel["by_poli"]]
    assert counts == sorted(counts, reverse=True) and panel["by_poli"][0]["poli"] == "Poli Umum"
    for key in ("top_diagnoses", "top_drugs"):
        rows = panel[key]
        expected_keys = {"code", "name", "name_id", "count"} if key == "top_diagnoses" else {"code", "name", "count"}
        assert len(rows) == 10 and set(rows[0]) == expected_keys
        assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    assert panel["top_diagnoses"][0]["name"]  # ICD-10 names shown (WHO English, as coded)
    assert panel["top_diagnoses"][0]["name_id"]  # and their Indonesian names for Indonesian screens
    facility = panel["by_facility"][0]
    assert set(facility) == {"id", "name", "lat", "lon", "kecamatan_code", "visits"}
    assert facility["kecamatan_code"].count(".") == 2 and facility["kecamatan_code"].startswith("36.71.")
    assert sum(row["visits"] for row in panel["by_facility"]) == panel["visits_total"]


def test_health_panel_of_a_day_without_data_is_empty_but_lists_the_puskesmas(ran):
    panel = health_panel(date(2026, 11, 1))
    assert panel["visits_total"] == 0 and panel["facilities_reporting"] == 0
    assert panel["top_diagnoses"] == [] and panel["facilities_total"] == 39


def test_a_run_sends_the_health_panel_once_on_commit(
    source, simulator_url, make_coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(events, "publish", sent.append)  # the bus itself, not our code under test
    with django_capture_on_commit_callbacks(execute=True):
        assert run_source(source, make_coordinator(simulator_url)) is True
    panels = [event for event in sent if event.type == "panel.health"]
    assert len(panels) == 1
    assert panels[0].data["source"] == "epuskesmas"


def test_api_health_by_date_returns_the_panel(ran):
    response = Client().get("/api/health/", {"date": "2026-11-23"})
    assert response.status_code == 200
    assert response.json() == health_panel(TODAY)


def test_api_health_today_is_public(ran):
    response = Client().get("/api/health/today/")
    assert response.status_code == 200
    assert response.json()["source"] == "epuskesmas"


@pytest.mark.parametrize("bad", ["", "23-11-2026", "2026-13-01", "2026-11-23T00:00", "today"])
def test_api_health_rejects_a_bad_date(db, bad):
    response = Client().get("/api/health/", {"date": bad})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.json()["detail"]


def test_openapi_documents_the_health_endpoints(db):
    schema = Client().get("/api/openapi.json").json()
    assert "/api/health/today/" in schema["paths"] and "/api/health/" in schema["paths"]
    parameters = schema["paths"]["/api/health/"]["get"]["parameters"]
    assert any(p["name"] == "date" and p["required"] for p in parameters)
