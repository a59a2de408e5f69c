from django import template

from translator.review_rows import render_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def review_rows(context, rows):
    """``{% review_rows data.transcript %}``: the rows, rendered by translator.review_rows."""
    return render_rows(rows, context.flatten())
