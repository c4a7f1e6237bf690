from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from komando.sources.models import Source


class HealthStatus:
    NOT_CONNECTED = "not_connected"
    PAUSED = "paused"
    WAITING = "waiting"
    OK = "ok"
    STALE = "stale"
    FAILING = "failing"


def effective_interval_seconds(source: Source) -> float:
    return max(1.0, source.schedule_seconds * settings.KOMANDO_SCHEDULE_SCALE)


def stale_after_seconds(source: Source) -> float:
    return effective_interval_seconds(source) * settings.KOMANDO_STALE_AFTER_INTERVALS


def health_status(source: Source, now=None) -> str:
    now = now or timezone.now()
    if not source.is_connected:
        return HealthStatus.NOT_CONNECTED
    if not source.enabled:
        return HealthStatus.PAUSED
    if source.consecutive_failures > 0:
        return HealthStatus.FAILING
    if source.last_success_at is None:
        return HealthStatus.WAITING
    if now - source.last_success_at > timedelta(seconds=stale_after_seconds(source)):
        return HealthStatus.STALE
    return HealthStatus.OK


def source_health(source: Source, now=None) -> dict:
    """The health of one source as every screen and the API show it."""
    now = now or timezone.now()
    lag = None
    if source.last_success_at is not None:
        lag = round((now - source.last_success_at).total_seconds(), 1)
    return {
        "slug": source.slug,
        "name": source.name,
        "group": source.group,
        "agency": source.agency.short_name,
        "access_level": source.access_level,
        "connected": source.is_connected,
        "enabled": source.enabled,
        "status": health_status(source, now),
        "schedule_seconds": effective_interval_seconds(source),
        "stale_after_seconds": stale_after_seconds(source),
        "last_attempt_at": source.last_attempt_at,
        "last_success_at": source.last_success_at,
        "last_failure_at": source.last_failure_at,
        "lag_seconds": lag,
        "data_as_of": source.data_as_of,
        "last_error": source.last_error if source.consecutive_failures else "",
        "last_error_kind": source.last_error_kind if source.consecutive_failures else "",
        "consecutive_failures": source.consecutive_failures,
        "records_last_run": source.records_last_run,
    }


def all_source_health(now=None) -> list[dict]:
    now = now or timezone.now()
    return [source_health(s, now) for s in Source.objects.select_related("agency").all()]


def health_by_slug(slug: str) -> dict | None:
    source = Source.objects.select_related("agency").filter(slug=slug).first()
    return source_health(source) if source else None
