"""The row structure tools in a real headless Chromium: edit the Japanese and see the stale
flag, re-translate the row through DeepL (the suite's local server), split at the caret and
merge back. Each step checks what the database stored, not only the page."""

from __future__ import annotations

import pytest

from translator.engines.registry import reset_engines
from translator.models import Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deepl_engine_settings(settings, deepl_server):
    settings.TRANSLATION_ENGINES = {
        "deepl": {
            "CLASS": "translator.engines.deepl.DeepLEngine",
            "OPTIONS": {"auth_key": deepl_server.auth_key, "server_url": deepl_server.url},
        }
    }
    reset_engines()
    yield deepl_server
    reset_engines()


def _japanese(page, seg) -> str:
    """The row's Japanese as shown (the text of .seg-ja, without the tools put into it)."""
    return page.locator(f"#seg-{seg.pk} .seg-ja").evaluate(
        "(el) => Array.from(el.childNodes).filter((n) => n.nodeType === 3)"
        ".map((n) => n.nodeValue).join('')"
    )


def _transcript(ep) -> list[Segment]:
    return list(ep.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))


def test_edit_source_retranslate_split_and_merge(
    login, live_server, browser_users, browser_episode, deepl_engine_settings, artifacts
):
    ep = browser_episode
    a, b = _transcript(ep)[:2]
    errors: list[str] = []
    page = login("tina")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    total = ep.segments.count()

    # 1. Edit the Japanese (F2 from the English field), save with Ctrl+Enter: the row comes
    #    back with the "Japanese changed" flag, the English untouched.
    new_source = a.source_text.rstrip("。") + "ね。"
    page.locator(f"#seg-{a.pk} textarea.seg-editor").click()
    page.keyboard.press("F2")
    source = page.locator(f"#seg-{a.pk} textarea.seg-source-editor")
    source.wait_for(state="visible")
    source.fill(new_source)
    page.keyboard.press("Control+Enter")
    page.locator(f"#seg-{a.pk} .badge[data-flag=source_changed]").wait_for()
    stored = Segment.objects.get(pk=a.pk)
    assert stored.source_text == new_source and stored.source_stale
    assert stored.text == f"Machine sentence {a.order + 1}." and stored.version == 2
    assert _japanese(page, a) == new_source

    # 2. Re-translate the row (Alt+R): DeepL's English replaces the machine text, the flag goes.
    page.locator(f"#seg-{a.pk} textarea.seg-editor").focus()
    page.keyboard.press("Alt+r")
    page.wait_for_function(
        "(id) => { const r = document.querySelector('#seg-' + id);"
        " return r && r.dataset.version === '3' && !r.querySelector('[data-flag=source_changed]'); }",
        arg=a.pk,
    )
    stored = Segment.objects.get(pk=a.pk)
    assert stored.machine_engine == "deepl" and stored.status == "machine"
    assert stored.text == stored.machine_text != f"Machine sentence {a.order + 1}."
    assert not stored.source_stale
    assert deepl_engine_settings.translate_requests()[-1].texts == [new_source]
    assert page.locator(f"#seg-{a.pk} textarea.seg-editor").input_value() == stored.text

    # 3. Split row b at a caret in the Japanese (Alt+S): the page reloads its rows with one more.
    b_source, b_text = b.source_text, b.text
    cut = len(b_source) // 2
    page.locator(f"#seg-{b.pk}").hover()  # the tools come into the row pointed at
    page.locator(f"#seg-{b.pk} [data-struct=edit]").click()
    source = page.locator(f"#seg-{b.pk} textarea.seg-source-editor")
    source.wait_for(state="visible")
    source.evaluate("(ta, at) => { ta.focus(); ta.setSelectionRange(at, at); }", cut)
    page.locator(f"#seg-{b.pk}").screenshot(path=str(artifacts / "structure-row-editing.png"))
    page.keyboard.press("Alt+s")
    page.wait_for_function(
        "([id, text]) => { const r = document.querySelector('#seg-' + id + ' .seg-ja');"
        " return r && r.firstChild && r.firstChild.nodeValue === text; }",
        arg=[b.pk, b_source[:cut].rstrip()],
    )
    assert ep.segments.count() == total + 1
    first = Segment.objects.get(pk=b.pk)
    second = Segment.objects.get(episode=ep, order=b.order + 1)
    assert (first.source_text + second.source_text).replace(" ", "") == b_source.replace(" ", "")
    assert first.source_text == b_source[:cut].rstrip()
    assert " ".join(t for t in (first.text, second.text) if t) == b_text
    assert first.revisions.filter(action="split").exists()
    # the rows were reloaded: the new second part is on the page, with the focus
    page.locator(f"#seg-{second.pk}").wait_for()
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.closest('#seg-' + id) !== null",
        arg=second.pk,
    )

    # 4. Merge it back from the first part (the Merge button): one row again, as it was.
    page.locator(f"#seg-{b.pk}").hover()
    page.locator(f"#seg-{b.pk} [data-struct=merge]").click()
    page.locator(f"#seg-{second.pk}").wait_for(state="detached")
    merged = Segment.objects.get(pk=b.pk)
    assert merged.source_text == b_source and merged.text == b_text
    assert not Segment.objects.filter(pk=second.pk).exists()
    assert ep.segments.count() == total
    assert _japanese(page, b) == b_source
    assert not errors, errors


