"""Middleware of the app (listed in ``settings.MIDDLEWARE``): response headers for caches."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

SHARED = "jimaku_shared_cache"  # attribute a view sets on a response that is the same for all


def mark_shared(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as one document for everyone (the published transcript page)."""
    setattr(response, SHARED, True)
    return response


class SharedCacheMiddleware:
    """Keep a shared document cacheable by a CDN.

    Listed above the session and locale middleware, so it sees their ``Vary: Cookie`` (the
    login-required check reads the session on every request) and ``Vary: Accept-Language``
    and drops them from responses marked with :func:`mark_shared`: such a page does not depend
    on either, and a CDN honouring them would keep one copy per cookie or language. A marked
    response that sets a cookie is made ``private`` instead, so no shared cache stores a cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(response, SHARED, False):
            return response
        if response.cookies:
            response["Cache-Control"] = "private, no-cache"
            return response
        if response.has_header("Vary"):
            kept = [
                v.strip()
                for v in response["Vary"].split(",")
                if v.strip() and v.strip().lower() not in ("cookie", "accept-language")
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response


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
