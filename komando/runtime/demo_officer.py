"""The demo field officer (``petugas-lapangan``) works as a field unit of DLH or Satpol PP.

Units are registered by the first ingest of their sources (or by the first MQTT message of a device),
so on a fresh installation there is none yet when ``create-demo-users`` runs: ``komando demo`` binds
the officer once one appears (``bind_demo_field_officer_when_units_appear``). Demo wiring of people
(accounts) to assets, so it lives here, above both.
"""

from __future__ import annotations

import threading
import time

from django.db import close_old_connections, connection, transaction

from komando.accounts.actions import DEMO_FIELD_OFFICER
from komando.accounts.models import Profile
from komando.assets.models import Asset

DEMO_FIELD_UNIT_AGENCIES = ("satpol-pp", "dlh")
DEMO_FIELD_UNIT_KINDS = ("officer", "truck", "patrol")


def demo_field_unit() -> Asset | None:
    """The unit the demo field officer works as: a Satpol PP officer, else a DLH truck (first by name)."""
    for kind in DEMO_FIELD_UNIT_KINDS:
        unit = (
            Asset.objects.filter(kind=kind, source__agency__code__in=DEMO_FIELD_UNIT_AGENCIES)
            .select_related("source")
            .order_by("name", "pk")
            .first()
        )
        if unit is not None:
            return unit
    return None


@transaction.atomic
def do_bind_demo_field_officer() -> Asset | None:
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


def bind_demo_field_officer_when_units_appear(
    *, every_seconds: float = 5.0, give_up_after_seconds: float = 900.0, log=print
) -> threading.Thread:
    """For `komando demo`: a daemon thread that links the demo field officer to the first field unit
    the ingest registers (it stops once linked, or after ``give_up_after_seconds``)."""

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
