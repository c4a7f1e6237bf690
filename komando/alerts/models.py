"""Alert rules (configured by an administrator), alerts (one row per episode) and the delivery
attempts of their notifications."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from komando.alerts.choices import Audience, Channel, DeliveryStatus, RuleKind, Severity


class AlertRule(models.Model):
    """What to watch and whom to tell. ``parameters`` are validated per kind (``komando.alerts.rules``)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=RuleKind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(default=True)
    recipients = models.JSONField(
        default=list, blank=True, help_text=_("E-mail addresses and webhook URLs (http/https), one per item")
    )
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.STAFF)
    public = models.BooleanField(default=False, help_text=_("Publish its alerts in the public CAP feed"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self):
        return self.name

    def clean(self):
        from komando.alerts.rules import validate_rule

        errors = validate_rule(self.kind, self.parameters, self.recipients, self.public)
        if errors:
            raise ValidationError(errors)


class Alert(models.Model):
    """One episode of a rule's condition for one subject: raised once, cleared when it ends."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    subject_key = models.CharField(max_length=120, help_text=_("What the condition is about, e.g. gauge:12"))
    subject = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    facts = models.JSONField(default=dict, blank=True, help_text=_("What was observed when it was raised"))
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    raised_at = models.DateTimeField(db_index=True)
    cleared_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_value = models.FloatField(null=True, blank=True)
    last_seen_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One open episode per rule and subject, on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                fields=["rule", "subject_key"], condition=Q(cleared_at__isnull=True), name="alert_one_open_episode"
            ),
            models.CheckConstraint(condition=Q(acknowledged_at__isnull=True) | ~Q(ack_comment=""), name="alert_ack_has_comment"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return f"{self.rule.slug} {self.subject_key} @ {self.raised_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message to one target about one alert event, with its delivery attempts."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=10, help_text=_("raised or cleared"))
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.channel} → {self.target} ({self.status})"
