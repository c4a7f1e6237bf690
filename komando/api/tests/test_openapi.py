import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = [
    "/api/regions/",
    "/api/sources/",
    "/api/population/",
    "/api/health/today/",
    "/api/cameras/",
    "/api/development/",
]


def test_openapi_document_is_valid_openapi_3_and_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # raises on an invalid OpenAPI 3 document
    missing = [path for path in EXPECTED_PATHS if path not in document["paths"]]
    assert not missing, f"undocumented endpoints: {missing}"


def test_development_endpoint_is_documented_as_needing_authentication(client):
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/development/"]["get"]
    assert operation.get("security"), "development data must be documented as authenticated"
    assert {"cookieAuth"} & {key for item in operation["security"] for key in item} or {"basicAuth"} & {
        key for item in operation["security"] for key in item
    }
