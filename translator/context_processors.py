from __future__ import annotations

from django.http import HttpRequest

from translator import permissions


def roles(request: HttpRequest) -> dict[str, bool]:
    """What the current user may do, for templates (the views check again on every action)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_edit": False, "can_approve": False, "can_publish": False}
    return {
        "can_edit": permissions.can_edit(user),
        "can_approve": permissions.can_approve(user),
        "can_publish": permissions.can_publish(user),
        "can_import": permissions.can_import(user),
        "can_translate": permissions.can_translate(user),
    }
