from django.db import models


class Agency(models.Model):
    """An OPD (perangkat daerah)."""

    code = models.SlugField(max_length=40, unique=True)
    short_name = models.CharField(max_length=40)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["short_name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.short_name
