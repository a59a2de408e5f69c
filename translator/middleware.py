"""Response headers for logged-in pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """A response to a logged-in user is ``Cache-Control: private`` (no shared cache or proxy
    keeps it), and HTML (pages and htmx fragments with editable text and version numbers) also
    ``no-store``, so Back does not show an editor a stale row. Views open without login
    (``login_not_required``: the public transcript, public media, the login page) are left as
    they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_jimaku_public_view", False):
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if response.get("Content-Type", "").startswith("text/html"):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, private=True)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        request._jimaku_public_view = not getattr(view_func, "login_required", True)
        return None
