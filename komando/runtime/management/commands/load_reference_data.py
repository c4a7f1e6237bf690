from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from komando.agencies.actions import do_load_agencies
from komando.incidents.actions import do_load_incident_reference_data
from komando.regions.actions import do_load_regions
from komando.sources.actions import do_load_sources


class Command(BaseCommand):
    help = "Load the city's regions, OPDs and source applications from its data folder (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--city-dir", default=str(settings.KOMANDO_CITY_DIR))

    def handle(self, *args, city_dir, **options):
        city = Path(city_dir)
        regions = do_load_regions(city / "regions.csv")
        agencies = do_load_agencies(city / "agencies.csv")
        sources = do_load_sources(city / "sources.csv")
        self.stdout.write(f"reference data: {regions} regions, {agencies} OPDs, {sources} sources ({city.name})")
        if (city / "incident_categories.csv").is_file():
            incidents = do_load_incident_reference_data(city)
            self.stdout.write(
                f"incident categories: {incidents['categories']}, SOP playbooks: "
                f"{incidents['playbooks_created']} new, {incidents['playbooks_updated']} updated"
            )
