"""The only writers of a source's health and cursor."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from komando.core.events import STAFF, LiveEvent, send_event_on_commit
from komando.sources import circuit
from komando.sources.models import CircuitState, Source, SourceRun
from komando.sources.selectors import effective_interval_seconds, source_health

logger = logging.getLogger("komando.sources")
MAX_ERROR_LENGTH = 2000


def _publish_health(source: Source) -> None:
    """The public socket gets the status without the internal error text; staff sockets (which are in
    both groups) then get the full health, so the last event they see carries the text."""
    send_event_on_commit(LiveEvent(type="source.health", data=source_health(source, with_error_text=False)))
    send_event_on_commit(LiveEvent(type="source.health", data=source_health(source), audience=STAFF))


CIRCUIT_FIELDS = ["circuit_state", "circuit_opened_at", "circuit_retry_at", "circuit_trips"]


def _trip_circuit_if_needed(source: Source, now) -> None:
    """After a failure: open the circuit at the threshold, or reopen it (longer) when a probe failed."""
    probing = source.circuit_state in (CircuitState.OPEN, CircuitState.HALF_OPEN)
    if not probing and source.consecutive_failures < circuit.failure_threshold():
        return
    source.circuit_trips += 1
    if not probing:
        source.circuit_opened_at = now
    cooldown = circuit.cooldown_seconds(effective_interval_seconds(source), source.circuit_trips)
    source.circuit_state = CircuitState.OPEN
    source.circuit_retry_at = now + datetime.timedelta(seconds=cooldown)
    logger.warning(
        "source %s: circuit %s after %d failures in a row; next probe in %.0f s",
        source.slug,
        "reopened (probe failed)" if probing else "opened",
        source.consecutive_failures,
        cooldown,
    )


@transaction.atomic
def do_start_circuit_probe(source: Source, now=None) -> bool:
    """Half-open the circuit of ``source`` once its cool-down has passed: the next run is the probe.
    Returns whether a probe may run now (also True for a circuit that is already half-open)."""
    now = now or timezone.now()
    locked = Source.objects.select_for_update().select_related("agency").get(pk=source.pk)
    if locked.circuit_state == CircuitState.HALF_OPEN:
        return True
    if locked.circuit_state != CircuitState.OPEN or (locked.circuit_retry_at and locked.circuit_retry_at > now):
        return False
    locked.circuit_state = CircuitState.HALF_OPEN
    locked.save(update_fields=["circuit_state"])
    source.circuit_state = CircuitState.HALF_OPEN
    logger.info("source %s: circuit half-open, probing (trip %d)", locked.slug, locked.circuit_trips)
    _publish_health(locked)
    return True


@transaction.atomic
def do_record_run_success(source: Source, *, started_at, records: int, cursor=None, data_as_of=None) -> None:
    finished = timezone.now()
    if source.consecutive_failures:
        logger.info("source %s recovered after %d failures", source.slug, source.consecutive_failures)
    if source.circuit_state != CircuitState.CLOSED:
        logger.info("source %s: circuit closed (probe succeeded after %d trips)", source.slug, source.circuit_trips)
    source.circuit_state = CircuitState.CLOSED
    source.circuit_opened_at = None
    source.circuit_retry_at = None
    source.circuit_trips = 0
    source.last_attempt_at = started_at
    source.last_success_at = finished
    source.consecutive_failures = 0
    source.records_last_run = records
    if cursor is not None:
        source.cursor = cursor
    if data_as_of is not None:
        # Stored in UTC: the event then says exactly what a fresh read of the row says.
        source.data_as_of = data_as_of.astimezone(datetime.UTC)
    source.save(
        update_fields=[
            "last_attempt_at",
            "last_success_at",
            "consecutive_failures",
            "records_last_run",
            "cursor",
            "data_as_of",
            *CIRCUIT_FIELDS,
        ]
    )
    SourceRun.objects.create(source=source, started_at=started_at, finished_at=finished, ok=True, records=records)
    _publish_health(source)


@transaction.atomic
def do_record_run_failure(source: Source, *, started_at, kind: str, error: str) -> None:
    finished = timezone.now()
    error = error[:MAX_ERROR_LENGTH]
    if source.consecutive_failures == 0:  # log a failure once, not on every retry
        logger.warning("source %s failing (%s): %s", source.slug, kind, error)
    source.last_attempt_at = started_at
    source.last_failure_at = finished
    source.last_error = error
    source.last_error_kind = kind
    source.consecutive_failures += 1
    _trip_circuit_if_needed(source, finished)
    source.save(
        update_fields=[
            "last_attempt_at",
            "last_failure_at",
            "last_error",
            "last_error_kind",
            "consecutive_failures",
            *CIRCUIT_FIELDS,
        ]
    )
    SourceRun.objects.create(source=source, started_at=started_at, finished_at=finished, ok=False, error_kind=kind, error=error)
    _publish_health(source)


@transaction.atomic
def do_load_sources(path) -> int:
    """Register the city's applications from ``sources.csv``. A connected one takes its connector's
    schedule from the manifest. Health and cursors of existing sources are kept."""
    import csv

    from komando.agencies.models import Agency
    from komando.sources.registry import manifests

    known = manifests()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        connector = row["connector"].strip()
        if connector and connector not in known:
            raise ValueError(f"source {row['slug']}: no connector package named {connector!r}")
        defaults = {
            "name": row["name"],
            "description": row.get("description", ""),
            "group": row["group"],
            "agency": Agency.objects.get(code=row["agency"]),
            "access_level": row["access_level"],
            "connector": connector,
        }
        if connector:
            defaults["schedule_seconds"] = known[connector].schedule_seconds
        elif (row.get("schedule_seconds") or "").strip():
            defaults["schedule_seconds"] = int(row["schedule_seconds"])
        defaults["file_import"] = (row.get("file_import") or "").strip().lower() in {"1", "yes", "true"}
        Source.objects.update_or_create(slug=row["slug"], defaults=defaults)
    return len(rows)


def do_record_file_import(
    source: Source, *, started_at, ok: bool, records: int = 0, data_as_of=None, kind: str = "", error: str = ""
) -> None:
    """The health of a source fed by uploaded files (komando.imports): a file imported is a
    successful run, a file refused a failed one (nothing stored is changed by it)."""
    if ok:
        do_record_run_success(source, started_at=started_at, records=records, data_as_of=data_as_of)
    else:
        do_record_run_failure(source, started_at=started_at, kind=kind, error=error)


def _set_source_enabled(source: Source, *, enabled: bool, acting_user, action: str) -> None:
    from komando.audit.actions import record_audit

    source = Source.objects.select_for_update().get(pk=source.pk)
    before = {"enabled": source.enabled}
    source.enabled = enabled
    source.save(update_fields=["enabled"])
    record_audit(
        actor=acting_user, channel="ui", action=action, instance=source, before=before, after={"enabled": source.enabled}
    )
    _publish_health(source)


@transaction.atomic
def do_pause_source(source: Source, *, acting_user) -> None:
    """Stop fetching from a source (the scheduler skips disabled sources); health and runs are kept."""
    _set_source_enabled(source, enabled=False, acting_user=acting_user, action="source.pause")
    source.enabled = False


@transaction.atomic
def do_resume_source(source: Source, *, acting_user) -> None:
    """Fetch from a paused source again."""
    _set_source_enabled(source, enabled=True, acting_user=acting_user, action="source.resume")
    source.enabled = True


@transaction.atomic
def do_set_source_credentials(source: Source, values: dict[str, str], *, acting_user) -> list[str]:
    """Store (encrypted) the credentials an administrator typed; empty values leave a field as it
    was. Returns the fields changed. Audited with field names only, never a value."""
    from komando.audit.actions import record_audit
    from komando.sources.credentials import encrypt
    from komando.sources.models import SourceCredential
    from komando.sources.selectors import credential_fields

    allowed = credential_fields(source)
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"{source.slug} has no credential field {', '.join(unknown)}")
    changed = sorted(name for name, value in values.items() if value)
    if not changed:
        return []
    source = Source.objects.select_for_update().get(pk=source.pk)
    before = {"set": sorted(SourceCredential.objects.filter(source=source).values_list("field", flat=True))}
    now = timezone.now()
    for name in changed:
        SourceCredential.objects.update_or_create(
            source=source,
            field=name,
            defaults={
                "ciphertext": encrypt(values[name]),
                "set_at": now,
                "set_by": acting_user if getattr(acting_user, "is_authenticated", False) else None,
            },
        )
    record_audit(
        actor=acting_user,
        channel="ui",
        action="source.credentials",
        instance=source,
        before=before,
        after={"set": sorted(set(before["set"]) | set(changed)), "changed": changed},
    )
    logger.info("source %s: credentials %s set by %s", source.slug, ", ".join(changed), getattr(acting_user, "username", "?"))
    return changed


@transaction.atomic
def do_reencrypt_credentials() -> int:
    """Re-encrypt every stored credential with the newest key of KOMANDO_SECRETS_KEY (key rotation)."""
    from komando.sources.credentials import reencrypt
    from komando.sources.models import SourceCredential

    count = 0
    for credential in SourceCredential.objects.select_for_update().select_related("source"):
        credential.ciphertext = reencrypt(credential.ciphertext, f"credential {credential}")
        credential.save(update_fields=["ciphertext"])
        count += 1
    return count
