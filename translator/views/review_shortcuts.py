"""The review page's keyboard shortcuts: ONE list, read by both the shortcuts panel (rendered
server-side, so it is translated like every other string) and review.js (as a JSON script,
``#review-shortcuts``), which binds each key to its action.

To add a key, add one ``Shortcut`` line to ``SHORTCUTS`` (and its label's Japanese to
django.po). What the key does is one of:

- ``panel="name"``: open the drawer panel ``<details class="tool" data-drawer-panel="name">``
  (or any element ``data-drawer-panel="name" data-drawer-label="Tab text"``, which review.js
  turns into one; no JavaScript needed);
- ``click="selector"``: click that element of the focused row (e.g. a button
  ``[data-action=split]`` in its action bar; no JavaScript needed);
- any other ``action``: a handler of review.js, or one another script registers with
  ``window.JimakuReview.on("action", (row, event) => ...)``;
- ``script="name.js"``: a key another static script binds itself (find & replace and undo in
  review_tools.js, the structure actions in review_structure.js); listed in the panel only.

Keys are written ``Ctrl+Enter``, ``Alt+ArrowDown``, ``Shift+F``, ``j``, ``?``, ``Escape``
(``Ctrl`` is Cmd on a Mac too). A key without Ctrl or Alt never fires while the focus is in a
text field (it types there); ``where="editor"`` keys work only in a row's English editor. Avoid
keys the browser keeps for itself (Ctrl+T/W/N/L/R/Tab/digits, Alt+←/→, Alt+D/E/F, F-keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]
    label: str | Promise
    group: str = "rows"  # rows | editor | panels (the headings of the shortcuts panel)
    where: str = "page"  # page: anywhere (plain keys outside text fields) | editor
    needs: str = ""  # "" | "edit" | "approve": listed and bound only for users who may
    panel: str = ""
    click: str = ""
    script: str = ""  # bound by this script of translator/static/translator, not review.js


GROUPS = {
    "rows": pgettext_lazy("shortcuts", "Rows"),
    "editor": pgettext_lazy("shortcuts", "In the editor"),
    "panels": pgettext_lazy("shortcuts", "Panels"),
}

SHORTCUTS: list[Shortcut] = [
    # Rows: move, jump, act on the focused row (outside a text field).
    Shortcut("next-row", ("j", "Alt+ArrowDown"), _("Next row")),
    Shortcut("prev-row", ("k", "Alt+ArrowUp"), _("Previous row")),
    Shortcut("next-flagged", ("f",), _("Next row with a QA flag")),
    Shortcut("prev-flagged", ("Shift+F",), _("Previous row with a QA flag")),
    Shortcut("next-untranslated", ("n",), _("Next untranslated row")),
    Shortcut("prev-untranslated", ("Shift+N",), _("Previous untranslated row")),
    Shortcut("edit", ("Enter", "e"), _("Edit the row's English"), needs="edit"),
    Shortcut("approve", ("a",), _("Approve the row"), needs="approve"),
    Shortcut(
        "click",
        ("Shift+A",),
        _("Unapprove the row"),
        needs="approve",
        click="[data-action=unapprove]",
    ),
    Shortcut(
        "click",
        ("x",),
        _("Tick the row (for Approve selected)"),
        needs="approve",
        click=".seg-check",
    ),
    Shortcut("click", ("p",), _("Play from the row"), click=".seg-time"),
    Shortcut(
        "click", ("d",), _("Machine text and diff (in the drawer)"), click="[data-action=diff]"
    ),
    Shortcut("click", ("h",), _("History (in the drawer)"), click="[data-action=history]"),
    Shortcut("filter", ("/",), _("Search and filter the rows")),
    Shortcut(
        "undo",
        ("Ctrl+Z",),
        _("Outside a text field: undo your last action (save, approval, replace…)"),
        needs="edit",
        script="review_tools.js",
    ),
    Shortcut(
        "edit-source",
        ("F2",),
        _("Edit the Japanese of the row (Ctrl+Enter saves it, Esc cancels)"),
        needs="edit",
        script="review_structure.js",
    ),
    Shortcut(
        "split",
        ("Alt+S",),
        _(
            "Split the row at the caret in the Japanese (the English at its caret, if you "
            "placed one; else in proportion)"
        ),
        needs="edit",
        script="review_structure.js",
    ),
    Shortcut(
        "merge",
        ("Alt+J",),
        _("Merge (join) the row with the next one (same speaker and kind)"),
        needs="edit",
        script="review_structure.js",
    ),
    Shortcut(
        "retranslate",
        ("Alt+R",),
        _("Re-translate the row with the episode's engine"),
        needs="edit",
        script="review_structure.js",
    ),
    # In the English editor.
    Shortcut(
        "save-next",
        ("Ctrl+Enter",),
        _("Save and approve, next row"),
        group="editor",
        where="editor",
        needs="approve",
    ),
    Shortcut(
        "save-next",
        ("Ctrl+Enter",),
        _("Save, next row"),
        group="editor",
        where="editor",
        needs="edit-only",
    ),
    Shortcut("save", ("Ctrl+S",), _("Save, stay on the row"), group="editor", where="editor"),
    Shortcut(
        "machine",
        ("Ctrl+M",),
        _("Copy the machine text into the editor"),
        group="editor",
        where="editor",
    ),
    Shortcut(
        "memory",
        ("Ctrl+I",),
        _("Take the best translation-memory suggestion (saved as an edit)"),
        group="editor",
        where="editor",
    ),
    Shortcut(
        "escape",
        ("Escape",),
        _("Cancel the edit (restore the saved text); again: leave the editor"),
        group="editor",
    ),
    # Panels: they open in the drawer beside the rows, one at a time.
    Shortcut("panel", ("1",), _("Machine translation"), group="panels", panel="translate"),
    Shortcut("panel", ("2",), _("Speakers"), group="panels", panel="speakers"),
    Shortcut("panel", ("3",), _("Glossary"), group="panels", panel="glossary"),
    Shortcut("panel", ("4",), _("Media"), group="panels", panel="media"),
    Shortcut("panel", ("5",), _("Export & publish"), group="panels", panel="export"),
    Shortcut("panel", ("6",), _("Timing"), group="panels", panel="timing"),
    Shortcut("panel", ("7",), _("Import report"), group="panels", panel="import-report"),
    Shortcut("panel", ("8",), _("Find & replace"), group="panels", panel="find"),
    Shortcut(
        "find",
        ("Ctrl+H", "Ctrl+Shift+F"),
        _("Find & replace across the episode"),
        group="panels",
        script="review_tools.js",
    ),
    Shortcut("panel", ("?",), _("Keyboard shortcuts"), group="panels", panel="shortcuts"),
    Shortcut("close", ("Escape",), _("Close the panel (back to the row)"), group="panels"),
]

KEY_NAMES = {
    "ArrowDown": "↓",
    "ArrowUp": "↑",
    "ArrowLeft": "←",
    "ArrowRight": "→",
    "Escape": "Esc",
}


def _allowed(shortcut: Shortcut, *, can_edit: bool, can_approve: bool) -> bool:
    if shortcut.needs == "edit":
        return can_edit
    if shortcut.needs == "approve":
        return can_approve
    if shortcut.needs == "edit-only":
        return can_edit and not can_approve
    return True


def key_caps(key: str) -> list[str]:
    """``"Ctrl+Shift+F"`` -> ``["Ctrl", "Shift", "F"]`` as shown on the keys (``↓``, ``Esc``)."""
    parts = key.split("+") if key != "+" else ["+"]
    caps = [KEY_NAMES.get(p, p) for p in parts]
    if len(caps[-1]) == 1 and caps[-1].isalpha() and len(parts) > 1:
        caps[-1] = caps[-1].upper()
    return caps


def review_shortcuts(*, can_edit: bool, can_approve: bool) -> dict[str, Any]:
    """The context of the shortcuts panel (``shortcut_groups``: heading, rows of key caps and
    label) and the list review.js binds (``shortcuts_json``)."""
    shortcuts = [s for s in SHORTCUTS if _allowed(s, can_edit=can_edit, can_approve=can_approve)]
    groups = []
    for code, heading in GROUPS.items():
        items = [
            {"keys": [key_caps(k) for k in s.keys], "label": str(s.label)}
            for s in shortcuts
            if s.group == code
        ]
        if items:
            groups.append({"heading": str(heading), "items": items})
    bound = [
        {"action": s.action, "keys": list(s.keys), "where": s.where}
        | ({"panel": s.panel} if s.panel else {})
        | ({"click": s.click} if s.click else {})
        for s in shortcuts
        if not s.script
    ]
    panel_keys = {s.panel.replace("-", "_"): s.keys[0] for s in shortcuts if s.panel}
    return {
        "shortcut_groups": groups,
        "shortcuts_json": bound,
        "shortcut_or": gettext("or"),
        "panel_keys": panel_keys,
    }
