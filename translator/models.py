"""Jimaku's data model (DESIGN.md "Domain words"). Writes go through ``translator.services``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Episode(models.Model):
    class TargetLanguage(models.TextChoices):
        EN_US = "EN-US", "English (US)"
        EN_GB = "EN-GB", "English (UK)"

    title = models.CharField(max_length=300)
    # The title as published in English (transcripts, the public page, file names); set by an
    # editor, or by the first machine translation when still empty. Falls back to ``title``.
    title_en = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    source_language = models.CharField(max_length=10, default="ja")
    target_language = models.CharField(
        max_length=10, choices=TargetLanguage.choices, default=TargetLanguage.EN_US
    )
    source_format = models.CharField(max_length=10, default="text")
    source_encoding = models.CharField(max_length=40, default="utf-8")
    source_filename = models.CharField(max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    media_file = models.FileField(upload_to="media/%Y/%m/", blank=True)
    media_url = models.URLField(blank=True)
    # Publishing: a stable, unguessable public address that survives unpublish/republish.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The public page shows only approved segments (else everything, the unreviewed marked).
    publish_approved_only = models.BooleanField(default=False)
    # Last timing alignment: coverage figures, stored for display.
    alignment_report = models.JSONField(null=True, blank=True)
    # What the import merged, normalised and left out (translator.core.report.ImportReport).
    import_report = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("approve_segment", "Can approve and unapprove segments"),
            ("publish_episode", "Can publish and unpublish episodes"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def english_title(self) -> str:
        """The title to publish in English: ``title_en``, else the original title."""
        return self.title_en or self.title


class Speaker(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="speakers")
    label = models.CharField(max_length=100, help_text=_("The label as written in the source."))
    display_name = models.CharField(max_length=100, help_text=_("English display name."))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["episode", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "label"], name="unique_speaker_label")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.display_name})"


class Segment(models.Model):
    """One sentence: the unit of translation and review."""

    class Kind(models.TextChoices):
        TRANSCRIPT = "transcript", _("Transcript")
        SHOW_NOTE = "show_note", _("Show note")
        DESCRIPTION = "description", _("Description")
        SOUND = "sound", _("Sound")

    class Status(models.TextChoices):
        UNTRANSLATED = "untranslated", _("Untranslated")
        MACHINE = "machine", _("Machine")
        # Filled from the translation memory (an approved segment of some episode); not
        # approved here until a reviewer approves it in this episode.
        MEMORY = "memory", _("Memory")
        EDITED = "edited", _("Edited")
        APPROVED = "approved", _("Approved")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="segments")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSCRIPT)
    turn = models.PositiveIntegerField(default=0, help_text=_("Paragraph / speaker turn index."))
    # The label as written (a joint label like 友野・澤 names several Speakers of the episode).
    speaker_label = models.CharField(max_length=100, blank=True)
    source_text = models.TextField()
    text = models.TextField(blank=True, help_text=_("The English the editors own."))
    machine_text = models.TextField(blank=True)
    machine_engine = models.CharField(max_length=40, blank=True)
    machine_engine_version = models.CharField(max_length=200, blank=True)
    machine_translated_at = models.DateTimeField(null=True, blank=True)
    machine_flags = models.JSONField(default=list, blank=True)
    # QA flag codes (translator.core.qa.QAFlag values) as of the last change, kept up to date by
    # the services through translator.services.qa_flags.segments_changed; null: not computed
    # yet (readers compute them in memory; refresh_qa or the next change stores them).
    qa_flags = models.JSONField(null=True, blank=True, default=None, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNTRANSLATED)
    # The Japanese was edited after the English (machine or human) was written: QA flags it
    # ("source changed since translation") until the segment is re-translated, or its English
    # is edited or approved (translator.services.structure).
    source_stale = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A name a restored project file gave as ``updated_by``: kept as text, never linked to an
    # account here (a file cannot make a user the author of anything).
    recorded_updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["episode", "order"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "order"], name="unique_segment_order")
        ]
        indexes = [
            models.Index(fields=["episode", "status"]),
            # The job panel's poll: rows machine-translated since the previous poll.
            models.Index(fields=["episode", "machine_translated_at"], name="seg_ep_translated"),
        ]

    def __str__(self) -> str:
        return f"#{self.order} {self.source_text[:30]}"

    @property
    def is_human(self) -> bool:
        """Edited or approved text belongs to a person: machine translation never touches it."""
        return self.status in (self.Status.EDITED, self.Status.APPROVED)


class Cue(models.Model):
    """One subtitle event: a time span and the slice of its segment's Japanese shown in it."""

    class Timing(models.TextChoices):
        ESTIMATED = "estimated", _("Estimated")
        IMPORTED = "imported", _("Imported")
        ALIGNED = "aligned", _("Aligned")
        # Set by an editor (cue view, waveform): never replaced by estimation, and an alignment
        # run asks before replacing it.
        MANUAL = "manual", _("Set by hand")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="cues")
    index = models.PositiveIntegerField(default=0)
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    end_ms = models.PositiveIntegerField(null=True, blank=True)
    source_start = models.PositiveIntegerField(default=0)
    source_end = models.PositiveIntegerField(default=0)
    source_text = models.TextField()
    lines = models.JSONField(default=list, blank=True)
    timing = models.CharField(max_length=20, choices=Timing.choices, default=Timing.ESTIMATED)
    # Ruby readings of words in this cue from the imported file, [[base, reading], …]: exported
    # with the Japanese (WebVTT <ruby>), never sent to a translation engine.
    ruby = models.JSONField(default=list, blank=True)
    # Optimistic locking of timing edits, as Segment.version is for text: a retime names the
    # version it was based on.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["segment", "index"]

    def __str__(self) -> str:
        return f"{self.start_ms}-{self.end_ms} {self.source_text[:20]}"


