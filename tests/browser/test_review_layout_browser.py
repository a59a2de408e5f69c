"""The review page's layout and keyboard in real Chromium (issue 17, working speed 3 and 4):
dense rows (at least 15 one-line rows on a 1366x900 screen, measured from the DOM), panels in a
side drawer that leaves the rows where they are, the 420 px layout, a walk through a review by
keys alone, and the shortcuts panel in English and Japanese."""

from __future__ import annotations

import json

import pytest

from tests.support.browser import new_context
from translator.models import GlossaryTerm, Segment
from translator.views.review_shortcuts import SHORTCUTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Rows whose box is wholly on screen, below the sticky header.
VISIBLE_ROWS = """() => {
  const top = document.getElementById('review-head').getBoundingClientRect().bottom;
  const h = window.innerHeight, w = window.innerWidth;
  return Array.from(document.querySelectorAll('article.seg')).filter((r) => {
    const b = r.getBoundingClientRect();
    return b.top >= top - 1 && b.bottom <= h && b.left >= 0 && b.right <= w;
  }).length;
}"""
PANELS = ["translate", "speakers", "glossary", "media", "export", "timing", "import-report"]


def _rows(episode) -> list[Segment]:
    return list(episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order"))


def _editor(page, seg):
    return page.locator(f"#seg-{seg.pk} textarea.seg-editor")


def _focused_row(page) -> str:
    return page.evaluate(
        "() => { const r = document.activeElement && document.activeElement.closest('article.seg');"
        " return r ? r.id : ''; }"
    )


def _in_editor(page) -> bool:
    return page.evaluate("() => document.activeElement.matches('textarea.seg-editor')")


def _wait_saved(page, seg, text):
    page.wait_for_function(
        "([id, text]) => { const t = document.querySelector('#seg-' + id + ' textarea');"
        " return t && t.defaultValue === text; }",
        arg=[seg.pk, text],
    )


def _wait_status(page, seg, status):
    page.wait_for_function(
        "([id, s]) => { const b = document.querySelector('#seg-' + id + ' .badge[data-status]');"
        " return b && b.dataset.status === s; }",
        arg=[seg.pk, status],
    )


def _wait_focus(page, seg):
    try:
        page.wait_for_function(f"() => document.activeElement.id === 'seg-{seg.pk}'")
    except Exception as exc:
        where = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"the focus is on {where}") from exc


