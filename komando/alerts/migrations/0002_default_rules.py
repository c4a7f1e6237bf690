"""A sensible default rule set, so a fresh installation (and the demo) raises real alerts.
Administrators change or disable them in the admin; recipients are left empty (set them there)."""

from django.db import migrations

DEFAULT_RULES = [
    {"slug": "tma-siaga-3", "name": "Tinggi muka air Siaga 3", "kind": "sensor_threshold",
     "parameters": {"level": "siaga_3", "max_age_minutes": 120}, "severity": "warning", "public": True},
    {"slug": "tma-siaga-1", "name": "Tinggi muka air Siaga 1", "kind": "sensor_threshold",
     "parameters": {"level": "siaga_1", "max_age_minutes": 120}, "severity": "critical", "public": True},
    {"slug": "sla-terlewat", "name": "Insiden melewati tenggat SLA", "kind": "sla_breach",
     "parameters": {"deadline": "any", "min_count": 1}, "severity": "warning"},
    {"slug": "sumber-mati", "name": "Sumber data gagal atau basi", "kind": "source_down",
     "parameters": {"failures": 3, "stale_minutes": 30}, "severity": "warning"},
    {"slug": "proyek-kritis", "name": "Proyek pembangunan kritis", "kind": "project_kritis",
     "parameters": {}, "severity": "warning", "audience": "executives"},
    {"slug": "bmkg-peringatan", "name": "Peringatan BMKG untuk kota", "kind": "bmkg_warning",
     "parameters": {"weather": True, "earthquake_min_magnitude": 5.0, "earthquake_max_distance_km": 300,
                    "earthquake_window_hours": 6},
     "severity": "critical", "public": True},
    {"slug": "lalu-lintas-macet", "name": "Lalu lintas tersendat (kecepatan rata-rata < 10 km/jam)",
     "kind": "metric_threshold",
     "parameters": {"metric": "traffic.average_speed_kmh", "operator": "below", "threshold": 10, "max_age_minutes": 30},
     "severity": "info"},
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in DEFAULT_RULES:
        AlertRule.objects.get_or_create(slug=rule["slug"], defaults={k: v for k, v in rule.items() if k != "slug"})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