class EditAction(models.Model):
    """One thing an editor did (a save, an approval, a replace across the episode, a split, a
    retime): the unit of undo. The revisions it wrote point to it; ``data`` holds what a kind's
    undo needs beyond them (translator.services.actions)."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Save")
        APPROVE = "approve", _("Approve")
        UNAPPROVE = "unapprove", _("Unapprove")
        BULK_APPROVE = "bulk_approve", _("Approve selected")
        RESTORE = "restore", _("Restore")
        REPLACE = "replace", _("Replace")
        SOURCE_EDIT = "source_edit", _("Edit Japanese")
        RETRANSLATE = "retranslate", _("Re-translate")
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merge")
        RETIME = "retime", _("Retime")
        UNDO = "undo", _("Undo")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="edit_actions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["episode", "user", "created_at"], name="action_ep_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.summary}"


class SegmentRevision(models.Model):
    class Action(models.TextChoices):
        EDIT = "edit", _("Edit")
        APPROVE = "approve", _("Approve")
        UNAPPROVE = "unapprove", _("Unapprove")
        RESTORE = "restore", _("Restore")
        MACHINE = "machine", _("Machine translation")
        OVERWRITE = "overwrite", _("Overwrite after conflict")
        SOURCE = "source", _("Japanese edited")
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merge")
        RETIME = "retime", _("Retime")
        UNDO = "undo", _("Undo")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="revisions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.EDIT)
    old_text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    version = models.PositiveIntegerField(help_text=_("Segment version after this change."))
    # The user a restored project file named for this revision (text only, see Segment).
    recorded_user = models.CharField(max_length=150, blank=True)
    # The Japanese before/after, for revisions that changed it (source edit, split, merge);
    # blank for English-only changes.
    old_source_text = models.TextField(blank=True)
    new_source_text = models.TextField(blank=True)
    # The editor action this revision belongs to (undo reverts an action's revisions together).
    edit_action = models.ForeignKey(
        EditAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.segment_id} v{self.version} {self.action}"


class GlossaryTerm(models.Model):
    # No episode: a project term, for every episode (an episode's own term for the same source
    # wins; translator.services.memory.effective_glossary).
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="glossary"
    )
    source = models.CharField(max_length=200)
    target = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "source"], name="unique_glossary_source"),
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(episode__isnull=True),
                name="unique_project_glossary_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class EngineState(models.Model):
    """What one translation engine keeps for one episode between jobs, owned by the engine.

    ``data`` is whatever :meth:`translator.engines.base.Engine.sync_glossary` returned last time
    (DeepL: the id and terms hash of the episode's glossary on the server); the translation job
    stores it and hands it back without reading it. ``engine`` is the configured engine name.
    """

    engine = models.CharField(max_length=50)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="engine_states")
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engine", "episode"], name="unique_engine_state")
        ]

    def __str__(self) -> str:
        return f"{self.engine} · episode {self.episode_id}"


class MemoryUnit(models.Model):
    """One approved translation in the translation memory: an approved segment of
    some episode, kept current by the review services, or a unit imported from a TMX file.

    ``source_norm`` is the source after :func:`translator.core.tm.normalize` (width, case,
    punctuation, whitespace); exact matches compare ``source_hash`` (its SHA-1), fuzzy ones
    go through a trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL; migration 0007)."""

    class Origin(models.TextChoices):
        REVIEW = "review", _("Approved in review")
        IMPORT = "import", _("Imported")

    source_text = models.TextField()
    source_norm = models.TextField()
    source_hash = models.CharField(max_length=40)
    norm_len = models.PositiveIntegerField(default=0)
    target_text = models.TextField()
    target_language = models.CharField(max_length=10, default="EN-US")
    speaker_label = models.CharField(max_length=100, blank=True)
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episode_title = models.CharField(max_length=300, blank=True)
    # The approved segment this unit mirrors (none for imported units, or once it is deleted).
    segment = models.OneToOneField(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="memory_unit"
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REVIEW)
    origin_note = models.CharField(max_length=300, blank=True)  # e.g. the imported file's name
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_at", "-id"]
        indexes = [
            models.Index(fields=["source_hash", "target_language"], name="tm_exact"),
            models.Index(fields=["norm_len"], name="tm_norm_len"),
        ]

    def __str__(self) -> str:
        return f"{self.source_text[:30]} → {self.target_text[:30]}"


class BackgroundJob(models.Model):
    """What every job the worker runs has in common: a state (``State``, extended by each
    kind: cancelled, previewed…), the error it stopped with, the task that runs it, who asked
    for it, when it was created, started, last alive (``heartbeat_at``: a worker that died
    leaves it stale, and ``resume_jobs`` requeues it) and finished, and its progress.

    Each kind redefines ``state`` with its own ``State`` choices and names its progress
    counters in ``PROGRESS_FIELDS`` (done, total)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES: tuple[str, ...] = (State.QUEUED, State.RUNNING)
    PROGRESS_FIELDS: tuple[str, str] = ("done", "total")

    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        done, total = (getattr(self, name) for name in self.PROGRESS_FIELDS)
        return min(100, int(100 * done / total)) if total else 0

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class TranslationJob(BackgroundJob):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="jobs")
    engine = models.CharField(max_length=40)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    retranslate_machine = models.BooleanField(default=False)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    recorded_requested_by = models.CharField(max_length=150, blank=True)  # from a project file

    def __str__(self) -> str:
        return f"{self.engine} job {self.pk} ({self.state})"


