import signal

from django.core.management.base import BaseCommand

from komando.sources.models import Source
from komando.sources.runner import IngestScheduler, run_source


class Command(BaseCommand):
    help = "Run the connectors on their schedules (or each once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every connected source once and exit")
        parser.add_argument("--source", action="append", default=[], help="only this source (repeatable)")

    def handle(self, *args, once, source, **options):
        if once:
            sources = Source.objects.select_related("agency").exclude(connector="").filter(enabled=True)
            if source:
                sources = sources.filter(slug__in=source)
            failed = 0
            for item in sources:
                ok = run_source(item)
                item.refresh_from_db()
                self.stdout.write(f"{item.slug}: {'ok' if ok else 'FAILED ' + item.last_error}")
                failed += not ok
            if failed:
                raise SystemExit(1)
            return
        scheduler = IngestScheduler(only=source)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())
        try:
            scheduler.run_forever()
        except KeyboardInterrupt:
            scheduler.stop()
