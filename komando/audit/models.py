from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too, not only ``save``/``delete`` of one record."""

    def update(self, **kwargs):
        raise ValueError("Audit records are append-only")

    def delete(self):
        raise ValueError("Audit records are append-only")


class AuditRecord(models.Model):
    """Who changed what, when, and how it looked before and after. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=10, help_text="ui, api, admin or cli")
    action = models.CharField(max_length=60, help_text="create, update, delete, login, logout, incident.merge, …")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit records are append-only")
