"""Signing in and out is audited (channel ui); a failed sign-in records the username only."""

from komando.audit.models import AuditRecord

PASSWORD = "correct-horse-battery"


def test_login_and_logout_are_recorded(client, personas):
    response = client.post("/admin/login/", {"username": "administrator", "password": PASSWORD})
    assert response.status_code == 302
    login = AuditRecord.objects.get(action="login")
    assert login.channel == "ui"
    assert login.actor == personas["administrator"] and login.actor_username == "administrator"
    assert login.object_id == str(personas["administrator"].pk)
    assert login.ip_address == "127.0.0.1"

    client.post("/admin/logout/")
    logout = AuditRecord.objects.get(action="logout")
    assert logout.actor_username == "administrator" and logout.channel == "ui"


def test_failed_login_records_username_but_never_the_password(client, personas):
    client.post("/admin/login/", {"username": "executive", "password": "guessed-password-1"})
    record = AuditRecord.objects.get(action="login_failed")
    assert record.actor is None and record.actor_username == "executive"
    assert "guessed-password-1" not in str(record.__dict__)
    assert not AuditRecord.objects.filter(action="login").exists()
