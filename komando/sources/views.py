"""The source health page: check the user, call the selector or action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from komando.sources.access import can_manage_sources, can_view_source_health
from komando.sources.actions import do_pause_source, do_resume_source, do_set_source_credentials
from komando.sources.models import AccessLevel, ErrorKind, Source, SourceGroup
from komando.sources.selectors import credential_fields, credential_status_by_source, source_health_rows

# What the page's script needs of each row (the shape of a ``source.health`` event).
LIVE_FIELDS = [
    "slug",
    "connected",
    "enabled",
    "status",
    "stale_after_seconds",
    "last_attempt_at",
    "last_success_at",
    "data_as_of",
    "last_error",
    "last_error_kind",
    "consecutive_failures",
    "records_last_run",
    "circuit_state",
    "circuit_retry_at",
    "circuit_trips",
    "runs_24h",
    "failed_runs_24h",
    "records_today",
]

STATUS_LABELS = {
    "ok": _("Running"),
    "stale": _("Stale"),
    "failing": _("Failing"),
    "waiting": _("Waiting for first data"),
    "paused": _("Paused"),
    "not_connected": _("Not connected"),
}


def _group_rows(rows):
    groups = []
    for value, label in SourceGroup.choices:
        members = [row for row in rows if row["group"] == value]
        if members:
            groups.append({"value": value, "label": label, "rows": members})
    return groups


@login_required
def health_page(request):
    if not can_view_source_health(request.user):
        raise PermissionDenied
    now = timezone.now()
    rows = source_health_rows(now)
    error_kinds = dict(ErrorKind.choices)
    access_levels = dict(AccessLevel.choices)
    for row in rows:
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
        row["access_label"] = access_levels.get(row["access_level"], row["access_level"])
        row["error_kind_label"] = error_kinds.get(row["last_error_kind"], row["last_error_kind"])
        row["error_rate_percent"] = round(row["error_rate_24h"] * 100, 1) if row["error_rate_24h"] is not None else None
        for failure in row["failures"]:
            failure["kind_label"] = error_kinds.get(failure["error_kind"], failure["error_kind"])
    can_manage = can_manage_sources(request.user)
    credentials = credential_status_by_source() if can_manage else {}
    for row in rows:
        row["credentials"] = credentials.get(row["id"], [])
    summary = {key: sum(1 for row in rows if row["status"] == key) for key in STATUS_LABELS}
    return render(
        request,
        "sources/health_page.html",
        {
            "groups": _group_rows(rows),
            "now": now,
            "can_manage": can_manage,
            "summary": [{"status": key, "label": STATUS_LABELS[key], "count": count} for key, count in summary.items() if count],
            "live_rows": [{key: row[key] for key in LIVE_FIELDS} for row in rows],
            "live_labels": _live_labels(),
        },
    )


def _live_labels() -> dict:
    """Strings the page's script needs to redraw a row from a ``source.health`` event."""
    return {
        "status": {key: str(label) for key, label in STATUS_LABELS.items()},
        "summary": {key: str(label) for key, label in STATUS_LABELS.items()},
        "error_kinds": {key: str(label) for key, label in ErrorKind.choices},
        "failures_one": ngettext("%(counter)s failure in a row", "%(counter)s failures in a row", 1),
        "failures_other": ngettext("%(counter)s failure in a row", "%(counter)s failures in a row", 2),
        "circuit_open": gettext("Circuit open: next probe at %(time)s WIB"),
        "circuit_half_open": gettext("Circuit half-open: probing"),
        "never": gettext("never"),
        "runs": gettext("%(failed)s of %(runs)s runs"),
        "live_live": gettext("live"),
        "live_connecting": gettext("connecting…"),
        "live_offline": gettext("offline"),
    }


def _managed_source(request, slug):
    if not can_manage_sources(request.user):
        raise PermissionDenied
    return get_object_or_404(Source, slug=slug)


@login_required
@require_POST
def pause_source(request, slug):
    source = _managed_source(request, slug)
    if not source.is_connected:
        return HttpResponseBadRequest(_("This source is not connected."))
    do_pause_source(source, acting_user=request.user)
    return redirect(reverse("sources:health") + f"#source-{source.slug}")


@login_required
@require_POST
def resume_source(request, slug):
    source = _managed_source(request, slug)
    if not source.is_connected:
        return HttpResponseBadRequest(_("This source is not connected."))
    do_resume_source(source, acting_user=request.user)
    return redirect(reverse("sources:health") + f"#source-{source.slug}")


@login_required
@require_POST
def set_credentials(request, slug):
    """Rotate a source's connector credentials (secrets are stored encrypted, never shown back)."""
    source = _managed_source(request, slug)
    fields = credential_fields(source)
    if not fields:
        return HttpResponseBadRequest(_("This source has no credentials to set."))
    values = {name: request.POST.get(name, "") for name in fields}
    changed = do_set_source_credentials(source, values, acting_user=request.user)
    if changed:
        messages.success(
            request, _("Credentials of %(source)s saved: %(fields)s.") % {"source": source.name, "fields": ", ".join(changed)}
        )
    else:
        messages.info(request, _("No credential changed (empty fields are kept as they were)."))
    return redirect(reverse("sources:health") + f"#source-{source.slug}")
