"""Integers from query strings and forms, read one way everywhere: `int_param` and
`int_list_param`. Anything else is a 400 naming the parameter and the reason.

Why one helper: str.isdigit says yes to "²" and int("²") raises, so the pattern "int(v) if
v is digits else None" was a 500 on five pages; and an id past a bigint reached the
database. tests/test_security_findings_access_imports_input.py greps the source so that str.isdigit stays gone.

And what no view may be handed at all (NUL in a URL part or a page's parameter, bytes that are
not UTF-8): ``bad_input``, applied to every request by ``RefuseBadInputMiddleware``.
"""
from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpResponseBadRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Primary keys are BigAutoFields; anything larger cannot name a row (and would overflow a lookup).
MAX_ID = 2**63 - 1


_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit and int both take other scripts' digits


class BadParameter(BadRequest):
    """A query-string or form parameter that is not what the page takes. Django answers a
    BadRequest with 400 (config.urls.handler400 shows this message); the API maps it to its
    400 {"name": ["reason"]} (core.api.errors)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


NUL_REASON = "must not contain NUL characters."
UNDECODABLE_REASON = "must be valid UTF-8 text (the request sent invalid bytes)."


def _to_int(raw: str, *, name: str, min_value: int, max_value: int) -> int:
    value = raw.strip()
    if not _DIGITS.fullmatch(value) or not min_value <= int(value) <= max_value:
        raise BadParameter(name, f"must be a whole number from {min_value} to {max_value} (got {raw[:40]!r}).")
    return int(value)


def int_param(data, name: str, *, default: int | None = None, min_value: int = 0, max_value: int = MAX_ID) -> int | None:
    """``data[name]`` (a QueryDict: request.GET or request.POST) as an int; ``default`` when it
    is missing or blank. Ids fit the default range (a BigAutoField)."""
    raw = data.get(name)
    if raw is None or not raw.strip():
        return default
    return _to_int(raw, name=name, min_value=min_value, max_value=max_value)


def int_list_param(data, name: str, *, sep: str | None = None, min_value: int = 0, max_value: int = MAX_ID) -> list[int]:
    """Every value of ``name`` (``?ids=1&ids=2``), or with ``sep`` the parts of one value
    (``?known=1,2``), as ints; blank parts are skipped."""
    raws = data.getlist(name) if sep is None else data.get(name, "").split(sep)
    return [_to_int(raw, name=name, min_value=min_value, max_value=max_value) for raw in raws if raw.strip()]


def str_param(data, name: str, *, max_length: int = 1000) -> str:
    """``data[name]`` stripped ("" when missing), for text a view hands to a query: a NUL
    character (which PostgreSQL refuses in any text) or an overlong value is a 400. Form fields
    need none of this: Django's CharField refuses NUL itself."""
    value = (data.get(name) or "").strip()
    if "\x00" in value:
        raise BadParameter(name, NUL_REASON)
    if len(value) > max_length:
        raise BadParameter(name, f"must be at most {max_length} characters.")
    return value


def local_url(request, value: str | None, *, default: str) -> str:
    """``value`` (a ?next= or a form's "next") when it is a path on this site, else ``default``.
    Never hand a parameter to django.shortcuts.redirect: "foo" passes the host check, and
    redirect() then looks it up as a view name (a NoReverseMatch 500)."""
    value = value or ""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def _undecodable_names(encoded: bytes) -> list[str]:
    """The names in a urlencoded string (a form body or a query string) whose value's bytes are
    not UTF-8 (Latin-1 bytes, lone surrogates, overlong forms: Python's strict decoder refuses
    all three)."""
    bad = []
    for pair in encoded.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            bad.append(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"))
    return bad


def undecodable_fields(request) -> list[str]:
    """The form fields of a urlencoded POST whose bytes are not UTF-8. Django decodes them with
    U+FFFD in place of each bad byte, silently; the API refuses such a body, and so does every
    page (RefuseBadInputMiddleware): a text is stored as sent, or not at all."""
    if request.content_type != "application/x-www-form-urlencoded":
        return []  # the pages' forms send urlencoded bodies; multipart is left to Django
    return _undecodable_names(request.body)


def _nul_in_url_or_credentials(request, view_kwargs) -> BadParameter | None:
    """A NUL in a URL part, or in what authentication reads (the session key and CSRF token in
    cookies, an API token in Authorization): each of those goes into a query, on every path."""
    for name, value in view_kwargs.items():
        if isinstance(value, str) and "\x00" in value:
            return BadParameter(name, NUL_REASON)
    if "\x00" in request.META.get("HTTP_AUTHORIZATION", ""):
        return BadParameter("Authorization header", NUL_REASON)
    for name, value in request.COOKIES.items():
        if "\x00" in name or "\x00" in value:
            return BadParameter(f"cookie {name}".replace("\x00", "\\x00"), NUL_REASON)
    return None


def bad_input(request, view_kwargs=None) -> BadParameter | None:
    """The one rule for what no page or API view may be handed, whatever it reads:
    a NUL in a URL part, a cookie or the Authorization header (PostgreSQL refuses NUL in any
    text: a DataError, a 500), and on the
    pages a NUL or undecodable bytes in a query parameter or a form field. The API's own fields
    refuse those in bodies and query parameters already (DRF's CharField refuses NUL; its JSON
    parser refuses bad UTF-8)."""
    if (problem := _nul_in_url_or_credentials(request, view_kwargs or {})) is not None:
        return problem
    if request.path_info.startswith("/api/"):
        return None
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return BadParameter(name.replace("\x00", "\\x00"), NUL_REASON)
    for name in _undecodable_names(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):
        return BadParameter(name, UNDECODABLE_REASON)
    if request.method == "POST":
        try:
            names = undecodable_fields(request)
        except Exception:  # noqa: BLE001 - a body too large or unreadable: Django answers it itself
            names = []
        for name in names:
            return BadParameter(name, UNDECODABLE_REASON)
    return None


class RefuseBadInputMiddleware:
    """Answers 400 naming the parameter for what ``bad_input`` refuses, before any view runs:
    every form and page at once, instead of a check each view must remember (the edit and appeal
    forms did not, and stored "caf\ufffd"). After CSRF, so a forged POST is still a 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        problem = bad_input(request, view_kwargs)
        if problem is None:
            return None
        if request.path_info.startswith("/api/"):
            from django.http import JsonResponse  # noqa: PLC0415 - avoids an import circle with the middleware it serves

            return JsonResponse({problem.name: [problem.reason]}, status=400)
        return bad_request(request, problem)


def bad_request(request, exception=None):
    """config.urls.handler400: a BadParameter says which parameter and why (plain text, so it
    can never be markup); any other 400 says no more than Django's."""
    if isinstance(exception, BadParameter):
        return HttpResponseBadRequest(f"Bad request: {exception}\n", content_type="text/plain; charset=utf-8")
    return HttpResponseBadRequest("Bad request (400)\n", content_type="text/plain; charset=utf-8")
