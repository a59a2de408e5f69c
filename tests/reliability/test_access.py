"""Access matrix for EVERY URL in the URLconf × anonymous / plain / translator / reviewer / staff,
plus CSRF on every state-changing endpoint.

The URL list is read from the resolver, so a new URL without an expectation here fails
``test_every_url_has_an_expectation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import make_user
from translator.models import (
    AlignmentRun,
    Cue,
    Episode,
    GlossaryTerm,
    ImportJob,
    Segment,
    SegmentRevision,
    Speaker,
    TranslationJob,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "plain", "translator", "reviewer", "staff")
OK, LOGIN, FORBIDDEN, NOT_FOUND, ADMIN_LOGIN = "ok", "login", 403, 404, "admin-login"


@dataclass(frozen=True)
class Expect:
    method: str  # GET | POST
    by_role: dict[str, object]
    data: dict | None = None
    htmx: bool = False


def _roles(anonymous, plain, translator, reviewer, staff) -> dict[str, object]:
    return dict(zip(ROLES, (anonymous, plain, translator, reviewer, staff), strict=True))


VIEWERS = _roles(LOGIN, FORBIDDEN, OK, OK, OK)
REVIEWERS = _roles(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK)
PUBLIC = _roles(OK, OK, OK, OK, OK)

# URL name → expectation. Order matters only in that destructive ones run last.
EXPECT: dict[str, Expect] = {
    # The login page has a language switch: it works before logging in.
    "set_language": Expect("POST", _roles(OK, OK, OK, OK, OK), {"language": "en"}),
    "login": Expect("GET", PUBLIC),
    "translator:episode_list": Expect("GET", VIEWERS),
    "translator:episode_import": Expect("GET", VIEWERS),
    # Someone else's large import (here nobody's): only staff see it; importers get 404.
    "translator:import_job": Expect("GET", _roles(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, OK)),
    "translator:import_job_panel": Expect(
        "GET", _roles(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, OK), htmx=True
    ),
    "translator:engines": Expect("GET", VIEWERS),
    "translator:job_panel": Expect("GET", VIEWERS, htmx=True),
    "translator:export_download": Expect("GET", VIEWERS, {"format": "srt"}),
    "translator:export_report": Expect("GET", VIEWERS, {"format": "srt"}),
    "translator:public_transcript": Expect("GET", PUBLIC),
    "translator:public_media": Expect("GET", PUBLIC),
    "translator:episode_detail": Expect("GET", VIEWERS),
    "translator:episode_media": Expect("GET", VIEWERS),
    "translator:segment_row": Expect("GET", VIEWERS, htmx=True),
    "translator:segment_history": Expect("GET", VIEWERS, htmx=True),
    "translator:segment_diff": Expect("GET", VIEWERS, {"text": "x"}, htmx=True),
    "translator:segment_save": Expect(
        "POST", VIEWERS, {"text": "A new line.", "version": "1"}, htmx=True
    ),
    "translator:segment_approve": Expect("POST", REVIEWERS, {"approved": "1"}, htmx=True),
    # Row structure (branch structure): editors; a refusal is a message in the row (200).
    "translator:segment_source": Expect(
        "POST", VIEWERS, {"source": "こんにちは！", "version": "1"}, htmx=True
    ),
    "translator:segment_retranslate": Expect("POST", VIEWERS, {}, htmx=True),
    "translator:segment_split": Expect("POST", VIEWERS, {"at": "2", "version": "1"}, htmx=True),
    "translator:segment_merge": Expect(
        "POST", VIEWERS, {"version": "1", "next_version": "1"}, htmx=True
    ),
    "translator:bulk_approve": Expect("POST", REVIEWERS, {"segment_ids": ["0"]}),
    "translator:revision_restore": Expect("POST", VIEWERS, {}, htmx=True),
    "translator:speaker_rename": Expect("POST", VIEWERS, {"display_name": "Sato"}, htmx=True),
    "translator:glossary_add": Expect(
        "POST", VIEWERS, {"source": "字幕", "target": "subtitles"}, htmx=True
    ),
    "translator:glossary_edit": Expect(
        "POST", VIEWERS, {"source": "佐藤", "target": "Satō"}, htmx=True
    ),
    "translator:media_attach": Expect("POST", VIEWERS, {"url": "https://example.org/a.mp3"}),
    "translator:align_upload": Expect("POST", VIEWERS, {}),
    "translator:align_undo": Expect("POST", VIEWERS, {}),
    "translator:audio_timing_start": Expect("POST", VIEWERS, {}),
    "translator:timing_panel": Expect("GET", VIEWERS, htmx=True),
    "translator:job_start": Expect("POST", VIEWERS, {"engine": "argos"}, htmx=True),
    # The job is nobody's: only reviewers may cancel it (translators cancel their own).
    "translator:job_cancel": Expect("POST", REVIEWERS, {}, htmx=True),
    "translator:episode_title": Expect("POST", VIEWERS, {"title_en": "Behind the Subtitles"}),
    "translator:publish": Expect("POST", REVIEWERS, {"published": "1"}),
    # Translation memory: anyone who may view reads and exports it; editors take
    # suggestions and keep the project glossary; only reviewers import TMX.
    "translator:memory": Expect("GET", VIEWERS),
    "translator:memory_export": Expect("GET", VIEWERS),
    "translator:memory_import": Expect("POST", REVIEWERS, {}),
    "translator:segment_suggestions": Expect("GET", VIEWERS, htmx=True),
    "translator:segment_take": Expect("POST", VIEWERS, {"unit": "0", "version": "1"}, htmx=True),
    "translator:project_term_add": Expect(
        "POST", VIEWERS, {"source": "字幕", "target": "subtitles"}
    ),
    "translator:glossary_export": Expect("GET", VIEWERS, {"format": "tbx"}),
    "translator:glossary_import": Expect("POST", VIEWERS, {}),
    # The world's term belongs to an episode: not a project term (404 once allowed to edit).
    "translator:project_term_delete": Expect(
        "POST", _roles(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND), {}
    ),
    "translator:glossary_delete": Expect("POST", VIEWERS, {}, htmx=True),
    # Find & replace, undo, live figures while typing (read-only).
    "translator:replace_preview": Expect(
        "GET", VIEWERS, {"q": "Hello", "replacement": "Hi"}, htmx=True
    ),
    "translator:replace_apply": Expect(
        "POST", VIEWERS, {"q": "Hello", "replacement": "Hi"}, htmx=True
    ),
    "translator:episode_undo": Expect("POST", VIEWERS, {}, htmx=True),
    "translator:segment_live": Expect("POST", VIEWERS, {"text": "Hello there."}, htmx=True),
    # Cue view (cueview): read by viewers, retimed by editors.
    "translator:cue_view": Expect("GET", VIEWERS),
    "translator:cue_row": Expect("GET", VIEWERS, htmx=True),
    "translator:cue_retime": Expect(
        "POST", VIEWERS, {"start_ms": "100", "end_ms": "1500", "version": "1"}, htmx=True
    ),
    "translator:timing_manual_choice": Expect("GET", VIEWERS, htmx=True),
    # The waveform strip: read by viewers; the peaks are 404 until computed (none here).
    "translator:waveform_strip": Expect("GET", VIEWERS, htmx=True),
    "translator:waveform_cues": Expect("GET", VIEWERS),
    "translator:waveform_peaks": Expect(
        "GET", _roles(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND)
    ),
    "translator:waveform_compute": Expect("POST", VIEWERS, {}, htmx=True),
    "logout": Expect("POST", _roles(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
}
ADMIN = _roles(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK)


def url_names() -> dict[str, str]:
    """Every named URL (namespaced) → its route; the admin site counts as one entry."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    found["admin:*"] = prefix + str(p.pattern)
                    continue
                ns = p.namespace or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"unnamed URL pattern {prefix}{p.pattern}"
                found[f"{namespace}:{p.name}" if namespace else p.name] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns, "/", None)
    return found


