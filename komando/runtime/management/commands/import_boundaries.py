from django.core.management.base import BaseCommand, CommandError

from komando.regions.actions import BoundaryImportError, do_import_boundaries


class Command(BaseCommand):
    help = "Replace schematic region shapes with official boundaries from a GeoJSON FeatureCollection."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            counts = do_import_boundaries(file)
        except BoundaryImportError as error:
            raise CommandError(f"nothing imported: {error}") from error
        summary = ", ".join(f"{n} {level}" for level, n in sorted(counts.items()))
        self.stdout.write(f"official boundaries imported: {summary}")
