"""Delivering alert notifications: e-mail (Django's e-mail backend) and webhook (a JSON POST, e.g.
to a Telegram or WhatsApp gateway, optionally signed with HMAC-SHA256).

A notification row is queued in the evaluator's transaction; after commit a background thread
makes the first attempt, outside any request. A failed attempt is recorded (``attempts``,
``error``) and retried by the alert worker at ``next_attempt_at`` (backoff doubling from
``KOMANDO_ALERTS_RETRY_SECONDS``) until ``KOMANDO_ALERTS_NOTIFY_ATTEMPTS`` attempts; then it is
``failed``. A failing target never breaks evaluation nor another target.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from komando.alerts.choices import Channel, DeliveryStatus
from komando.alerts.models import Notification

logger = logging.getLogger("komando.alerts.notify")

SIGNATURE_HEADER = "X-Komando-Signature"
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def message_for(notification: Notification) -> dict:
    """Subject, text and structured fields of a notification, in the city's language."""
    from komando.alerts.selectors import alert_dict

    with translation.override(settings.LANGUAGE_CODE):
        alert = alert_dict(notification.alert)
        wib = timezone.localtime(
            notification.alert.cleared_at if notification.event == "cleared" else notification.alert.raised_at
        )
        label = (
            _("CLEARED")
            if notification.event == "cleared"
            else {"critical": _("CRITICAL"), "warning": _("WARNING"), "info": _("INFO")}.get(alert["severity"], "")
        )
        subject = f"[Komando] {label}: {alert['title']}"
        lines = [f"{label}: {alert['title']}", alert["detail"], _("Time: %(time)s WIB") % {"time": f"{wib:%d-%m-%Y %H:%M}"}]
        if alert["url"]:
            base = settings.KOMANDO_PUBLIC_URL.rstrip("/")
            lines.append(_("Look: %(url)s") % {"url": f"{base}{alert['url']}"})
        lines.append(_("Acknowledge at %(url)s") % {"url": f"{settings.KOMANDO_PUBLIC_URL.rstrip('/')}/peringatan/"})
    return {"subject": subject, "text": "\n".join(line for line in lines if line), "alert": alert}


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send_email(notification: Notification, message: dict) -> None:
    send_mail(message["subject"], message["text"], settings.DEFAULT_FROM_EMAIL, [notification.target], fail_silently=False)


def _send_webhook(notification: Notification, message: dict) -> None:
    body = json.dumps(
        {"event": notification.event, "text": message["text"], "subject": message["subject"], "alert": message["alert"]},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    ).encode()
    request = urllib.request.Request(
        notification.target,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Komando-alerts/1"},
    )
    secret = settings.KOMANDO_ALERTS_WEBHOOK_SECRET
    if secret:
        request.add_header(SIGNATURE_HEADER, sign(body, secret))
    with urllib.request.urlopen(request, timeout=settings.KOMANDO_HTTP_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def deliver_notification(pk: int, now: datetime | None = None) -> str:
    """One attempt for one notification; returns its status afterwards. Never raises for a target's failure."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
            next_attempt_at=None
        )  # claimed: no other thread attempts it meanwhile
    if not claimed:
        return Notification.objects.filter(pk=pk).values_list("status", flat=True).first() or ""
    notification = Notification.objects.select_related("alert", "alert__rule", "alert__agency", "alert__acknowledged_by").get(
        pk=pk
    )
    attempts = notification.attempts + 1
    try:
        message = message_for(notification)
        if notification.channel == Channel.EMAIL:
            _send_email(notification, message)
        else:
            _send_webhook(notification, message)
    except Exception as error:  # any failure of a target is recorded, never raised
        logger.warning("notification %s to %s failed (attempt %d): %s", pk, notification.target, attempts, error)
        give_up = attempts >= settings.KOMANDO_ALERTS_NOTIFY_ATTEMPTS
        retry_at = now + timedelta(seconds=settings.KOMANDO_ALERTS_RETRY_SECONDS * 2 ** (attempts - 1))
        Notification.objects.filter(pk=pk).update(
            attempts=attempts,
            error=f"{type(error).__name__}: {error}"[:1000],
            status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
            next_attempt_at=None if give_up else retry_at,
        )
        return DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING
    Notification.objects.filter(pk=pk).update(attempts=attempts, status=DeliveryStatus.SENT, sent_at=timezone.now(), error="")
    return DeliveryStatus.SENT


def deliver_due_notifications(now: datetime | None = None, limit: int = 100) -> int:
    """Attempt every pending notification that is due (the worker's retries). Returns how many were attempted."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        deliver_notification(pk, now)
    return len(ids)


def _deliver_in_thread(ids: list[int]) -> None:
    try:
        for pk in ids:
            deliver_notification(pk)
    except Exception:  # the database away for a moment: the worker retries what is still pending
        logger.exception("delivering notifications %s failed", ids)
    finally:
        close_old_connections()


def deliver_after_commit(ids: list[int]) -> None:
    """After the current transaction commits, make the first attempt in a background thread."""

    def start():
        thread = threading.Thread(target=_deliver_in_thread, args=(list(ids),), name="alert-notify", daemon=True)
        with _threads_lock:
            _threads[:] = [t for t in _threads if t.is_alive()]
            _threads.append(thread)
        thread.start()

    transaction.on_commit(start)


def wait_for_deliveries() -> None:
    """Join the delivery threads started so far (tests, and the one-shot management command)."""
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join()