def test_fifteen_one_line_rows_on_a_1366x900_screen(
    login, live_server, browser_users, browser_episode
):
    ep = browser_episode
    a, b = _rows(ep)[:2]
    page = login("rei", width=1366, height=900)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    assert page.evaluate(VISIBLE_ROWS) >= 15

    # Scrolled to the transcript (speaker and time in each row): still at least 15.
    page.locator(f"#seg-{a.pk}").evaluate(
        "(r) => window.scrollBy(0, r.getBoundingClientRect().top"
        " - document.getElementById('review-head').getBoundingClientRect().bottom)"
    )
    assert page.evaluate(VISIBLE_ROWS) >= 15
    heights = page.evaluate(
        "() => Array.from(document.querySelectorAll('article.seg')).map("
        "(r) => r.getBoundingClientRect().height)"
    )
    assert min(heights) <= 40  # a one-line row (it was about 100 px)

    # The columns line up down the page; the Japanese reads at 15-16 px.
    lefts = page.evaluate(
        "() => Array.from(document.querySelectorAll('article.seg .seg-ja')).map("
        "(e) => Math.round(e.getBoundingClientRect().left))"
    )
    assert len(set(lefts)) == 1
    size = page.locator(f"#seg-{a.pk} .seg-ja").evaluate(
        "(e) => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert 15 <= size <= 16.5

    # Actions show on the focused row only.
    assert page.locator(f"#seg-{a.pk} .seg-actions").is_hidden()
    _editor(page, a).focus()
    assert page.locator(f"#seg-{a.pk} .seg-actions").is_visible()
    assert page.locator(f"#seg-{b.pk} .seg-actions").is_hidden()
    _editor(page, b).focus()
    assert page.locator(f"#seg-{a.pk} .seg-actions").is_hidden()
    assert page.locator(f"#seg-{b.pk} button[data-intent=approve]").is_visible()
    # Hovering another row does not show its actions (they would move or cover the rows);
    # a click in it does.
    c = _rows(ep)[2]
    page.locator(f"#seg-{c.pk} .seg-ja").hover()
    assert page.locator(f"#seg-{c.pk} .seg-actions").is_hidden()
    page.locator(f"#seg-{c.pk} .seg-ja").click()
    assert page.locator(f"#seg-{c.pk} .seg-actions").is_visible()


def test_panels_open_in_the_drawer_beside_the_rows(
    login, live_server, browser_users, browser_episode
):
    ep = browser_episode
    b = _rows(ep)[1]
    page = login("rei", width=1366, height=900)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    first = page.locator("article.seg").first
    before = first.bounding_box()
    _editor(page, b).focus()

    names = [n for n in PANELS if page.locator(f"details.tool[data-drawer-panel={n}]").count()]
    assert {"speakers", "glossary", "media", "export", "timing", "translate"} <= set(names)
    for name in names:
        page.click(f"details.tool[data-drawer-panel={name}] > summary")
        body = page.locator(f"details.tool[data-drawer-panel={name}] > .tool-body")
        body.wait_for()
        assert page.locator("details.tool[open]").count() == 1, name  # one at a time
        box = body.bounding_box()
        right_of_rows = page.evaluate(
            "() => Math.max(...Array.from(document.querySelectorAll('article.seg')).map("
            "(r) => r.getBoundingClientRect().right))"
        )
        assert right_of_rows <= box["x"] + 1, name  # beside the rows, not over them
        assert box["x"] + box["width"] <= 1366 + 1 and box["height"] > 300
        after = first.bounding_box()
        assert (after["x"], after["y"]) == (before["x"], before["y"]), name

    # Esc closes it and the focus goes back to the row's editor it came from.
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('details.tool[open]')")
    assert _focused_row(page) == f"seg-{b.pk}" and _in_editor(page)
    assert not page.evaluate("document.body.classList.contains('drawer-open')")

    # By keys: Esc leaves the editor for the row, 3 opens the glossary, 2 the speakers
    # instead, Esc closes and the row has the focus again.
    page.keyboard.press("Escape")
    assert _focused_row(page) == f"seg-{b.pk}" and not _in_editor(page)
    page.keyboard.press("3")
    page.locator("details.tool[data-drawer-panel=glossary][open]").wait_for(state="attached")
    assert page.evaluate("!!document.activeElement.closest('details.tool[open] .tool-body')")
    page.keyboard.press("2")
    page.locator("details.tool[data-drawer-panel=speakers][open]").wait_for(state="attached")
    assert page.locator("details.tool[open]").count() == 1
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('details.tool[open]')")
    assert _focused_row(page) == f"seg-{b.pk}"
    assert (first.bounding_box()["x"], first.bounding_box()["y"]) == (before["x"], before["y"])

    # h: the row's history in the drawer; its Close button closes it.
    page.keyboard.press("h")
    page.locator("#row-panel .history").wait_for()
    page.click("#row-panel .extra-close")
    page.wait_for_function("() => !document.querySelector('details.tool[open]')")
    assert _focused_row(page) == f"seg-{b.pk}"


def test_a_panel_another_branch_adds_opens_in_the_drawer(
    login, live_server, browser_users, browser_episode
):
    """Any element marked data-drawer-panel becomes a panel with its tab; a row's action bar
    takes more buttons without a row growing sideways."""
    ep = browser_episode
    a = _rows(ep)[0]
    page = login("rei", width=1366, height=900)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.evaluate(
        """() => {
          const el = document.createElement('section');
          el.dataset.drawerPanel = 'find';
          el.dataset.drawerLabel = 'Find & replace';
          el.innerHTML = '<input type="search" name="find" aria-label="Find">';
          document.querySelector('main').appendChild(el);
          window.JimakuReview.preparePanels();
          document.querySelectorAll('.seg-actions').forEach((bar) => {
            for (const t of ['Edit Japanese', 'Split', 'Merge', 'Re-translate', 'Undo']) {
              const b = document.createElement('button');
              b.type = 'button'; b.className = 'btn btn-small'; b.textContent = t;
              bar.appendChild(b);
            }
          });
        }"""
    )
    first = page.locator("article.seg").first.bounding_box()
    page.click("#tools summary:has-text('Find & replace')")
    page.locator("details.tool[data-drawer-panel=find] input[name=find]").fill("字幕")
    assert page.locator("details.tool[open]").count() == 1
    assert page.locator("article.seg").first.bounding_box()["y"] == first["y"]
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('details.tool[open]')")

    _editor(page, a).focus()
    bar = page.locator(f"#seg-{a.pk} .seg-actions")
    assert bar.locator("button:has-text('Re-translate')").is_visible()
    en = page.locator(f"#seg-{a.pk} .seg-en").bounding_box()
    box = bar.bounding_box()
    assert box["x"] + box["width"] <= en["x"] + en["width"] + 1  # wraps inside its column
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_420px_layout_and_its_drawer_sheet(
    login, live_server, browser_users, browser_episode, artifacts
):
    ep = browser_episode
    a = _rows(ep)[0]
    page = login("tina", width=420, height=900)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    no_scroll = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_scroll)
    _editor(page, a).focus()
    assert page.evaluate(no_scroll)

    page.click("details.tool[data-drawer-panel=glossary] > summary")
    sheet = page.locator("details.tool[data-drawer-panel=glossary] > .tool-body")
    sheet.wait_for()
    box = sheet.bounding_box()
    assert box["x"] <= 0.5 and box["width"] >= 419  # a full-width sheet
    assert box["y"] + box["height"] <= 900 + 1
    assert page.evaluate(no_scroll)
    page.screenshot(path=str(artifacts / "review-narrow-drawer.png"))

    # Usable: a term added in the sheet is stored.
    add = sheet.locator("form.gl-add")
    add.locator("input[name=source]").fill("字幕")
    add.locator("input[name=target]").fill("subtitles")
    add.locator("button[type=submit]").click()
    page.locator("#glossary-panel form.gl-row").first.wait_for()
    assert GlossaryTerm.objects.filter(episode=ep, source="字幕", target="subtitles").exists()
    assert page.evaluate(no_scroll)
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('details.tool[open]')")


