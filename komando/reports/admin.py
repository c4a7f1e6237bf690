"""Daily reports in the admin: read-only (made only by ``do_generate_daily_report``; a version once made
is never changed). The PDF and summary are not shown here: the page /laporan-harian/ serves them."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from komando.reports.models import DailyReport


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ("day", "version", "generated_at", "generated_by", "pdf_bytes", "download")
    list_filter = ("day",)
    date_hierarchy = "day"
    fields = ("day", "version", "generated_at", "generated_by", "pdf_bytes", "download")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "summary").select_related("generated_by")

    @admin.display(description="PDF")
    def download(self, report):
        url = reverse("reports:pdf", args=[report.day.isoformat()]) + f"?versi={report.version}"
        return format_html('<a href="{}">{}</a>', url, report.filename)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
