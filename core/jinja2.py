"""The Jinja2 environment for the few hot templates that render many times a page (the moderator
queue's cards: 25 a page, and each poll's new ones). Django's template language spends most of a
queue page resolving variables; Jinja2 compiles a template to Python once. Django's own filters
are reused, so a card reads exactly as a Django template would print it.

Every ``{{ }}`` output is escaped exactly once, by ``finalize`` (Django's spelling of the
entities, already-safe values passed through). Jinja2's own autoescape is off because it would
escape a second time: with both, a card page spent ~7 ms of its ~23 ms render building Markup
objects twice for each of its ~2,400 outputs. tests/moderation/queue/test_card_escaping.py holds
the escaping to it.
"""
from __future__ import annotations

from functools import lru_cache

from django.template import defaultfilters
from django.urls import reverse
from jinja2 import Environment
from markupsafe import escape

_ID_PLACEHOLDER = 987654321987  # an id no row has: reversed once, then replaced in the string


def url(name: str, *args) -> str:
    return reverse(name, args=args)


@lru_cache(maxsize=64)
def _url_pattern(name: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_ID_PLACEHOLDER]).partition(str(_ID_PLACEHOLDER))
    return head, tail


def url_for_id(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a URL whose only argument is an integer id, without
    walking the resolver for each of a page's cards (it was 4 ms of a queue page)."""
    head, tail = _url_pattern(name)
    return f"{head}{int(pk)}{tail}"


def _django_escape(value) -> str:
    # Escape as Django templates do (&#x27; and &quot;, not markupsafe's &#39; and &#34;), so a
    # value reads the same on every page; already-safe values (SafeString, Markup) pass through.
    # markupsafe's C escape, then the two spellings: a literal "&#39;" in the input was escaped
    # to "&amp;#39;", so only the escaper's own entities are rewritten.
    kind = type(value)
    if kind is int or kind is float:  # most of a card's outputs: ids, counts
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return str(escape(value)).replace("&#39;", "&#x27;").replace("&#34;", "&quot;")


def environment(**options) -> Environment:
    options["autoescape"] = False  # finalize escapes every output, once (see the module's docstring)
    env = Environment(finalize=_django_escape, **options)
    env.globals.update(url=url, url_for_id=url_for_id)
    env.filters.update(
        date=defaultfilters.date,
        floatformat=defaultfilters.floatformat,
        linebreaksbr=defaultfilters.linebreaksbr,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
        yesno=defaultfilters.yesno,
        pluralize=defaultfilters.pluralize,
    )
    return env
