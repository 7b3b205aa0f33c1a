"""Activation and rollback switch what a REAL worker scores with, through the broker, without a
restart: a real Celery worker process, real Redis, the real parley-minilm weights.

The site version here is the shipped head with its toxicity bias raised by 12 (everything it reads
looks toxic), so which model scored a polite comment is plain from its outcome as well as from
the version its analysis stores."""
from __future__ import annotations

import json
import time

import pytest

from blog import services as blog_services
from blog.models import Comment
from ml.adaptation import shipped_head
from moderation.adaptation.services import base_classifier
from moderation.adaptation.serving import ACTIVE_CHECK_SECONDS
from moderation.models import Analysis, ModelVersion
from tests.factories import ArticleFactory, UserFactory
from tests.integration_worker import WORKER_TOXICITY_MODEL, wait_until
from tests.moderation.queue.helpers import _group, client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(WORKER_TOXICITY_MODEL != "parley-minilm", reason="site versions adapt parley-minilm")]

POLITE = "Thank you for the clear explanation of the timetable changes."


def _scored(comment_id):
    def check():
        c = Comment.objects.get(pk=comment_id)
        return c if c.status != Comment.Status.PENDING and Analysis.objects.filter(comment=c).exists() else None

    return check


def _post_and_wait(article, author, text):
    comment = blog_services.comment_create(article=article, author=author, text=text)
    return wait_until(_scored(comment.pk), timeout=120, what="the worker to score the comment")


def test_activating_a_site_version_and_rolling_back_switch_the_workers_model(celery_worker):
    admin = UserFactory(username="adm")
    admin.groups.add(_group("admins", "can_moderate", "change_policy"))
    api = client_for(admin)
    base = base_classifier()
    head = shipped_head(base)
    head.bias[0] += 12.0  # toxicity
    shipped, _ = ModelVersion.objects.get_or_create(kind="shipped", defaults={"is_active": True})
    site = ModelVersion.objects.create(kind="site", base_version=base.version, params=head.to_json(),
                                       status="ready", report={})
    article, reader = ArticleFactory(), UserFactory()

    before = _post_and_wait(article, reader, POLITE)
    assert before.status == Comment.Status.PUBLISHED and "+site" not in before.analysis.toxicity_model_version

    r = api.post(f"/api/moderation/models/{site.pk}/activate/", json.dumps({}), content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is True
    time.sleep(ACTIVE_CHECK_SECONDS + 1)  # the worker re-reads the active version at most this often
    during = _post_and_wait(article, reader, POLITE + " Really.")
    assert during.analysis.toxicity_model_version == f"{base.version}+site.{site.pk}"
    assert during.analysis.toxicity_model == "parley-minilm"
    assert during.status in (Comment.Status.HELD, Comment.Status.REJECTED)

    r = api.post(f"/api/moderation/models/{shipped.pk}/rollback/", json.dumps({}), content_type="application/json")
    assert r.status_code == 200 and r.json()["kind"] == "shipped"
    time.sleep(ACTIVE_CHECK_SECONDS + 1)
    after = _post_and_wait(article, reader, POLITE + " Truly.")
    assert after.status == Comment.Status.PUBLISHED and after.analysis.toxicity_model_version == base.version

    # Both switches are in the admin log, with who made them.
    from django.contrib.admin.models import LogEntry

    messages = list(LogEntry.objects.filter(user=admin).order_by("id").values_list("change_message", flat=True))
    assert messages == [f"activated {site} (was {shipped})", f"rolled back to {shipped} (was {site})"]
