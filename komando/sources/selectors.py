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


def source_health(source: Source, now=None, *, with_error_text: bool = True) -> dict:
    """The health of one source as every screen and the API show it. ``with_error_text=False`` for
    the public: the status and the error's kind, never the internal system's error text (issue 14)."""
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
        "last_error": source.last_error if source.consecutive_failures and with_error_text else "",
        "last_error_kind": source.last_error_kind if source.consecutive_failures else "",
        "consecutive_failures": source.consecutive_failures,
        "records_last_run": source.records_last_run,
        "circuit_state": source.circuit_state,
        "circuit_opened_at": source.circuit_opened_at,
        "circuit_retry_at": source.circuit_retry_at,
        "circuit_trips": source.circuit_trips,
    }


def all_source_health(now=None, *, with_error_text: bool = True) -> list[dict]:
    now = now or timezone.now()
    return [source_health(s, now, with_error_text=with_error_text) for s in Source.objects.select_related("agency").all()]


def health_by_slug(slug: str) -> dict | None:
    source = Source.objects.select_related("agency").filter(slug=slug).first()
    return source_health(source) if source else None


# --- Source health page (/sumber/) -------------------------------------------------------------

ERROR_RATE_WINDOW = timedelta(hours=24)
FAILURE_HISTORY_LIMIT = 20


def _today_start_wib(now):
    """Midnight of today in WIB (the project's TIME_ZONE), as an aware datetime."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _failure_dict(run) -> dict:
    return {
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error_kind": run.error_kind,
        "error": run.error,
    }


def failure_history(source: Source, limit: int = FAILURE_HISTORY_LIMIT) -> list[dict]:
    """The last ``limit`` failed runs of one source, newest first."""
    runs = source.runs.filter(ok=False).order_by("-started_at", "-id")[:limit]
    return [_failure_dict(run) for run in runs]


def _failure_histories(limit: int) -> dict[int, list[dict]]:
    """The last ``limit`` failures of every source in one query (window function)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from komando.sources.models import SourceRun

    ranked = (
        SourceRun.objects.filter(ok=False)
        .annotate(position=Window(RowNumber(), partition_by=[F("source_id")], order_by=[F("started_at").desc(), F("id").desc()]))
        .filter(position__lte=limit)
        .order_by("source_id", "position")
    )
    histories: dict[int, list[dict]] = {}
    for run in ranked:
        histories.setdefault(run.source_id, []).append(_failure_dict(run))
    return histories


def _run_aggregates(now) -> dict[int, dict]:
    """Runs and failures in the last 24 h and records of runs started today (WIB), per source,
    in one query. Today in WIB always began less than 24 h ago, so one window covers both."""
    from django.db.models import Count, Q, Sum

    from komando.sources.models import SourceRun

    since = now - ERROR_RATE_WINDOW
    today = _today_start_wib(now)
    rows = (
        SourceRun.objects.filter(started_at__gte=since, started_at__lte=now)
        .values("source_id")
        .annotate(
            runs=Count("id"),
            failed=Count("id", filter=Q(ok=False)),
            records_today=Sum("records", filter=Q(started_at__gte=today)),
        )
    )
    return {row["source_id"]: row for row in rows}


def source_health_rows(now=None, failure_limit: int = FAILURE_HISTORY_LIMIT) -> list[dict]:
    """Every source with its health, error rate over the last 24 h, records today (WIB) and its
    recent failures: what the source health page shows. A fixed number of queries."""
    now = now or timezone.now()
    aggregates = _run_aggregates(now)
    histories = _failure_histories(failure_limit)
    rows = []
    for source in Source.objects.select_related("agency").all():
        row = source_health(source, now)
        counts = aggregates.get(source.pk, {})
        runs = counts.get("runs", 0)
        failed = counts.get("failed", 0)
        row.update(
            {
                "id": source.pk,
                "agency_name": source.agency.name,
                "file_import": source.file_import,
                "data_lag_seconds": (round((now - source.data_as_of).total_seconds(), 1) if source.data_as_of else None),
                "runs_24h": runs,
                "failed_runs_24h": failed,
                "error_rate_24h": round(failed / runs, 4) if runs else None,
                "records_today": counts.get("records_today") or 0,
                "failures": histories.get(source.pk, []),
            }
        )
        rows.append(row)
    return rows


# --- Stored connector credentials ------------------------------------------------------------


def credential_fields(source: Source) -> list[str]:
    """The config fields of ``source``'s connector an administrator may set (secrets and username)."""
    from komando.sources import registry

    if not source.connector or source.connector not in registry.manifests():
        return []
    try:
        config_class = registry.coordinator_class(source.connector).config_class
    except (ImportError, AttributeError):
        return []
    return config_class.credential_fields()


def credential_status_by_source() -> dict[int, list[dict]]:
    """Per source id: every credential field with when and by whom it was set (never the value)."""
    from komando.sources.models import SourceCredential

    stored: dict[tuple[int, str], SourceCredential] = {
        (item.source_id, item.field): item for item in SourceCredential.objects.select_related("set_by")
    }
    status = {}
    for source in Source.objects.exclude(connector=""):
        fields = credential_fields(source)
        if fields:
            status[source.pk] = [
                {
                    "field": name,
                    "set_at": stored[(source.pk, name)].set_at if (source.pk, name) in stored else None,
                    "set_by": (
                        stored[(source.pk, name)].set_by.get_username()
                        if (source.pk, name) in stored and stored[(source.pk, name)].set_by
                        else ""
                    ),
                }
                for name in fields
            ]
    return status
