from django import template

register = template.Library()


@register.filter
def intcomma_plain(value) -> str:
    """1234567 → "1,234,567" (no locale surprises, no extra app)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
