"""The 112 simulator: status page, signed pushes, retry with backoff, and end to end into Komando."""

import json
import threading

import httpx
import pytest
from django.conf import settings

from komando.complaints.models import EmergencyCall
from komando.connectors.call_112.client import SIGNATURE_HEADER, parse_call, signature_is_valid
from komando.connectors.call_112.simulator import CallModel, build_simulator, run_pusher
from komando.sources.models import Source
from komando.sources.simulation import Response, SimulatorApp, running_simulator

SECRET = "pusher-secret"


def receiver(failures: int = 0, refuse: set[str] | None = None):
    """A stand-in for Komando: answers 503 ``failures`` times, then records what it accepts."""
    app = SimulatorApp("receiver")
    app.received, app.attempts = [], []

    @app.route("POST", r"/hook/")
    def hook(request):
        app.attempts.append(request.json()["call_id"])
        if len(app.attempts) <= failures:
            return Response.json({"error": "down"}, status=503)
        if not signature_is_valid(SECRET, request.body, request.headers.get(SIGNATURE_HEADER.lower())):
            return Response.json({"error": "signature"}, status=401)
        if refuse and request.json()["call_id"] in refuse:
            return Response.json({"error": "bad"}, status=400)
        app.received.append(request.json())
        return Response.json({"status": "stored"}, status=201)

    return app


def test_calls_are_valid_deterministic_and_varied():
    model = CallModel(settings.KOMANDO_CITY_DIR)
    later = CallModel(settings.KOMANDO_CITY_DIR, clock=lambda: model.clock() + 3600)
    assert later.next_number > model.next_number + 3600 // 20  # a restart never reuses the ids of an hour of calls
    calls = [model.call(n) for n in range(1, 300)]
    moment = model.now()
    assert model.call(7, received_at=moment) == CallModel(settings.KOMANDO_CITY_DIR).call(7, received_at=moment)
    for call in calls:
        parse_call(json.dumps(call).encode())  # every simulated call passes Komando's checks
        assert call["caller_number"].startswith("08")
    kinds = {call["kind"] for call in calls}
    assert kinds == {"medis", "kebakaran", "kecelakaan", "kriminalitas", "bencana", "iseng", "lainnya"}
    assert len({call["call_id"] for call in calls}) == len(calls)


def test_pusher_retries_with_backoff_then_delivers_every_call_once():
    app = receiver(failures=3)
    waits = []
    with running_simulator(app) as url:
        model = CallModel(settings.KOMANDO_CITY_DIR)
        first = model.next_number
        run_pusher(f"{url}/hook/", SECRET, interval=(0.0, 0.0), model=model, max_calls=4, sleep=waits.append)
    assert [call["call_id"] for call in app.received] == [model.call(n)["call_id"] for n in range(first, first + 4)]
    assert app.attempts[:4] == [app.received[0]["call_id"]] * 4  # the same call until it got through
    assert waits[:3] == [1.0, 2.0, 4.0]  # exponential backoff
    assert model.status["pushed"] == 4 and model.status["retries"] == 3


def test_pusher_skips_a_refused_call_and_goes_on():
    model = CallModel(settings.KOMANDO_CITY_DIR)
    first = model.next_number
    app = receiver(refuse={model.call(first)["call_id"]})
    with running_simulator(app) as url:
        run_pusher(f"{url}/hook/", SECRET, interval=(0.0, 0.0), model=model, max_calls=2, sleep=lambda s: None)
    assert [c["call_id"] for c in app.received] == [model.call(first + 1)["call_id"]]
    assert (model.status["pushed"], model.status["refused"]) == (1, 1)


def test_status_page_and_push_thread():
    app = receiver()
    with running_simulator(app) as hook_url:
        simulator = build_simulator(
            settings.KOMANDO_CITY_DIR, push=True, target_url=f"{hook_url}/hook/", secret=SECRET, interval=(0.05, 0.1)
        )
        try:
            with running_simulator(simulator) as url:
                for _ in range(100):
                    if len(app.received) >= 2:
                        break
                    threading.Event().wait(0.05)
                status = httpx.get(f"{url}/status.json").json()
                page = httpx.get(f"{url}/")
        finally:
            simulator.stop_pushing.set()
            simulator.pusher.join(timeout=5)
    assert len(app.received) >= 2
    assert status["pushed"] >= 2 and status["target"] == f"{hook_url}/hook/"
    assert page.status_code == 200 and "Simulator Call Center 112" in page.text


def test_push_needs_a_secret(monkeypatch):
    monkeypatch.delenv("KOMANDO_CALL_112_WEBHOOK_SECRET", raising=False)
    with pytest.raises(SystemExit, match="KOMANDO_CALL_112_WEBHOOK_SECRET"):
        build_simulator(settings.KOMANDO_CITY_DIR, push=True)
    monkeypatch.setenv("KOMANDO_CALL_112_PUSH", "0")
    assert not hasattr(build_simulator(settings.KOMANDO_CITY_DIR), "pusher")


@pytest.mark.django_db(transaction=True)
def test_pusher_into_komando_end_to_end(live_server, reference_data, monkeypatch):
    monkeypatch.setenv("KOMANDO_CALL_112_WEBHOOK_SECRET", SECRET)
    model = CallModel(settings.KOMANDO_CITY_DIR)
    first = model.next_number
    run_pusher(
        f"{live_server.url}/api/webhooks/call-112/", SECRET, interval=(0.0, 0.0), model=model, max_calls=5, sleep=lambda s: None
    )
    assert model.status["pushed"] == 5
    assert sorted(EmergencyCall.objects.values_list("call_id", flat=True)) == sorted(
        model.call(n)["call_id"] for n in range(first, first + 5)
    )
    source = Source.objects.get(slug="call-112")
    assert source.last_success_at is not None and source.consecutive_failures == 0
