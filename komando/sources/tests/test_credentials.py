"""Connector credentials set on /sumber/: encrypted at rest, never shown back, audited without the
value, overriding the environment, with key rotation."""

import io

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from komando.audit.models import AuditRecord
from komando.connectors.emonev.simulator import build_simulator as build_emonev
from komando.sources import credentials as secrets
from komando.sources.credentials import stored_credentials
from komando.sources.models import Source, SourceCredential
from komando.sources.registry import coordinator_class, coordinator_for
from komando.sources.runner import run_source
from komando.sources.selectors import credential_fields
from komando.sources.simulation import running_simulator

pytestmark = pytest.mark.django_db

VALID_USER, VALID_PASSWORD = "bappeda-rotasi", "Rotasi-Pa55-yang-benar-71"
WRONG_PASSWORD = "kata-sandi-keliru-33"


@pytest.fixture
def key(monkeypatch):
    value = Fernet.generate_key().decode()
    monkeypatch.setenv("KOMANDO_SECRETS_KEY", value)
    return value


@pytest.fixture
def admin_client(personas):
    client = Client()
    client.force_login(personas["administrator"])
    return client


@pytest.fixture
def emonev_simulator(reference_data, monkeypatch):
    """The e-Monev simulator expecting VALID_USER/VALID_PASSWORD; the environment says otherwise."""
    app = build_emonev(settings.KOMANDO_CITY_DIR, username=VALID_USER, password=VALID_PASSWORD)
    with running_simulator(app) as url:
        monkeypatch.setenv("KOMANDO_EMONEV_BASE_URL", url)
        monkeypatch.setenv("KOMANDO_EMONEV_USERNAME", "env-user")
        monkeypatch.setenv("KOMANDO_EMONEV_PASSWORD", "env-password-not-valid")
        yield url


def emonev():
    return Source.objects.select_related("agency").get(slug="emonev")


def test_credential_fields_are_the_secret_fields_of_the_connector_config(reference_data):
    assert credential_fields(emonev()) == ["username", "password"]
    assert credential_fields(Source.objects.get(slug="epuskesmas")) == ["client_id", "client_secret"]
    assert credential_fields(Source.objects.get(slug="atcs")) == []
    assert coordinator_class("atcs").config_class.credential_fields() == []


