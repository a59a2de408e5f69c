"""Displaying cue-view rows: the one place a cue row becomes HTML (the page's rows, through
the ``{% cue_rows rows %}`` tag, and every htmx/JS row response, through
:func:`render_cue_rows`). Jinja2, as the review rows (``review_rows.py``): a page renders 100
of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jinja2
from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("translator", "jinja2"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        auto_reload=False,
    )


def labels() -> dict[str, str]:
    """What every row shows besides its values, translated once per response."""
    return {
        "with_above": _("shown with the cue above"),
        "play": _("Play from here"),
        "events": _("shown as two subtitles in turn"),
        "fast": _("Reading speed too high"),
        "cue": _("Cue"),
        "theirs": _("Theirs (saved)"),
        "yours": _("Yours (not saved)"),
        "keep_theirs": _("Keep theirs"),
        "overwrite": _("Overwrite with mine"),
        "conflict": _("Retimed by someone else after you opened the page."),
    }


def render_cue_rows(
    rows: Iterable[Any], context: Mapping[str, Any], *, conflict: Any = None
) -> SafeString:
    """HTML of ``rows`` (``conflict``: the first row is shown as a retime conflict)."""
    values = {
        "rows": rows,
        "can_edit": context.get("can_edit", False),
        "L": context.get("L") or labels(),
        "conflict": conflict,
    }
    return mark_safe(_env().get_template("cues/row.html").render(values))  # noqa: S308


@register.simple_tag(takes_context=True)
def cue_rows(context: Any, rows: Iterable[Any]) -> SafeString:
    return render_cue_rows(rows, context.flatten())
