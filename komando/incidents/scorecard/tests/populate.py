"""A month of plausible incidents for the scorecard's browser test and screenshots: reported through the
real intake across the city's kelurahan and categories, worked through the real actions, then placed
in time (report in the last 30 days, resolved hours or days later) so the tables have every kind of
row. Deterministic (seeded). Run against the database of the environment:

    python -m komando.incidents.scorecard.tests.populate [count]
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import timedelta


def populate(count: int = 160, seed: int = 2611) -> int:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from komando.incidents.actions import do_report_incident, do_transition_incident
    from komando.incidents.choices import Channel, Status
    from komando.incidents.models import Category, Incident
    from komando.regions.models import Region, RegionLevel

    rng = random.Random(seed)
    officer, _created = User.objects.get_or_create(username="populate.operator")
    kelurahan = list(Region.objects.filter(level=RegionLevel.KELURAHAN).order_by("code"))
    categories = list(Category.objects.filter(playbook__isnull=False, active=True).order_by("code"))
    # A few busy categories, many quiet ones: real cities look like this.
    weights = [8 if c.code in ("SAMPAH", "JLN-RUSAK", "GENANGAN", "PJU-MATI", "SALURAN") else 1 for c in categories]
    now = timezone.now()
    channels = [Channel.LAKSA, Channel.WEB, Channel.OPEN311, Channel.CALL_112, Channel.LAPOR]
    for number in range(count):
        place = rng.choice(kelurahan)
        category = rng.choices(categories, weights)[0]
        incident, _report, _new = do_report_incident(
            rng.choice(channels),
            source_ref=uuid.UUID(int=rng.getrandbits(128)).hex,
            category_code=category.code,
            description="Laporan contoh untuk papan kinerja",
            lat=place.centroid_lat + rng.uniform(-0.0008, 0.0008),
            lon=place.centroid_lon + rng.uniform(-0.0008, 0.0008),
            reported_at=now,
        )
        fate = rng.random()
        walk = []
        if fate < 0.62:
            walk = [Status.DIVERIFIKASI, Status.DITUGASKAN, Status.DALAM_PENANGANAN, Status.SELESAI]
        elif fate < 0.70:
            walk = [Status.DITOLAK]
        elif fate < 0.90:
            walk = [Status.DIVERIFIKASI, Status.DITUGASKAN, Status.DALAM_PENANGANAN][: rng.randint(0, 3)]
        for step in walk:
            reason = "Bukan kewenangan pemerintah kota" if step == Status.DITOLAK else ""
            do_transition_incident(incident, step, acting_user=officer, reason=reason)
        incident.refresh_from_db()
        reported_at = now - timedelta(days=rng.uniform(0.2, 29.5))
        target = incident.resolve_due_at - incident.reported_at
        fields = {"reported_at": reported_at, "last_reported_at": reported_at, "resolve_due_at": reported_at + target}
        if incident.resolved_at is not None:
            took = target * rng.choice([0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.3, 2.0])
            fields["resolved_at"] = min(reported_at + took, now)
            if rng.random() < 0.08:
                fields["reopen_count"] = 1
        Incident.objects.filter(pk=incident.pk).update(**fields)
        if number % 40 == 39:
            print(f"{number + 1} incidents", flush=True)
    return count


if __name__ == "__main__":
    import django

    django.setup()
    populate(int(sys.argv[1]) if len(sys.argv) > 1 else 160)