def test_a_review_by_keys_alone(login, live_server, browser_users, browser_episode):
    ep = browser_episode
    a, b, c, d, e, f = _rows(ep)[:6]
    Segment.objects.filter(pk=f.pk).update(text="", status=Segment.Status.UNTRANSLATED)
    page = login("rei", width=1366, height=900)
    page.goto(f"{live_server.url}/episodes/{ep.pk}/")
    page.locator(f"#seg-{a.pk} .seg-ja").click()  # the row the keys start from

    page.keyboard.press("j")
    assert _focused_row(page) == f"seg-{b.pk}" and not _in_editor(page)
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert _focused_row(page) == f"seg-{b.pk}"

    # e: edit; Ctrl+S: save in place; Esc: back to the row; a: approve.
    page.keyboard.press("e")
    assert _focused_row(page) == f"seg-{b.pk}" and _in_editor(page)
    page.keyboard.press("Control+a")
    page.keyboard.type("Typed by keys.")
    page.keyboard.press("Control+s")
    _wait_saved(page, b, "Typed by keys.")
    assert Segment.objects.get(pk=b.pk).status == Segment.Status.EDITED
    page.keyboard.press("Escape")
    assert _focused_row(page) == f"seg-{b.pk}" and not _in_editor(page)
    page.keyboard.press("a")
    _wait_status(page, b, "approved")
    stored = Segment.objects.get(pk=b.pk)
    assert (stored.text, stored.status) == ("Typed by keys.", Segment.Status.APPROVED)
    _wait_focus(page, b)

    # Enter: edit the next row; Ctrl+Enter: save and approve, on to the next.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    assert _focused_row(page) == f"seg-{c.pk}" and _in_editor(page)
    page.keyboard.press("Control+a")
    page.keyboard.type("Third row by keys.")
    page.keyboard.press("Control+Enter")
    _wait_saved(page, c, "Third row by keys.")
    page.wait_for_function(
        f"() => document.activeElement.closest('#seg-{d.pk}') && "
        "document.activeElement.matches('textarea')"
    )
    stored = Segment.objects.get(pk=c.pk)
    assert (stored.text, stored.status) == ("Third row by keys.", Segment.Status.APPROVED)

    # Shift+A unapproves; x ticks the row for "Approve selected".
    page.keyboard.press("Escape")
    page.keyboard.press("k")
    assert _focused_row(page) == f"seg-{c.pk}"
    page.keyboard.press("Shift+A")
    _wait_status(page, c, "edited")
    assert Segment.objects.get(pk=c.pk).status == Segment.Status.EDITED
    _wait_focus(page, c)
    page.keyboard.press("x")
    assert page.locator(f"#seg-{c.pk} .seg-check").is_checked()
    assert page.inner_text("#sel-count") == "(1)"

    # n: the next untranslated row; f: the next row with a QA flag.
    page.keyboard.press("n")
    assert _focused_row(page) == f"seg-{f.pk}"
    page.keyboard.press("Shift+N")  # none before it but f itself: stays, says so
    assert _focused_row(page) == f"seg-{f.pk}"
    page.locator("#toast").wait_for()
    expected = page.evaluate(
        f"() => {{ const all = Array.from(document.querySelectorAll('article.seg'));"
        f" const i = all.indexOf(document.getElementById('seg-{f.pk}'));"
        f" const n = all.slice(i + 1).find((r) => r.classList.contains('has-flags'));"
        f" return n ? n.id : ''; }}"
    )
    page.keyboard.press("f")
    assert expected and _focused_row(page) == expected

    # /: the search box; typing there does not move rows.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('.filters input[type=search]')")
    page.keyboard.type("jk")
    assert page.input_value(".filters input[type=search]") == "jk"


