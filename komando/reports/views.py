"""``/laporan-harian/``: the daily situation report as a page and as a PDF, the list of past reports and
"Buat ulang sekarang" (regenerate now). Views parse the day, check access, read or call one action."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from komando.core.city import current_city
from komando.reports.access import can_generate_reports, can_view_reports, report_scope
from komando.reports.actions import do_generate_daily_report, latest_for_day
from komando.reports.models import DailyReport
from komando.reports.pdf import render_pdf, siaga_gauges
from komando.reports.selectors import BadDay, daily_report, iso, parse_day, yesterday_wib

PAST_REPORTS_SHOWN = 60


def _require_viewer(request) -> None:
    if not can_view_reports(request.user):
        raise PermissionDenied(gettext("The daily report needs a staff role."))


def past_reports() -> list[dict]:
    """The newest versions first, without their PDFs or summaries (those are large)."""
    rows = DailyReport.objects.order_by("-day", "-version").values(
        "day", "version", "generated_at", "generated_by__username", "pdf_bytes"
    )[:PAST_REPORTS_SHOWN]
    return [{**row, "generated_at": iso(row["generated_at"])} for row in rows]


def _bad_day(request, error: BadDay):
    return render(
        request,
        "reports/daily.html",
        {"error": str(error), "past": past_reports(), "city": current_city(), "latest_day": yesterday_wib().isoformat()},
        status=400,
    )


@login_required
@require_safe
def report_page(request, day: str | None = None):
    _require_viewer(request)
    if day is None and request.GET.get("tanggal"):
        return redirect("reports:day", day=request.GET["tanggal"].strip())
    try:
        parsed = parse_day(day)
    except BadDay as error:
        return _bad_day(request, error)
    scope = report_scope(request.user)
    stored = latest_for_day(parsed) if scope is None else None
    if stored is not None:
        report, generated_at = stored.summary, iso(stored.generated_at)
    else:
        report = daily_report(parsed, agency_id=scope)
        generated_at = report["as_of"]
    return render(
        request,
        "reports/daily.html",
        {
            "report": report,
            "stored": stored,
            "generated_at": generated_at,
            "siaga_gauges": siaga_gauges(report),
            "versions": DailyReport.objects.filter(day=parsed).count() if scope is None else 0,
            "can_generate": can_generate_reports(request.user),
            "past": past_reports() if scope is None else [],
            "scoped": scope is not None,
            "pdf_url": reverse("reports:pdf", args=[parsed.isoformat()]),
            "latest_day": yesterday_wib().isoformat(),
            "city": current_city(),
        },
    )


@login_required
@require_safe
def report_pdf(request, day: str):
    """The newest stored version (``?versi=N`` for an older one); rendered now when the day has none
    yet, or for an OPD officer (their report is scoped, stored reports are city-wide)."""
    _require_viewer(request)
    try:
        parsed = parse_day(day)
    except BadDay as error:
        return _bad_day(request, error)
    scope = report_scope(request.user)
    if scope is None:
        version = request.GET.get("versi", "")
        reports = DailyReport.objects.filter(day=parsed)
        if version:
            if not version.isdigit():
                return _bad_day(request, BadDay(gettext("The version must be a number.")))
            stored = reports.filter(version=int(version)).first()
            if stored is None:
                raise Http404("no such version")
        else:
            stored = reports.order_by("-version").first()
        if stored is not None:
            return _pdf_response(bytes(stored.pdf), stored.filename)
    report = daily_report(parsed, agency_id=scope)
    pdf = render_pdf(report, generated_at=report["as_of"])
    suffix = f"-{report['scope']['code']}" if report["scope"] else "-sementara"
    return _pdf_response(pdf, f"laporan-harian-{parsed:%Y-%m-%d}{suffix}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def regenerate(request, day: str):
    if not can_generate_reports(request.user):
        raise PermissionDenied(gettext("Only the command room may generate the daily report."))
    try:
        parsed = parse_day(day)
    except BadDay as error:
        return _bad_day(request, error)
    do_generate_daily_report(parsed, request.user, now=timezone.now())
    return redirect("reports:day", day=parsed.isoformat())
