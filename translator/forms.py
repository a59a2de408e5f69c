"""Forms: validation at the edge, one-line messages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from translator.core.errors import InputError
from translator.core.formats import AUTO, INPUT_FORMATS, extensions
from translator.core.requests import ImportRequest
from translator.core.timing import parse_duration
from translator.models import Episode

FORMAT_CHOICES = [(AUTO, _("Detect automatically"))] + [(f.name, _(f.label)) for f in INPUT_FORMATS]
ENCODING_CHOICES = [
    ("auto", _("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp932", "Shift_JIS / CP932"),
    ("euc-jp", "EUC-JP"),
]
PROJECT_EXTENSION = ".json"  # a Jimaku project file (backup): restored, not segmented
IMPORT_EXTENSIONS = tuple(dict.fromkeys((*extensions(), PROJECT_EXTENSION)))
_TIMED_EXTENSIONS = extensions(timed_file=True)  # the messages name them for translation


def _within_size_limit(upload):
    """The upload, or a one-line error when it is over ``JIMAKU_MAX_IMPORT_BYTES``."""
    if upload.size > settings.JIMAKU_MAX_IMPORT_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.JIMAKU_MAX_IMPORT_BYTES),
            }
        )
    return upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Transcript, subtitle or project file"),
        required=False,
        help_text=_(
            "A Jimaku project file (.json, a backup) is restored as a new episode; other .json "
            "files are read as speech-recognition transcripts (Whisper, AssemblyAI)."
        ),
    )
    text = forms.CharField(
        label=_("…or paste the text"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODING_CHOICES, initial="auto")
    any_language = forms.BooleanField(
        label=_("Not Japanese: import anyway"),
        required=False,
        help_text=_(
            "Text that does not read as Japanese (Chinese, English…) is refused unless this is "
            "ticked or an encoding is chosen."
        ),
    )
    duration = forms.CharField(
        label=_("Duration (HH:MM:SS, optional)"), required=False, max_length=20
    )
    target_language = forms.ChoiceField(
        label=_("English variant"),
        choices=Episode.TargetLanguage.choices,
        initial=Episode.TargetLanguage.EN_US,
    )
    english_file = forms.FileField(
        label=_("Existing English subtitles (optional)"),
        required=False,
        help_text=_(
            "An English SRT/VTT/ASS with the same timing: imported as the edited English of "
            "each segment, to review an existing translation."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = (upload.name or "").lower()
        if not name.endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError(
                _(
                    "Unsupported file type: use .txt, .md, .srt, .vtt, .ass, .ssa, "
                    "or a Jimaku project file (.json)."
                )
            )
        return _within_size_limit(upload)

    def clean_english_file(self):
        upload = self.cleaned_data.get("english_file")
        if not upload:
            return None
        if not (upload.name or "").lower().endswith(_TIMED_EXTENSIONS):
            raise forms.ValidationError(_("The English file must be .srt, .vtt, .ass or .ssa."))
        return _within_size_limit(upload)

    def clean_duration(self):
        value = (self.cleaned_data.get("duration") or "").strip()
        if not value:
            return None
        try:
            return parse_duration(value)
        except InputError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        if "file" in self.errors or "text" in self.errors:
            return cleaned  # the field's own error says what is wrong; one message is enough
        if not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste some text."))
        return cleaned

    def is_project_file(self) -> bool:
        """A .json upload is a project file unless it reads as a speech-recognition JSON."""
        upload = self.cleaned_data.get("file")
        if not upload or not (upload.name or "").lower().endswith(PROJECT_EXTENSION):
            return False
        upload.seek(0)  # payload() may have read it already
        head = upload.read(4096)
        upload.seek(0)
        return b'"jimaku-project"' in head  # the backup writes its format first

    def clean_text(self):
        text = self.cleaned_data.get("text") or ""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > settings.JIMAKU_MAX_IMPORT_BYTES:  # the same limit as an uploaded file
            raise forms.ValidationError(
                _("The text is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(size),
                    "limit": filesizeformat(settings.JIMAKU_MAX_IMPORT_BYTES),
                }
            )
        return text

    def payload(self) -> tuple[bytes | str, str | None]:
        """The data to import and its file name (None for pasted text)."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(), upload.name
        return self.cleaned_data["text"], None

    def payload_size(self) -> int:
        """Bytes to import (an upload's size; pasted text as UTF-8)."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.size or 0
        return len((self.cleaned_data.get("text") or "").encode("utf-8", "surrogatepass"))

    def import_request(self) -> ImportRequest:
        """The import the form asks for, besides the data (a file's name included)."""
        upload = self.cleaned_data.get("file")
        return ImportRequest(
            filename=upload.name if upload else None,
            format=self.cleaned_data["format"],
            encoding=self.cleaned_data["encoding"],
            title=self.cleaned_data["title"] or None,
            duration_ms=self.cleaned_data["duration"],
            target_language=self.cleaned_data["target_language"],
            check_language=not self.cleaned_data["any_language"],
        )
