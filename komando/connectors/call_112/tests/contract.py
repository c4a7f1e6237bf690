"""What the connector contract (komando.sources.testing) needs to know about Call Center 112.

112 is fed by push: the 112 system POSTs each call, signed, to Komando's webhook. The parts of the
contract about what Komando receives run against that webhook; the parts about asking a server
(HTTP 500, timeout, resuming from a cursor) do not apply (see ``komando.sources.testing.PULL_ONLY``).
"""

import json
import os
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client

from komando.connectors.call_112.client import SECRET_VARIABLE, SIGNATURE_HEADER, sign
from komando.sources.models import Source
from komando.sources.selectors import HealthStatus, health_status
from komando.sources.testing import Contract, stored_state

URL = "/api/webhooks/call-112/"
SECRET = "contract-112-secret"
WIB = ZoneInfo("Asia/Jakarta")


def a_call(number: int = 1, **changes) -> dict:
    body = {
        "call_id": f"112-TNG-20261125-{number:06d}",
        "received_at": datetime.now(WIB).isoformat(timespec="seconds"),
        "kind": "kebakaran",
        "lat": -6.1786,
        "lon": 106.6312,
        "kelurahan_code": "36.71.01.1001",
        "note": "Asap tebal dari ruko",
    }
    body.update(changes)
    return body


@contextmanager
def webhook_secret():
    before = os.environ.get(SECRET_VARIABLE)
    os.environ[SECRET_VARIABLE] = SECRET
    try:
        yield
    finally:
        if before is None:
            del os.environ[SECRET_VARIABLE]
        else:
            os.environ[SECRET_VARIABLE] = before


def post(raw: bytes, signature: str | None = None) -> int:
    header = f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"
    response = Client().post(URL, data=raw, content_type="application/json", **{header: signature or sign(SECRET, raw)})
    return response.status_code


def source() -> Source:
    return Source.objects.get(slug="call-112")


BAD_BODIES = {
    # part → a signed body the 112 system might send when its integration breaks
    "truncated_json": json.dumps(a_call(2)).encode()[:40],
    "wrong_types": json.dumps(a_call(2, lat="-6.1786", lon="106.6312")).encode(),
    "unknown_region": json.dumps(a_call(2, lat=None, lon=None, kelurahan_code="99.99.99.9999")).encode(),
    "bad_input": json.dumps(a_call(2, lat=None, lon=None, kelurahan_code=None)).encode(),
}


def push(part: str) -> None:
    with webhook_secret():
        if part == "health":
            assert post(json.dumps(a_call()).encode()) == 201
            assert health_status(source()) == HealthStatus.OK
            return
        if part == "idempotent":
            raw = json.dumps(a_call()).encode()
            assert post(raw) == 201
            first = stored_state()
            assert post(raw) == 200  # "duplicate": the 112 system re-sent a call it was not sure of
            assert stored_state() == first
            return
        assert post(json.dumps(a_call()).encode()) == 201
        before, health_before = stored_state(), source().last_error_kind
        if part == "auth_failure":
            # A wrong signature is refused, and not recorded on the health: an unsigned request may
            # come from anyone, and anyone must not be able to mark the source failing.
            assert post(json.dumps(a_call(2)).encode(), signature="sha256=" + "0" * 64) == 401
            assert (stored_state(), source().last_error_kind) == (before, health_before)
            return
        assert post(BAD_BODIES[part]) == 400, part
        assert source().last_error_kind == "invalid", (part, source().last_error)
        assert stored_state() == before, f"{part}: something stored changed"


CONTRACT = Contract(slug="call-112", push=push)
