"""The Django admin: users, groups and a read-only look at the data.

Episode content (segments, cues, history, speakers, glossary, jobs, alignment runs) is written
only by the services, which check versions, keep the revision history, recompute the stored QA
flags and sync DeepL glossaries. An admin form that saved those rows directly would bypass all
of that and could overwrite an editor's work, so here they can be looked at, not changed. An
episode can still be renamed or deleted from the admin.
"""

from django.contrib import admin

from translator import models


class ReadOnlyMixin:
    """No add or change through the admin; the change page shows the fields read-only."""

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class SpeakerInline(ReadOnlyInline):
    model = models.Speaker


class GlossaryInline(ReadOnlyInline):
    model = models.GlossaryTerm


@admin.register(models.Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("title", "source_format", "published", "created_at", "updated_at")
    list_filter = ("published", "source_format")
    search_fields = ("title",)
    fields = ("title", "description", "source_format", "published", "created_at", "updated_at")
    readonly_fields = ("source_format", "published", "created_at", "updated_at")
    inlines = [SpeakerInline, GlossaryInline]

    def has_add_permission(self, request) -> bool:  # noqa: ARG002
        return False  # episodes come from an import, which segments and validates them


class CueInline(ReadOnlyInline):
    model = models.Cue


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False


@admin.register(models.Segment)
class SegmentAdmin(ReadOnlyAdmin):
    list_display = ("episode", "order", "kind", "speaker_label", "status", "version")
    list_filter = ("status", "kind")
    search_fields = ("source_text", "text")
    list_select_related = ("episode",)
    inlines = [CueInline]


@admin.register(models.Cue)
class CueAdmin(ReadOnlyAdmin):
    list_display = ("segment", "index", "start_ms", "end_ms", "timing")
    list_select_related = ("segment",)


@admin.register(models.SegmentRevision)
class SegmentRevisionAdmin(ReadOnlyAdmin):
    list_display = ("segment", "version", "action", "user", "recorded_user", "created_at")
    list_select_related = ("segment", "user")


@admin.register(models.Speaker)
class SpeakerAdmin(ReadOnlyAdmin):
    list_display = ("episode", "label", "display_name")


@admin.register(models.GlossaryTerm)
class GlossaryTermAdmin(ReadOnlyAdmin):
    list_display = ("episode", "source", "target")


@admin.register(models.TranslationJob)
class TranslationJobAdmin(ReadOnlyAdmin):
    list_display = ("episode", "engine", "state", "done", "total", "created_at")
    list_filter = ("state", "engine")


@admin.register(models.ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "filename",
        "kind",
        "stage",
        "state",
        "size_bytes",
        "requested_by",
        "created_at",
    )
    list_filter = ("state", "kind")
