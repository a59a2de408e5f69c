"""Login throttling on django-axes, for the app's login page and the admin's.

Axes records failed logins (``AccessAttempt``) and refuses a login that is locked out; this
module is its configured handler (``AXES_HANDLER``), authentication backend and client-address
resolver (``AXES_CLIENT_IP_CALLABLE``). What it adds to the stock database handler:

- **Three limits** inside the window (``AXES_COOLOFF_TIME``): failures for one username from
  one address (``LOGIN_MAX_FAILURES``), from one address over all usernames
  (``LOGIN_MAX_FAILURES_PER_ADDRESS``), and for one username over all addresses
  (``LOGIN_MAX_FAILURES_PER_USERNAME``). The username-wide limit does not apply to an address
  that has logged in as that user before (axes's ``AccessLog``): guesses spread over many
  addresses are limited, yet an attacker cannot lock a user out of the address they use.
  With the per-address limit below the username-wide one, a single address cannot lock anyone
  out at all: it is stopped first.
- **Exact counting under parallel requests.** Axes checks the lock before the password and
  records the failure after it, so parallel guesses all pass the check (jazzband/django-axes
  #592). Here the check and a provisional failure are one short serialized transaction before
  the password is checked; a correct password takes its provisional failure back.
- **A successful login clears the failures of that username from that address only** (axes's
  ``AXES_RESET_ON_SUCCESS`` would clear the address's count too, so an insider could reset it
  by logging in with their own account between guesses).
- **Client address behind the documented reverse proxy**: ``X-Forwarded-For`` is read only
  when the connection comes from a trusted proxy (``JIMAKU_TRUSTED_PROXIES``), right to left,
  skipping trusted hops; IPv6 clients are counted per /64 network.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_query_str
from axes.models import AccessAttempt, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router, transaction
from django.db.models import F, Sum
from django.http import HttpRequest

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key serializing the check-and-count step on PostgreSQL ("jmkLogin").
_PG_LOCK_KEY = 0x6A6D6B4C6F67696E


# --- client address ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _trusted_networks(spec: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _parse_ip(value: str) -> ipaddress._BaseAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _counted_as(ip: ipaddress._BaseAddress) -> str:
    # One IPv6 subscriber gets a whole /64: count the network, not each of its addresses.
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return str(ip)


def client_ip(request: HttpRequest) -> str | None:
    """The address login attempts are counted under (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR`` unless the connection comes from a trusted proxy; then the right-most
    ``X-Forwarded-For`` entry that is not itself a trusted proxy (the proxy appends the address
    it saw; whatever a client wrote into the header is further left and ignored).
    """
    trusted = _trusted_networks(tuple(settings.JIMAKU_TRUSTED_PROXIES))
    remote = _parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if any(remote in net for net in trusted):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for entry in reversed(forwarded.split(",")):
            hop = _parse_ip(entry)
            if hop is None:
                break  # not written by our proxy: do not read further left
            if not any(hop in net for net in trusted):
                return _counted_as(hop)
    return _counted_as(remote)


# --- handler ----------------------------------------------------------------------------------


def _limits() -> tuple[int, int, int]:
    return (
        settings.LOGIN_MAX_FAILURES,
        settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
        settings.LOGIN_MAX_FAILURES_PER_USERNAME,
    )


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes's database handler with per-kind limits and parallel-safe counting."""

    def _recent(self, request: HttpRequest):
        return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

    @staticmethod
    def _total(queryset) -> int:
        return queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        username = get_client_username(request, credentials)
        ip = request.axes_ip_address
        recent = self._recent(request)
        per_pair, per_address, per_username = _limits()
        if self._total(recent.filter(username=username, ip_address=ip)) >= per_pair:
            return True
        if self._total(recent.filter(ip_address=ip)) >= per_address:
            return True
        if self._total(recent.filter(username=username)) >= per_username:
            # Spread over many addresses: locked, except where this user has logged in before.
            return not AccessLog.objects.filter(username=username, ip_address=ip).exists()
        return False

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        return self._total(
            self._recent(request).filter(username=username, ip_address=request.axes_ip_address)
        )

    def is_allowed(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        """Check the limits and, when allowed, count this attempt as a failure already.

        One serialized transaction (SQLite takes its write lock at BEGIN IMMEDIATE; PostgreSQL
        an advisory lock), so of N parallel guesses exactly the limit get their password checked.
        """
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        using = router.db_for_write(AccessAttempt)
        with transaction.atomic(using=using):
            connection = connections[using]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
            if self.is_locked(request, credentials):
                return False
            request.jimaku_attempt_pk = self._count_failure(request, credentials)
        return True

    def _count_failure(self, request: HttpRequest, credentials: dict | None) -> int:
        username = get_client_username(request, credentials)
        attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
            username=username,
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
            defaults={
                "get_data": get_query_str(request.GET).replace("\0", "0x00"),
                "post_data": get_query_str(request.POST).replace("\0", "0x00"),
                "http_accept": request.axes_http_accept,
                "path_info": request.axes_path_info,
                "failures_since_start": 1,
                "attempt_time": request.axes_attempt_time,
            },
        )
        if not created:
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                failures_since_start=F("failures_since_start") + 1,
                attempt_time=request.axes_attempt_time,
                path_info=request.axes_path_info,
            )
        return attempt.pk

    def take_back(self, request: HttpRequest) -> None:
        """The password was right: the provisional failure was not one."""
        pk = getattr(request, "jimaku_attempt_pk", None)
        if pk is not None:
            AccessAttempt.objects.filter(pk=pk, failures_since_start__gt=0).update(
                failures_since_start=F("failures_since_start") - 1
            )
            request.jimaku_attempt_pk = None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        """The failure was counted before the password check (or the login was refused while
        locked out, which is not counted): only flag the lock-out for the lock-out page."""
        if request is None:
            return
        self.clean_expired_user_attempts(request, credentials)
        if not self.is_whitelisted(request, credentials) and (
            request.axes_locked_out or self.is_locked(request, credentials)
        ):
            if not request.axes_locked_out:  # the failure that reached a limit
                log.warning(
                    "Login locked out after repeated failures from %s", request.axes_ip_address
                )
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(
            username=user.get_username(), ip_address=request.axes_ip_address
        ).delete()


class ThrottledModelBackend(AxesBackend):
    """``ModelBackend`` behind the axes lock: refused while locked out (the lock-out page is
    rendered by ``axes.middleware.AxesMiddleware``), a right password is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        super().authenticate(request, username=username, password=password, **kwargs)
        user = ModelBackend.authenticate(self, request, username, password, **kwargs)
        if user is not None:
            AxesProxyHandler.get_implementation().take_back(request)
        return user


__all__ = ["LoginThrottleHandler", "ThrottledModelBackend", "client_ip"]
