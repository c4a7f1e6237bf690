from django.contrib import admin

from komando.wall.actions import do_delete_wall_layout, do_delete_wall_screen, do_save_wall_layout, do_save_wall_screen
from komando.wall.models import WallLayout, WallScreen


class WallScreenInline(admin.StackedInline):
    model = WallScreen
    extra = 0


@admin.register(WallLayout)
class WallLayoutAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "columns", "rows", "screens_across", "rotation_seconds")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [WallScreenInline]

    def save_model(self, request, obj, form, change):
        do_save_wall_layout(obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for screen in formset.save(commit=False):
            do_save_wall_screen(screen, actor=request.user)
        for screen in formset.deleted_objects:
            do_delete_wall_screen(screen, actor=request.user)

    def delete_model(self, request, obj):
        do_delete_wall_layout(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for layout in queryset:
            do_delete_wall_layout(layout, actor=request.user)


@admin.register(WallScreen)
class WallScreenAdmin(admin.ModelAdmin):
    list_display = ("layout", "number")
    list_filter = ("layout",)

    def save_model(self, request, obj, form, change):
        do_save_wall_screen(obj, actor=request.user)

    def delete_model(self, request, obj):
        do_delete_wall_screen(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for screen in queryset:
            do_delete_wall_screen(screen, actor=request.user)