def test_clicks_land_while_the_focused_row_changes(
    login, live_server, browser_users, browser_episode
):
    """Ticking one row then the next by mouse ticks both: the row that stops being focused keeps
    its action bar until the button is released (before, the rows below it moved up between
    mousedown and mouseup and the second click missed its checkbox)."""
    a, b, c = _rows(browser_episode)[:3]
    page = login("rei")
    page.goto(f"{live_server.url}/episodes/{browser_episode.pk}/")
    for seg in (a, b, c):
        page.locator(f"#seg-{seg.pk} input.seg-check").click()
    for seg in (a, b, c):
        assert page.locator(f"#seg-{seg.pk} input.seg-check").is_checked(), seg.order
    assert page.inner_text("#sel-count") == "(3)"
    page.wait_for_function("() => !document.querySelector('article.seg.held')")


def _login_ja(browser, live_server, username):
    context = new_context(browser, viewport={"width": 1366, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}-123!")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    return context, page


def test_the_shortcuts_panel_in_english_and_japanese(
    browser, login, live_server, browser_users, browser_episode
):
    ep = browser_episode
    url = f"{live_server.url}/episodes/{ep.pk}/"
    page = login("rei", width=1366, height=900)
    page.goto(url)
    page.keyboard.press("?")
    panel = page.locator("details.tool[data-drawer-panel=shortcuts] > .tool-body")
    panel.wait_for()
    text = panel.inner_text()
    for label in ("Next row", "Approve the row", "Save and approve, next row", "Glossary"):
        assert label in text, label
    assert "Keyboard shortcuts" in panel.locator(".drawer-head").inner_text()
    # The panel and the keys the page binds come from one list.
    bound = json.loads(page.locator("#review-shortcuts").text_content())
    # (keys another script binds itself — undo, find, structure — are listed, not in the JSON)
    by_script = [s for s in SHORTCUTS if s.script and s.needs in ("", "edit", "approve")]
    assert panel.locator("dl.keys dt").count() == len(bound) + len(by_script)
    assert {"j", "Alt+ArrowDown"} <= {k for s in bound for k in s["keys"]}
    assert "J" in panel.inner_text() or "j" in panel.inner_text()
    page.keyboard.press("Escape")

    # A translator is not offered the reviewer's keys.
    tina = login("tina", width=1366, height=900)
    tina.goto(url)
    tina.keyboard.press("?")
    tina_text = tina.locator("details.tool[data-drawer-panel=shortcuts] > .tool-body").inner_text()
    assert "Approve the row" not in tina_text and "Save, next row" in tina_text

    # Accept-Language: ja.
    context, ja = _login_ja(browser, live_server, "rei")
    try:
        ja.goto(url)
        assert ja.locator("html").get_attribute("lang") == "ja"
        ja.keyboard.press("?")
        ja_panel = ja.locator("details.tool[data-drawer-panel=shortcuts] > .tool-body")
        ja_panel.wait_for()
        ja_text = ja_panel.inner_text()
        for label in ("次の行", "行を承認", "保存して承認し、次の行へ", "用語集"):
            assert label in ja_text, label
        assert "キーボードショートカット" in ja_panel.locator(".drawer-head").inner_text()
        assert "Next row" not in ja_text
        assert ja_panel.locator("kbd", has_text="Ctrl").count() >= 1
    finally:
        context.close()
