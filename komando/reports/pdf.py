"""The daily report as a PDF: an HTML template (``reports/pdf.html``, A4, in Bahasa Indonesia) rendered
by WeasyPrint. WeasyPrint is imported inside ``render_pdf`` so that nothing else needs pango."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from komando.core.city import current_city

PDF_LANGUAGE = "id"


def siaga_gauges(report: dict) -> int:
    return sum(1 for row in report["water"]["rows"] if row["siaga"] != "normal")


def render_html(report: dict, *, generated_at: str, version: int | None = None) -> str:
    with translation.override(PDF_LANGUAGE):
        return render_to_string(
            "reports/pdf.html",
            {
                "report": report,
                "generated_at": generated_at,
                "version": version,
                "city": current_city(),
                "siaga_gauges": siaga_gauges(report),
            },
        )


def render_pdf(report: dict, *, generated_at: str, version: int | None = None) -> bytes:
    from weasyprint import HTML  # lazily: needs pango

    return HTML(string=render_html(report, generated_at=generated_at, version=version)).write_pdf()
