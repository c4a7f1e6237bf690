"""Acknowledging an alert: a named user, a required comment, audited; refused twice, refused to
those the alert is not for; the page and JSON endpoint follow the same rules."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from komando.alerts.actions import AlertRefused, do_acknowledge_alert, do_evaluate_rules
from komando.alerts.models import Alert
from komando.alerts.selectors import open_alerts, recent_alerts
from komando.audit.models import AuditRecord


@pytest.fixture
def gauge_alert(make_rule, make_gauge):
    make_rule("sensor_threshold", {"level": "siaga_3"})
    make_gauge(level_m=2.8)
    do_evaluate_rules()
    return Alert.objects.get()


@pytest.fixture
def dinkes_alert(make_rule, reference_data):
    """An SLA-style alert concerning Dinkes (the OPD officer persona's OPD), and one about another OPD."""
    from komando.agencies.models import Agency

    rule = make_rule("sla_breach", {})
    now = timezone.now()
    alerts = {}
    for code in ("dinkes", "dlh"):
        agency = Agency.objects.get(code=code)
        alerts[code] = Alert.objects.create(
            rule=rule,
            subject_key=f"agency:{agency.pk}",
            subject=agency.short_name,
            severity="warning",
            facts={"count": 2, "tickets": ["TNG-1", "TNG-2"]},
            agency=agency,
            raised_at=now,
            last_seen_at=now,
        )
    return alerts


def test_acknowledgement_records_who_when_and_why(gauge_alert, personas, django_capture_on_commit_callbacks, captured_events):
    operator = personas["operator"]
    operator.first_name, operator.last_name = "Rina", "Operator"
    operator.save()
    with django_capture_on_commit_callbacks(execute=True):
        alert = do_acknowledge_alert(gauge_alert.pk, operator, "  Tim BPBD dikirim ke Pintu Air Sepuluh  ")
    assert alert.acknowledged_by == operator
    assert alert.acknowledged_at is not None
    assert alert.ack_comment == "Tim BPBD dikirim ke Pintu Air Sepuluh"
    record = AuditRecord.objects.get(action="alert.acknowledge")
    assert record.actor == operator and record.object_id == str(alert.pk)
    assert record.before["acknowledged_by"] is None and record.after["ack_comment"] == alert.ack_comment
    shown = open_alerts()[0]
    assert shown["acknowledged_by"] == "Rina Operator" and shown["ack_comment"] == alert.ack_comment
    assert [event.type for event in captured_events] == ["alerts.changed"]
    assert captured_events[0].data["open"][0]["acknowledged_by"] == "Rina Operator"


def test_acknowledging_twice_is_refused_with_who_did_it(gauge_alert, personas):
    do_acknowledge_alert(gauge_alert.pk, personas["operator"], "Ditangani")
    with pytest.raises(AlertRefused, match="already acknowledged by operator at"):
        do_acknowledge_alert(gauge_alert.pk, personas["executive"], "Saya juga")
    gauge_alert.refresh_from_db()
    assert gauge_alert.acknowledged_by == personas["operator"] and gauge_alert.ack_comment == "Ditangani"
    assert AuditRecord.objects.filter(action="alert.acknowledge").count() == 1


@pytest.mark.parametrize("comment", ["", "   ", None, "x" * 2001])
def test_a_comment_is_required_and_bounded(gauge_alert, personas, comment):
    with pytest.raises(AlertRefused):
        do_acknowledge_alert(gauge_alert.pk, personas["operator"], comment)
    gauge_alert.refresh_from_db()
    assert gauge_alert.acknowledged_at is None and not AuditRecord.objects.filter(action="alert.acknowledge").exists()


def test_the_database_refuses_an_acknowledgement_without_comment(gauge_alert, personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.filter(pk=gauge_alert.pk).update(acknowledged_at=timezone.now(), acknowledged_by=personas["operator"])


def test_who_may_acknowledge(gauge_alert, dinkes_alert, personas):
    for role in ("operator", "administrator", "executive"):
        assert {a["id"] for a in open_alerts(personas[role])} == {gauge_alert.pk, *(a.pk for a in dinkes_alert.values())}
    officer = personas["opd_officer"]  # Dinkes
    assert [a["id"] for a in open_alerts(officer)] == [dinkes_alert["dinkes"].pk]
    for alert in (gauge_alert, dinkes_alert["dlh"]):
        with pytest.raises(Alert.DoesNotExist):
            do_acknowledge_alert(alert.pk, officer, "bukan urusan saya")
    assert do_acknowledge_alert(dinkes_alert["dinkes"].pk, officer, "Kami tangani").acknowledged_by == officer
    assert open_alerts(personas["outsider"]) == []
    with pytest.raises(Alert.DoesNotExist):
        do_acknowledge_alert(gauge_alert.pk, personas["outsider"], "hmm")


def test_cleared_acknowledged_alerts_move_to_recent(gauge_alert, personas):
    Alert.objects.filter(pk=gauge_alert.pk).update(cleared_at=timezone.now())
    assert [a["id"] for a in open_alerts()] == [gauge_alert.pk]  # cleared but not yet acknowledged
    do_acknowledge_alert(gauge_alert.pk, personas["operator"], "Sudah surut")
    assert open_alerts() == []
    assert [a["id"] for a in recent_alerts()] == [gauge_alert.pk]


# --- over HTTP ------------------------------------------------------------------------------------


def test_page_json_and_acknowledge_over_http(client, gauge_alert, personas):
    client.cookies["django_language"] = "en"
    assert client.get(reverse("alerts:page")).status_code == 302  # to the login page
    client.force_login(personas["outsider"])
    assert client.get(reverse("alerts:page")).status_code == 403
    assert client.get(reverse("alerts:json")).status_code == 403
    client.force_login(personas["operator"])
    page = client.get(reverse("alerts:page"))
    assert page.status_code == 200
    assert "Water level at Pintu Air Sepuluh reached Siaga 3" in page.content.decode()
    body = client.get(reverse("alerts:json")).json()
    assert [a["id"] for a in body["open"]] == [gauge_alert.pk]

    url = reverse("alerts:acknowledge", args=[gauge_alert.pk])
    refused = client.post(url, {"comment": " "}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "comment is required" in refused.json()["error"]
    done = client.post(url, {"comment": "Pompa dinyalakan"}, HTTP_ACCEPT="application/json")
    assert done.status_code == 200 and done.json()["alert"]["acknowledged_by"] == "operator"
    twice = client.post(url, {"comment": "lagi"}, HTTP_ACCEPT="application/json")
    assert twice.status_code == 409 and "already acknowledged" in twice.json()["error"]
    # The plain form (no JavaScript) redirects back with the message.
    form = client.post(url, {"comment": "lagi"}, follow=True)
    assert "already acknowledged" in form.content.decode()
    assert client.post(reverse("alerts:acknowledge", args=[999999]), {"comment": "x"}).status_code == 404
    assert client.get(url).status_code == 405


def test_opd_officer_cannot_acknowledge_another_opds_alert_over_http(client, dinkes_alert, personas):
    client.force_login(personas["opd_officer"])
    url = reverse("alerts:acknowledge", args=[dinkes_alert["dlh"].pk])
    assert client.post(url, {"comment": "x"}, HTTP_ACCEPT="application/json").status_code == 404
    dinkes_alert["dlh"].refresh_from_db()
    assert dinkes_alert["dlh"].acknowledged_at is None