def test_split_cuts_the_english_at_the_caret_the_editor_placed(
    login, live_server, browser_users, browser_episode
):
    ep = browser_episode
    row = _transcript(ep)[2]
    english = "First half here, and the second half there."
    Segment.objects.filter(pk=row.pk).update(text=english, status="edited")
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    editor = page.locator(f"#seg-{row.pk} textarea.seg-editor")
    editor.click()
    # the editor puts the English caret before "and" (arrow keys from the start)
    page.keyboard.press("Control+Home")
    for _ in range(english.index("and")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("F2")
    source = page.locator(f"#seg-{row.pk} textarea.seg-source-editor")
    source.wait_for(state="visible")
    cut = len(row.source_text) // 2
    source.evaluate("(ta, at) => { ta.setSelectionRange(at, at); }", cut)
    page.locator(f"#seg-{row.pk} [data-struct=split]").click()
    page.wait_for_function(
        "(id) => { const r = document.querySelector('#seg-' + id);"
        " return r && r.dataset.version === '2'; }",
        arg=row.pk,
    )
    first = Segment.objects.get(pk=row.pk)
    second = Segment.objects.get(episode=ep, order=row.order + 1)
    assert (first.text, second.text) == ("First half here,", "and the second half there.")
    assert (first.status, second.status) == ("edited", "edited")


def test_split_counts_characters_beyond_the_bmp(login, live_server, browser_users, browser_episode):
    """𠮷 is one character for the server and two UTF-16 units for the textarea's caret."""
    ep = browser_episode
    row = _transcript(ep)[3]
    Segment.objects.filter(pk=row.pk).update(source_text="𠮷野家で食べました。")
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.locator(f"#seg-{row.pk} textarea.seg-editor").click()
    page.keyboard.press("F2")
    source = page.locator(f"#seg-{row.pk} textarea.seg-source-editor")
    source.wait_for(state="visible")
    source.evaluate("(ta) => { const at = ta.value.indexOf('で'); ta.setSelectionRange(at, at); }")
    page.keyboard.press("Alt+s")
    page.wait_for_function(
        "(id) => { const r = document.querySelector('#seg-' + id);"
        " return r && r.dataset.version === '2'; }",
        arg=row.pk,
    )
    assert Segment.objects.get(pk=row.pk).source_text == "𠮷野家"
    assert Segment.objects.get(episode=ep, order=row.order + 1).source_text == "で食べました。"


def test_two_editors_of_the_japanese_get_the_conflict_view(
    login, live_server, browser_users, browser_episode
):
    from translator.services import structure

    ep = browser_episode
    row = _transcript(ep)[4]
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    # the reviewer fixes the same row's Japanese after the translator opened the page
    structure.edit_source(
        segment_id=row.pk,
        source_text="レビュアーの修正です。",
        base_version=1,
        user=browser_users["reviewer"],
    )
    page.locator(f"#seg-{row.pk} textarea.seg-editor").click()
    page.keyboard.press("F2")
    source = page.locator(f"#seg-{row.pk} textarea.seg-source-editor")
    source.wait_for(state="visible")
    source.fill("翻訳者の修正です。")
    page.keyboard.press("Control+Enter")
    conflict = page.locator(f"#seg-{row.pk}.seg-conflict")
    conflict.wait_for()
    assert "レビュアーの修正です。" in conflict.locator("[data-which=theirs]").inner_text()
    assert "翻訳者の修正です。" in conflict.locator("[data-which=yours]").inner_text()
    assert Segment.objects.get(pk=row.pk).source_text == "レビュアーの修正です。"
    conflict.locator("[data-choice=mine]").click()
    page.locator(f"#seg-{row.pk}:not(.seg-conflict)").wait_for()
    stored = Segment.objects.get(pk=row.pk)
    assert stored.source_text == "翻訳者の修正です。" and stored.version == 3
    assert stored.revisions.filter(action="source").count() == 2
