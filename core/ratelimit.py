"""Who is asking (client_ip) and how often they may write (rate limits), for the API and the pages.

One limiter, two front doors: `ScopedWriteThrottle` (DRF, on API views with a `throttle_scope`)
and `@rate_limited(scope)` (the web form views). Both count in the same cache under the same
keys, so a reader cannot double their allowance by alternating between the page and the API.

Each scope is limited twice: per signed-in user and per client IP (several accounts from one
address). Rates come from settings.PARLEY_RATE_LIMITS ("10/min"); only writes are counted.
If the cache (Redis) is down the limiter lets the request through and logs it: a broken
rate limiter must not take commenting down with it.
"""
from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import math
import time
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from core.signals import rate_limit_refused

log = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def client_ip(request) -> str:
    """The address of the client, as far as we can trust it.

    X-Forwarded-For is read only when PARLEY_TRUSTED_PROXIES (a count) proxies stand in front of
    us: each appends the address it saw, so the client is the entry that many places from the
    right. Anything to its left was written by the client and could be anything. With 0 trusted
    proxies (the default) the header is ignored and REMOTE_ADDR is the answer.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.PARLEY_TRUSTED_PROXIES
    if proxies > 0:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= proxies:
            candidate = chain[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                log.warning("Ignoring a malformed X-Forwarded-For entry %r", candidate[:64])
    return remote


def parse_rate(rate: str) -> tuple[int, int]:
    """"10/min" -> (10, 60); "10/15min" -> (10, 900)."""
    count, _, period = rate.partition("/")
    period = period.strip().lower()
    multiple = period.rstrip("abcdefghijklmnopqrstuvwxyz").strip()
    return int(count), int(multiple or 1) * _PERIODS[period[len(multiple):].strip()]


def _keys(scope: str, request) -> list[tuple[str, str]]:
    """(cache key, rate) pairs this request counts against."""
    rates = settings.PARLEY_RATE_LIMITS
    keys = []
    user = getattr(request, "user", None)
    if f"{scope}_user" in rates and user is not None and user.is_authenticated:
        keys.append((f"ratelimit:{scope}:user:{user.pk}", rates[f"{scope}_user"]))
    if f"{scope}_ip" in rates:
        keys.append((f"ratelimit:{scope}:ip:{client_ip(request)}", rates[f"{scope}_ip"]))
    return keys


def _count(key: str, period: int, now: float) -> int:
    """Add one to ``key``'s counter and return the new count, atomically (Redis INCR; LocMemCache
    increments under its lock). The first hit creates the counter, which expires ``period``
    seconds later: that is the window, and its start is noted for Retry-After."""
    for _ in range(2):
        cache.add(key, 0, period)
        try:
            n = cache.incr(key)
        except ValueError:  # the window expired between add and incr: start a new one
            continue
        if n == 1:
            cache.set(f"{key}:start", now, period)
        return n
    return 1


def rate_limit_hit(*, scope: str, request) -> float | None:
    """Count one write in `scope` for this requester. Returns None when allowed, or the seconds
    to wait when one of its limits is used up (the write is then not counted).

    A window per key starting at its first write. Counting is one atomic increment per key, so
    of N writes racing for the last M places exactly M get through (the read-then-write history
    this replaced let a burst pass the limit: tests/core/test_rate_limits.py).
    """
    now = time.time()
    try:
        counted, waits = [], []
        for key, rate in _keys(scope, request):
            allowed, period = parse_rate(rate)
            counted.append(key)
            if _count(key, period, now) > allowed:
                started = cache.get(f"{key}:start", now)
                waits.append(min(float(period), max(1.0, started + period - now)))
        if waits:
            for key in counted:  # a refused write uses none of its allowances
                try:
                    cache.decr(key)
                except ValueError:
                    pass  # its window ended meanwhile
            rate_limit_refused.send(sender=None, scope=scope)
            return max(waits)
    except Exception:  # noqa: BLE001 - fail open: the cache being down must not stop readers
        log.exception("Rate limiter unavailable; letting the request through")
    return None


def rate_limit_count(*, scope: str, request) -> None:
    """Count one event in `scope` for this requester, after the fact (no refusal)."""
    try:
        for key, rate in _keys(scope, request):
            _count(key, parse_rate(rate)[1], time.time())
    except Exception:  # noqa: BLE001
        log.exception("Rate limiter unavailable; event not counted")


# Password spraying: django-axes locks one username from one address after a few failures, but
# one address trying one password on many usernames never trips it. Every failed login from an
# address counts here, whatever the username, on the login page and the token API alike; once
# the allowance is used up both answer 429 with Retry-After before checking any password.
#
# Counted first, then checked: reading the count and adding to it after the password
# check let 48 concurrent guesses check 20-24 passwords against a limit of 10. Now each attempt
# takes its place with one atomic increment before any password is checked
# (login_attempt_begin), and gives it back when it turns out not to be a failure
# (login_attempt_end): a successful login, or a form with no password to check.
LOGIN_FAILURES = "login_failures"
_COUNTED = "_parley_login_counted"  # on the request: this attempt's place is already taken
_FAILED = "_parley_login_failed"  # on the request: user_login_failed was sent for it
_PAIR = "_parley_login_pair"  # on the request: the (username, address) key it took a place in


def _http_request(request):
    return getattr(request, "_request", request)  # DRF's Request wraps Django's


def _login_pair_key(request) -> str | None:
    """The cache key of this attempt's (username, address) pair, the pair django-axes locks out;
    None when axes is off or no username was sent."""
    if not getattr(settings, "AXES_ENABLED", True):
        return None
    try:
        data = request.data if hasattr(request, "data") else request.POST  # DRF's Request, or Django's
        username = data.get("username") if hasattr(data, "get") else None
    except Exception:  # noqa: BLE001 - an unreadable body: the view answers it, nothing to lock
        return None
    if not isinstance(username, str) or not username:
        return None
    # NFKC, as the login form reads a name (blog.services), so "ａｌｉｃｅ" is alice's pair.
    digest = hashlib.sha256(unicodedata.normalize("NFKC", username).encode("utf-8", "replace")).hexdigest()[:32]
    return f"ratelimit:login_pair:{digest}:{client_ip(request)}"


def login_attempt_begin(*, request) -> float | None:
    """Take a failed-login place before a password is checked: one of this address's
    (LOGIN_FAILURES) and one of this username-and-address pair's (django-axes' lockout: its
    AXES_FAILURE_LIMIT per AXES_COOLOFF_TIME, which axes itself checks by reading its count
    before the password check, so concurrent guesses all passed). None when allowed; else the
    seconds to wait (and nothing is counted)."""
    wait = rate_limit_hit(scope=LOGIN_FAILURES, request=request)
    if wait is not None:
        return wait
    http = _http_request(request)
    setattr(http, _COUNTED, True)
    if (pair := _login_pair_key(request)) is not None:
        period = int(settings.AXES_COOLOFF_TIME.total_seconds())
        try:
            if _count(pair, period, time.time()) > settings.AXES_FAILURE_LIMIT:
                cache.decr(pair)
                setattr(http, _COUNTED, False)
                rate_limit_refund(scope=LOGIN_FAILURES, request=request)
                started = cache.get(f"{pair}:start", time.time())
                return min(float(period), max(1.0, started + period - time.time()))
        except Exception:  # noqa: BLE001 - fail open, as rate_limit_hit does; axes still counts
            log.exception("Rate limiter unavailable; login pair not counted")
        else:
            setattr(http, _PAIR, pair)
    return None


def login_attempt_end(*, request, succeeded: bool) -> None:
    """After the login page or the token API answered: give the places back unless a password
    check failed (user_login_failed was sent for this request). A success also clears the pair's
    failures, as axes does (AXES_RESET_ON_SUCCESS)."""
    http = _http_request(request)
    if not getattr(http, _COUNTED, False) or getattr(http, _FAILED, False):
        return
    setattr(http, _COUNTED, False)
    rate_limit_refund(scope=LOGIN_FAILURES, request=request)
    if (pair := getattr(http, _PAIR, None)) is not None:
        try:
            if succeeded and settings.AXES_RESET_ON_SUCCESS:
                cache.delete_many([pair, f"{pair}:start"])
            else:
                cache.decr(pair)
        except ValueError:
            pass  # its window ended meanwhile
        except Exception:  # noqa: BLE001
            log.exception("Rate limiter unavailable; login pair place not given back")


def rate_limit_refund(*, scope: str, request) -> None:
    """Give back one place in each of ``scope``'s counters for this requester."""
    try:
        for key, _ in _keys(scope, request):
            try:
                cache.decr(key)
            except ValueError:
                pass  # its window ended meanwhile
    except Exception:  # noqa: BLE001
        log.exception("Rate limiter unavailable; place not given back")


