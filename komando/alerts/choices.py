"""The choices of the alerts app: rule kinds, severities, audiences and notification channels.

Their own module, so that the models, the rule definitions (``komando.alerts.rules``) and the
selectors share them without importing each other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    METRIC_THRESHOLD = "metric_threshold", _("Threshold on a metric")
    SENSOR_THRESHOLD = "sensor_threshold", _("Water level at a gauge")
    SLA_BREACH = "sla_breach", _("Incidents past their SLA deadline")
    SOURCE_DOWN = "source_down", _("Source down")
    PROJECT_KRITIS = "project_kritis", _("Development project kritis")
    BMKG_WARNING = "bmkg_warning", _("BMKG warning for the city")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Audience(models.TextChoices):
    STAFF = "staff", _("Command room staff")
    EXECUTIVES = "executives", _("Executives")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
