import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def embedded_state(response) -> dict:
    match = re.search(rb'<script id="pis-state" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the page embeds its initial state"
    return json.loads(match.group(1))


def test_pis_renders_in_indonesian_for_anonymous_visitor(reference_data):
    response = Client().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Kota Tangerang" in html
    assert "Menunggu data…" in html
    assert "Masuk untuk melihat progres pembangunan" in html
    assert 'id="panel-development"' not in html
    state = embedded_state(response)
    assert state["can_view_development"] is False
    assert state["development"] is None
    assert len([s for s in state["sources"] if s["group"] != "external"]) == 13
    assert {"population", "health", "traffic", "city", "server_time"} <= set(state)


def test_pis_shows_development_panel_to_operator(personas):
    client = Client()
    client.force_login(personas["operator"])
    response = client.get("/")
    html = response.content.decode()
    assert 'id="panel-development"' in html
    assert "Masuk untuk melihat progres pembangunan" not in html
    assert embedded_state(response)["can_view_development"] is True


def test_pis_keeps_development_hidden_from_user_without_role(personas):
    client = Client()
    client.force_login(personas["outsider"])
    response = client.get("/")
    html = response.content.decode()
    assert 'id="panel-development"' not in html
    assert embedded_state(response)["development"] is None


def test_pis_scopes_opd_officer_to_own_agency(personas):
    client = Client()
    client.force_login(personas["opd_officer"])
    state = embedded_state(client.get("/"))
    assert state["development_scope"] == ["dinkes"]


def test_pis_switches_to_english(reference_data):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Waiting for data…" in html
    assert "Log in to see development progress" in html


def test_pis_speaks_indonesian_to_english_browser_until_switched(reference_data):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="id">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_pis_embeds_translated_labels_for_the_script(reference_data):
    response = Client().get("/")
    match = re.search(rb'<script id="pis-labels" type="application/json">(.*?)</script>', response.content, re.S)
    labels = json.loads(match.group(1))
    assert labels["updated_seconds"] == "diperbarui {n} dtk lalu"
    assert labels["status_not_connected"] == "belum terhubung"
    assert labels["macet"] == "macet"


def test_login_page_renders_and_logs_in(personas):
    client = Client()
    page = client.get("/akun/masuk/")
    assert page.status_code == 200
    assert "Masuk ke Komando" in page.content.decode()
    response = client.post("/akun/masuk/", {"username": "executive", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert 'id="panel-development"' in client.get("/").content.decode()


def test_login_page_reports_wrong_password(personas):
    response = Client().post("/akun/masuk/", {"username": "executive", "password": "wrong"})
    assert response.status_code == 200
    assert "tidak benar" in response.content.decode()
