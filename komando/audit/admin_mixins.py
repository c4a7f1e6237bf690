from django.contrib import admin
from django.db import transaction

from komando.audit.actions import record_audit, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Every change made through the admin leaves an audit record with before and after, including
    changes made in inlines. ``audit_exclude`` names fields kept out of the records."""

    audit_exclude: tuple[str, ...] = ()

    def _snapshot(self, obj):
        return snapshot(obj, exclude=self.audit_exclude)

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk is not None:
            previous = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = self._snapshot(previous) if previous is not None else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_audit(
                actor=request.user,
                channel="admin",
                action="update" if change else "create",
                instance=obj,
                before=before,
                after=self._snapshot(obj),
            )

    def save_related(self, request, form, formsets, change):
        before = self._snapshot(form.instance)
        super().save_related(request, form, formsets, change)
        after = self._snapshot(form.instance)
        if before != after:  # many-to-many changes (e.g. a user's groups)
            record_audit(actor=request.user, channel="admin", action="update", instance=form.instance, before=before, after=after)

    def save_formset(self, request, form, formset, change):
        """Inline rows: one record per created, changed or deleted row."""
        model = formset.model
        befores = {}
        for inline_form in formset.initial_forms:
            pk = inline_form.instance.pk
            if pk is not None:
                previous = model._default_manager.filter(pk=pk).first()
                if previous is not None:
                    befores[pk] = snapshot(previous)
        for inline_form in formset.deleted_forms:  # recorded before the row (and its pk) is gone
            obj = inline_form.instance
            if obj.pk in befores:
                record_audit(actor=request.user, channel="admin", action="delete", instance=obj, before=befores[obj.pk])
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_audit(actor=request.user, channel="admin", action="create", instance=obj, after=snapshot(obj))
        for obj, _changed_fields in formset.changed_objects:
            record_audit(
                actor=request.user,
                channel="admin",
                action="update",
                instance=obj,
                before=befores.get(obj.pk),
                after=snapshot(obj),
            )

    def delete_model(self, request, obj):
        before = self._snapshot(obj)
        with transaction.atomic():
            record_audit(actor=request.user, channel="admin", action="delete", instance=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_audit(actor=request.user, channel="admin", action="delete", instance=obj, before=self._snapshot(obj))
            super().delete_queryset(request, queryset)


class ReadOnlyAuditedAdmin(AuditedModelAdmin):
    """Data a source application owns (aggregates, projects): visible in the admin, never edited there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
