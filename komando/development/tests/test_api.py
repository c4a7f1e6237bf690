"""GET /api/development/… : login and a role required; OPD officers see their own OPD only."""

import pytest

from komando.development.models import Project

ENDPOINTS = ["/api/development/", "/api/development/projects/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_request_is_refused(client, development_data, url):
    response = client.get(url)
    assert response.status_code in (401, 403)
    assert b"dinkes" not in response.content.lower()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_outsider_without_role_is_refused(client, development_data, personas, url):
    client.force_login(personas["outsider"])
    response = client.get(url)
    assert response.status_code == 403
    assert b"budget" not in response.content


def test_wrong_basic_credentials_are_refused(client, development_data, personas):
    import base64

    token = base64.b64encode(b"executive:wrong-password").decode()
    response = client.get("/api/development/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    assert b"budget" not in response.content


def test_opd_officer_sees_only_dinkes(client, development_data, personas):
    client.force_login(personas["opd_officer"])
    panel = client.get("/api/development/").json()
    assert [row["agency_code"] for row in panel["by_agency"]] == ["dinkes"]
    projects = client.get("/api/development/projects/").json()["projects"]
    assert {row["agency_code"] for row in projects} == {"dinkes"}
    other = Project.objects.get(source_ref="PU-1")
    assert client.get(f"/api/development/projects/{other.id}/curve/").status_code == 404


def test_executive_sees_every_opd(client, development_data, personas):
    client.force_login(personas["executive"])
    response = client.get("/api/development/")
    assert response.status_code == 200
    assert {row["agency_code"] for row in response.json()["by_agency"]} == {"dinkes", "pupr", "dishub"}
    projects = client.get("/api/development/projects/?status=kritis").json()["projects"]
    assert [row["source_ref"] for row in projects] == ["DK-2"]
    curve = client.get(f"/api/development/projects/{projects[0]['id']}/curve/").json()
    assert len(curve["months"]) == 4


def test_unknown_status_filter_is_a_bad_request(client, development_data, personas):
    client.force_login(personas["executive"])
    assert client.get("/api/development/projects/?status=bagus").status_code == 400


def test_openapi_documents_development_endpoints(client, db):
    document = client.get("/api/openapi.json").json()
    for path in ["/api/development/", "/api/development/projects/", "/api/development/projects/{project_id}/curve/"]:
        assert path in document["paths"], path
    panel_schema = document["components"]["schemas"]["DevelopmentPanel"]
    assert set(panel_schema["properties"]) == {"source", "fiscal_year", "as_of_month", "budget_total", "by_agency"}
