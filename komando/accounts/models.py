from django.conf import settings
from django.db import models


class Role:
    """Roles are Django groups with these names."""

    OPERATOR = "operator"
    OPD_OFFICER = "opd_officer"
    EXECUTIVE = "executive"
    ADMINISTRATOR = "administrator"
    FIELD_OFFICER = "field_officer"
    ALL = [OPERATOR, OPD_OFFICER, EXECUTIVE, ADMINISTRATOR, FIELD_OFFICER]


class Profile(models.Model):
    """What a user is besides their login: the OPD an OPD officer is scoped to, and the field unit
    (truck, officer, patrol) a field officer works as."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL)
    unit = models.ForeignKey(
        "assets.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The field unit a field officer works as (their tasks are its dispatches)",
    )

    def __str__(self):
        return f"{self.user} ({self.agency or '-'})"
