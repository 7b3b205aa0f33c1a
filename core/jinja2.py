"""The Jinja2 environment for the few hot templates that render many times a page (the moderator
queue's cards: 25 a page, and each poll's new ones). Django's template language spends most of a
queue page resolving variables; Jinja2 compiles a template to Python once. Django's own filters
are reused, so a card reads exactly as a Django template would print it."""
from __future__ import annotations

from django.template import defaultfilters
from django.urls import reverse
from jinja2 import Environment
from markupsafe import Markup, escape


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def _django_escape(value):
    # Escape as Django templates do (&#x27; and &quot;, not markupsafe's &#39; and &#34;), so a
    # value reads the same on every page; already-safe values (SafeString, Markup) pass through.
    # markupsafe's C escape, then the two spellings: a literal "&#39;" in the input was escaped
    # to "&amp;#39;", so only the escaper's own entities are rewritten.
    if hasattr(value, "__html__"):
        return value
    return Markup(str(escape(value)).replace("&#39;", "&#x27;").replace("&#34;", "&quot;"))


def environment(**options) -> Environment:
    env = Environment(finalize=_django_escape, **options)
    env.globals.update(url=url)
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
