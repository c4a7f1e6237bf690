"""The 112 system's webhook contract: signature and payload. No Django here.

The 112 system POSTs each call to ``/api/webhooks/call-112/`` as JSON::

    {"call_id": "112-TNG-20261125-000123", "received_at": "2026-11-25T03:00:00Z",
     "kind": "kebakaran", "lat": -6.1786, "lon": 106.6312, "kelurahan_code": "36.71.01.1001",
     "caller_number": "081234567890", "note": "Asap tebal dari ruko"}

signed with HMAC-SHA256 over the raw body: header ``X-Signature-256: sha256=<hex>``, key = the shared
secret. ``kind`` is one of medis, kebakaran, kecelakaan, kriminalitas, bencana, iseng, lainnya; a
place is ``lat``/``lon`` and/or ``kelurahan_code`` (at least one). ``caller_number`` is never read:
the model ignores it, so it leaves this module nowhere (not the database, logs or audit).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from komando.complaints.records import mask_phone_numbers
from komando.sources.framework import SourceDataInvalid
from komando.sources.http import describe_validation_error

SIGNATURE_HEADER = "X-Signature-256"
SECRET_VARIABLE = "KOMANDO_CALL_112_WEBHOOK_SECRET"
KINDS = ("medis", "kebakaran", "kecelakaan", "kriminalitas", "bencana", "iseng", "lainnya")
REGION_CODE = r"^\d{2}\.\d{2}\.\d{2}(\.\d{4})?$"
MAX_BODY_BYTES = 16_384


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip())


class CallPayload(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    call_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]
    received_at: AwareDatetime
    kind: Literal[KINDS]
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    kelurahan_code: Annotated[str, StringConstraints(pattern=REGION_CODE)] | None = None
    note: Annotated[str, StringConstraints(max_length=1000)] = ""

    @model_validator(mode="after")
    def _has_a_place(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        if self.lat is None and not self.kelurahan_code:
            raise ValueError("a call needs lat/lon or kelurahan_code")
        return self


def parse_call(body: bytes) -> CallPayload:
    """The call in ``body``, checked; ``SourceDataInvalid`` with a readable message (phone numbers
    masked, in case one was echoed back) otherwise."""
    if len(body) > MAX_BODY_BYTES:
        raise SourceDataInvalid(f"112 call: body larger than {MAX_BODY_BYTES} bytes")
    try:
        return CallPayload.model_validate_json(body)
    except ValidationError as error:
        raise SourceDataInvalid(mask_phone_numbers(describe_validation_error(error, "112 call"))) from error
