"""Every value a queue card prints is escaped exactly once, the way Django templates escape it.

The cards render with Jinja2 (core/jinja2.py), whose own autoescape is off because its
``finalize`` escapes each output: these tests hold both halves of that bargain, on what a
moderator sees."""
from __future__ import annotations

import pytest
from django.urls import reverse

from blog.models import CommentReport
from core.jinja2 import url_for_id
from moderation.models import ModerationEvent
from tests.factories import ArticleFactory, UserFactory
from tests.moderation.queue.helpers import client_for, moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

HOSTILE = "<b>x</b> & 'y' \"z\""
ESCAPED = "&lt;b&gt;x&lt;/b&gt; &amp; &#x27;y&#x27; &quot;z&quot;"


def test_titles_reasons_and_names_on_a_card_are_escaped_once(moderator):  # noqa: F811
    article = ArticleFactory(title=f"Title {HOSTILE}")
    comment = queued_comment(text=f"Text {HOSTILE}", tox={"insult": 0.7}, article=article)
    ModerationEvent.objects.filter(comment=comment).update(reason=f"Rule {HOSTILE}")
    CommentReport.objects.create(comment=comment, reporter=UserFactory(username="reporter"), reason=f"Report {HOSTILE}")

    html = client_for(moderator).get("/moderation/").content.decode()

    for prefix in ("Title", "Text", "Rule", "Report"):
        assert f"{prefix} {ESCAPED}" in html, prefix
    assert "<b>x</b>" not in html
    assert "&amp;lt;" not in html and "&amp;amp;" not in html and "&amp;#x27;" not in html  # never twice


def test_card_forms_post_to_the_comments_own_decide_url(moderator):  # noqa: F811
    comment = queued_comment(text="A held insult", tox={"insult": 0.7})

    html = client_for(moderator).get("/moderation/").content.decode()

    decide = reverse("moderation:comment_decide", args=[comment.pk])
    assert f'action="{decide}"' in html
    assert url_for_id("moderation:comment_decide", comment.pk) == decide
    assert f'href="{reverse("moderation:audit_log")}?comment={comment.pk}"' in html
