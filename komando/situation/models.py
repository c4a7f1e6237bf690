"""The situation room's record: crisis sessions, who attended, the incidents they worked on, the
decisions taken, the action items given out and every step of them.

The record is append-only. A row is written once and never changed or deleted: ``save()`` of an
existing row, ``delete()`` and the querysets' ``update()``/``delete()`` refuse, and database
triggers (migration 0002, SQLite and PostgreSQL) refuse UPDATE and DELETE underneath the ORM too.
What would be an edit elsewhere is a new row here: a correction is a new ``Decision`` pointing at
the one it corrects; an action item's progress is a new ``ActionItemUpdate``; closing a session is a
``SessionClosure``. Written only by ``komando.situation.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(ValueError):
    """An attempt to change or delete a row of the situation room's record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they are never updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they are never deleted")

    # bulk_update is update by another name
    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they are never updated")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only: record a new row instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they are never deleted")


class Session(AppendOnlyModel):
    """A crisis session, e.g. "Banjir Kecamatan Periuk". Open until it has a ``SessionClosure``."""

    title = models.CharField(max_length=200)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Records decisions and closes the session"),
    )
    kecamatan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kelurahan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incidents = models.ManyToManyField("incidents.Incident", through="IncidentLink", related_name="situation_sessions")

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def closure_or_none(self):
        try:
            return self.closure
        except SessionClosure.DoesNotExist:
            return None

    @property
    def closed_at(self):
        closure = self.closure_or_none
        return closure.closed_at if closure else None

    @property
    def is_open(self) -> bool:
        return self.closure_or_none is None


class SessionClosure(AppendOnlyModel):
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="closure")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    def __str__(self):
        return f"{self.session} closed {self.closed_at:%Y-%m-%d %H:%M}"


class Attendee(AppendOnlyModel):
    """Someone present: a user of Komando, or an outside party by name (e.g. "PLN UP3 Cikokol")."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True, help_text=_("An attendee from outside Komando"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="attendee_user_or_name",
                condition=(models.Q(user__isnull=False) & models.Q(name="")) | (models.Q(user__isnull=True) & ~models.Q(name="")),
            ),
            models.UniqueConstraint(
                fields=["session", "user"], name="attendee_once_per_session", condition=models.Q(user__isnull=False)
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return self.name


class IncidentLink(AppendOnlyModel):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="situation_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "incident"], name="incident_linked_once")]

    def __str__(self):
        return f"{self.session} ← {self.incident}"


class Decision(AppendOnlyModel):
    """What the chair decided. Never edited: a correction is a new decision with ``corrects`` set;
    a decision is corrected at most once (a later correction corrects the correction)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(help_text=_("What was decided"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who decided (the chair unless said otherwise)"),
    )
    basis = models.TextField(blank=True, help_text=_("On what basis (facts, regulation, SOP)"))
    assigned_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
        help_text=_("The decision this one corrects"),
    )

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return self.text[:80]

    @property
    def correction_or_none(self):
        try:
            return self.correction
        except Decision.DoesNotExist:
            return None


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Which status may follow which (done and cancelled are final).
ACTION_TRANSITIONS = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.IN_PROGRESS: {ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.DONE: set(),
    ActionStatus.CANCELLED: set(),
}


class ActionItem(AppendOnlyModel):
    """Work given out in the session. Its status is the newest ``ActionItemUpdate`` (the first one,
    status open, is written with the item)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="action_items")
    text = models.TextField()
    assigned_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="action_item_has_assignee",
                condition=models.Q(assigned_agency__isnull=False) | models.Q(assigned_user__isnull=False),
            )
        ]

    def __str__(self):
        return self.text[:80]


class ActionItemUpdate(AppendOnlyModel):
    action_item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action_item_id}: {self.status}"


class TimelineKind(models.TextChoices):
    OPENED = "opened", _("Session opened")
    NOTE = "note", _("Note")
    ATTENDEE = "attendee", _("Attendee joined")
    INCIDENT = "incident", _("Incident linked")
    DECISION = "decision", _("Decision recorded")
    CORRECTION = "correction", _("Decision corrected")
    ACTION = "action", _("Action item added")
    ACTION_UPDATE = "action_update", _("Action item updated")
    CLOSED = "closed", _("Session closed")


class TimelineEntry(AppendOnlyModel):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    action_status = models.CharField(
        max_length=12,
        choices=ActionStatus.choices,
        blank=True,
        help_text=_("The status an action item moved to (action updates)"),
    )
    incident = models.ForeignKey("incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action_item = models.ForeignKey(ActionItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


APPEND_ONLY_MODELS = (Session, SessionClosure, Attendee, IncidentLink, Decision, ActionItem, ActionItemUpdate, TimelineEntry)
