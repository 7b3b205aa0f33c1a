from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from blog import selectors

register = template.Library()


@register.inclusion_tag("blog/_sidebar.html")
def sidebar():
    return {"recent_comments": selectors.recent_comments(), "star_bloggers": selectors.star_bloggers()}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def in_set(value, collection) -> bool:
    return value in (collection or ())


@register.filter
def author_name(user) -> str:
    return selectors.author_name(user)


@register.filter
def sentence(text) -> str:
    """``text`` ending as a sentence does (a full stop added when it has none), so the sentence
    after it does not run on: "... an insult. Only you can see ..."."""
    text = str(text or "").rstrip()
    return text if not text or text[-1] in ".!?…" else text + "."


@register.filter
def mark_phrase(text: str, outcome) -> str:
    """The comment's text, escaped, with the scoring's marked phrase in <mark> (at its offsets)."""
    start, end = outcome.start, outcome.end
    if start is None or end is None or not 0 <= start < end <= len(text):
        return mark_safe(escape(text).replace("\n", "<br>"))
    parts = [escape(text[:start]), f'<mark class="phrase">{escape(text[start:end])}</mark>', escape(text[end:])]
    return mark_safe("".join(parts).replace("\n", "<br>"))
