"""Importing an uploaded file: the only writer of import batches and the rows they carry."""

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komando.audit.actions import record_audit
from komando.core import clock
from komando.core.tiles import publish_tile
from komando.imports import limits
from komando.imports.formats.base import ImportTemplate, RowError
from komando.imports.formats.registry import get_template
from komando.imports.models import BatchStatus, ImportBatch
from komando.imports.parsing import FileRejected, read_table
from komando.imports.selectors import REVENUE_SOURCE
from komando.sources.actions import do_record_file_import
from komando.sources.models import ErrorKind, Source

logger = logging.getLogger("komando.imports")


@dataclass
class ImportResult:
    status: str  # BatchStatus
    batch: ImportBatch
    message: str
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return self.status != BatchStatus.REJECTED


def _read_upload(uploaded_file) -> bytes:
    """At most the size limit plus one byte, so a huge file is refused without reading all of it."""
    limit = limits.max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise FileRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise FileRejected(_("The file is larger than the limit of %(limit)s MB.") % {"limit": round(limit / 1048576, 1)})
    return data


def _audit(acting_user, batch: ImportBatch, channel: str) -> None:
    record_audit(
        actor=acting_user,
        channel=channel,
        action="import",
        instance=batch,
        after={
            "template": batch.template,
            "source": batch.source.slug,
            "file_name": batch.file_name,
            "sha256": batch.sha256,
            "status": batch.status,
            "rows": batch.rows,
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
            "error_count": batch.error_count,
        },
    )


def do_import_file(
    source_slug: str, template: ImportTemplate | str, uploaded_file, *, acting_user, channel: str = "ui"
) -> ImportResult:
    """Validate every row of the file; store all of them in one transaction or none at all.

    The same content imported again (same template) changes nothing and says so; rows equal to the
    stored ones are left alone, rows that differ update them. The batch, the audit record and the
    source's health are written whatever the outcome."""
    if isinstance(template, str):
        template = get_template(template)
    if template.source_slug != source_slug:
        raise ValueError(f"template {template.slug!r} belongs to source {template.source_slug!r}, not {source_slug!r}")
    started_at = timezone.now()
    file_name = (getattr(uploaded_file, "name", "") or "upload")[-255:]

    with transaction.atomic():
        source = Source.objects.select_for_update().get(slug=source_slug)  # one import per source at a time
        batch = ImportBatch(
            source=source,
            template=template.slug,
            file_name=file_name,
            sha256="",
            uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        try:
            data = _read_upload(uploaded_file)
            batch.size_bytes = len(data)
            batch.sha256 = hashlib.sha256(data).hexdigest()
            previous = ImportBatch.objects.filter(
                source=source, template=template.slug, sha256=batch.sha256, status=BatchStatus.IMPORTED
            ).first()
            if previous is not None:
                return _duplicate(batch, previous, acting_user, channel)
            table = read_table(file_name, data, max_rows=limits.max_rows())
            batch.rows = len(table.rows)
            validated = template.validate(table)
        except FileRejected as rejection:
            return _rejected(
                batch, source, [RowError(None, "", str(rejection))], acting_user, channel, started_at, message=str(rejection)
            )
        if not validated.ok:
            bad_rows = len({error.row for error in validated.errors})
            message = _(
                "%(bad)s of %(rows)s rows have problems; nothing was imported. Correct them and upload the whole file again."
            ) % {"bad": bad_rows, "rows": batch.rows}
            return _rejected(batch, source, validated.errors, acting_user, channel, started_at, message=message)

        batch.status = BatchStatus.IMPORTED
        batch.save()
        batch.created, batch.updated, batch.unchanged = template.store(source, validated.rows, batch)
        batch.save(update_fields=["created", "updated", "unchanged"])
        _audit(acting_user, batch, channel)
        do_record_file_import(
            source, started_at=started_at, ok=True, records=batch.created + batch.updated, data_as_of=template.data_as_of(source)
        )
        if source.slug == REVENUE_SOURCE:
            publish_tile("revenue")
    message = _("Imported %(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
        "rows": batch.rows,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
    }
    logger.info("import %s of %s by %s: %s", batch.pk, template.slug, batch.uploaded_by, message)
    return ImportResult(
        BatchStatus.IMPORTED,
        batch,
        message,
        rows=batch.rows,
        created=batch.created,
        updated=batch.updated,
        unchanged=batch.unchanged,
    )


def _duplicate(batch, previous, acting_user, channel) -> ImportResult:
    batch.status = BatchStatus.DUPLICATE
    batch.rows = previous.rows
    batch.unchanged = previous.rows
    batch.save()
    _audit(acting_user, batch, channel)
    when = clock.local(previous.uploaded_at).strftime("%Y-%m-%d %H:%M")
    message = _("This file was already imported on %(when)s %(zone)s (“%(name)s”); nothing changed.") % {
        "when": when,
        "zone": clock.zone_label(),
        "name": previous.file_name,
    }
    return ImportResult(BatchStatus.DUPLICATE, batch, message, rows=batch.rows, unchanged=batch.rows)


def _rejected(batch, source, errors, acting_user, channel, started_at, *, message) -> ImportResult:
    batch.status = BatchStatus.REJECTED
    batch.error_count = len(errors)
    batch.errors = [error.as_dict() for error in errors[: limits.STORED_ERRORS]]
    batch.save()
    _audit(acting_user, batch, channel)
    do_record_file_import(source, started_at=started_at, ok=False, kind=ErrorKind.INVALID, error=f"{batch.file_name}: {message}")
    return ImportResult(BatchStatus.REJECTED, batch, message, errors=errors, rows=batch.rows)
