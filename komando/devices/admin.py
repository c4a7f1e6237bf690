from django.contrib import admin

from komando.devices.models import DeviceState, IngestStatus, RejectedMessage


@admin.register(DeviceState)
class DeviceStateAdmin(admin.ModelAdmin):
    list_display = ("asset", "observed_at", "lat", "lon", "speed_kmh", "level_m", "siaga")
    list_select_related = ("asset",)
    search_fields = ("asset__source_ref", "asset__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RejectedMessage)
class RejectedMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "topic", "reason")
    search_fields = ("topic", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IngestStatus)
class IngestStatusAdmin(admin.ModelAdmin):
    list_display = ("client_id", "broker", "connected", "last_message_at", "received_total", "stored_total", "rejected_total")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
