"""Export downloads, the CLI export, publishing and the public page."""

from __future__ import annotations

import io

import pysubs2
import pytest
import srt
import webvtt
from django.core.management import call_command
from django.urls import reverse

from translator.models import Segment

pytestmark = pytest.mark.django_db


def _translate_all(episode, *, approve_every: int = 2) -> None:
    """Give every segment some English (as an editor would) and approve some."""
    for i, seg in enumerate(episode.segments.order_by("order")):
        seg.text = f"English sentence number {i} about subtitles."
        seg.status = Segment.Status.APPROVED if i % approve_every == 0 else Segment.Status.EDITED
        seg.save()


@pytest.fixture
def translated_episode(sample_episode):
    _translate_all(sample_episode)
    return sample_episode


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
def test_subtitle_download_parses(client, reviewer_user, translated_episode, fmt):
    client.force_login(reviewer_user)
    url = reverse("translator:export_download", args=[translated_episode.pk])
    response = client.get(url, {"format": fmt, "layout": "bilingual"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    text = response.content.decode("utf-8")
    subs = pysubs2.SSAFile.from_string(text)
    assert len(subs) > 20
    n_cues = int(response["X-Jimaku-Cues"])
    if fmt == "ass":  # one event per language, each in its own style (top / bottom)
        assert len(subs) == 2 * n_cues
        assert subs.info["Title"] == translated_episode.title  # no English title yet
        tracks = [[e for e in subs if e.style == name] for name in {e.style for e in subs}]
    else:
        assert len(subs) == n_cues
        tracks = [list(subs)]
    for track in tracks:
        starts = [e.start for e in track]
        assert starts == sorted(starts)
        for a, b in zip(track, track[1:], strict=False):
            assert a.end <= b.start, "cues overlap"
    if fmt == "srt":
        parsed = list(srt.parse(text))
        assert len(parsed) == len(subs)
        assert "English sentence number" in text
    if fmt == "vtt":
        captions = webvtt.from_buffer(io.StringIO(text))
        assert len(captions) == len(subs)
    if fmt == "ass":
        assert len(subs.styles) >= 2


def test_approved_only_export_leaves_out_unapproved(client, reviewer_user, translated_episode):
    client.force_login(reviewer_user)
    url = reverse("translator:export_download", args=[translated_episode.pk])
    everything = client.get(url, {"format": "srt", "layout": "en"})
    approved = client.get(url, {"format": "srt", "layout": "en", "approved_only": "1"})
    n_all = len(pysubs2.SSAFile.from_string(everything.content.decode()))
    n_approved = len(pysubs2.SSAFile.from_string(approved.content.decode()))
    assert 0 < n_approved < n_all
    assert int(everything["X-Jimaku-Not-Approved"]) > 0


def test_bad_export_format_is_a_clear_400(client, reviewer_user, translated_episode):
    client.force_login(reviewer_user)
    url = reverse("translator:export_download", args=[translated_episode.pk])
    response = client.get(url, {"format": "docx"})
    assert response.status_code == 400
    assert b"Unknown format" in response.content


@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_transcript_download(client, translator_user, translated_episode, fmt):
    client.force_login(translator_user)
    url = reverse("translator:export_download", args=[translated_episode.pk])
    response = client.get(url, {"format": fmt, "timestamps": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "English sentence number 0" in body
    assert "Nagano" in body or "Sato" in body or ":" in body


def test_plain_user_cannot_download(client, plain_user, translated_episode):
    client.force_login(plain_user)
    url = reverse("translator:export_download", args=[translated_episode.pk])
    assert client.get(url, {"format": "srt"}).status_code == 403


def test_cli_export_to_file(tmp_path, translated_episode, capsys):
    out = tmp_path / "out.vtt"
    call_command(
        "export_episode",
        str(translated_episode.pk),
        "--format",
        "vtt",
        "--layout",
        "en",
        "-o",
        str(out),
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    assert "English sentence number" in text


def test_cli_bilingual_report_names_each_side(tmp_path, translated_episode, capsys):
    call_command("export_episode", str(translated_episode.pk), "--format", "srt")
    err = capsys.readouterr().err
    assert "meet every style rule (English side: " in err and ", Japanese side: " in err


def test_cli_export_unknown_episode_fails_cleanly(capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No episode with id 999"):
        call_command("export_episode", "999", "--format", "srt")


def test_publish_flow_and_public_page(client, reviewer_user, translator_user, translated_episode):
    ep = translated_episode
    public_url = reverse("translator:public_transcript", args=[ep.public_id])
    client.logout()
    assert client.get(public_url).status_code == 404  # unpublished: 404 to anonymous

    client.force_login(translator_user)
    response = client.post(reverse("translator:publish", args=[ep.pk]), {"published": "1"})
    assert response.status_code == 403  # translators cannot publish

    client.force_login(reviewer_user)
    response = client.post(reverse("translator:publish", args=[ep.pk]), {"published": "1"})
    assert response.status_code == 200  # not approved yet: asked first
    ep.refresh_from_db()
    assert not ep.published
    response = client.post(
        reverse("translator:publish", args=[ep.pk]), {"published": "1", "confirmed": "1"}
    )
    assert response.status_code == 302
    ep.refresh_from_db()
    assert ep.published

    client.logout()
    response = client.get(public_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "English sentence number 1" in body
    assert 'id="show-ja"' in body

    client.force_login(reviewer_user)
    client.post(reverse("translator:publish", args=[ep.pk]), {"published": "0"})
    client.logout()
    assert client.get(public_url).status_code == 404
    # The address is stable: publishing again brings back the same URL.
    client.force_login(reviewer_user)
    client.post(reverse("translator:publish", args=[ep.pk]), {"published": "1", "confirmed": "1"})
    client.logout()
    assert client.get(public_url).status_code == 200


def test_public_page_escapes_user_text(client, reviewer_user, translated_episode):
    ep = translated_episode
    seg = ep.segments.filter(kind="transcript").first()
    seg.text = '<script>alert("x")</script> "quoted" <a href="javascript:alert(1)">x</a>'
    seg.save()
    ep.published = True
    ep.save()
    client.logout()
    body = client.get(reverse("translator:public_transcript", args=[ep.public_id])).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body
    assert 'href="javascript:' not in body


def test_english_title_for_transcripts_public_page_and_file_names(
    client, translator_user, reviewer_user, translated_episode
):
    ep = translated_episode
    client.force_login(translator_user)
    detail = reverse("translator:episode_detail", args=[ep.pk])
    assert 'name="title_en"' in client.get(detail).text
    url = reverse("translator:episode_title", args=[ep.pk])

    response = client.post(url, {"title_en": "  Behind the   Subtitles, Ep. 12 "}, follow=True)
    assert "English title saved." in response.text
    ep.refresh_from_db()
    assert ep.title_en == "Behind the Subtitles, Ep. 12"
    assert "Behind the Subtitles, Ep. 12" in client.get(reverse("translator:episode_list")).text

    download = reverse("translator:export_download", args=[ep.pk])
    srt = client.get(download, {"format": "srt", "layout": "en"})
    assert 'filename="behind-the-subtitles-ep-12.en.srt"' in srt["Content-Disposition"]
    md = client.get(download, {"format": "md"}).content.decode()
    assert md.startswith("# Behind the Subtitles, Ep. 12")
    ass = client.get(download, {"format": "ass"}).content.decode()
    assert pysubs2.SSAFile.from_string(ass).info["Title"] == "Behind the Subtitles, Ep. 12"

    client.force_login(reviewer_user)
    client.post(reverse("translator:publish", args=[ep.pk]), {"published": "1", "confirmed": "1"})
    client.logout()
    public = client.get(reverse("translator:public_transcript", args=[ep.public_id])).text
    assert "<title>Behind the Subtitles, Ep. 12</title>" in public
    assert "<h1>Behind the Subtitles, Ep. 12</h1>" in public
    assert f'<p class="original-title" lang="ja">{ep.title}</p>' in public

    client.force_login(translator_user)
    response = client.post(url, {"title_en": "x" * 301}, follow=True)
    assert "longer than 300 characters" in response.text
    client.post(url, {"title_en": ""})  # cleared: the original title again
    ep.refresh_from_db()
    assert ep.title_en == "" and ep.english_title == ep.title


def test_plain_user_cannot_set_the_english_title(client, plain_user, translated_episode):
    client.force_login(plain_user)
    url = reverse("translator:episode_title", args=[translated_episode.pk])
    assert client.post(url, {"title_en": "Nope"}).status_code == 403
    translated_episode.refresh_from_db()
    assert translated_episode.title_en == ""
