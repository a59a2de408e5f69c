"""Translation memory: approvals feed it, jobs take exact matches before the engine
(proved on the DeepL test server), fuzzy suggestions, TMX/TBX/CSV exchange, project glossary,
consistency flags, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from translate.storage.tbx import tbxfile
from translate.storage.tmx import tmxfile

from tests.support.fixtures import use_argos
from translator.core import tm
from translator.core.requests import ImportRequest
from translator.core.tm_formats import ExchangeError
from translator.engines.registry import reset_engines
from translator.models import Episode, GlossaryTerm, MemoryUnit, Segment, SegmentRevision
from translator.services import editing, memory, review, translation
from translator.services.importing import import_episode

pytestmark = pytest.mark.django_db
Status = Segment.Status

INTRO = "皆さんこんにちは、声のラボの時間です。今日も最後までお付き合いください。"
OUTRO = "今回もお聞きいただきありがとうございました。また来週お会いしましょう。"


def _podcast(title: str, middle: str) -> bytes:
    return (
        f"声のラボ\n{title}\n\nトランスクリプト\n\n"
        f"永野: {INTRO}\n\n"
        f"木村: {middle}\n\n"
        f"永野: {OUTRO}\n"
    ).encode()


def _run(episode: Episode):
    job = translation.start_translation_job(episode_id=episode.pk, engine="deepl", enqueue=False)
    return translation.run_translation_job(job_id=job.pk)


def _approve_all(episode: Episode, user) -> None:
    for seg in episode.segments.order_by("order"):
        review.save_segment(
            segment_id=seg.pk,
            text=f"Approved #{seg.order}: {seg.source_text[:6]}",
            base_version=seg.version,
            user=user,
            approve=True,
        )


def _sent(server) -> list[str]:
    return [t for r in server.translate_requests() for t in r.texts]


def test_second_episode_takes_intro_and_outro_from_memory(deepl_settings, reviewer_user):
    server = deepl_settings
    first = import_episode(
        data=_podcast("第1回", "今日は字幕の話をします。"), request=ImportRequest(filename="1.txt")
    )
    _run(first)
    _approve_all(first, reviewer_user)
    assert MemoryUnit.objects.filter(episode=first).count() == first.segments.count()

    second = import_episode(
        data=_podcast("第2回", "今日は録音機材の話をします。"),
        request=ImportRequest(filename="2.txt"),
    )
    shared = [
        s
        for s in second.segments.order_by("order")
        if s.source_text in INTRO or s.source_text in OUTRO
    ]
    assert len(shared) == 4  # two sentences each
    server.requests.clear()
    chars_before = server.character_count
    job = _run(second)
    assert job.state == "succeeded", job.error
    sent = _sent(server)
    for seg in shared:
        assert seg.source_text not in sent  # zero requests for them…
    billed = server.character_count - chars_before
    others = [s for s in second.segments.all() if s.pk not in {x.pk for x in shared}]
    # …and zero characters: only the new middle sentences (and the title) were billed.
    assert billed == sum(len(s.source_text) for s in others) + len(second.title)
    for seg in shared:
        seg.refresh_from_db()
        unit = MemoryUnit.objects.get(segment__episode=first, source_text=seg.source_text)
        assert seg.status == Status.MEMORY and seg.text == unit.target_text
        assert seg.machine_engine == "memory" and f"unit {unit.pk}" in seg.machine_engine_version
        assert "rei" in seg.machine_engine_version  # who approved it
        assert seg.revisions.get().action == SegmentRevision.Action.MACHINE
    assert job.done == job.total == second.segments.count()
    # Not approved here until a reviewer approves it in this episode.
    assert not second.segments.filter(status=Status.APPROVED).exists()
    # Unchanged save keeps it "memory"; approving it makes a unit of this episode too.
    seg = shared[0]
    seg.refresh_from_db()
    review.set_approved(segment_id=seg.pk, approved=True, user=reviewer_user)
    assert MemoryUnit.objects.filter(segment=seg).exists()
    review.set_approved(segment_id=seg.pk, approved=False, user=reviewer_user)
    seg.refresh_from_db()
    assert seg.status == Status.MEMORY and not MemoryUnit.objects.filter(segment=seg).exists()


def test_memory_follows_edits_and_unapprovals(sample_episode, reviewer_user):
    seg = sample_episode.segments.order_by("order").first()
    seg = review.save_segment(
        segment_id=seg.pk, text="First.", base_version=seg.version, user=reviewer_user, approve=True
    )
    unit = MemoryUnit.objects.get(segment=seg)
    assert (unit.target_text, unit.approved_by, unit.episode_id) == (
        "First.",
        reviewer_user,
        sample_episode.pk,
    )
    assert unit.source_norm == tm.normalize(seg.source_text)
    seg = review.save_segment(
        segment_id=seg.pk, text="Second.", base_version=seg.version, user=reviewer_user
    )
    assert seg.status == Status.EDITED and not MemoryUnit.objects.filter(segment=seg).exists()
    seg = review.save_segment(
        segment_id=seg.pk,
        text="Second.",
        base_version=seg.version,
        user=reviewer_user,
        approve=True,
    )
    assert MemoryUnit.objects.get(segment=seg).target_text == "Second."
    review.set_approved(segment_id=seg.pk, approved=False, user=reviewer_user)
    assert not MemoryUnit.objects.filter(segment=seg).exists()
    # Bulk approval feeds it too.
    seg.refresh_from_db()
    review.bulk_approve(
        seen={seg.pk: seg.version}, episode_id=sample_episode.pk, user=reviewer_user
    )
    assert MemoryUnit.objects.filter(segment=seg).exists()


def test_normalisation_matches_width_punctuation_and_spaces():
    assert tm.normalize("ＯＫです。") == tm.normalize("OK です") == "okです"
    assert tm.normalize("ｺﾝﾆﾁﾊ!") == tm.normalize("コンニチハ！")
    assert tm.normalize("「はい」、そうです…") == tm.normalize("はい そうです")
    assert tm.normalize("ラーメン") != tm.normalize("ラメン")  # the long vowel mark is a letter


def _unit(source: str, target: str, **kw) -> MemoryUnit:
    from django.utils import timezone

    norm = tm.normalize(source)
    return MemoryUnit.objects.create(
        source_text=source,
        source_norm=norm,
        source_hash=tm.source_hash(norm),
        norm_len=len(norm),
        target_text=target,
        approved_at=kw.pop("approved_at", timezone.now()),
        **kw,
    )


def test_fuzzy_matches_use_the_index_and_agree_with_a_full_scan():
    assert memory.index_kind() in ("fts5", "pg_trgm")
    _unit("今日は字幕の話をします。", "Today we talk about subtitles.")
    _unit("今日は録音の話をします。", "Today we talk about recording.")
    _unit("全然関係のない文章です。", "Unrelated.")
    query = "今日は字幕の話をしましょう。"
    found = memory.fuzzy_matches(query, target_language="EN-US")
    scan = memory.fuzzy_matches(query, target_language="EN-US", use_index=False)
    assert [s.unit.pk for s in found] == [s.unit.pk for s in scan]
    assert found[0].unit.target_text == "Today we talk about subtitles."
    assert found[0].score >= 75 and all(s.score >= 75 for s in found)
    assert "Unrelated." not in [s.unit.target_text for s in found]
    assert ("insert", "しょう") in found[0].diff or any(op != "equal" for op, _ in found[0].diff)
    # Another English variant is not offered.
    assert memory.fuzzy_matches(query, target_language="EN-GB") == []


def test_taking_a_suggestion_is_a_versioned_edit(sample_episode, translator_user, reviewer_user):
    seg = sample_episode.segments.order_by("order").first()
    unit = _unit(seg.source_text + "ね", "From the memory.")
    [suggestion] = memory.suggestions_for_segment(seg.pk)
    assert suggestion.unit == unit
    saved = memory.take_suggestion(
        segment_id=seg.pk, unit_id=unit.pk, base_version=seg.version, user=translator_user
    )
    assert saved.text == "From the memory." and saved.version == seg.version + 1
    assert saved.status == Status.EDITED
    rev = saved.revisions.first()
    assert rev.action == SegmentRevision.Action.EDIT and rev.user == translator_user
    review.save_segment(
        segment_id=seg.pk,
        text="A reviewer's words.",
        base_version=saved.version,
        user=reviewer_user,
    )
    with pytest.raises(review.EditConflict):  # a stale version conflicts like any edit
        memory.take_suggestion(
            segment_id=seg.pk, unit_id=unit.pk, base_version=saved.version, user=translator_user
        )


# --- TMX --------------------------------------------------------------------------------------


def test_tmx_round_trip_through_translate_toolkit(tmp_path, sample_episode, reviewer_user):
    seg = sample_episode.segments.order_by("order").first()
    review.save_segment(
        segment_id=seg.pk,
        text="Hello & <welcome>.",
        base_version=seg.version,
        user=reviewer_user,
        approve=True,
    )
    out = tmp_path / "memory.tmx"
    call_command("tm_export", "-o", str(out))
    store = tmxfile.parsestring(out.read_bytes())  # the library reads what we wrote
    assert store.document.getroot().get("version") == "1.4"
    [unit] = store.units
    assert unit.source == seg.source_text
    assert unit.gettarget("en-US") == "Hello & <welcome>."
    assert unit.xmlelement.get("creationid") == "rei"

    MemoryUnit.objects.all().delete()
    call_command("tm_import", str(out))
    [imported] = MemoryUnit.objects.all()
    assert (imported.source_text, imported.target_text) == (seg.source_text, "Hello & <welcome>.")
    assert imported.origin == MemoryUnit.Origin.IMPORT and imported.origin_note == "memory.tmx"
    assert imported.approved_by_name == "rei" and imported.speaker_label == seg.speaker_label
    call_command("tm_import", str(out))  # again: nothing new
    assert MemoryUnit.objects.count() == 1


def _tmx(units: str, header: str = '<header srclang="*all*" datatype="plaintext"/>') -> bytes:
    return f'<?xml version="1.0"?>\n<tmx version="1.4">{header}<body>{units}</body></tmx>'.encode()


def test_tmx_as_other_tools_write_it(tmp_path):
    data = _tmx(
        '<tu tuid="7"><prop type="x-context">a</prop>'
        '<tuv xml:lang="EN-GB"><seg>Good morning.</seg></tuv>'
        '<tuv xml:lang="JA"><seg>&#x304A;&#x306F;&#x3088;&#x3046;&#x3002;</seg></tuv>'
        '<tuv xml:lang="fr"><seg>Bonjour.</seg></tuv></tu>'
    )
    result = memory.import_tmx(data=data, filename="vendor.tmx")
    assert result.added == 1
    unit = MemoryUnit.objects.get()
    assert (unit.source_text, unit.target_text, unit.target_language) == (
        "おはよう。",
        "Good morning.",
        "EN-GB",
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"<tmx version='1.4'><body><tu>", "Not a valid TMX file"),
        (b"<html><body/></html>", "Not a TMX file"),
        (
            _tmx(
                '<tu><tuv xml:lang="en"><seg>Hi</seg></tuv><tuv xml:lang="de"><seg>Hallo</seg></tuv></tu>'
            ),
            "no Japanese (ja) text",
        ),
        (
            _tmx(
                '<tu><tuv xml:lang="ja"><seg>猫</seg></tuv><tuv xml:lang="zh"><seg>猫</seg></tuv></tu>'
            ),
            "no English (en) text",
        ),
        (_tmx(""), "no translation units"),
    ],
)
def test_bad_tmx_is_refused_in_one_line_with_nothing_imported(tmp_path, capsys, data, message):
    good = (
        '<tu><tuv xml:lang="ja"><seg>良い</seg></tuv><tuv xml:lang="en"><seg>Good</seg></tuv></tu>'
    )
    if b"<body>" in data and message.startswith("no ") and b"<tu>" in data:
        data = data.replace(b"<body>", b"<body>" + good.encode())  # a good unit first
    path = tmp_path / "bad.tmx"
    path.write_bytes(data)
    with pytest.raises(CommandError) as excinfo:
        call_command("tm_import", str(path))
    text = str(excinfo.value)
    assert message in text and "\n" not in text and "Nothing was imported" in text
    assert MemoryUnit.objects.count() == 0


def test_cli_refuses_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("tm_import", str(tmp_path / "nope.tmx"))


def test_only_reviewers_import_tmx(translator_user, reviewer_user):
    data = _tmx(
        '<tu><tuv xml:lang="ja"><seg>猫</seg></tuv><tuv xml:lang="en"><seg>Cat</seg></tuv></tu>'
    )
    with pytest.raises(PermissionDenied):
        memory.import_tmx(data=data, user=translator_user)
    assert memory.import_tmx(data=data, user=reviewer_user).added == 1


# --- glossary ---------------------------------------------------------------------------------


def test_project_glossary_applies_everywhere_and_the_episode_wins(deepl_settings, translator_user):
    server = deepl_settings
    ep = import_episode(
        data=_podcast("第3回", "字幕ラボの話です。"), request=ImportRequest(filename="3.txt")
    )
    editing.add_glossary_term(
        episode_id=None, source="声のラボ", target="Voice Lab", user=translator_user
    )
    editing.add_glossary_term(
        episode_id=None, source="字幕ラボ", target="Caption Lab", user=translator_user
    )
    with pytest.raises(editing.EditingError):
        editing.add_glossary_term(
            episode_id=None, source="字幕ラボ", target="Again", user=translator_user
        )
    editing.add_glossary_term(
        episode_id=ep.pk, source="字幕ラボ", target="Subtitle Lab", user=translator_user
    )
    assert memory.effective_glossary(ep.pk) == {"声のラボ": "Voice Lab", "字幕ラボ": "Subtitle Lab"}
    _run(ep)
    [glossary] = server.glossaries.values()
    assert glossary["entries"]["声のラボ"] == "Voice Lab"
    assert glossary["entries"]["字幕ラボ"] == "Subtitle Lab"
    # QA uses the project term too.
    seg = ep.segments.get(source_text__contains="声のラボ")
    seg = review.save_segment(
        segment_id=seg.pk,
        text="Hello, this is the lab.",
        base_version=seg.version,
        user=translator_user,
    )
    assert "glossary_not_followed" in seg.qa_flags


def test_argos_protects_project_terms(settings, argos_models, tmp_path, translator_user):
    from translator.engines.argos_packages import install_from_file

    packages = tmp_path / "argos-packages"
    install_from_file(argos_models.copy, packages)
    use_argos(settings, packages, beam_size=1)
    try:
        ep = import_episode(
            data=_podcast("第4回", "猫の話です。"), request=ImportRequest(filename="4.txt")
        )
        editing.add_glossary_term(episode_id=None, source="猫", target="Neko", user=translator_user)
        job = translation.start_translation_job(episode_id=ep.pk, engine="argos", enqueue=False)
        translation.run_translation_job(job_id=job.pk)
        seg = ep.segments.get(source_text__contains="猫")
        assert "Neko" in seg.machine_text
    finally:
        reset_engines()


def test_glossary_csv_and_tbx_round_trips(tmp_path, translator_user):
    editing.add_glossary_term(
        episode_id=None, source="永野", target="Nagano", note="host", user=translator_user
    )
    editing.add_glossary_term(
        episode_id=None, source="字幕", target="subtitles", user=translator_user
    )
    tbx = memory.export_glossary(episode_id=None, fmt="tbx")
    store = tbxfile.parsestring(tbx)
    assert sorted((u.source, u.target) for u in store.units) == [
        ("字幕", "subtitles"),
        ("永野", "Nagano"),
    ]
    csv_data = memory.export_glossary(episode_id=None, fmt="csv")
    assert csv_data.decode().splitlines()[0] == "source,target,note"
    GlossaryTerm.objects.all().delete()
    assert memory.import_glossary(data=tbx, filename="g.tbx", episode_id=None).added == 2
    assert memory.export_glossary(episode_id=None, fmt="csv") == csv_data
    GlossaryTerm.objects.filter(source="永野").update(target="Old")
    result = memory.import_glossary(data=csv_data, filename="g.csv", episode_id=None)
    assert (result.added, result.updated) == (0, 1)
    assert GlossaryTerm.objects.get(source="永野").target == "Nagano"


def test_bad_glossary_file_imports_nothing(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("source,target\n永野,Nagano\n字幕\n", encoding="utf-8")
    with pytest.raises(CommandError, match="CSV line 3") as excinfo:
        call_command("glossary_import", str(path))
    assert "\n" not in str(excinfo.value)
    assert not GlossaryTerm.objects.exists()
    with pytest.raises(ExchangeError, match="TBX"):
        memory.import_glossary(data=b"<martif><text><body>", filename="x.tbx", episode_id=None)


# --- consistency QA ---------------------------------------------------------------------------


def test_consistency_flags_on_a_crafted_episode(reviewer_user):
    other = import_episode(
        data=_podcast("前回", "前回の話です。"), request=ImportRequest(filename="0.txt")
    )
    intro0 = other.segments.order_by("order").first()
    review.save_segment(
        segment_id=intro0.pk,
        text="Hi everyone, it's Voice Lab time.",
        base_version=intro0.version,
        user=reviewer_user,
        approve=True,
    )
    text = (
        "声のラボ\n第5回\n\nトランスクリプト\n\n"
        f"永野: {INTRO.split('。')[0]}。\n\n"
        "木村: はい、そうです。永野さんはどう思いますか。\n\n"
        "永野: はい、そうです。\n"
    ).encode()
    ep = import_episode(data=text, request=ImportRequest(filename="5.txt"))
    ep.speakers.filter(label="永野").update(display_name="Nagano")
    segs = {s.source_text: s for s in ep.segments.all()}
    first_yes, second_yes = sorted(
        (s for s in ep.segments.all() if s.source_text == "はい、そうです。"), key=lambda s: s.order
    )
    intro = segs[intro0.source_text]
    question = segs["永野さんはどう思いますか。"]

    def save(seg, text):
        seg.refresh_from_db()
        return review.save_segment(
            segment_id=seg.pk, text=text, base_version=seg.version, user=reviewer_user
        )

    save(first_yes, "Yes, that's right.")
    assert "inconsistent" not in Segment.objects.get(pk=first_yes.pk).qa_flags
    save(second_yes, "Yeah, exactly.")
    # Both are flagged: saving the second refreshed the first as well.
    assert "inconsistent" in Segment.objects.get(pk=first_yes.pk).qa_flags
    assert "inconsistent" in Segment.objects.get(pk=second_yes.pk).qa_flags
    save(second_yes, "yes — that's right")  # same wording up to case and punctuation
    assert "inconsistent" not in Segment.objects.get(pk=first_yes.pk).qa_flags

    save(intro, "Hello all, welcome to Voice Lab.")
    assert "differs_from_memory" in Segment.objects.get(pk=intro.pk).qa_flags
    save(intro, "Hi everyone, it's Voice Lab time.")
    assert "differs_from_memory" not in Segment.objects.get(pk=intro.pk).qa_flags

    save(question, "What do you think, Mr. Naga?")
    assert "speaker_name" in Segment.objects.get(pk=question.pk).qa_flags
    save(question, "What do you think, Nagano?")
    assert "speaker_name" not in Segment.objects.get(pk=question.pk).qa_flags

    # Changing the memory (the other episode's approval) refreshes this episode's flag.
    intro0.refresh_from_db()
    review.save_segment(
        segment_id=intro0.pk,
        text="Welcome to Voice Lab!",
        base_version=intro0.version,
        user=reviewer_user,
        approve=True,
    )
    assert "differs_from_memory" in Segment.objects.get(pk=intro.pk).qa_flags


def test_tm_rebuild_picks_up_rows_written_outside_the_services(sample_episode, capsys):
    seg = sample_episode.segments.order_by("order").first()
    Segment.objects.filter(pk=seg.pk).update(text="Restored.", status=Status.APPROVED)
    assert not MemoryUnit.objects.exists()
    call_command("tm_rebuild")
    assert MemoryUnit.objects.get().target_text == "Restored."
    Segment.objects.filter(pk=seg.pk).update(status=Status.EDITED)
    call_command("tm_rebuild")
    assert not MemoryUnit.objects.exists()
    assert "0 approved segments" in capsys.readouterr().out


def test_memory_never_overwrites_a_person_who_got_there_first(sample_episode, translator_user):
    first, second = sample_episode.segments.order_by("order")[:2]
    _unit(first.source_text, "Memory one.")
    _unit(second.source_text, "Memory two.")
    todo = list(sample_episode.segments.filter(pk__in=[first.pk, second.pk]).order_by("order"))
    review.save_segment(
        segment_id=first.pk, text="My words.", base_version=first.version, user=translator_user
    )
    rest = memory.fill_from_memory(segments=todo, episode=sample_episode)
    assert rest == []  # both had a match: neither goes to the engine
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, first.status) == ("My words.", Status.EDITED)
    assert (second.text, second.status) == ("Memory two.", Status.MEMORY)
    assert second.version == todo[1].version + 1
    assert second.revisions.get().new_status == Status.MEMORY


def test_bulk_approval_refreshes_other_episodes_once(reviewer_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = import_episode(
        data=_podcast("前", "前の話です。"), request=ImportRequest(filename="a.txt")
    )
    ep = import_episode(
        data=_podcast("後", "後の話です。"), request=ImportRequest(filename="b.txt")
    )
    for seg in ep.segments.all():
        Segment.objects.filter(pk=seg.pk).update(text=f"Text {seg.order}.", status=Status.EDITED)
    seen = dict(ep.segments.values_list("id", "version"))
    with CaptureQueriesContext(connection) as queries:
        result = review.bulk_approve(seen=seen, episode_id=ep.pk, user=reviewer_user)
    assert result.approved == len(seen)
    scans = [
        q for q in queries if '"source_text" IN' in q["sql"] and "translator_segment" in q["sql"]
    ]
    assert len(scans) == 1  # not one per approved row
    # …and the other episode's shared intro now differs from the memory (it has no English yet:
    # no flag), while the memory holds every approved row.
    assert MemoryUnit.objects.filter(episode=ep).count() == len(seen)
    assert other.segments.filter(qa_flags__isnull=True).count() == 0