def count_login_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """Receiver of django.contrib.auth's user_login_failed (connected in blog.apps): marks the
    attempt as failed, so it keeps the place login_attempt_begin took; an authentication with a
    request that took no place (none should) is counted here, as before."""
    if request is None:
        return
    http = _http_request(request)
    setattr(http, _FAILED, True)
    if not getattr(http, _COUNTED, False):
        rate_limit_count(scope=LOGIN_FAILURES, request=request)
        setattr(http, _COUNTED, True)


def _too_many_page(request, wait: float):
    seconds = math.ceil(wait)
    # Back where the reader was (the page whose form they sent, when it is on this site).
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    back = (referer.path + (f"?{referer.query}" if referer.query else "")) if referer.netloc == request.get_host() else ""
    response = render(request, "rate_limited.html", {"seconds": seconds, "back": back}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def refused_response(response, wait: float):
    """Mark a view's own answer to a refused write as the limiter's: 429 with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(math.ceil(wait))
    return response


def wait_in_words(wait: float) -> str:
    seconds = math.ceil(wait)
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def login_failures_limited(view):
    """The login page: a POST takes its place first (login_attempt_begin); once this address
    has used up its failed logins it is answered 429 with Retry-After and no password is checked."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if (wait := login_attempt_begin(request=request)) is not None:
            return _too_many_page(request, wait)
        response = None
        try:
            response = view(request, *args, **kwargs)
            return response
        finally:
            succeeded = response is not None and response.status_code == 302 and request.user.is_authenticated
            login_attempt_end(request=request, succeeded=succeeded)

    return wrapper


class ScopedWriteThrottle(BaseThrottle):
    """DRF throttle for API views that set `throttle_scope`: writes (POST, ...) only, per user
    and per IP, answered 429 with Retry-After by DRF."""

    def allow_request(self, request, view) -> bool:
        scope = getattr(view, "throttle_scope", None)
        self._wait = None
        if not scope or request.method in SAFE_METHODS:
            return True
        self._wait = rate_limit_hit(scope=scope, request=request)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait

    def get_ident(self, request) -> str:
        return client_ip(request)


def rate_limited(scope: str, *, refused=None):
    """Limit a web form view's POSTs; over the limit it answers 429, Retry-After and a page
    saying when to try again. ``refused(request, wait, *args, **kwargs)``, when given, answers
    instead (through refused_response): a form that re-renders itself keeps what was typed."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in SAFE_METHODS:
                wait = rate_limit_hit(scope=scope, request=request)
                if wait is not None:
                    if refused is not None:
                        return refused_response(refused(request, wait, *args, **kwargs), wait)
                    return _too_many_page(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
