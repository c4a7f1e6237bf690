"""The cameras API and the snapshot proxy, filled by the ATCS connector from its simulator."""

import io

import pytest
from django.conf import settings
from PIL import Image

from komando.assets.models import Asset
from komando.connectors.atcs.coordinator import Coordinator
from komando.connectors.atcs.simulator import build_simulator
from komando.metrics.selectors.traffic import traffic_panel
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import closed_port


@pytest.fixture
def simulator():
    return build_simulator(settings.KOMANDO_CITY_DIR)


@pytest.fixture
def cameras(reference_data, simulator):
    with running_simulator(simulator) as url:
        coordinator = Coordinator(manifests()["atcs"], Coordinator.config_class(base_url=url))
        assert run_source(Source.objects.get(slug="atcs"), coordinator)
        yield url


def online_camera(simulator):
    for camera in Asset.objects.filter(kind="camera", online=True).order_by("source_ref"):
        return camera
    pytest.fail("the simulator has no camera online")


@pytest.mark.django_db
def test_cameras_panel_is_public_and_equals_the_selector(client, cameras):
    response = client.get("/api/cameras/")
    assert response.status_code == 200
    body = response.json()
    assert body == traffic_panel()
    assert len(body["cameras"]) == 16


@pytest.mark.django_db
def test_snapshot_proxy_returns_a_fresh_jpeg_each_time(client, cameras, simulator):
    camera = online_camera(simulator)
    first = client.get(f"/api/cameras/{camera.pk}/snapshot.jpg", HTTP_ACCEPT="image/avif,image/webp,*/*")
    second = client.get(f"/api/cameras/{camera.pk}/snapshot.jpg")

    for response in (first, second):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "no-store"
    assert first.content != second.content
    picture = Image.open(io.BytesIO(first.content))
    assert (picture.format, picture.size) == ("JPEG", (640, 360))


@pytest.mark.django_db
def test_snapshot_proxy_answers_json_clients_too(client, cameras, simulator):
    camera = online_camera(simulator)
    response = client.get(f"/api/cameras/{camera.pk}/snapshot.jpg", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_snapshot_of_unknown_camera_is_not_found(client, cameras):
    response = client.get("/api/cameras/999999/snapshot.jpg")
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


@pytest.mark.django_db
def test_snapshot_proxy_reports_a_camera_without_picture_as_bad_gateway(client, cameras, simulator):
    camera = online_camera(simulator)
    simulator.fault = lambda request: Response.json({"pesan": "kamera offline"}, status=503)
    response = client.get(f"/api/cameras/{camera.pk}/snapshot.jpg")
    assert response.status_code == 502
    assert response["Cache-Control"] == "no-store"
    assert "HTTP 503" in response.json()["detail"]


@pytest.mark.django_db
def test_snapshot_proxy_reports_an_unreachable_source_as_bad_gateway(client, cameras, simulator):
    camera = online_camera(simulator)
    port = closed_port()
    camera.attributes["snapshot_url"] = f"http://127.0.0.1:{port}/snapshot/x.jpg"
    camera.save()
    indonesian = client.get(f"/api/cameras/{camera.pk}/snapshot.jpg")  # the installation's language
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/api/cameras/{camera.pk}/snapshot.jpg")
    assert (indonesian.status_code, english.status_code) == (502, 502)
    assert english.json()["detail"] == "The camera's source cannot be reached."
    assert indonesian.json()["detail"] not in ("", english.json()["detail"])


@pytest.mark.django_db
def test_openapi_documents_cameras_and_snapshot(client, reference_data):
    schema = client.get("/api/openapi.json").json()
    assert "200" in schema["paths"]["/api/cameras/"]["get"]["responses"]
    snapshot = schema["paths"]["/api/cameras/{camera_id}/snapshot.jpg"]["get"]["responses"]
    assert "image/jpeg" in snapshot["200"]["content"]
    assert {"404", "502"} <= set(snapshot)
    assert "congestion" in schema["components"]["schemas"]["CameraState"]["properties"]
