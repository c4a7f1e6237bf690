"""What field devices report over MQTT: positions of units, water levels of gauges, and the
latest state of each device. A device is an ``assets.Asset`` (truck, officer, patrol, gauge) of the
application that owns it; its ``source_ref`` is the device id in the MQTT topic."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.Model):
    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="positions")
    observed_at = models.DateTimeField()
    lat = models.FloatField()
    lon = models.FloatField()
    speed_kmh = models.FloatField(null=True, blank=True)
    heading = models.FloatField(null=True, blank=True, help_text=_("Course over ground, degrees"))
    battery = models.PositiveSmallIntegerField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-observed_at"]
        constraints = [models.UniqueConstraint(fields=["asset", "observed_at"], name="position_once_per_observation")]

    def __str__(self):
        return f"{self.asset_id} @ {self.observed_at:%Y-%m-%d %H:%M:%S}"


class WaterLevelReading(models.Model):
    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="water_levels")
    observed_at = models.DateTimeField()
    level_m = models.FloatField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-observed_at"]
        constraints = [models.UniqueConstraint(fields=["asset", "observed_at"], name="water_level_once_per_observation")]

    def __str__(self):
        return f"{self.asset_id} {self.level_m} m @ {self.observed_at:%Y-%m-%d %H:%M:%S}"


class DeviceState(models.Model):
    """The newest thing a device said (older messages arriving late never overwrite it)."""

    asset = models.OneToOneField("assets.Asset", on_delete=models.CASCADE, primary_key=True, related_name="device_state")
    observed_at = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    speed_kmh = models.FloatField(null=True, blank=True)
    heading = models.FloatField(null=True, blank=True)
    battery = models.PositiveSmallIntegerField(null=True, blank=True)
    level_m = models.FloatField(null=True, blank=True)
    siaga = models.CharField(max_length=12, blank=True, help_text=_("normal, siaga_3, siaga_2 or siaga_1 (gauges)"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.asset_id} @ {self.observed_at:%Y-%m-%d %H:%M:%S}"


class RejectedMessage(models.Model):
    """A message that could not be stored, with the reason; counted and skipped."""

    received_at = models.DateTimeField(db_index=True)
    topic = models.CharField(max_length=300)
    reason = models.CharField(max_length=300)
    payload_excerpt = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.topic}: {self.reason}"


class IngestStatus(models.Model):
    """One row per MQTT ingest client: is it connected, and what has it handled."""

    client_id = models.CharField(max_length=100, unique=True)
    broker = models.CharField(max_length=200)
    connected = models.BooleanField(default=False)
    connected_since = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    received_total = models.PositiveBigIntegerField(default=0)
    stored_total = models.PositiveBigIntegerField(default=0)
    rejected_total = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.client_id} → {self.broker}"
