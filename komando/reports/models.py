"""Daily situation reports as they were made: one row per version of a day's report, with its PDF
(kept in the database: a few tens of kilobytes a day, backed up with everything else and readable by
every worker) and the summary it was rendered from. Written only by ``komando.reports.actions``.

Regenerating a day keeps the earlier versions (``version`` 1, 2, …): a report the mayor already
read is never silently changed; the page and the download show the newest version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyReport(models.Model):
    day = models.DateField(db_index=True, help_text=_("The calendar day (WIB) the report describes"))
    version = models.PositiveSmallIntegerField(default=1)
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: made by the schedule"),
    )
    summary = models.JSONField(help_text=_("The figures the PDF was rendered from"))
    pdf = models.BinaryField()
    pdf_bytes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-version"]
        constraints = [models.UniqueConstraint(fields=["day", "version"], name="daily_report_one_per_version")]

    def __str__(self):
        return f"Laporan harian {self.day:%Y-%m-%d} v{self.version}"

    @property
    def by_schedule(self) -> bool:
        return self.generated_by_id is None

    @property
    def filename(self) -> str:
        return f"laporan-harian-{self.day:%Y-%m-%d}-v{self.version}.pdf"
