"""Displaying review rows: the one place a row becomes HTML (the page's rows, through the
``{% review_rows rows %}`` tag, and every single-row htmx response, through
:func:`render_rows`), with the labels every row shows (:func:`row_context`).

The review page shows 100 rows of about 40 values each; through Django's template engine that
was most of the page's time (6-7x a bare template). Rows are rendered by Jinja2 (autoescaping
on, compiled once per process) from ``translator/jinja2/review/row.html``; everything else stays
in Django templates. Used for the page's rows and for every single-row htmx response, so a row
has one template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jinja2
from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("translator", "jinja2"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,  # missing values render empty, as in Django
        auto_reload=False,
    )
    return env.get_template("review/row.html")


def render_rows(rows: Iterable[Any], context: Mapping[str, Any]) -> SafeString:
    """HTML of ``rows`` with the context keys the row uses: ``can_edit``, ``can_approve``,
    ``L`` (labels, translated once per page), ``seg_base``, optional ``row_error`` and
    ``oob_rows`` (each row an htmx out-of-band swap of the row with its id), ``row_notice``."""
    template = _template()
    values = {
        "can_edit": context.get("can_edit", False),
        "can_approve": context.get("can_approve", False),
        "L": context.get("L", {}),
        "seg_base": context.get("seg_base", ""),
        "cue_base": context.get("cue_base", ""),
        "row_error": context.get("row_error", ""),
        "oob": context.get("oob_rows", False),  # out-of-band swaps (rows an undo changed)
        "row_notice": context.get("row_notice", ""),  # e.g. "re-translated, your English kept"
    }
    values["rows"] = rows
    return mark_safe(template.render(values))  # noqa: S308 - Jinja2 autoescapes


def row_context() -> dict:
    """What every row needs besides the row: labels translated once, not per row (speed)."""
    return {
        "seg_base": reverse("translator:segment_row", args=[0]).removesuffix("0/row/"),
        # "/episodes/": the row's link to the cue view is cue_base ~ episode ~ "/cues/?cue=" ~ cue
        "cue_base": reverse("translator:cue_view", args=[0]).removesuffix("0/cues/"),
        "L": {
            "save": _("Save"),
            "approve": _("Approve"),
            "unapprove": _("Unapprove"),
            "diff": _("Diff"),
            "diff_title": _("Machine text and diff"),
            "history": _("History"),
            "play": _("Play from here"),
            "cue_view": _("Cue view"),
            "select": _("Select"),
            "english_for": _("English for"),
            "placeholder": _("English translation"),
        },
    }


@register.simple_tag(takes_context=True)
def review_rows(context: Any, rows: Iterable[Any]) -> SafeString:
    """``{% review_rows data.transcript %}``: the rows, rendered by :func:`render_rows`."""
    return render_rows(rows, context.flatten())
