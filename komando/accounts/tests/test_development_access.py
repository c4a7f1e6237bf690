"""Who may see e-Monev development data: the role matrix, end to end through the API, and what a
wrong source password does (a connector error on the source's health; nothing stored changes)."""

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from komando.accounts.access import can_view_development, development_agency_scope
from komando.agencies.models import Agency
from komando.connectors.emonev.coordinator import Coordinator
from komando.connectors.emonev.simulator import build_simulator
from komando.development.models import ProgressMonth, Project
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.selectors import source_health
from komando.sources.simulation import running_simulator

USERNAME, PASSWORD = "bappeda-komando", "right-password-for-tests"
TODAY = date(2026, 10, 20)


@pytest.fixture
def emonev(reference_data):
    """The city's e-Monev simulator, synced once with the right password."""
    app = build_simulator(settings.KOMANDO_CITY_DIR, username=USERNAME, password=PASSWORD, today=TODAY)
    source = Source.objects.select_related("agency").get(slug="emonev")
    with running_simulator(app) as url:
        assert run_source(source, coordinator(url, PASSWORD))
        yield url, source


def coordinator(url, password):
    config = Coordinator.config_class(base_url=url, username=USERNAME, password=password, fiscal_year=TODAY.year)
    return Coordinator(manifests()["emonev"], config)


def test_roles_that_may_see_development(personas):
    assert not can_view_development(AnonymousUser())
    assert not can_view_development(personas["outsider"])
    for name in ["operator", "opd_officer", "executive", "administrator"]:
        assert can_view_development(personas[name]), name
    assert development_agency_scope(personas["opd_officer"]) == Agency.objects.get(code="dinkes").pk
    for name in ["operator", "executive", "administrator"]:
        assert development_agency_scope(personas[name]) is None, name


@pytest.mark.parametrize("url", ["/api/development/", "/api/development/projects/"])
def test_anonymous_api_request_is_refused(client, emonev, url):
    response = client.get(url)
    assert response.status_code in (401, 403)
    assert "budget" not in response.content.decode()


@pytest.mark.parametrize("url", ["/api/development/", "/api/development/projects/"])
def test_outsider_api_request_is_refused(client, emonev, personas, url):
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 403


def test_opd_officer_sees_only_dinkes(client, emonev, personas):
    client.force_login(personas["opd_officer"])
    panel = client.get("/api/development/").json()
    assert [row["agency_code"] for row in panel["by_agency"]] == ["dinkes"]
    dinkes_budget = sum(Project.objects.filter(agency__code="dinkes").values_list("budget", flat=True))
    assert panel["budget_total"] == dinkes_budget
    projects = client.get("/api/development/projects/").json()["projects"]
    assert projects and {row["agency_code"] for row in projects} == {"dinkes"}
    assert client.get("/api/development/projects/?agency=pupr").json()["projects"] == []


def test_executive_sees_every_opd(client, emonev, personas):
    client.force_login(personas["executive"])
    panel = client.get("/api/development/").json()
    assert {row["agency_code"] for row in panel["by_agency"]} == set(Project.objects.values_list("agency__code", flat=True))
    assert len(panel["by_agency"]) > 10
    assert panel["as_of_month"] == "2026-10"


def test_wrong_source_password_is_a_connector_auth_error_and_changes_nothing(emonev):
    url, source = emonev
    stored = (list(Project.objects.order_by("pk").values()), list(ProgressMonth.objects.order_by("pk").values()))
    wrong = "wrong-password-for-tests"
    assert not run_source(source, coordinator(url, wrong))
    health = source_health(Source.objects.select_related("agency").get(pk=source.pk))
    assert health["status"] == "failing"
    assert health["last_error_kind"] == "auth"
    assert "refused the login" in health["last_error"]
    assert wrong not in health["last_error"] and PASSWORD not in health["last_error"]
    assert (list(Project.objects.order_by("pk").values()), list(ProgressMonth.objects.order_by("pk").values())) == stored
