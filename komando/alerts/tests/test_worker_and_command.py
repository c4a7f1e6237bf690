"""The worker and ``komando evaluate_alerts``: one run evaluates every rule and retries due notifications."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from komando.alerts.models import Alert, AlertRule, Notification
from komando.alerts.worker import AlertWorker


def test_evaluate_alerts_once(make_rule, make_gauge, capsys):
    make_rule("sensor_threshold", {"level": "siaga_2"})
    make_gauge(level_m=3.2)
    call_command("evaluate_alerts")
    assert "Alerts: 1 raised, 0 cleared." in capsys.readouterr().out
    call_command("evaluate_alerts")
    assert "Alerts: 0 raised, 0 cleared." in capsys.readouterr().out
    assert Alert.objects.count() == 1


def test_a_broken_rule_makes_the_command_fail_loudly(make_rule):
    rule = make_rule("sla_breach", {})
    AlertRule.objects.filter(pk=rule.pk).update(parameters={"deadline": "someday"})  # bypassing validation
    with pytest.raises(CommandError, match="could not be evaluated"):
        call_command("evaluate_alerts")
    with pytest.raises(CommandError, match="--interval must be positive"):
        call_command("evaluate_alerts", "--loop", "--interval", "0")


def test_worker_tick_evaluates_and_retries(make_rule, make_gauge, settings):
    settings.KOMANDO_ALERTS_RETRY_SECONDS = 0  # due again at once
    dead = "http://127.0.0.1:9/closed"  # discard port: connection refused
    make_rule("sensor_threshold", {"level": "siaga_3"}, recipients=[dead])
    make_gauge(level_m=2.6)
    worker = AlertWorker(interval_seconds=5)
    run = worker.tick()
    assert len(run.raised) == 1 and worker.runs == 1
    notification = Notification.objects.get()
    assert notification.attempts == 1 and notification.status == "pending"  # the tick's retry round tried it
    worker.tick()
    notification.refresh_from_db()
    assert notification.attempts == 2
    with pytest.raises(ValueError):
        AlertWorker(interval_seconds=0)


def test_interval_comes_from_settings(settings):
    settings.KOMANDO_ALERTS_INTERVAL_SECONDS = 7.5
    assert AlertWorker().interval_seconds == 7.5
