"""The source health page: check the user, call the selector or action, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from komando.sources.access import can_manage_sources, can_view_source_health
from komando.sources.actions import do_pause_source, do_resume_source
from komando.sources.models import AccessLevel, ErrorKind, Source, SourceGroup
from komando.sources.selectors import source_health_rows

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
        row["error_rate_percent"] = (round(row["error_rate_24h"] * 100, 1)
                                     if row["error_rate_24h"] is not None else None)
        for failure in row["failures"]:
            failure["kind_label"] = error_kinds.get(failure["error_kind"], failure["error_kind"])
    summary = {key: sum(1 for row in rows if row["status"] == key) for key in STATUS_LABELS}
    return render(request, "sources/health_page.html", {
        "groups": _group_rows(rows),
        "now": now,
        "can_manage": can_manage_sources(request.user),
        "summary": [{"status": key, "label": STATUS_LABELS[key], "count": count}
                    for key, count in summary.items() if count],
    })


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