def test_every_url_has_an_expectation():
    names = set(url_names())
    missing = names - set(EXPECT) - {"admin:*"}
    assert not missing, f"URLs with no access expectation: {sorted(missing)}"
    stale = set(EXPECT) - names
    assert not stale, f"expectations for URLs that no longer exist: {sorted(stale)}"


@dataclass
class World:
    episode: Episode
    segment: Segment
    revision: SegmentRevision
    speaker: Speaker
    term: GlossaryTerm
    job: TranslationJob
    run: AlignmentRun
    import_job: ImportJob
    cue: Cue | None = None


def make_world() -> World:
    media = default_storage.save("episodes/access/test.mp3", ContentFile(b"ID3" + b"\x00" * 64))
    ep = Episode.objects.create(title="Access matrix", published=True)
    ep.media_file.name = media
    ep.save()
    speaker = Speaker.objects.create(episode=ep, label="佐藤", display_name="Sato")
    seg = Segment.objects.create(
        episode=ep,
        order=0,
        speaker_label="佐藤",
        source_text="こんにちは。",
        text="Hello.",
        machine_text="Hello.",
        status=Segment.Status.MACHINE,
    )
    Segment.objects.create(episode=ep, order=1, source_text="さようなら。")
    cue = Cue.objects.create(
        segment=seg, start_ms=0, end_ms=1500, source_end=6, source_text="こんにちは。"
    )
    rev = SegmentRevision.objects.create(
        segment=seg, action="machine", new_text="Hello.", new_status="machine", version=1
    )
    term = GlossaryTerm.objects.create(episode=ep, source="佐藤", target="Sato")
    job = TranslationJob.objects.create(episode=ep, engine="argos", state="succeeded")
    run = AlignmentRun.objects.create(episode=ep, report={}, previous_times={})
    import_job = ImportJob.objects.create(token="0" * 32, filename="big.srt")
    return World(ep, seg, rev, speaker, term, job, run, import_job, cue)


