from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceGroup(models.TextChoices):
    E_GOVERNMENT = "e-government", _("E-government")
    PUBLIC_SERVICE = "public-service", _("Public service")
    EXTERNAL = "external", _("Outside feed")


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Restricted")


class ErrorKind(models.TextChoices):
    UNREACHABLE = "unreachable", _("Unreachable")
    AUTH = "auth", _("Authentication refused")
    INVALID = "invalid", _("Invalid data")
    SERVER = "server", _("Server error")
    INTERNAL = "internal", _("Internal error")


class CircuitState(models.TextChoices):
    """A source's circuit breaker: closed = run on schedule; open = a dead source is left alone until
    its cool-down ends; half-open = one probe run is under way (success closes, failure reopens)."""

    CLOSED = "closed", _("Closed")
    OPEN = "open", _("Open")
    HALF_OPEN = "half_open", _("Probing")


class Source(models.Model):
    """One of the city's applications (or an outside feed), and the health of its connector."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=20, choices=SourceGroup.choices)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="sources")
    access_level = models.CharField(max_length=12, choices=AccessLevel.choices, default=AccessLevel.PUBLIC)
    connector = models.CharField(max_length=60, blank=True, help_text="Connector package; blank = not connected yet")
    file_import = models.BooleanField(
        default=False, help_text="Fed by files an administrator uploads (no API); schedule = how often one is due"
    )
    schedule_seconds = models.PositiveIntegerField(default=60)
    enabled = models.BooleanField(default=True)

    # Health, written only by komando.sources.actions.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_kind = models.CharField(max_length=12, choices=ErrorKind.choices, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    data_as_of = models.DateTimeField(null=True, blank=True, help_text="Newest time the source's data describes")
    cursor = models.JSONField(default=dict, blank=True, help_text="Where the connector resumes")
    records_last_run = models.PositiveIntegerField(default=0)
    # Circuit breaker, written only by komando.sources.actions (see komando.sources.circuit).
    circuit_state = models.CharField(max_length=10, choices=CircuitState.choices, default=CircuitState.CLOSED)
    circuit_opened_at = models.DateTimeField(null=True, blank=True)
    circuit_retry_at = models.DateTimeField(null=True, blank=True, help_text="When the next probe run is allowed")
    circuit_trips = models.PositiveIntegerField(default=0, help_text="Times the circuit opened since it last closed")

    class Meta:
        ordering = ["group", "name"]

    def __str__(self):
        return self.name

    @property
    def is_connected(self) -> bool:
        return bool(self.connector) or self.file_import


class SourceRun(models.Model):
    """One attempt of a connector: the history behind a source's health."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    error_kind = models.CharField(max_length=12, choices=ErrorKind.choices, blank=True)
    error = models.TextField(blank=True)
    records = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"])]


class SourceCredential(models.Model):
    """A connector credential set by an administrator, encrypted at rest (komando.sources.secrets).
    It overrides the environment value of the same config field. The value is never shown back."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="credentials")
    field = models.CharField(max_length=60)
    ciphertext = models.TextField()
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "field"], name="unique_source_credential_field")]
        ordering = ["source", "field"]

    def __str__(self):
        return f"{self.source.slug}.{self.field}"
