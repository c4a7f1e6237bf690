from django.core.management.base import BaseCommand

from komando.accounts.actions import do_create_demo_users


class Command(BaseCommand):
    help = "Create the demo administrator and one demo user per role (passwords printed once)."

    def handle(self, *args, **options):
        created = do_create_demo_users()
        if not created:
            self.stdout.write("demo users already exist (passwords were printed when they were created)")
            return
        self.stdout.write("Demo users (shown only now; write them down):")
        for username, password, role in created:
            self.stdout.write(f"  {username:<12} {password:<14} {role}")
