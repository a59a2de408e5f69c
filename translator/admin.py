from django.contrib import admin

from translator import models


class SpeakerInline(admin.TabularInline):
    model = models.Speaker
    extra = 0


class GlossaryInline(admin.TabularInline):
    model = models.GlossaryTerm
    extra = 0


@admin.register(models.Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("title", "source_format", "published", "created_at", "updated_at")
    list_filter = ("published", "source_format")
    search_fields = ("title",)
    inlines = [SpeakerInline, GlossaryInline]


class CueInline(admin.TabularInline):
    model = models.Cue
    extra = 0


@admin.register(models.Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("episode", "order", "kind", "speaker_label", "status", "version")
    list_filter = ("status", "kind")
    search_fields = ("source_text", "text")
    list_select_related = ("episode",)
    inlines = [CueInline]


@admin.register(models.Cue)
class CueAdmin(admin.ModelAdmin):
    list_display = ("segment", "index", "start_ms", "end_ms", "timing")
    list_select_related = ("segment",)


@admin.register(models.SegmentRevision)
class SegmentRevisionAdmin(admin.ModelAdmin):
    list_display = ("segment", "version", "action", "user", "created_at")
    list_select_related = ("segment", "user")


@admin.register(models.Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("episode", "label", "display_name")


@admin.register(models.GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("episode", "source", "target")


@admin.register(models.TranslationJob)
class TranslationJobAdmin(admin.ModelAdmin):
    list_display = ("episode", "engine", "state", "done", "total", "created_at")
    list_filter = ("state", "engine")


@admin.register(models.LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip_address", "created_at")
