"""Notifications reach a real local SMTP sink (aiosmtpd) and a real local HTTP receiver; failures
are recorded and retried, and never break evaluation."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from komando.alerts.actions import do_evaluate_rules
from komando.alerts.models import Alert, Notification
from komando.alerts.notify import deliver_due_notifications, wait_for_deliveries


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "Komando <komando@tangerangkota.go.id>"
    yield sink
    controller.stop()


@pytest.fixture
def receiver():
    """A threaded HTTP server that stores every POST; ``fail_next`` answers 503 that many times."""
    received = []
    state = {"fail_next": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state["fail_next"] > 0:
                state["fail_next"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received, server.state = received, state
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook/telegram"
    yield server
    server.shutdown()
    server.server_close()


def test_email_and_webhook_reach_the_local_sinks(make_rule, make_gauge, smtp_sink, receiver, settings):
    settings.KOMANDO_ALERTS_WEBHOOK_SECRET = "s3cret-for-hmac"
    settings.KOMANDO_PUBLIC_URL = "https://komando.tangerangkota.go.id"
    make_rule(
        "sensor_threshold", {"level": "siaga_1"}, severity="critical", recipients=["piket@bpbd.tangerangkota.go.id", receiver.url]
    )
    gauge = make_gauge(level_m=3.7)
    do_evaluate_rules()
    alert = Alert.objects.get()
    assert Notification.objects.filter(status="pending").count() == 2
    assert deliver_due_notifications() == 2

    [(recipients, mail)] = smtp_sink.messages
    assert recipients == ["piket@bpbd.tangerangkota.go.id"]
    # The message is in the city's language (Indonesian), whatever the test's language is.
    assert mail["Subject"].startswith("[Komando] ")
    assert "Pintu Air Sepuluh" in mail["Subject"]
    text = mail.get_content()
    assert "Pintu Air Sepuluh" in text and "3.7" in text and "WIB" in text
    assert "https://komando.tangerangkota.go.id/peringatan/" in text

    [post] = receiver.received
    assert post["path"] == "/hook/telegram"
    assert post["headers"]["Content-Type"].startswith("application/json")
    expected = "sha256=" + hmac.new(b"s3cret-for-hmac", post["body"], hashlib.sha256).hexdigest()
    assert post["headers"]["X-Komando-Signature"] == expected
    payload = json.loads(post["body"])
    assert payload["event"] == "raised"
    assert "Pintu Air Sepuluh" in payload["text"]
    assert payload["alert"]["id"] == alert.pk and payload["alert"]["severity"] == "critical"
    assert payload["alert"]["subject"] == "Pintu Air Sepuluh"
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}

    # The level falls: the clearing is told to both targets too.
    make_gauge.set_level(gauge, 2.0)
    do_evaluate_rules()
    assert deliver_due_notifications() == 2
    assert len(smtp_sink.messages) == 2
    assert json.loads(receiver.received[1]["body"])["event"] == "cleared"


def test_a_failing_target_is_retried_and_recorded(make_rule, make_gauge, receiver, settings):
    settings.KOMANDO_ALERTS_NOTIFY_ATTEMPTS = 3
    settings.KOMANDO_ALERTS_RETRY_SECONDS = 60
    dead = f"http://127.0.0.1:{_free_port()}/nobody-listens"
    make_rule("sensor_threshold", {"level": "siaga_3"}, recipients=[dead, receiver.url])
    receiver.state["fail_next"] = 1
    make_gauge(level_m=2.6)
    run = do_evaluate_rules()
    assert len(run.raised) == 1  # the targets' failures do not touch evaluation
    now = timezone.now()
    deliver_due_notifications(now)
    dead_row, live_row = Notification.objects.get(target=dead), Notification.objects.get(target=receiver.url)
    assert (dead_row.status, dead_row.attempts) == ("pending", 1) and dead_row.error
    assert (live_row.status, live_row.attempts) == ("pending", 1) and "503" in live_row.error
    assert deliver_due_notifications(now) == 0  # not due before the backoff
    with time_machine.travel(now + timedelta(seconds=61)):
        deliver_due_notifications()
    live_row.refresh_from_db()
    assert (live_row.status, live_row.attempts, live_row.error) == ("sent", 2, "")
    assert len(receiver.received) == 1
    with time_machine.travel(now + timedelta(seconds=61 + 121)):
        deliver_due_notifications()
    dead_row.refresh_from_db()
    assert (dead_row.status, dead_row.attempts) == ("failed", 3) and dead_row.next_attempt_at is None


@pytest.mark.django_db(transaction=True)
def test_first_attempt_runs_after_commit_in_a_background_thread(make_rule, make_gauge, smtp_sink):
    make_rule("sensor_threshold", {"level": "siaga_3"}, recipients=["camat.periuk@tangerangkota.go.id"])
    make_gauge(level_m=2.6)
    do_evaluate_rules()  # commits; the delivery thread starts on commit
    wait_for_deliveries()
    assert [rcpt for rcpt, _mail in smtp_sink.messages] == [["camat.periuk@tangerangkota.go.id"]]
    assert Notification.objects.get().status == "sent"


def test_bad_recipients_are_refused_and_nothing_stored(make_rule):
    from django.core.exceptions import ValidationError

    from komando.alerts.models import AlertRule

    before = AlertRule.objects.count()
    with pytest.raises(ValidationError, match="not a valid e-mail address or http"):
        make_rule("sla_breach", {}, recipients=["not an address", "ftp://x.example/hook"])
    with pytest.raises(ValidationError, match="must be one of above, below"):
        make_rule("metric_threshold", {"metric": "traffic.vehicles", "operator": "over", "threshold": 5})
    with pytest.raises(ValidationError, match="Unknown parameter 'levell'"):
        make_rule("sensor_threshold", {"levell": "siaga_3"})
    with pytest.raises(ValidationError, match="public CAP feed"):
        make_rule("sla_breach", {}, public=True)
    assert AlertRule.objects.count() == before
