"""Defects of the review page found trying it as a new user (issue 17), in real Chromium.
Each test failed before its fix."""

from __future__ import annotations

import pytest

from translator.models import Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows(episode) -> list[Segment]:
    return list(episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))


def test_history_and_diff_panels_open_and_close_again_and_again(
    login, live_server, browser_users, browser_episode
):
    """The panel buttons inherited ``hx-swap="outerHTML"`` from ``#review-body``: the first
    panel replaced its own container, the next one failed (``htmx:targetError``) and Close/Esc
    closed nothing. History and Diff now open in the drawer's row panel: again and again,
    closed by its Close button or Esc, the rows' own containers untouched."""
    ep = browser_episode
    a, b = _rows(ep)[:2]
    page = login("rei")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    panel = page.locator("details.tool-row")
    shut = "() => !document.querySelector('details.tool-row').open"

    page.locator(f"#seg-{a.pk} textarea.seg-editor").focus()
    page.click(f"#seg-{a.pk} button:has-text('History')")
    page.locator("#row-panel .history").wait_for()
    assert panel.get_attribute("open") is not None
    page.click("#row-panel .extra-close")
    page.wait_for_function(shut)

    page.click(f"#seg-{a.pk} button:has-text('Diff')")
    page.locator("#row-panel .diffbox").wait_for()
    page.locator(f"#seg-{a.pk} textarea.seg-editor").focus()
    page.keyboard.press("Escape")  # not dirty: Escape closes the panel
    page.wait_for_function(shut)

    page.click(f"#seg-{a.pk} button:has-text('History')")
    page.locator("#row-panel .history").wait_for()
    page.locator(f"#seg-{b.pk} textarea.seg-editor").focus()
    page.click(f"#seg-{b.pk} button:has-text('Diff')")
    page.locator("#row-panel .diffbox").wait_for()
    assert page.locator("#row-panel").count() == 1  # the container survived
    assert page.locator("#row-panel .history").count() == 0
    assert page.locator(f"#extra-{a.pk}.seg-extra").count() == 1
    assert not [e for e in errors if "targetError" in e]


def test_glossary_count_and_column_headings(login, live_server, browser_users, browser_episode):
    ep = browser_episode
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    tool = page.locator("details.tool", has=page.locator("#glossary-panel"))
    tool.locator("summary").click()
    assert "(0)" in tool.locator("summary").inner_text()
    add = page.locator("form.gl-add")
    add.locator("input[name=source]").fill("字幕")
    add.locator("input[name=target]").fill("subtitles")
    add.locator("input[name=note]").fill("the product")
    add.locator("button[type=submit]").click()
    page.locator("#glossary-panel form.gl-row").first.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#glossary-count').textContent.trim() === '(1)'"
    )
    assert "(1)" in tool.locator("summary").inner_text()

    # Each heading starts where its column's input starts.
    heads = page.locator("#glossary-panel thead th")
    inputs = page.locator("#glossary-panel form.gl-row").first.locator("input[type=text]")
    for i in range(3):
        head_x = heads.nth(i).bounding_box()["x"]
        input_x = inputs.nth(i).bounding_box()["x"]
        assert abs(head_x - input_x) <= 2, (i, head_x, input_x)


def test_publish_asks_with_the_count_and_can_publish_approved_only(
    login, live_server, browser_users, browser_episode, artifacts
):
    """Publishing unreviewed machine translation asked nothing."""
    ep = browser_episode
    a = _rows(ep)[0]
    Segment.objects.filter(pk=a.pk).update(text="Reviewed opening line.", status="approved")
    total = ep.segments.count()
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.locator("summary", has_text="Export & publish").click()
    page.click("#publish-button")
    page.locator("#publish-confirm").wait_for()
    page.screenshot(path=str(artifacts / "publish-confirm.png"))
    assert f"{total - 1} of {total} segments are not approved yet." in page.inner_text(
        "#publish-count"
    )
    ep.refresh_from_db()
    assert not ep.published
    page.check("input[name=approved_only][value='1']")
    page.click("#publish-confirmed")
    page.wait_for_url(f"**/episodes/{ep.pk}/")
    ep.refresh_from_db()
    assert ep.published and ep.publish_approved_only

    public = page.context.new_page()
    public.goto(f"{live_server.url}/p/{ep.public_id}/")
    text = public.inner_text("#transcript")
    assert "Reviewed opening line." in text and "Machine sentence" not in text

    # Back to everything: the unreviewed parts are marked and explained.
    page.locator("summary", has_text="Export & publish").click()
    page.select_option(".publish-scope select[name=approved_only]", "0")
    page.click(".publish-scope button[type=submit]")
    page.wait_for_url(f"**/episodes/{ep.pk}/")
    public.reload()
    assert "machine-translated and not yet reviewed" in public.inner_text("#review-note")
    assert public.locator("#transcript .unreviewed").count() >= 1
    public.screenshot(path=str(artifacts / "public-unreviewed.png"))
    assert "Reviewed opening line." not in " ".join(
        public.locator("#transcript .unreviewed").all_inner_texts()
    )


