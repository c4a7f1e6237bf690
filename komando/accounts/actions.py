import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from komando.accounts.models import Profile, Role
from komando.agencies.models import Agency


@transaction.atomic
def do_ensure_role_groups() -> None:
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def do_create_demo_users(agency_code: str = "dinkes") -> list[tuple[str, str, str]]:
    """Create the demo administrator and one user per role, once. Returns (username, password, role)
    for the users created now; existing users keep their passwords."""
    do_ensure_role_groups()
    created = []
    plan = [
        ("admin", Role.ADMINISTRATOR, None),
        ("operator", Role.OPERATOR, None),
        ("petugas-opd", Role.OPD_OFFICER, agency_code),
        ("eksekutif", Role.EXECUTIVE, None),
        ("dinding", Role.OPERATOR, None),  # the video wall's kiosk browsers (/dinding/)
        (DEMO_FIELD_OFFICER, Role.FIELD_OFFICER, None),
    ]
    for username, role, agency in plan:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(username=username, password=password)
        if role == Role.ADMINISTRATOR:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        user.groups.add(Group.objects.get(name=role))
        Profile.objects.create(user=user, agency=Agency.objects.filter(code=agency).first() if agency else None)
        created.append((username, password, role))
    do_bind_demo_field_officer()
    return created


# The demo field officer works as a field unit of DLH or Satpol PP. Units are registered by the
# first ingest of their sources (or by the first MQTT message of a device), so on a fresh
# installation there is none yet when `create-demo-users` runs: `komando demo` binds the officer
# once one appears (``bind_demo_field_officer_when_units_appear``).
DEMO_FIELD_OFFICER = "petugas-lapangan"
DEMO_FIELD_UNIT_AGENCIES = ("satpol-pp", "dlh")
DEMO_FIELD_UNIT_KINDS = ("officer", "truck", "patrol")


def demo_field_unit():
    """The unit the demo field officer works as: a Satpol PP officer, else a DLH truck (first by name)."""
    from komando.assets.models import Asset

    for kind in DEMO_FIELD_UNIT_KINDS:
        unit = (Asset.objects.filter(kind=kind, source__agency__code__in=DEMO_FIELD_UNIT_AGENCIES)
                .select_related("source").order_by("name", "pk").first())
        if unit is not None:
            return unit
    return None


@transaction.atomic
def do_bind_demo_field_officer():
    """Link the demo field officer to a field unit, once: returns the unit when it was linked now,
    None when the officer is missing, already has a unit, or there is no field unit yet."""
    profile = Profile.objects.select_for_update().filter(user__username=DEMO_FIELD_OFFICER).first()
    if profile is None or profile.unit_id is not None:
        return None
    unit = demo_field_unit()
    if unit is None:
        return None
    profile.unit = unit
    profile.agency = unit.source.agency
    profile.save(update_fields=["unit", "agency"])
    return unit


def bind_demo_field_officer_when_units_appear(*, every_seconds: float = 5.0, give_up_after_seconds: float = 900.0,
                                              log=print):
    """For `komando demo`: a daemon thread that links the demo field officer to the first field unit
    the ingest registers (it stops once linked, or after ``give_up_after_seconds``)."""
    import threading
    import time

    from django.db import close_old_connections, connection

    def wait_and_bind():
        deadline = time.monotonic() + give_up_after_seconds
        try:
            while time.monotonic() < deadline:
                close_old_connections()
                if not Profile.objects.filter(user__username=DEMO_FIELD_OFFICER, unit__isnull=True).exists():
                    return
                unit = do_bind_demo_field_officer()
                if unit is not None:
                    log(f"  demo field officer {DEMO_FIELD_OFFICER} works as {unit.name} (/petugas/)")
                    return
                time.sleep(every_seconds)
        finally:
            connection.close()

    thread = threading.Thread(target=wait_and_bind, name="bind-demo-field-officer", daemon=True)
    thread.start()
    return thread
