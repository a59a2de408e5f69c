"""The import preview (kinds per paragraph, left-out lines), the not-Japanese override, and the
description in the review page, transcript exports and public page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from translator.models import Episode, Segment

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"


def _preview(client, name: str, data: bytes | None = None, **extra):
    upload = SimpleUploadedFile(name, data if data is not None else (FIXTURES / name).read_bytes())
    fields = {"file": upload, "format": "auto", "encoding": "auto", "target_language": "EN-US"}
    return client.post(reverse("translator:episode_import"), {**fields, **extra})


def test_preview_lists_left_out_lines_and_the_chosen_kinds_are_imported(client, translator_user):
    client.force_login(translator_user)
    response = _preview(client, "podcast_page.txt")
    assert response.status_code == 200
    body = response.content.decode()
    # Left-out lines are shown, each with a kind the user can change.
    assert "ホーム | エピソード一覧 | お問い合わせ" in body
    assert 'name="kind-2"' in body and 'name="kind-28"' in body
    assert '<option value="description" selected>' in body  # the introduction
    token = response.context["token"]
    confirm = client.post(
        reverse("translator:episode_import"),
        {"confirm": "1", "token": token, "kind-28": "description", "kind-19": "left_out"},
    )
    assert confirm.status_code == 302
    episode = Episode.objects.order_by("-id").first()
    kinds = list(episode.segments.order_by("order").values_list("kind", "source_text"))
    assert kinds[0] == ("description", "今回はメッセージアプリの移り変わりがテーマです。")
    assert ("description", "毎週金曜日に配信しています。") in kinds  # kept by the user
    assert not any("どうも、森です。" in text for _, text in kinds)  # left out by the user
    assert ("show_note", "WhatsApp: The inside story") in kinds
    codes = {e["code"] for e in episode.import_report["entries"]}
    assert {"page_chrome", "heading", "footer", "by_user"} <= codes


def test_not_japanese_is_refused_unless_overridden(client, translator_user):
    client.force_login(translator_user)
    data = (FIXTURES / "encodings" / "chinese_gb2312.srt").read_bytes()
    response = _preview(client, "zh.srt", data)
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("this looks like Chinese (GB2312)")
    assert "token" not in response.context
    response = _preview(client, "zh.srt", data, any_language="on")
    assert "token" in response.context
    assert "大家好" in response.content.decode()


def test_cli_any_language(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "en.srt"
    path.write_bytes((FIXTURES / "encodings" / "english.srt").read_bytes())
    with pytest.raises(CommandError, match="looks like English"):
        call_command("segment", str(path))
    call_command("segment", str(path), "--any-language")
    assert "Good evening" in capsys.readouterr().out


@pytest.fixture
def described_episode(sample_episode):
    for i, seg in enumerate(sample_episode.segments.order_by("order")):
        seg.text = f"Intro sentence {i}." if seg.kind == Segment.Kind.DESCRIPTION else f"Line {i}."
        seg.status = Segment.Status.APPROVED
        seg.save()
    return sample_episode


def test_description_is_a_segment_under_the_title_everywhere(
    client, reviewer_user, described_episode
):
    ep = described_episode
    description = ep.segments.filter(kind=Segment.Kind.DESCRIPTION).order_by("order")
    assert [s.source_text for s in description][0].startswith("今回は、動画の字幕づくりと")
    client.force_login(reviewer_user)
    review = client.get(reverse("translator:episode_detail", args=[ep.pk])).content.decode()
    assert 'id="h-description"' in review
    url = reverse("translator:export_download", args=[ep.pk])
    for fmt in ("md", "html", "txt"):
        body = client.get(url, {"format": fmt}).content.decode()
        assert body.index("Intro sentence 0.") < body.index("Show notes")
    srt = client.get(url, {"format": "srt", "layout": "en"}).content.decode()
    assert "Intro sentence" not in srt  # translated, never subtitled
    client.post(reverse("translator:publish", args=[ep.pk]), {"published": "1", "confirmed": "1"})
    client.logout()
    page = client.get(reverse("translator:public_transcript", args=[ep.public_id])).content
    page = page.decode()
    assert page.index("Intro sentence 0.") < page.index("Show notes")
