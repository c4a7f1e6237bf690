from django.core.management.base import BaseCommand, CommandError

from komando.reports.selectors import BadDay, parse_day


class Command(BaseCommand):
    help = (
        "Generate the daily situation report of a day (WIB; default yesterday) as a new version, "
        "or with --if-missing only when that day has none yet (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="the day, YYYY-MM-DD (default: yesterday, WIB)")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when the day already has a report")

    def handle(self, *args, date, if_missing, **options):
        from komando.reports.actions import do_generate_daily_report

        try:
            day = parse_day(date)
        except BadDay as error:
            raise CommandError(str(error)) from None
        report, created = do_generate_daily_report(day, None, only_if_missing=if_missing)
        if created:
            self.stdout.write(f"Laporan harian {day:%Y-%m-%d} v{report.version}: {report.pdf_bytes} bytes")
        else:
            self.stdout.write(f"Laporan harian {day:%Y-%m-%d} already exists (v{report.version}); nothing done")