class ImportJob(BackgroundJob):
    """A large import run by the worker instead of inside a web request: first the
    preview (decode and segment, nothing written), then, once confirmed, the import itself; or
    the restore of a large project file. The upload waits under ``DATA_DIR/pending-imports/``
    under ``token`` (a random name, never the user's) until the job is done."""

    class Kind(models.TextChoices):
        TRANSCRIPT = "transcript", _("Transcript or subtitles")
        PROJECT = "project", _("Project file")

    class Stage(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        IMPORT = "import", _("Import")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PREVIEWED = "previewed", _("Ready to import")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSCRIPT)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PREVIEW)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    token = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # format, encoding, title, duration_ms, target_language (as the import form gave them)
    options = models.JSONField(default=dict, blank=True)
    # What it is doing now ("segmenting", "writing") and how far, for the progress display.
    step = models.CharField(max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    preview = models.JSONField(null=True, blank=True)
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"import job {self.pk} ({self.stage}, {self.state})"


class AlignmentRun(models.Model):
    """One timing alignment of an episode to rough captions, with the times it replaced,
    so it can be undone."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="alignments")
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    caption_filename = models.CharField(max_length=255, blank=True)
    report = models.JSONField(default=dict)
    # {cue id: [start_ms, end_ms, timing]} as they were before this run.
    previous_times = models.JSONField(default=dict)
    undone = models.BooleanField(default=False)
    recorded_user = models.CharField(max_length=150, blank=True)  # from a project file

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"alignment {self.pk} of episode {self.episode_id}"


class AudioTimingJob(BackgroundJob):
    """Timing an episode from its own audio, run by the worker: find the speech in
    the media (once per file: a later job on the same file reuses ``speech``), then fit the
    transcript to it, with rough captions too when given. The fit is recorded as an
    ``AlignmentRun``, so it shows in the coverage report and can be undone."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="audio_jobs")
    # The media analysed: a storage name (the episode's attached file) or an absolute path
    # (``align_timing --audio FILE``); ``media_key`` also holds its size, so a changed file is
    # analysed again.
    media_name = models.CharField(max_length=1000)
    media_key = models.CharField(max_length=1100, db_index=True)
    done_ms = models.PositiveIntegerField(default=0)
    total_ms = models.PositiveIntegerField(default=0)
    # translator.core.audio.SpeechRegions.to_dict(): duration, speech regions, detector.
    speech = models.JSONField(null=True, blank=True)
    captions = models.TextField(blank=True)  # caption file text, when combining with captions
    captions_filename = models.CharField(max_length=255, blank=True)
    # Cues with imported or aligned times are replaced only when this was confirmed.
    replace_timed = models.BooleanField(default=False)
    # Cues an editor retimed (Cue.Timing.MANUAL) are kept unless this was chosen.
    replace_manual = models.BooleanField(default=False)
    alignment = models.ForeignKey(
        AlignmentRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    PROGRESS_FIELDS = ("done_ms", "total_ms")

    def __str__(self) -> str:
        return f"audio timing {self.pk} of episode {self.episode_id} ({self.state})"


class WaveformPeaks(models.Model):
    """The waveform of an episode's attached media file: min/max peaks computed once by the
    worker (``translator.core.audio.peaks``, audiowaveform v2 bytes, kept gzipped), so the
    review page draws an hour without the browser downloading and decoding the file. One row
    per episode, for the file in ``media_name``: attaching another file starts again, removing
    the media deletes the row."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Computing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="waveform")
    media_name = models.CharField(max_length=1000)  # the storage name the peaks are of
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    sample_rate = models.PositiveIntegerField(default=0)
    samples_per_peak = models.PositiveIntegerField(default=0)
    length = models.PositiveIntegerField(default=0)  # number of min/max pairs
    duration_ms = models.PositiveIntegerField(default=0)
    data_gz = models.BinaryField(blank=True, default=b"", editable=False)  # gzip of the .dat
    raw_bytes = models.PositiveIntegerField(default=0)  # size of the .dat before gzip
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"waveform of episode {self.episode_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES
