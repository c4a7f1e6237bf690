"""Water level at a gauge: one alert per episode, cleared when the level falls, a new episode after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from komando.alerts.actions import do_evaluate_rules
from komando.alerts.models import Alert
from komando.alerts.selectors import open_alerts


@pytest.fixture
def siaga_rule(make_rule):
    return make_rule("sensor_threshold", {"level": "siaga_3"}, severity="warning")


def test_gauge_above_siaga_fires_once_and_clears(siaga_rule, make_gauge, django_capture_on_commit_callbacks, captured_events):
    gauge = make_gauge(level_m=2.7)
    with django_capture_on_commit_callbacks(execute=True):
        first = do_evaluate_rules()
    assert len(first.raised) == 1 and first.cleared == []
    alert = Alert.objects.get()
    assert (alert.rule, alert.subject_key, alert.subject, alert.last_value) == (
        siaga_rule,
        f"gauge:{gauge.pk}",
        "Pintu Air Sepuluh",
        2.7,
    )
    assert [event.type for event in captured_events] == ["alerts.changed"]
    assert captured_events[0].audience == "staff"
    assert captured_events[0].data["open"][0]["title"] == "Water level at Pintu Air Sepuluh reached Siaga 3"

    # The condition persists (the level even rises): no second alert, no event.
    make_gauge.set_level(gauge, 2.9)
    with django_capture_on_commit_callbacks(execute=True):
        again = do_evaluate_rules()
    assert again.raised == [] and again.cleared == []
    assert Alert.objects.count() == 1
    assert Alert.objects.get().last_value == 2.9
    assert len(captured_events) == 1

    # The level falls below the threshold: the episode is cleared.
    make_gauge.set_level(gauge, 2.1)
    with django_capture_on_commit_callbacks(execute=True):
        cleared = do_evaluate_rules()
    assert cleared.cleared == [alert.pk]
    alert.refresh_from_db()
    assert alert.cleared_at is not None
    assert len(captured_events) == 2

    # It rises again: a new episode, a new alert.
    make_gauge.set_level(gauge, 2.6)
    second = do_evaluate_rules()
    assert len(second.raised) == 1 and second.raised != [alert.pk]
    assert Alert.objects.count() == 2
    assert Alert.objects.filter(cleared_at__isnull=True).count() == 1


def test_threshold_in_metres_and_stale_reading(make_rule, make_gauge):
    make_rule("sensor_threshold", {"level_m": 3.2, "max_age_minutes": 30})
    gauge = make_gauge(level_m=3.3, observed_at=timezone.now() - timedelta(hours=2))
    assert do_evaluate_rules().raised == []  # too old to say anything about now
    make_gauge.set_level(gauge, 3.3)
    assert len(do_evaluate_rules().raised) == 1
    assert "above 3.2 m" in open_alerts()[0]["title"]


def test_one_open_episode_is_guarded_by_the_database(siaga_rule, make_gauge):
    make_gauge(level_m=2.7)
    do_evaluate_rules()
    alert = Alert.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            rule=siaga_rule,
            subject_key=alert.subject_key,
            subject="dup",
            severity="warning",
            raised_at=timezone.now(),
            last_seen_at=timezone.now(),
        )
    # A cleared episode does not block a new one.
    Alert.objects.filter(pk=alert.pk).update(cleared_at=timezone.now())
    Alert.objects.create(
        rule=siaga_rule,
        subject_key=alert.subject_key,
        subject="next",
        severity="warning",
        raised_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    assert Alert.objects.filter(subject_key=alert.subject_key).count() == 2


def test_disabling_a_rule_clears_its_open_alerts(siaga_rule, make_gauge):
    make_gauge(level_m=2.7)
    do_evaluate_rules()
    siaga_rule.enabled = False
    siaga_rule.save()
    run = do_evaluate_rules()
    assert len(run.cleared) == 1
    assert Alert.objects.get().cleared_at is not None


def test_a_second_evaluator_racing_for_the_same_episode_adds_nothing(siaga_rule, make_gauge):
    """Another evaluator opened the episode between our read and our insert: the database's guard
    refuses our row, the evaluator counts nothing and nothing breaks."""
    from komando.alerts.actions import EvaluationRun, _raise
    from komando.alerts.rules import Condition

    gauge = make_gauge(level_m=2.7)
    do_evaluate_rules()
    run = EvaluationRun(now=timezone.now())
    assert _raise(siaga_rule, f"gauge:{gauge.pk}", Condition(subject=gauge.name, value=2.7), run.now) is None
    assert Alert.objects.count() == 1
    assert do_evaluate_rules().raised == []
