"""Rendering review rows fast.

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
from django.utils.safestring import SafeString, mark_safe


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
    ``L`` (labels, translated once per page), ``seg_base``, optional ``row_error``."""
    template = _template()
    values = {
        "can_edit": context.get("can_edit", False),
        "can_approve": context.get("can_approve", False),
        "L": context.get("L", {}),
        "seg_base": context.get("seg_base", ""),
        "row_error": context.get("row_error", ""),
    }
    values["rows"] = rows
    return mark_safe(template.render(values))  # noqa: S308 - Jinja2 autoescapes
