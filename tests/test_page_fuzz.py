"""Every HTML page and form fuzzed (hypothesis), as the anonymous, a reader, a moderator and a
policy admin: whatever the query string or the form says, never a 5xx.

The routes come from the URLconf (tests/test_permissions_matrix.py's walk, and its MATRIX for
the methods each answers, and a valid body to start from); the parameter names from the code:
every name a view reads from request.GET / request.POST (or through core.params), and every
field of every Django form the views use. Each request draws some of those names with hostile
values: Unicode digits ("²"), ids past a bigint, NUL and control characters, markup, other
objects' ids, lists, searches of nothing but operators, 9999-12-31, 1e400 (tests/fuzzing.py's
HOSTILE_STRINGS), and now and then a parameter whose bytes are not UTF-8.

A bounded derandomized run here; `make fuzz` runs PARLEY_FUZZ_EXAMPLES per route and role with
a random seed (as tests/test_api_fuzz.py does for the API).
"""
from __future__ import annotations

import inspect
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import HOSTILE_STRINGS, UNDECODABLE, fuzz_record, fuzz_settings
from tests.test_permissions_matrix import EXCLUDED_PREFIXES, MATRIX, _routes, _url, world  # noqa: F401 (fixture)

ROLES = ("anonymous", "reader", "moderator", "admin")

ROOT = Path(__file__).resolve().parent.parent
_READS = re.compile(
    r"""(?:GET|POST|query_params)(?:\.get|\.getlist|\.pop)?\(?\[?\s*["'](\w+)["']"""
    r"""|(?:int_|int_list_|str_)param\(\s*request\.(?:GET|POST)\s*,\s*["'](\w+)["']"""
)


def _names_read_by_views() -> set[str]:
    names = set()
    for folder in ("blog", "moderation", "core"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in _READS.finditer(path.read_text()):
                names.add(match[1] or match[2])
    return names


def _form_fields() -> set[str]:
    get_resolver().url_patterns  # noqa: B018 - import every view, and so every form they use
    from django.contrib.auth.forms import AuthenticationForm

    names, todo = set(), [forms.Form, AuthenticationForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith(("blog", "moderation", "core", "django.contrib.auth.forms")):
            continue
        try:
            names |= set(cls().fields)
        except Exception:  # noqa: BLE001 - a form that needs arguments: its declared fields
            names |= set(cls.base_fields)
    return names


NAMES = sorted(_names_read_by_views() | _form_fields())


def _callbacks(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _callbacks(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _names_near(callback) -> list[str]:
    """The names read in the module of a route's view (its helpers too), and the fields of the
    forms that module uses: drawn more often for that route than the project-wide pool."""
    view = inspect.unwrap(getattr(callback, "view_class", callback))
    module = inspect.getmodule(view)
    source = inspect.getsource(module)
    names = {m[1] or m[2] for m in _READS.finditer(source)}
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, forms.Form) and value.__name__ in source:
            try:
                names |= set(value().fields)
            except Exception:  # noqa: BLE001
                names |= set(value.base_fields)
    return sorted(names) or NAMES


ROUTE_NAMES = {route: _names_near(callback) for route, callback in _callbacks(get_resolver().url_patterns)}
HTML_ROUTES = sorted(
    (method, route)
    for method, route in MATRIX
    if not route.startswith(("api/", *EXCLUDED_PREFIXES))
)


def test_the_fuzz_covers_every_html_route_and_the_parameters_the_bugs_were_in():
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith(("api/", *EXCLUDED_PREFIXES))}
    assert {route for _, route in HTML_ROUTES} == routes
    assert {"reply_to", "comment", "before", "known", "ids", "seen_event", "next", "text", "username"} <= set(NAMES)


HOSTILE = [
    "", " ", "0", "-1", "²", "\x00", "1\x00", "٣", "１２", "1e3", " 7 ", "9" * 30, str(2**63), "\x00", "a\x00b", "<script>x</script>",
    "../../etc/passwd", "//evil.example/", "https://evil.example/", "javascript:alert(1)", "null", "true", "%", "%%",
    "\u200b\ufeff", "\ufffd", "ß" * 200, "x" * 6000, ",", "1,2,,3", "1,²", "HELD", "PUBLISHED",
    *HOSTILE_STRINGS,  # issue 20's shapes: operator-only searches, control characters, 9999-12-31, 1e400
]


def _values(world):
    ids = [str(v) for v in world["kwargs"].values()] + [str(world["held"].pk)]
    scalar = st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(HOSTILE),
        st.sampled_from(HOSTILE),
        st.sampled_from(ids),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    )
    return st.one_of(scalar, st.lists(scalar, min_size=1, max_size=3))


@pytest.fixture
def clients(world, settings):
    settings.PARLEY_RATE_LIMITS = {k: "100000/min" for k in settings.PARLEY_RATE_LIMITS}
    from django.contrib.auth.models import Group, Permission

    from tests.factories import UserFactory

    admin = UserFactory(username="fuzz-admin")
    group, _ = Group.objects.get_or_create(name="Policy admins")
    group.permissions.set(Permission.objects.filter(codename__in=["can_moderate", "change_policy"]))
    admin.groups.add(group)
    users = {**world["users"], "admin": admin}
    return {role: users[role] for role in ROLES}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, route", HTML_ROUTES, ids=[f"{m} /{r}" for m, r in HTML_ROUTES])
def test_no_page_or_form_answers_5xx_whatever_its_parameters(world, clients, method, route, role):
    url = _url(route, world["kwargs"])
    base = {k: (str(world["held"].pk) if v == "HELD" else v) for k, v in (MATRIX[(method, route)][0] or {}).items()}

    @fuzz_settings(default_examples=4)
    @given(
        params=st.dictionaries(
            st.one_of(st.sampled_from(ROUTE_NAMES[route]), st.sampled_from(ROUTE_NAMES[route]), st.sampled_from(NAMES)),
            _values(world),
            max_size=4,
        ),
        keep_base=st.booleans(),
        # Now and then one more parameter whose bytes are not UTF-8 (issue 20: stored as "caf\ufffd").
        undecodable=st.one_of(st.none(), st.tuples(st.sampled_from(ROUTE_NAMES[route]), st.sampled_from(UNDECODABLE))),
    )
    def check(params, keep_base, undecodable):
        client = Client()
        if clients[role] is not None:
            client.force_login(clients[role])
        raw = f"&{undecodable[0]}={undecodable[1]}" if undecodable else ""
        if method == "GET":
            response = client.get(f"{url}?{urlencode(params, doseq=True)}{raw}")
        else:
            # The same names in the query string too: a form view may read either (?next=).
            body = urlencode({**(base if keep_base else {}), **params}, doseq=True) + raw
            response = client.post(
                f"{url}?{urlencode(params, doseq=True)}", body.encode("ascii"), content_type="application/x-www-form-urlencoded"
            )
        fuzz_record(response.status_code, readiness=url == "/readyz")
        if url == "/readyz" and response.status_code == 503:
            # The readiness probe's 503 is its answer (no worker heartbeat here), a JSON body naming
            # what failed, not a crash.
            assert "failed" in response.json(), response.content[:300]
            return
        assert response.status_code < 500, (method, url, params, response.content[:300])

    check()