def test_export_shows_its_report_and_only_the_options_of_the_format(
    login, live_server, browser_users, browser_episode, artifacts
):
    """The style-rule report existed only in HTTP headers: after Download the page showed
    nothing; and every option was shown whatever the format."""
    ep = browser_episode
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.locator("summary", has_text="Export & publish").click()
    form = page.locator("#export-form")

    def visible(name: str) -> bool:
        return form.locator(f"[name={name}]").is_visible()

    form.locator("select[name=format]").select_option("md")
    assert visible("timestamps") and visible("parallel")
    assert not visible("strict") and not visible("voice_tags") and not visible("layout")
    form.locator("select[name=format]").select_option("vtt")
    assert visible("voice_tags") and visible("strict") and visible("layout")
    assert not visible("timestamps")
    form.locator("select[name=format]").select_option("srt")
    assert not visible("voice_tags")

    with page.expect_download() as download:
        form.locator("button[type=submit]").click()
    assert download.value.suggested_filename.endswith(".srt")
    report = page.locator("#export-report")
    report.locator("[data-side=ja]").wait_for()
    text = report.inner_text()
    page.locator("#export-menu").screenshot(path=str(artifacts / "export-report.png"))
    assert "cues" in text and "meet every style rule" in text
    assert "English side:" in text and "Japanese side:" in text
    # The verbatim Japanese's reading speed is information, not a broken rule.
    assert "Japanese reading speed (information, not a rule" in text
    assert not any("Japanese" in r for r in report.locator(".report-rule").all_inner_texts())


def _machine_write(seg: Segment, text: str) -> None:
    """What a finished batch writes for one row (the translation service's compare-and-set)."""
    from django.db.models import F
    from django.utils import timezone

    Segment.objects.filter(pk=seg.pk, version=seg.version).update(
        text=text,
        machine_text=text,
        machine_engine="deepl",
        status=Segment.Status.MACHINE,
        machine_translated_at=timezone.now(),
        version=F("version") + 1,
    )


def test_rows_and_counters_fill_in_while_a_job_runs(
    login, live_server, browser_users, browser_episode
):
    """The bar said 52/123 while the rows still showed "untranslated"."""
    from translator.models import TranslationJob

    ep = browser_episode
    a, b, c, d = _rows(ep)[:4]
    ep.segments.update(text="", machine_text="", status=Segment.Status.UNTRANSLATED)
    job = TranslationJob.objects.create(episode=ep, engine="deepl", state="running", total=4)
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    untranslated = int(page.inner_text("#review-counters .count[data-status=untranslated] b"))

    # The editor is in row c (focused, not edited) and typing in row d (unsaved).
    page.locator(f"#seg-{d.pk} textarea.seg-editor").fill("My own words.")
    page.locator(f"#seg-{c.pk} textarea.seg-editor").focus()

    for seg in (a, b, c, d):
        seg.refresh_from_db()
        _machine_write(seg, f"Live {seg.order}.")

    def status_of(seg) -> str:
        return page.locator(f"#seg-{seg.pk} .badge[data-status]").get_attribute("data-status")

    page.wait_for_function(
        "(id) => { const b = document.querySelector('#seg-' + id + ' .badge[data-status]');"
        " return b && b.dataset.status === 'machine'; }",
        arg=b.pk,
        timeout=15_000,
    )
    assert status_of(a) == "machine"
    assert page.locator(f"#seg-{a.pk} textarea.seg-editor").input_value() == f"Live {a.order}."
    page.wait_for_function(
        "(n) => Number(document.querySelector("
        "'#review-counters .count[data-status=untranslated] b').textContent) === n",
        arg=untranslated - 4,
    )
    # Neither the focus nor the unsaved text was taken.
    assert page.evaluate(f"!!document.activeElement.closest('#seg-{c.pk}')")
    assert status_of(c) == "untranslated"
    assert page.locator(f"#seg-{d.pk} textarea.seg-editor").input_value() == "My own words."

    # Leaving row c (without an edit) brings its translation in.
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        "(id) => document.querySelector('#seg-' + id + ' .badge[data-status]')"
        ".dataset.status === 'machine'",
        arg=c.pk,
    )
    assert page.locator(f"#seg-{d.pk} textarea.seg-editor").input_value() == "My own words."
    assert page.evaluate(f"!!document.activeElement.closest('#seg-{d.pk}')")
    job.state = "succeeded"
    job.done = 4
    job.save()
    page.locator("#job-panel [data-job-state=succeeded]").wait_for(state="attached")  # drawer shut
    page.wait_for_timeout(500)
    # The end of the job reloads nothing: no "rows changed" warning, the edit and focus stay.
    assert page.locator("#toast").is_hidden()
    assert page.locator(f"#seg-{d.pk} textarea.seg-editor").input_value() == "My own words."
    assert page.evaluate(f"!!document.activeElement.closest('#seg-{d.pk}')")


def test_a_rows_refresh_keeps_the_editor_in_its_row(
    login, live_server, browser_users, browser_episode
):
    """The rows are reloaded around the editor (speakers renamed, an audio-timing job done):
    the editor stays in the row it was in instead of losing the focus to the page."""
    ep = browser_episode
    b = _rows(ep)[1]
    page = login("tina")
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.locator(f"#seg-{b.pk} textarea.seg-editor").focus()
    page.evaluate("() => { document.getElementById('review-body').dataset.old = '1'; }")
    page.evaluate("() => htmx.trigger(document.body, 'speakersChanged')")
    page.wait_for_function("() => !document.getElementById('review-body').dataset.old")
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.closest('#seg-' + id)",
        arg=b.pk,
    )
