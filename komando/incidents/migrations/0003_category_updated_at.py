import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_photos_and_client_refs"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now,
                                       help_text="Changed last (the intake catalogue's cache key)"),
            preserve_default=False,
        ),
    ]
