"""Changes through the admin leave audit records; audit records themselves never change."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import RequestFactory
from django.utils import timezone

from komando.accounts.models import Role
from komando.agencies.models import Agency
from komando.audit.models import AuditRecord
from komando.sources.models import Source


@pytest.fixture
def admin_client_as(client, personas):
    client.force_login(personas["administrator"])
    return client


def test_admin_edit_of_agency_records_before_and_after(admin_client_as, personas):
    agency = Agency.objects.get(code="dinkes")
    response = admin_client_as.post(
        f"/admin/agencies/agency/{agency.pk}/change/", {"code": "dinkes", "short_name": "Dinkes Kota", "name": agency.name}
    )
    assert response.status_code == 302, response.content[:500]
    record = AuditRecord.objects.get(object_type="agencies.Agency", action="update")
    assert record.actor == personas["administrator"]
    assert record.actor_username == "administrator"
    assert record.channel == "admin"
    assert record.object_id == str(agency.pk)
    assert record.before["short_name"] == "Dinkes"
    assert record.after["short_name"] == "Dinkes Kota"
    assert record.ip_address == "127.0.0.1"
    assert abs((timezone.now() - record.at).total_seconds()) < 60


def test_admin_create_and_delete_of_agency_are_recorded(admin_client_as):
    response = admin_client_as.post(
        "/admin/agencies/agency/add/", {"code": "dispora", "short_name": "Dispora", "name": "Dinas Pemuda dan Olahraga"}
    )
    assert response.status_code == 302
    agency = Agency.objects.get(code="dispora")
    created = AuditRecord.objects.get(object_type="agencies.Agency", action="create")
    assert created.before is None and created.after["name"] == "Dinas Pemuda dan Olahraga"

    response = admin_client_as.post(f"/admin/agencies/agency/{agency.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Agency.objects.filter(code="dispora").exists()
    deleted = AuditRecord.objects.get(object_type="agencies.Agency", action="delete")
    assert deleted.object_id == str(agency.pk)
    assert deleted.before["short_name"] == "Dispora" and deleted.after is None


def test_bulk_delete_action_records_each_object(admin_client_as):
    extra = [Agency.objects.create(code=f"uji-{n}", short_name=f"Uji {n}", name=f"Badan Uji {n}") for n in (1, 2)]
    response = admin_client_as.post(
        "/admin/agencies/agency/", {"action": "delete_selected", "_selected_action": [a.pk for a in extra], "post": "yes"}
    )
    assert response.status_code == 302
    assert set(AuditRecord.objects.filter(action="delete").values_list("object_id", flat=True)) == {str(a.pk) for a in extra}


def test_user_admin_records_role_and_opd_changes_without_password(admin_client_as, personas):
    officer = personas["opd_officer"]
    pupr = Agency.objects.get(code="pupr")
    executive_group = Group.objects.get(name=Role.EXECUTIVE)
    officer_group = Group.objects.get(name=Role.OPD_OFFICER)
    response = admin_client_as.post(
        f"/admin/auth/user/{officer.pk}/change/",
        {
            "username": "opd_officer",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [officer_group.pk, executive_group.pk],
            "date_joined_0": "2026-01-05",
            "date_joined_1": "08:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": officer.profile.pk,
            "profile-0-user": officer.pk,
            "profile-0-agency": pupr.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user_records = AuditRecord.objects.filter(object_type="auth.User")
    groups_change = next(r for r in user_records if r.before and r.before["groups"] != r.after["groups"])
    assert set(groups_change.after["groups"]) == {officer_group.pk, executive_group.pk}
    assert all(r.after["password"] == "***" for r in user_records if r.after)
    profile_change = AuditRecord.objects.get(object_type="accounts.Profile", action="update")
    assert profile_change.before["agency"] == Agency.objects.get(code="dinkes").pk
    assert profile_change.after["agency"] == pupr.pk


def test_source_admin_shows_health_read_only_and_never_the_cursor(admin_client_as):
    source = Source.objects.get(slug="emonev")
    source.cursor = {"fiscal_year": 2026, "access_token": "cursor-secret-value"}
    source.last_error = "e-Monev refused the login"
    source.save()
    page = admin_client_as.get(f"/admin/sources/source/{source.pk}/change/").content.decode()
    assert "cursor-secret-value" not in page
    assert "e-Monev refused the login" in page
    assert 'name="last_error"' not in page  # read-only, not an input
    response = admin_client_as.post(
        f"/admin/sources/source/{source.pk}/change/",
        {
            "slug": "emonev",
            "name": source.name,
            "description": source.description,
            "group": source.group,
            "agency": source.agency_id,
            "access_level": source.access_level,
            "connector": source.connector,
            "schedule_seconds": 600,
            "enabled": "on",
            "last_error": "tampered",
            "cursor": "{}",
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.schedule_seconds == 600
    assert source.last_error == "e-Monev refused the login"  # health is not editable
    assert source.cursor["access_token"] == "cursor-secret-value"  # cursor untouched
    record = AuditRecord.objects.get(object_type="sources.Source")
    assert "cursor" not in record.after and "cursor-secret-value" not in str(record.before)
    assert record.before["schedule_seconds"] != 600 and record.after["schedule_seconds"] == 600


@pytest.mark.parametrize(
    "url",
    [
        "/admin/regions/region/",
        "/admin/agencies/agency/",
        "/admin/sources/source/",
        "/admin/sources/sourcerun/",
        "/admin/assets/asset/",
        "/admin/metrics/populationcount/",
        "/admin/metrics/visitcount/",
        "/admin/metrics/diagnosiscount/",
        "/admin/metrics/prescriptioncount/",
        "/admin/metrics/trafficobservation/",
        "/admin/development/project/",
        "/admin/development/progressmonth/",
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/audit/auditrecord/",
    ],
)
def test_every_model_has_an_admin_page(admin_client_as, url):
    assert admin_client_as.get(url).status_code == 200


def test_audit_record_cannot_be_changed_or_deleted(admin_client_as, personas):
    admin_client_as.post(
        f"/admin/agencies/agency/{Agency.objects.get(code='dlh').pk}/change/",
        {"code": "dlh", "short_name": "DLH Kota", "name": "Dinas Lingkungan Hidup"},
    )
    record = AuditRecord.objects.get(object_type="agencies.Agency")
    record.action = "forged"
    with pytest.raises(ValueError, match="append-only"):
        record.save()
    with pytest.raises(ValueError, match="append-only"):
        record.delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditRecord.objects.filter(pk=record.pk).update(action="forged")
    with pytest.raises(ValueError, match="append-only"):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=record.pk).action == "update"

    request = RequestFactory().get("/admin/")
    request.user = personas["administrator"]
    model_admin = admin.site._registry[AuditRecord]
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_delete_permission(request, record)
    assert not model_admin.has_add_permission(request)
    assert admin_client_as.post(f"/admin/audit/auditrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_deleting_a_user_keeps_their_audit_records(admin_client_as, personas):
    outsider = personas["outsider"]
    admin_client_as.post(f"/admin/auth/user/{outsider.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(username="outsider").exists()
    record = AuditRecord.objects.get(object_type="auth.User", action="delete")
    assert record.before["username"] == "outsider" and record.before["password"] == "***"


@pytest.mark.django_db
def test_an_audit_action_longer_than_its_column_is_refused_on_every_database():
    from komando.audit.actions import record_audit
    from komando.audit.models import AuditRecord

    with pytest.raises(ValueError, match="1 to 60 characters"):
        record_audit(actor=None, channel="ui", action="x" * 61, object_type="t", object_id="1")
    record_audit(actor=None, channel="ui", action="incident.acknowledge_handoff", object_type="t", object_id="1")
    assert list(AuditRecord.objects.values_list("action", flat=True)) == ["incident.acknowledge_handoff"]
