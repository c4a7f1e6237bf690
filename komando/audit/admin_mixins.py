from django.contrib import admin
from django.db import transaction

from komando.audit.actions import record_audit, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Every change made through the admin leaves an audit record with before and after."""

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk is not None:
            previous = type(obj).objects.filter(pk=obj.pk).first()
            before = snapshot(previous) if previous is not None else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_audit(actor=request.user, channel="admin", action="update" if change else "create",
                         instance=obj, before=before, after=snapshot(obj))

    def save_related(self, request, form, formsets, change):
        before = snapshot(form.instance)
        super().save_related(request, form, formsets, change)
        after = snapshot(form.instance)
        if before != after:
            record_audit(actor=request.user, channel="admin", action="update", instance=form.instance,
                         before=before, after=after)

    def delete_model(self, request, obj):
        before = snapshot(obj)
        with transaction.atomic():
            record_audit(actor=request.user, channel="admin", action="delete", instance=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_audit(actor=request.user, channel="admin", action="delete", instance=obj,
                             before=snapshot(obj))
            super().delete_queryset(request, queryset)
