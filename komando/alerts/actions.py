"""The only writers of alerts: evaluating rules (raise once per episode, clear when it ends) and
acknowledging an alert with a comment. Notifications are queued in the same transaction and
delivered after commit (``komando.alerts.notify``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from komando.alerts.choices import RuleKind
from komando.alerts.models import Alert, AlertRule, Notification
from komando.alerts.rules import CONDITIONS, Condition, channel_of, validate_parameters
from komando.audit.actions import record_audit, snapshot
from komando.core.events import STAFF, LiveEvent

logger = logging.getLogger("komando.alerts")

EVENT_TYPE = "alerts.changed"


class AlertRefused(Exception):
    """An acknowledgement that cannot be taken; the message says why."""


@dataclass
class EvaluationRun:
    now: datetime
    raised: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    failed_rules: list[str] = field(default_factory=list)
    notifications: list[int] = field(default_factory=list)


def _announce_on_commit() -> None:
    """The live event, built after commit so it carries the committed state."""
    from komando.alerts.selectors import open_alerts

    def send():
        from komando.core.events import publish

        publish(LiveEvent(type=EVENT_TYPE, data={"open": open_alerts()}, audience=STAFF))

    transaction.on_commit(send)


def _queue_notifications(alert: Alert, event: str, now: datetime) -> list[int]:
    ids = []
    for target in alert.rule.recipients or []:
        notification = Notification.objects.create(
            alert=alert, event=event, channel=channel_of(target), target=target, created_at=now, next_attempt_at=now
        )
        ids.append(notification.pk)
    return ids


def _raise(rule: AlertRule, key: str, condition: Condition, now: datetime, run: EvaluationRun | None = None) -> Alert | None:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule,
                subject_key=key,
                subject=condition.subject[:200],
                severity=rule.severity,
                facts=condition.facts,
                agency_id=condition.agency_id,
                lat=condition.lat,
                lon=condition.lon,
                url=condition.url,
                raised_at=now,
                last_value=condition.value,
                last_seen_at=now,
            )
    except IntegrityError:
        return None  # another evaluator opened this episode a moment ago: one alert per episode
    queued = _queue_notifications(alert, "raised", now)
    if run is not None:
        run.notifications.extend(queued)
    return alert


def do_evaluate_rule(rule: AlertRule, now: datetime, run: EvaluationRun) -> None:
    """Reconcile one rule's open alerts with its condition at ``now``."""
    with transaction.atomic():
        open_by_key = {
            alert.subject_key: alert for alert in Alert.objects.select_for_update().filter(rule=rule, cleared_at__isnull=True)
        }
        current = CONDITIONS[RuleKind(rule.kind)](rule, now) if rule.enabled else {}
        for key, alert in open_by_key.items():
            if key not in current:
                # Conditional update: a concurrent evaluator that cleared it first wins.
                if Alert.objects.filter(pk=alert.pk, cleared_at__isnull=True).update(cleared_at=now) == 1:
                    alert.cleared_at = now
                    run.notifications.extend(_queue_notifications(alert, "cleared", now))
                    run.cleared.append(alert.pk)
            else:
                condition = current[key]
                Alert.objects.filter(pk=alert.pk).update(last_value=condition.value, last_seen_at=now)
        for key, condition in current.items():
            if key in open_by_key:
                continue
            raised = _raise(rule, key, condition, now, run)
            if raised is not None:
                run.raised.append(raised.pk)


def do_evaluate_rules(now: datetime | None = None, rules=None) -> EvaluationRun:
    """Evaluate every rule (or ``rules``). A rule whose evaluation fails is logged and skipped: it
    never stops the others, and its open alerts stay as they are until it evaluates again."""
    run = EvaluationRun(now=now or timezone.now())
    for rule in rules if rules is not None else AlertRule.objects.all():
        if validate_parameters(rule.kind, rule.parameters):
            logger.error("alert rule %s has invalid parameters; skipped", rule.slug)
            run.failed_rules.append(rule.slug)
            continue
        raised, cleared, queued = len(run.raised), len(run.cleared), len(run.notifications)
        try:
            do_evaluate_rule(rule, run.now, run)
        except Exception:
            logger.exception("evaluating alert rule %s failed", rule.slug)
            run.failed_rules.append(rule.slug)
            del run.raised[raised:], run.cleared[cleared:], run.notifications[queued:]
    if run.notifications:
        from komando.alerts.notify import deliver_after_commit

        # First attempts after the whole evaluation has committed, in one background thread; what
        # that thread cannot send stays pending and the worker's next tick retries it.
        deliver_after_commit(run.notifications)
    if run.raised or run.cleared:
        _announce_on_commit()  # one event per evaluation, whatever changed
        logger.info("alert evaluation: %d raised, %d cleared", len(run.raised), len(run.cleared))
    return run


def do_acknowledge_alert(alert_id: int, user, comment: str, *, channel: str = "ui") -> Alert:
    """``user`` acknowledges the alert with ``comment`` (required). Refused when already acknowledged
    or not visible to ``user``; audited."""
    from komando.alerts.access import can_acknowledge_alert

    comment = (comment or "").strip()
    if not comment:
        raise AlertRefused("A comment is required to acknowledge an alert.")
    if len(comment) > 2000:
        raise AlertRefused("The comment is longer than 2000 characters.")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("rule").filter(pk=alert_id).first()
        if alert is None or not can_acknowledge_alert(user, alert):
            raise Alert.DoesNotExist(f"No alert {alert_id} for this user.")
        if alert.acknowledged_at is not None:
            acknowledger = alert.acknowledged_by
            by = (acknowledger.get_full_name() or acknowledger.username) if acknowledger else "a removed user"
            raise AlertRefused(
                f"This alert was already acknowledged by {by} at {timezone.localtime(alert.acknowledged_at):%d-%m-%Y %H:%M} WIB."
            )
        before = snapshot(alert)
        now = timezone.now()
        updated = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=user, acknowledged_at=now, ack_comment=comment
        )
        if updated != 1:
            raise AlertRefused("This alert was acknowledged by someone else a moment ago.")
        alert.refresh_from_db()
        record_audit(
            actor=user, channel=channel, action="alert.acknowledge", instance=alert, before=before, after=snapshot(alert)
        )
        _announce_on_commit()
    return alert


def do_save_rule(user, rule: AlertRule, *, channel: str = "admin", created: bool = False) -> AlertRule:
    """Store an administrator's rule change (validated) with its audit record."""
    rule.full_clean()
    before = None if created else snapshot(AlertRule.objects.get(pk=rule.pk))
    with transaction.atomic():
        rule.save()
        record_audit(
            actor=user,
            channel=channel,
            action="alert_rule.create" if created else "alert_rule.update",
            instance=rule,
            before=before,
            after=snapshot(rule),
        )
    return rule
