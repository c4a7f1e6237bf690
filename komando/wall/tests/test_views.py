"""Who may open the wall and read its state; what the state endpoint answers."""

import pytest
from django.utils import translation

from komando.wall.panels import PANELS
from komando.wall.selectors import build_id
from komando.wall.views import SESSION_DAYS


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"  # requests choose their own language
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_the_wall_needs_a_login(client):
    for url in ("/dinding/", "/dinding/utama/", "/dinding/empat-layar/2/"):
        response = client.get(url)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "opd_officer"])
def test_others_than_the_command_room_are_refused(client, personas, who):
    client.force_login(personas[who])
    assert client.get("/dinding/utama/").status_code == 403
    response = client.get("/dinding/utama/1/state.json")
    assert response.status_code == 403
    assert response.json() == {"error": "The wall is for the command room."}


@pytest.mark.django_db
def test_anonymous_state_is_401_json(client):
    response = client.get("/dinding/utama/state.json")
    assert response.status_code == 401
    assert response.json() == {"error": "Sign in first."}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["operator", "executive", "administrator"])
def test_the_command_room_opens_a_screen_and_stays_signed_in(client, personas, who):
    client.force_login(personas[who])
    response = client.get("/dinding/empat-layar/2/")
    assert response.status_code == 200
    html = response.content.decode()
    for panel in ("clock", "incidents", "alerts", "sources"):
        assert f'data-panel="{panel}"' in html
    assert 'data-panel="map"' not in html
    assert client.session.get_expiry_age() == SESSION_DAYS * 24 * 3600


@pytest.mark.django_db
def test_the_state_of_a_screen_holds_its_panels_and_the_build(client, personas):
    client.force_login(personas["operator"])
    state = client.get("/dinding/utama/1/state.json").json()
    assert set(state["panels"]) == set(PANELS)
    assert state["build"] == build_id()
    assert state["panels"]["map"]["boundaries"]["features"]
    assert state["source_names"]["laksa"]
    for key, panel in state["panels"].items():
        assert "source" in panel and "as_of" in panel, key
    four = client.get("/dinding/empat-layar/3/state.json").json()
    assert set(four["panels"]) == {"cameras", "water"}
    canvas = client.get("/dinding/empat-layar/state.json").json()
    assert set(canvas["panels"]) == set(PANELS)


@pytest.mark.django_db
def test_a_live_refresh_reads_only_the_panels_asked_for(client, personas):
    client.force_login(personas["operator"])
    state = client.get("/dinding/utama/1/state.json?panels=map,incidents").json()
    assert set(state["panels"]) == {"map", "incidents"}
    assert "boundaries" not in state["panels"]["map"]
    not_on_screen = client.get("/dinding/empat-layar/1/state.json?panels=water").json()
    assert not_on_screen["panels"] == {}


@pytest.mark.django_db
def test_unknown_panels_and_screens_are_clear_errors(client, personas):
    client.force_login(personas["operator"])
    response = client.get("/dinding/utama/1/state.json?panels=map,radar")
    assert response.status_code == 400 and response.json() == {"error": "Unknown panels: radar"}
    assert client.get("/dinding/utama/7/state.json").status_code == 404
    assert client.get("/dinding/tidak-ada/state.json").status_code == 404
    assert client.get("/dinding/utama/7/").status_code == 404


@pytest.mark.django_db
def test_the_index_lists_every_layout_and_screen(client, personas):
    client.force_login(personas["executive"])
    html = client.get("/dinding/").content.decode()
    assert 'href="/dinding/utama/"' in html and 'href="/dinding/empat-layar/4/"' in html


@pytest.mark.django_db
def test_the_demo_users_include_the_wall_kiosk(reference_data):
    from django.contrib.auth.models import User

    from komando.accounts.access import roles_of
    from komando.accounts.actions import do_create_demo_users
    from komando.wall.access import can_view_wall

    created = {username: role for username, _password, role in do_create_demo_users()}
    assert created["dinding"] == "operator"
    assert can_view_wall(User.objects.get(username="dinding"))
    assert roles_of(User.objects.get(username="dinding")) == {"operator"}