def test_administrator_rotates_credentials_stored_encrypted_and_never_shown(personas, admin_client, key):
    response = admin_client.post("/sumber/emonev/kredensial/", {"username": VALID_USER, "password": VALID_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/sumber/#source-emonev"
    stored = {item.field: item for item in SourceCredential.objects.filter(source__slug="emonev")}
    assert set(stored) == {"username", "password"}
    assert VALID_PASSWORD not in stored["password"].ciphertext and VALID_USER not in stored["username"].ciphertext
    assert stored["password"].set_by == personas["administrator"]
    assert stored_credentials(emonev()) == {"username": VALID_USER, "password": VALID_PASSWORD}

    # Nowhere in the database in the clear: not in a dump of everything, not in the audit trail.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert VALID_PASSWORD not in dump.getvalue() and VALID_USER not in dump.getvalue()
    audit = AuditRecord.objects.get(action="source.credentials")
    assert audit.actor == personas["administrator"] and audit.object_id == str(emonev().pk)
    assert audit.after == {"set": ["password", "username"], "changed": ["password", "username"]}

    # The page says when and by whom, never the value.
    page = admin_client.get("/sumber/").content.decode()
    assert 'action="/sumber/emonev/kredensial/"' in page
    assert VALID_PASSWORD not in page and VALID_USER not in page
    assert f"oleh {personas['administrator'].username}" in page or f"by {personas['administrator'].username}" in page


def test_empty_fields_keep_the_stored_value(admin_client, key):
    admin_client.post("/sumber/emonev/kredensial/", {"username": VALID_USER, "password": VALID_PASSWORD})
    admin_client.post("/sumber/emonev/kredensial/", {"username": "", "password": WRONG_PASSWORD})
    assert stored_credentials(emonev()) == {"username": VALID_USER, "password": WRONG_PASSWORD}
    assert AuditRecord.objects.filter(action="source.credentials").count() == 2
    admin_client.post("/sumber/emonev/kredensial/", {"username": "", "password": ""})
    assert AuditRecord.objects.filter(action="source.credentials").count() == 2


def test_stored_credentials_override_the_environment_and_the_next_run_succeeds(admin_client, emonev_simulator, key):
    assert run_source(emonev()) is False  # the environment's credentials are refused
    source = emonev()
    assert source.last_error_kind == "auth"

    admin_client.post("/sumber/emonev/kredensial/", {"username": VALID_USER, "password": VALID_PASSWORD})
    config = coordinator_for("emonev", source=emonev()).config
    assert (config.username, config.password.get_secret_value()) == (VALID_USER, VALID_PASSWORD)
    assert coordinator_for("emonev").config.username == "env-user"  # without the source: environment only
    assert run_source(emonev()) is True
    source = emonev()
    assert source.consecutive_failures == 0 and source.records_last_run > 0

    admin_client.post("/sumber/emonev/kredensial/", {"password": WRONG_PASSWORD})
    assert run_source(emonev()) is False
    source = emonev()
    assert source.last_error_kind == "auth" and WRONG_PASSWORD not in source.last_error


def test_wrong_key_is_a_clear_auth_error_on_the_source(admin_client, emonev_simulator, key, monkeypatch):
    admin_client.post("/sumber/emonev/kredensial/", {"username": VALID_USER, "password": VALID_PASSWORD})
    monkeypatch.setenv("KOMANDO_SECRETS_KEY", Fernet.generate_key().decode())
    with pytest.raises(secrets.SecretsKeyError, match="KOMANDO_SECRETS_KEY"):
        secrets.decrypt(SourceCredential.objects.get(source__slug="emonev", field="password").ciphertext)
    assert run_source(emonev()) is False
    source = emonev()
    assert source.last_error_kind == "auth"
    assert "cannot be decrypted with the configured KOMANDO_SECRETS_KEY" in source.last_error


def test_malformed_key_is_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("KOMANDO_SECRETS_KEY", "not-a-key")
    with pytest.raises(secrets.SecretsKeyError, match="not a Fernet key"):
        secrets.encrypt("x")


def test_key_rotation_with_multifernet_and_reencrypt(admin_client, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("KOMANDO_SECRETS_KEY", old)
    admin_client.post("/sumber/emonev/kredensial/", {"username": VALID_USER, "password": VALID_PASSWORD})
    before = SourceCredential.objects.get(source__slug="emonev", field="password").ciphertext
    monkeypatch.setenv("KOMANDO_SECRETS_KEY", f"{new},{old}")
    assert stored_credentials(emonev())["password"] == VALID_PASSWORD  # old values still open
    out = io.StringIO()
    call_command("secrets_key", "reencrypt", stdout=out)
    assert "2 stored credentials re-encrypted" in out.getvalue()
    assert SourceCredential.objects.get(source__slug="emonev", field="password").ciphertext != before
    monkeypatch.setenv("KOMANDO_SECRETS_KEY", new)  # the old key can go
    assert stored_credentials(emonev()) == {"username": VALID_USER, "password": VALID_PASSWORD}


def test_without_a_key_one_is_derived_from_secret_key(monkeypatch):
    monkeypatch.delenv("KOMANDO_SECRETS_KEY", raising=False)
    token = secrets.encrypt("rahasia")
    assert secrets.decrypt(token) == "rahasia"
    with override_settings(SECRET_KEY="another-secret-key-entirely"), pytest.raises(secrets.SecretsKeyError):
        secrets.decrypt(token)
    generated = io.StringIO()
    call_command("secrets_key", "generate", stdout=generated)
    Fernet(generated.getvalue().strip().encode())  # a usable key


@pytest.mark.parametrize("persona", ["operator", "opd_officer", "executive", "outsider"])
def test_only_an_administrator_may_rotate(personas, persona, key):
    client = Client()
    client.force_login(personas[persona])
    assert client.post("/sumber/emonev/kredensial/", {"password": WRONG_PASSWORD}).status_code == 403
    assert not SourceCredential.objects.exists()
    assert not AuditRecord.objects.filter(action="source.credentials").exists()
    if persona != "outsider":
        assert "/kredensial/" not in client.get("/sumber/").content.decode()


def test_rotation_requires_post_and_csrf(personas, key):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["administrator"])
    assert client.get("/sumber/emonev/kredensial/").status_code == 405
    assert client.post("/sumber/emonev/kredensial/", {"password": WRONG_PASSWORD}).status_code == 403
    assert not SourceCredential.objects.exists()


def test_a_source_without_credentials_refuses_the_form(admin_client, key):
    assert admin_client.post("/sumber/atcs/kredensial/", {"password": "x"}).status_code == 400
    assert not SourceCredential.objects.exists()
