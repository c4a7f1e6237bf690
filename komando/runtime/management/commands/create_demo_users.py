from django.core.management.base import BaseCommand

from komando.accounts.actions import DEMO_FIELD_OFFICER, do_create_demo_users
from komando.accounts.models import Profile
from komando.runtime.demo_officer import do_bind_demo_field_officer


class Command(BaseCommand):
    help = (
        "Create the demo administrator and one demo user per role (passwords printed once). The demo "
        "field officer is linked to a field unit of Satpol PP or DLH when one exists, else by `komando demo` "
        "once the ingest registers one."
    )

    def handle(self, *args, **options):
        created = do_create_demo_users()
        do_bind_demo_field_officer()
        if not created:
            self.stdout.write("demo users already exist (passwords were printed when they were created)")
        else:
            self.stdout.write("Demo users (shown only now; write them down):")
            for username, password, role in created:
                self.stdout.write(f"  {username:<16} {password:<14} {role}")
        profile = Profile.objects.select_related("unit").filter(user__username=DEMO_FIELD_OFFICER).first()
        if profile is not None:
            if profile.unit is not None:
                self.stdout.write(f"{DEMO_FIELD_OFFICER} works as field unit {profile.unit.name} (/petugas/)")
            else:
                self.stdout.write(
                    f"{DEMO_FIELD_OFFICER} has no field unit yet: `komando demo` links it to the "
                    "first Satpol PP or DLH unit the ingest registers"
                )
