"""The city's follow-ups (tindak lanjut) pushed back to SP4N-LAPOR!: the connector sends, then the
complaints app records (``komando.complaints.actions.do_record_lapor_follow_up``)."""

from __future__ import annotations

from django.utils import timezone

from komando.complaints.actions import do_record_lapor_follow_up
from komando.complaints.models import Channel, Complaint, LaporFollowUp
from komando.connectors.lapor.client import FOLLOW_UP_STATUSES, LAPOR_STATUSES, gateway_from_environment
from komando.sources.framework import ConnectorError


def _lapor_status_of(status: str) -> str:
    try:
        return LAPOR_STATUSES[status]
    except KeyError:
        raise ValueError(f"unknown LAPOR! follow-up status {status!r}") from None


def do_send_lapor_follow_up(
    complaint: Complaint, status: str, text: str, user, gateway=None, channel: str = "ui"
) -> LaporFollowUp:
    """Send the city's follow-up (tindak lanjut) of a disposed LAPOR! report to SP4N-LAPOR!, record it
    and audit it. ``status`` is a LAPOR! status (``ditindaklanjuti`` or ``selesai``). On failure the
    attempt is recorded (ok=False) and the ``ConnectorError`` is raised again."""
    if complaint.channel != Channel.LAPOR:
        raise ValueError(f"complaint {complaint} did not come from SP4N-LAPOR!")
    if status not in FOLLOW_UP_STATUSES:
        raise ValueError(f"a follow-up status is one of {', '.join(FOLLOW_UP_STATUSES)}, not {status!r}")
    text = (text or "").strip()
    if not text:
        raise ValueError("a follow-up needs a text")
    complaint_status = _lapor_status_of(status)
    gateway = gateway or gateway_from_environment()
    sent_at = timezone.now()
    error: ConnectorError | None = None
    try:
        gateway.send_follow_up(complaint.source_ref, status, text)
    except ConnectorError as failure:
        error = failure
    follow_up = do_record_lapor_follow_up(
        complaint,
        status=status,
        complaint_status=complaint_status,
        text=text,
        user=user,
        sent_at=sent_at,
        error=str(error or ""),
        channel=channel,
    )
    if error is not None:
        raise error
    return follow_up
