from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from komando.accounts.models import Profile
from komando.audit.actions import record_audit
from komando.audit.admin_mixins import AuditedModelAdmin


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fk_name = "user"
    autocomplete_fields = ["agency"]


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    """Django's user admin with the OPD scope inline; every change audited (passwords masked)."""

    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "is_staff", "is_active", "role_names", "agency"]

    @admin.display(description=_("Roles"))
    def role_names(self, obj):
        return ", ".join(obj.groups.values_list("name", flat=True))

    @admin.display(description=_("OPD"))
    def agency(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.agency if profile and profile.agency else "-"

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was valid and saved
            user = User.objects.filter(pk=id).first()
            if user is not None:
                record_audit(actor=request.user, channel="admin", action="password_change", instance=user)
        return response


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, DjangoGroupAdmin):
    """Roles are groups: changes to them are audited too."""
