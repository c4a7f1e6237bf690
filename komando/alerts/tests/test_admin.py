"""Administrators configure rules in the admin: parameters validated per kind, every change audited;
alerts and notifications are read-only there."""

from __future__ import annotations

import json

from django.urls import reverse

from komando.alerts.models import AlertRule
from komando.audit.models import AuditRecord


def _form(**overrides):
    data = {
        "slug": "pintu-air-siaga-2",
        "name": "Pintu air Siaga 2",
        "kind": "sensor_threshold",
        "parameters": json.dumps({"level": "siaga_2"}),
        "severity": "critical",
        "enabled": "on",
        "recipients": json.dumps(["piket@bpbd.tangerangkota.go.id", "https://gateway.example/telegram"]),
        "audience": "staff",
        "public": "on",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_rule_with_an_audit_record(client, personas):
    client.force_login(personas["administrator"])
    response = client.post(reverse("admin:alerts_alertrule_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AlertRule.objects.get(slug="pintu-air-siaga-2")
    assert rule.parameters == {"level": "siaga_2"} and rule.public
    record = AuditRecord.objects.get(action="alert_rule.create")
    assert record.actor == personas["administrator"] and record.after["slug"] == "pintu-air-siaga-2"


def test_admin_refuses_bad_parameters_and_stores_nothing(client, personas):
    client.force_login(personas["administrator"])
    before = AlertRule.objects.count()
    response = client.post(
        reverse("admin:alerts_alertrule_add"),
        _form(parameters=json.dumps({"level": "siaga_9"}), recipients=json.dumps(["bukan alamat"])),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "must be one of siaga_3, siaga_2, siaga_1" in text and "not a valid e-mail address" in text
    assert AlertRule.objects.count() == before
    assert not AuditRecord.objects.filter(action__startswith="alert_rule").exists()


def test_alerts_are_read_only_in_the_admin(client, personas):
    client.force_login(personas["administrator"])
    assert client.get(reverse("admin:alerts_alert_add")).status_code == 403
    assert client.get(reverse("admin:alerts_notification_add")).status_code == 403
    assert client.get(reverse("admin:alerts_alert_changelist")).status_code == 200
