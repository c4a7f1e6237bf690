"""The Call Center 112 webhook: the 112 system POSTs each call here, signed (see
``komando.connectors.call_112.client`` for the contract). Thin: checks, then one action; once the
call is committed, it goes to the reactions the composition root registered (its incident)."""

import logging
from datetime import UTC

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from komando.complaints.actions import do_record_emergency_call
from komando.complaints.records import EmergencyCallRecord
from komando.connectors.call_112.client import SECRET_VARIABLE, SIGNATURE_HEADER, parse_call, signature_is_valid
from komando.core.env import env_str
from komando.sources.framework import SourceDataInvalid
from komando.sources.models import Source
from komando.sources.reactions import feed_committed

logger = logging.getLogger("komando.complaints")
SOURCE_SLUG = "call-112"


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def call_112_webhook(request):
    secret = env_str(SECRET_VARIABLE, "")
    if not secret:
        logger.error("112 webhook called but %s is not set", SECRET_VARIABLE)
        return _error(503, f"The 112 webhook is not configured ({SECRET_VARIABLE}).")
    body = request.body
    if not signature_is_valid(secret, body, request.headers.get(SIGNATURE_HEADER)):
        return _error(401, f"Missing or wrong {SIGNATURE_HEADER} signature (HMAC-SHA256 of the body).")
    source = Source.objects.select_related("agency").filter(slug=SOURCE_SLUG).first()
    if source is None:
        return _error(503, "The call-112 source is not registered (komando load-reference-data).")
    try:
        payload = parse_call(body)
        record = EmergencyCallRecord(
            call_id=payload.call_id,
            received_at=payload.received_at.astimezone(UTC),
            kind=payload.kind,
            lat=payload.lat,
            lon=payload.lon,
            region_code=payload.kelurahan_code or "",
            note=payload.note,
        )
        call, created = do_record_emergency_call(source, record)
    except SourceDataInvalid as error:
        from komando.sources.actions import do_record_run_failure

        # Signed by the 112 system, yet unreadable: the integration is broken; show it on the health.
        do_record_run_failure(source, started_at=timezone.now(), kind=SourceDataInvalid.kind, error=str(error))
        return _error(400, str(error))
    feed_committed(source, call)
    return JsonResponse({"status": "stored" if created else "duplicate", "call_id": call.call_id}, status=201 if created else 200)
