"""Low-severity holes of the attack pass: who cancels a job, what the
engines page shows, the public media URL, invisible characters in names, one size limit for
pasted and uploaded text, and markup in exported subtitle text."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_user
from tests.support.fixtures import use_argos
from translator.models import Episode, TranslationJob
from translator.services import editing, translation

pytestmark = pytest.mark.django_db


# --- translators cancel their own jobs, reviewers any -----------------------------------


@pytest.fixture
def running_jobs(sample_episode, translator_user, reviewer_user):
    other = make_user("otto", group="translator")
    mine = TranslationJob.objects.create(
        episode=sample_episode, engine="argos", state="running", requested_by=translator_user
    )
    theirs = TranslationJob.objects.create(
        episode=sample_episode, engine="argos", state="running", requested_by=other
    )
    return mine, theirs


def test_a_translator_cannot_cancel_someone_elses_job(client, running_jobs, translator_user):
    mine, theirs = running_jobs
    client.force_login(translator_user)
    assert client.post(f"/jobs/{theirs.pk}/cancel/", HTTP_HX_REQUEST="true").status_code == 403
    theirs.refresh_from_db()
    assert not theirs.cancel_requested
    with pytest.raises(PermissionDenied):  # the service checks too
        translation.request_cancel(job_id=theirs.pk, user=translator_user)
    assert client.post(f"/jobs/{mine.pk}/cancel/", HTTP_HX_REQUEST="true").status_code == 200
    mine.refresh_from_db()
    assert mine.cancel_requested


def test_a_reviewer_cancels_any_job_and_the_button_follows(
    client, running_jobs, reviewer_user, translator_user, sample_episode
):
    mine, theirs = running_jobs
    client.force_login(translator_user)
    panel = client.get(f"/episodes/{sample_episode.pk}/jobs/panel/").text  # latest: theirs
    assert f"/jobs/{theirs.pk}/cancel/" not in panel
    client.force_login(reviewer_user)
    panel = client.get(f"/episodes/{sample_episode.pk}/jobs/panel/").text
    assert f"/jobs/{theirs.pk}/cancel/" in panel
    assert client.post(f"/jobs/{theirs.pk}/cancel/", HTTP_HX_REQUEST="true").status_code == 200
    theirs.refresh_from_db()
    assert theirs.cancel_requested


# --- the engines page shows no server path to translators -------------------------------


def test_engines_page_shows_server_paths_to_staff_only(
    client, settings, tmp_path, translator_user, reviewer_user, staff_user
):
    from translator.engines.registry import reset_engines

    folder = tmp_path / "secret-server-folder" / "argos"
    folder.mkdir(parents=True)
    (folder / "broken.argosmodel").write_bytes(b"not a zip")  # an error that may name a path
    use_argos(settings, folder)
    try:
        for user in (translator_user, reviewer_user):
            client.force_login(user)
            page = client.get("/engines/").text
            assert "secret-server-folder" not in page and str(tmp_path) not in page, user
            assert "Packages folder" not in page
            assert "not ready" in page  # still says what is wrong
        client.force_login(staff_user)
        assert str(folder) in client.get("/engines/").text
    finally:
        reset_engines()


def test_server_paths_are_cut_from_engine_errors():
    from translator.views.jobs import _without_paths

    status = {
        "packages_dir": "/srv/jimaku/data/argos-packages",
        "error": "cannot open /srv/jimaku/data/argos-packages/x/model.bin: bad header",
    }
    cleaned = _without_paths(status)
    assert "packages_dir" not in cleaned
    assert cleaned["error"] == "cannot open [server path]: bad header"


# --- the public media URL serves ranges and hides the stored name -----------------------

AUDIO = b"ID3" + bytes(range(256)) * 8


@pytest.fixture
def published_media(sample_episode, reviewer_user):
    upload = SimpleUploadedFile("talk.mp3", AUDIO, content_type="audio/mpeg")
    episode = editing.attach_media_file(
        episode_id=sample_episode.pk, upload=upload, user=reviewer_user
    )
    Episode.objects.filter(pk=episode.pk).update(published=True)
    episode.refresh_from_db()
    return episode


@pytest.mark.parametrize("who", ["anonymous", "reviewer"])
def test_public_media_serves_ranges_like_the_episode_media(
    client, published_media, reviewer_user, who
):
    if who == "reviewer":
        client.force_login(reviewer_user)
    stored = published_media.media_file.name.rsplit("/", 1)[-1]
    urls = [f"/p/{published_media.public_id}/media/"]
    if who == "reviewer":
        urls.append(f"/episodes/{published_media.pk}/media/file/")
    for url in urls:
        whole = client.get(url)
        assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
        assert b"".join(whole.streaming_content) == AUDIO
        part = client.get(url, headers={"range": "bytes=10-19"})
        assert part.status_code == 206
        assert part["Content-Range"] == f"bytes 10-19/{len(AUDIO)}"
        assert b"".join(part.streaming_content) == AUDIO[10:20]
        tail = client.get(url, headers={"range": "bytes=-5"})
        assert b"".join(tail.streaming_content) == AUDIO[-5:]
        assert client.get(url, headers={"range": f"bytes={len(AUDIO)}-"}).status_code == 416
        for response in (whole, part):
            headers = " ".join(f"{k}: {v}" for k, v in response.items())
            assert stored not in headers and stored.split(".")[0] not in headers, url
            assert response["Content-Type"] == "audio/mpeg"
            assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(urls[0]).get("Cache-Control", "").startswith("public")
    page = client.get(f"/p/{published_media.public_id}/").text
    assert stored not in page


# --- no invisible characters in speaker names and glossary terms ------------------------


def test_speaker_names_lose_bidi_and_zero_width_characters(client, sample_episode, translator_user):
    a, b = list(sample_episode.speakers.order_by("order")[:2])
    editing.rename_speaker(speaker_id=a.pk, display_name="Yamada", user=translator_user)
    for lookalike in ("Yama\u200bda", "\u2066Yamada\u2069", "Yamada\ufeff", "yamada"):
        with pytest.raises(editing.EditingError, match="already called"):
            editing.rename_speaker(speaker_id=b.pk, display_name=lookalike, user=translator_user)
    client.force_login(translator_user)
    client.post(f"/speakers/{b.pk}/rename/", {"display_name": "\u202eadamaY\u202c Ken\u200d"})
    b.refresh_from_db()
    assert b.display_name == "adamaY Ken"
    with pytest.raises(editing.EditingError, match="cannot be empty"):
        editing.rename_speaker(speaker_id=b.pk, display_name="\u200b\u200e", user=translator_user)


def test_glossary_terms_lose_bidi_and_zero_width_characters(sample_episode, translator_user):
    term = editing.add_glossary_term(
        episode_id=sample_episode.pk,
        source="字\u200b幕",
        target="\u202esubtitles\u202c",
        note="\u2067x\u2069",
        user=translator_user,
    )
    assert (term.source, term.target, term.note) == ("字幕", "subtitles", "x")
    with pytest.raises(editing.EditingError, match="already in the glossary"):
        editing.add_glossary_term(
            episode_id=sample_episode.pk, source="字幕\u2060", target="x", user=translator_user
        )
    term = editing.update_glossary_term(
        term_id=term.pk, source="字幕", target="sub\u00adtitles", user=translator_user
    )
    assert term.target == "subtitles"


def test_a_restored_file_brings_no_invisible_characters(sample_episode, translator_user):
    from translator.services import backup

    project = backup.export_project(episode_id=sample_episode.pk)
    project["episode"]["speakers"][0]["display_name"] = "Yama\u200bda\u202e"
    project["episode"]["glossary"] = [{"source": "字\u200b幕", "target": "sub\u2066titles"}]
    restored = backup.import_project(data=project, user=translator_user)
    assert restored.speakers.order_by("order").first().display_name == "Yamada"
    term = restored.glossary.get()
    assert (term.source, term.target) == ("字幕", "subtitles")


# --- exported SRT and ASS text carries no markup an editor did not mean -----------------


def _marked_up_event():
    from translator.core.subtitles import SubtitleEvent

    return SubtitleEvent(
        start_ms=1000,
        end_ms=3000,
        en_lines=['<font color="#ff0000">red</font> <i>fine</i> a<b', "{\\an8}top {not a tag}"],
        ja_lines=["＜声＞<ruby>字<rt>じ</rt></ruby>"],
        speaker="Yamada, Ken",
        segment_index=0,
    )


def test_srt_export_escapes_what_is_not_a_supported_tag():
    import srt

    from translator.core.writers import render_subtitles

    text = render_subtitles([_marked_up_event()], fmt="srt", layout="bilingual")
    content = next(srt.parse(text)).content
    assert "<font" not in content and "</font" not in content and "<ruby" not in content
    assert "<i>fine</i>" in content  # SRT's own styling tags are kept
    assert "{\\an8}" not in content and "{not a tag}" in content
    visible = content.replace("\u2060", "")  # the escape is invisible: the text reads the same
    assert visible.splitlines() == [
        '<font color="#ff0000">red</font> <i>fine</i> a<b',
        "{\\an8}top {not a tag}",
        "＜声＞<ruby>字<rt>じ</rt></ruby>",
    ]


def test_ass_export_escapes_tags_braces_and_commas_in_names():
    import pysubs2

    from translator.core.writers import render_subtitles

    text = render_subtitles([_marked_up_event()], fmt="ass", layout="bilingual")
    subs = pysubs2.SSAFile.from_string(text, format_="ass")
    en = next(e for e in subs if e.style == "English")
    assert "<font" not in en.text and "{" not in en.text and "\\an8" not in en.plaintext[:4]
    assert en.text.replace("\u2060", "").startswith('<font color="#ff0000">red</font>')
    assert en.name == "Yamada， Ken" and en.marginl == 0  # the comma did not shift the fields
