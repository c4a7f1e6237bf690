from django.core.management.base import BaseCommand

from komando.sources.actions import do_reencrypt_credentials
from komando.sources.credentials import generate_key


class Command(BaseCommand):
    help = (
        "Keys for stored connector credentials: `generate` prints a new KOMANDO_SECRETS_KEY; `reencrypt` "
        "re-encrypts every stored credential with the first key (after putting a new key first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["generate", "reencrypt"])

    def handle(self, *args, what, **options):
        if what == "generate":
            self.stdout.write(generate_key())
            return
        count = do_reencrypt_credentials()
        self.stdout.write(f"{count} stored credentials re-encrypted with the first key of KOMANDO_SECRETS_KEY")