def url_for(name: str, w: World) -> str:
    kwargs_by_param = {
        "episode_id": w.episode.pk,
        "segment_id": w.segment.pk,
        "revision_id": w.revision.pk,
        "speaker_id": w.speaker.pk,
        "term_id": w.term.pk,
        "job_id": w.job.pk,
        "run_id": w.run.pk,
        "import_job_id": w.import_job.pk,
        "public_id": w.episode.public_id,
        "cue_id": w.cue.pk if w.cue else 0,
    }
    route = url_names()[name]
    kwargs = {k: v for k, v in kwargs_by_param.items() if f":{k}>" in route}
    return reverse(name, kwargs=kwargs)


def client_for(role: str, **kwargs) -> Client:
    client = Client(**kwargs)
    if role == "anonymous":
        return client
    user = {
        "plain": lambda: make_user("pat"),
        "translator": lambda: make_user("tina", group="translator"),
        "reviewer": lambda: make_user("rei", group="reviewer"),
        "staff": lambda: make_user("sam", staff=True),
    }[role]()
    client.force_login(user)
    return client


def _request(client: Client, name: str, expect: Expect, w: World):
    url = url_for(name, w)
    data = dict(expect.data or {})
    if name == "translator:bulk_approve":
        data["segment_ids"] = [f"{w.segment.pk}:{w.segment.version}"]
    headers = {"HTTP_HX_REQUEST": "true"} if expect.htmx else {}
    if expect.method == "GET":
        return url, client.get(url, data, **headers)
    return url, client.post(url, data, **headers)


def _check(outcome: object, response, url: str, role: str) -> None:
    where = f"{role} {url}: {response.status_code} {response.get('Location', '')}"
    if outcome == OK:
        assert response.status_code in (200, 204, 206, 302), where
        if response.status_code == 302:
            assert "/login/" not in response["Location"], where
    elif outcome == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        ), where
    elif outcome == ADMIN_LOGIN:
        assert response.status_code == 302 and "/admin/login/" in response["Location"], where
    else:
        assert response.status_code == outcome, where
    if response.status_code == 200 and not response.streaming:
        assert b"Traceback" not in response.content, where


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role):
    w = make_world()
    client = client_for(role)
    _check(ADMIN[role], client.get("/admin/"), "/admin/", role)
    for name, expect in EXPECT.items():  # logout is last
        url, response = _request(client, name, expect, w)
        _check(expect.by_role[role], response, url, role)


def test_refused_requests_change_nothing():
    """A translator's forbidden actions (approve, publish) leave the rows as they were."""
    w = make_world()
    client = client_for("translator")
    assert (
        client.post(url_for("translator:segment_approve", w), {"approved": "1"}).status_code == 403
    )
    assert client.post(url_for("translator:publish", w), {"published": "0"}).status_code == 403
    w.segment.refresh_from_db()
    w.episode.refresh_from_db()
    assert w.segment.status == Segment.Status.MACHINE and w.episode.published


def test_unpublished_public_page_is_404_to_outsiders():
    w = make_world()
    Episode.objects.filter(pk=w.episode.pk).update(published=False)
    for role, status in (("anonymous", 404), ("plain", 404), ("translator", 200)):
        client = client_for(role)
        assert client.get(url_for("translator:public_transcript", w)).status_code == status, role
        assert client.get(url_for("translator:public_media", w)).status_code == 404, role


def test_missing_objects_are_404_not_500():
    client = client_for("staff")
    for name, expect in EXPECT.items():
        route = url_names()[name]
        if "<int:" not in route:
            continue
        kwargs = {part.split(":")[1].rstrip(">"): 999999 for part in route.split("<")[1:]}
        kwargs = {k.split(">")[0]: v for k, v in kwargs.items()}
        url = reverse(name, kwargs=kwargs)
        response = (
            client.post(url, expect.data or {}) if expect.method == "POST" else client.get(url)
        )
        assert response.status_code == 404, f"{url}: {response.status_code}"


@pytest.mark.parametrize(
    "name", [n for n, e in EXPECT.items() if e.method == "POST"] + ["login-post"]
)
def test_post_without_csrf_token_is_refused(name):
    """Every state-changing request needs the CSRF token, even from staff and via htmx."""
    w = make_world()
    if name == "login-post":
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("login"), {"username": "sam", "password": "x"})
        assert response.status_code == 403
        return
    client = client_for("staff", enforce_csrf_checks=True)
    before = (
        Segment.objects.get(pk=w.segment.pk).version,
        GlossaryTerm.objects.count(),
        TranslationJob.objects.count(),
        Episode.objects.get(pk=w.episode.pk).published,
    )
    url, response = _request(client, name, EXPECT[name], w)
    assert response.status_code == 403, f"{url}: {response.status_code}"
    after = (
        Segment.objects.get(pk=w.segment.pk).version,
        GlossaryTerm.objects.count(),
        TranslationJob.objects.count(),
        Episode.objects.get(pk=w.episode.pk).published,
    )
    assert after == before
