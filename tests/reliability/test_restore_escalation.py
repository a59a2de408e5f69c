"""A project-file restore never grants more than the restoring user may do,
and a restored copy never shares another episode's stored media."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.reliability.conftest import row_counts
from translator.core.requests import ImportRequest
from translator.models import Episode, Segment, SegmentRevision
from translator.services import backup, editing

pytestmark = pytest.mark.django_db

IMPORT_FORM = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}
AUDIO = b"ID3" + b"\x00" * 61


@pytest.fixture
def secret_media_episode(sample_bytes, reviewer_user):
    """An unpublished episode with stored audio the translator must not be able to publish."""
    from translator.services.importing import import_episode

    episode = import_episode(
        data=sample_bytes, request=ImportRequest(filename="secret.txt", title="Secret")
    )
    upload = SimpleUploadedFile("secret.mp3", AUDIO, content_type="audio/mpeg")
    return editing.attach_media_file(episode_id=episode.pk, upload=upload, user=reviewer_user)


def _forged(client, episode, secret: Episode) -> bytes:
    """What a translator makes of an exported project file with a text editor."""
    body = client.get(f"/episodes/{episode.pk}/export/", {"format": "project"}).content
    project = json.loads(body)
    ep = project["episode"]
    ep.update(published=True, published_at="2026-01-01T00:00:00+00:00")
    ep["created_by"] = "rei"
    ep["media_file"] = secret.media_file.name  # another episode's stored file
    for seg in ep["segments"]:
        seg.update(status="approved", text=seg["text"] or "Forged.", updated_by="rei")
        seg["revisions"].append(
            {
                "action": "approve",
                "old_text": seg["text"],
                "new_text": seg["text"],
                "old_status": "edited",
                "new_status": "approved",
                "version": seg["version"],
                "user": "rei",
                "created_at": "2026-01-01T00:00:00+00:00",
            }
        )
    return json.dumps(project, ensure_ascii=False).encode()


def test_a_translators_forged_project_file_grants_nothing(
    client, sample_episode, secret_media_episode, translator_user, reviewer_user
):
    client.force_login(translator_user)
    forged = _forged(client, sample_episode, secret_media_episode)
    upload = SimpleUploadedFile("forged.jimaku.json", forged, content_type="application/json")
    response = client.post("/episodes/import/", {"file": upload, **IMPORT_FORM})
    assert response.status_code == 302, response.text[:300]
    restored = Episode.objects.latest("pk")
    page = client.get(response["Location"]).text  # the restore says what it did not keep
    for said in (
        "restored unpublished",
        "approved segments restored as edited",
        "kept as recorded names",
        "media file not restored",
    ):
        assert said in page, said

    # Not public: not published, its page and media are 404 to anyone outside.
    assert not restored.published and restored.published_at is None
    client.logout()
    assert client.get(f"/p/{restored.public_id}/").status_code == 404
    assert client.get(f"/p/{restored.public_id}/media/").status_code == 404
    # Nothing approved that no reviewer saw.
    segments = Segment.objects.filter(episode=restored)
    assert segments.exists() and not segments.filter(status="approved").exists()
    assert set(segments.values_list("status", flat=True)) == {"edited"}
    # The reviewer is not made the author of anything; the file's names stay as text.
    assert not segments.exclude(updated_by=None).exists()
    assert set(segments.values_list("recorded_updated_by", flat=True)) == {"rei"}
    revisions = SegmentRevision.objects.filter(segment__episode=restored)
    assert not revisions.filter(user=reviewer_user).exists()
    assert revisions.filter(recorded_user="rei", action="approve").count() == segments.count()
    assert restored.created_by == translator_user
    # The other episode's audio is not the copy's: no file name points at a stored file.
    assert not restored.media_file
    assert default_storage.exists(secret_media_episode.media_file.name)
    client.force_login(translator_user)
    seg = segments.order_by("order").first()
    history = client.get(f"/segments/{seg.pk}/history/").text
    assert "recorded as rei in the file" in history


def test_a_reviewers_restore_keeps_approval_but_not_publication(
    client, sample_episode, secret_media_episode, reviewer_user
):
    client.force_login(reviewer_user)
    forged = _forged(client, sample_episode, secret_media_episode)
    restored = backup.import_project(data=forged, user=reviewer_user)
    assert not restored.published
    assert set(restored.segments.values_list("status", flat=True)) == {"approved"}
    assert not restored.media_file
    assert not SegmentRevision.objects.filter(segment__episode=restored, user=reviewer_user)
    codes = {e.code for e in backup.restore_report(restored).entries}
    assert codes == {"unpublished", "users_recorded", "media_not_restored"}


def test_the_service_checks_the_permission_itself(sample_episode, plain_user, translator_user):
    text = backup.dumps_project(episode_id=sample_episode.pk)
    before = row_counts()
    with pytest.raises(PermissionDenied):
        backup.import_project(data=text, user=plain_user)
    assert row_counts() == before
    # A translator may restore, a file's approval is not theirs to keep.
    segs = list(sample_episode.segments.order_by("order")[:2])
    Segment.objects.filter(pk=segs[0].pk).update(text="Fine.", status="approved")
    Segment.objects.filter(pk=segs[1].pk).update(text="", status="approved")
    copy = backup.import_project(
        data=backup.dumps_project(episode_id=sample_episode.pk), user=translator_user
    )
    assert copy.segments.get(order=segs[0].order).status == "edited"
    assert copy.segments.get(order=segs[1].order).status == "untranslated"  # nothing to edit


def test_the_command_prints_what_was_downgraded(
    sample_episode, secret_media_episode, tmp_path, capsys, translator_user
):
    project = backup.export_project(episode_id=sample_episode.pk)
    project["episode"].update(published=True, media_file=secret_media_episode.media_file.name)
    project["episode"]["segments"][0].update(status="approved", text="Yes.", updated_by="tina")
    path = tmp_path / "p.jimaku.json"
    path.write_text(json.dumps(project), encoding="utf-8")
    call_command("import_project", str(path))
    out = capsys.readouterr()
    restored = Episode.objects.get(pk=int(out.out.strip()))
    assert not restored.published and not restored.media_file
    assert restored.segments.get(order=0).status == "approved"  # the operator may approve
    assert "restored unpublished" in out.err and "media file not restored" in out.err
    assert "tina" in out.err and restored.segments.get(order=0).updated_by is None
    # As a translator's account, approval goes too.
    call_command("import_project", str(path), "--user", translator_user.username)
    out = capsys.readouterr()
    assert "approved segments restored as edited" in out.err
    assert Episode.objects.get(pk=int(out.out.strip())).segments.get(order=0).status == "edited"


# --- each episode owns its stored media ---------------------------------------------


def test_a_restore_on_the_same_server_does_not_share_the_media_file(
    secret_media_episode, reviewer_user
):
    name = secret_media_episode.media_file.name
    copy = backup.import_project(
        data=backup.dumps_project(episode_id=secret_media_episode.pk), user=reviewer_user
    )
    assert not copy.media_file
    editing.detach_media(episode_id=copy.pk, user=reviewer_user)
    assert default_storage.exists(name)


def test_removing_media_never_deletes_another_episodes_file(
    django_capture_on_commit_callbacks, secret_media_episode, sample_episode, reviewer_user
):
    """Episodes that already share a file (restored by an older version) keep it until the
    last one lets go."""
    name = secret_media_episode.media_file.name
    Episode.objects.filter(pk=sample_episode.pk).update(media_file=name)
    with django_capture_on_commit_callbacks(execute=True):
        editing.detach_media(episode_id=sample_episode.pk, user=reviewer_user)
    assert default_storage.exists(name)
    secret_media_episode.refresh_from_db()
    assert secret_media_episode.media_file.name == name
    with django_capture_on_commit_callbacks(execute=True):
        editing.detach_media(episode_id=secret_media_episode.pk, user=reviewer_user)
    assert not default_storage.exists(name)  # the last owner removed it: the file goes
