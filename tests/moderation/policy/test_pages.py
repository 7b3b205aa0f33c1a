"""The thresholds, versions, re-apply, discussions and viewpoint-audit pages
(moderation/policy/views.py)."""
from __future__ import annotations

import copy
import re

import pytest
from django.test import Client

from blog.models import Article, Comment
from ml.classifiers.base import TOXICITY_LABELS
from moderation.models import Policy
from moderation.rules import DEFAULT_THRESHOLDS
from tests.factories import ArticleFactory
from tests.moderation.policy.helpers import human, moderator, policy_admin, scored_comment, scores  # noqa: F401

pytestmark = pytest.mark.django_db

PAGES = ["/moderation/policy/", "/moderation/policy/versions/", "/moderation/policy/versions/1/",
         "/moderation/policy/reapply/", "/moderation/viewpoints/"]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def admin_client_(policy_admin):
    return client_for(policy_admin)


def form_data(action="preview", n=1000, **changes):
    t = copy.deepcopy(DEFAULT_THRESHOLDS)
    for label, (hold, reject) in changes.items():
        t[label] = {"hold": hold, "reject": reject}
    data = {"action": action, "on_failure": "hold", "note": "", "n": n}
    for label in TOXICITY_LABELS:
        data[f"{label}__hold"] = t[label]["hold"]
        data[f"{label}__reject"] = t[label]["reject"]
    return data


# --- who may see what --------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_admin_pages_send_the_anonymous_to_log_in_and_refuse_moderators(url, reader, moderator, policy_admin):
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client_for(reader).get(url).status_code == 403
    assert client_for(moderator).get(url).status_code == 403
    assert client_for(policy_admin).get(url).status_code == 200


def test_discussions_page_is_for_moderators(reader, moderator):
    assert Client().get("/moderation/discussions/").status_code == 302
    assert client_for(reader).get("/moderation/discussions/").status_code == 403
    assert client_for(moderator).get("/moderation/discussions/").status_code == 200


# --- thresholds --------------------------------------------------------------------------------


def test_policy_page_shows_the_active_cutoffs_in_the_form(admin_client_):
    page = admin_client_.get("/moderation/policy/").content.decode()

    assert "version 1" in page
    assert re.search(r'name="toxicity__hold"[^>]*value="0.6"', page)
    assert re.search(r'name="severe_toxicity__reject"[^>]*value="0.8"', page)
    assert "<script" not in page  # the CSP will not allow inline scripts


@pytest.fixture
def changing(moderator):
    scored_comment(text="fine", tox=scores(toxicity=0.10))
    evil = scored_comment(text="<script>alert('x')</script> you fool", tox=scores(toxicity=0.50))
    human(evil, "reject", moderator)
    return evil


def test_preview_renders_counts_an_svg_chart_with_cutoff_markers_and_the_changes(admin_client_, changing):
    response = admin_client_.post("/moderation/policy/", form_data(toxicity=(0.4, 0.9)))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="preview"' in page
    assert page.count("<svg") == len(TOXICITY_LABELS)
    # toxicity: draft hold at 0.4 of a 320-wide chart, active hold (dashed) at 0.6
    assert re.search(r'class="cutoff cutoff-hold cutoff-draft"[^>]*x1="128.0"', page)
    assert re.search(r'class="cutoff cutoff-hold cutoff-active"[^>]*x1="192.0"', page)
    assert 'class="cutoff cutoff-reject cutoff-draft"' in page
    assert "published → held: 1" in page
    assert "toxicity 0.50 is at or above the hold threshold 0.40" in page
    assert Policy.objects.count() == 1  # previewing saves nothing


def test_comment_text_in_the_changed_list_is_escaped(admin_client_, changing):
    page = admin_client_.post("/moderation/policy/", form_data(toxicity=(0.4, 0.9))).content.decode()

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; you fool" in page
    assert "<script" not in page


def test_saving_from_the_page_creates_a_new_active_version(admin_client_, policy_admin, changing):
    data = form_data(action="save", toxicity=(0.4, 0.9))
    data["note"] = "hold borderline comments"

    response = admin_client_.post("/moderation/policy/", data, follow=True)

    active = Policy.objects.get(is_active=True)
    assert (active.version, active.note, active.created_by) == (2, "hold borderline comments", policy_admin)
    assert active.thresholds["toxicity"] == {"hold": 0.4, "reject": 0.9}
    assert "Saved as version 2" in response.content.decode()
    assert Comment.objects.get(pk=changing.pk).status == "rejected"  # the moderator's decision stands


def test_a_draft_with_hold_above_reject_is_refused_with_the_reason(admin_client_):
    response = admin_client_.post("/moderation/policy/", form_data(action="save", insult=(0.9, 0.5)))

    assert response.status_code == 400
    assert "insult: hold 0.9 is above reject 0.5" in response.content.decode()
    assert Policy.objects.count() == 1


def test_a_cutoff_outside_0_to_1_is_refused(admin_client_):
    response = admin_client_.post("/moderation/policy/", form_data(action="save", threat=(0.5, 1.5)))

    assert response.status_code == 400
    assert Policy.objects.count() == 1


# --- versions and re-apply ---------------------------------------------------------------------


def test_old_versions_stay_readable_and_can_be_restored(admin_client_):
    admin_client_.post("/moderation/policy/", form_data(action="save", insult=(0.1, 0.2)))

    listing = admin_client_.get("/moderation/policy/versions/").content.decode()
    detail = admin_client_.get("/moderation/policy/versions/1/").content.decode()
    assert "v2" in listing and "v1" in listing
    assert "Restore v1" in detail and "0.50" in detail  # v1's insult hold

    response = admin_client_.post("/moderation/policy/versions/1/restore/")

    # Restoring offers to re-apply it: the admin lands on the re-apply plan.
    assert response.status_code == 302 and response["Location"] == "/moderation/policy/reapply/"
    assert "restored as version 3" in admin_client_.get(response["Location"]).content.decode()
    v3 = Policy.objects.get(is_active=True)
    assert (v3.version, v3.note, v3.thresholds) == (3, "restored from v1", DEFAULT_THRESHOLDS)
    assert admin_client_.get("/moderation/policy/versions/9/").status_code == 404


def test_reapply_shows_the_count_then_redecides_on_confirm(admin_client_, moderator):
    auto = scored_comment(status="held", tox=scores(toxicity=0.7))
    touched = scored_comment(status="held", tox=scores(toxicity=0.7))
    human(touched, "escalate", moderator)
    admin_client_.post("/moderation/policy/", form_data(action="save", toxicity=(0.8, 0.95)))

    confirm = admin_client_.get("/moderation/policy/reapply/").content.decode()
    assert re.search(r'class="reapply-count">1<', confirm) and "1 published" in confirm
    assert Comment.objects.get(pk=auto.pk).status == "held"

    admin_client_.post("/moderation/policy/reapply/", {"confirm": "yes"})

    assert Comment.objects.get(pk=auto.pk).status == "published"
    assert Comment.objects.get(pk=touched.pk).status == "held"


# --- discussions and audit ---------------------------------------------------------------------


def test_discussions_page_lists_articles_with_a_link_to_their_queue(moderator):
    held = scored_comment(status="held", tox=scores(toxicity=0.7))

    page = client_for(moderator).get("/moderation/discussions/").content.decode()

    assert f'href="/moderation/?article={held.article_id}"' in page
    assert "Pre-moderate" not in page  # toggling is for admins


def test_an_admin_turns_pre_moderation_on_for_one_article_from_the_discussions_page(admin_client_, moderator):
    article = ArticleFactory()
    scored_comment(status="held", article=article)

    assert "Pre-moderate" in admin_client_.get("/moderation/discussions/").content.decode()
    admin_client_.post(f"/moderation/discussions/{article.pk}/premoderation/", {"premoderate": "on"})
    assert Article.objects.get(pk=article.pk).premoderate_comments
    assert article.title in admin_client_.get("/moderation/policy/").content.decode()

    admin_client_.post(f"/moderation/discussions/{article.pk}/premoderation/", {"back": "policy"})
    assert not Article.objects.get(pk=article.pk).premoderate_comments
    assert client_for(moderator).post(f"/moderation/discussions/{article.pk}/premoderation/", {"premoderate": "on"}).status_code == 403


def test_viewpoint_audit_page_shows_rates_by_stance(admin_client_):
    scored_comment(stance="against", status="held", tox=scores(toxicity=0.3))
    scored_comment(stance="favor", status="published", tox=scores(toxicity=0.3))

    page = admin_client_.get("/moderation/viewpoints/", {"label": "max", "days": 30}).content.decode()

    assert "Automatic decisions" in page and "Moderators’ decisions" in page
    assert "1 (100%)" in page and "0 (0%)" in page
    assert "+100.0 pp" in page  # against held, favor published, same score


def test_the_viewpoint_audits_old_address_redirects_permanently_with_its_filters():
    response = Client().get("/moderation/audit/", {"label": "max", "days": 30})

    assert response.status_code == 301
    assert response["Location"] == "/moderation/viewpoints/?label=max&days=30"


def test_discussions_and_audit_pages_show_for_what_share_of_comments_a_stance_is_shown(admin_client_):
    article = ArticleFactory(title="Trams")
    scored_comment(article=article, stance="against", status="held", tox=scores(toxicity=0.3))
    scored_comment(article=article, stance="unclear", status="held", tox=scores(toxicity=0.3))
    scored_comment(article=article, stance="unclear", status="published", tox=scores(toxicity=0.1))
    scored_comment(article=article, stance="favor", status="published", tox=scores(toxicity=0.1))

    discussions = admin_client_.get("/moderation/discussions/").content.decode()
    audit = admin_client_.get("/moderation/viewpoints/", {"label": "max", "days": 30}).content.decode()

    assert "Stance shown for 50% of comments (2 of 4 scored in the last 7 days)" in discussions
    assert "1 / 1" in discussions  # favor / against: the unclear two are not counted
    assert "Stance shown for 50% of comments (2 of 4); the rest are stance unclear and not counted." in audit


def test_preview_size_is_the_admins_choice_within_limits(admin_client_, changing):
    page = admin_client_.post("/moderation/policy/", form_data(n=1, toxicity=(0.4, 0.9))).content.decode()
    assert "The last 1 scored comments (of 1 asked for)" not in page and "The last 1 scored comments" in page

    too_many = admin_client_.post("/moderation/policy/", form_data(n=20001))
    assert too_many.status_code == 400 and 'id="preview"' not in too_many.content.decode()


def test_policy_page_names_the_models_with_their_quality_and_warns_when_a_fallback_runs(
        admin_client_, settings, monkeypatch):
    from moderation.models import Analysis
    from moderation.policy import models_in_use

    monkeypatch.setattr(models_in_use, "recorded_quality",
                        lambda: {"parley-minilm": {"identity templates ROC AUC": 0.991}})
    comment = scored_comment(text="Fine.")
    Analysis.objects.filter(comment=comment).update(toxicity_model="parley-minilm")

    settings.PARLEY_TOXICITY_MODEL = "detoxify:original"
    page = admin_client_.get("/moderation/policy/").content.decode()
    assert "Fallback running" in page and "<code>detoxify:original</code>" in page
    assert "identity templates ROC AUC" in page and "0.991" in page and "Reads: English" in page

    settings.PARLEY_TOXICITY_MODEL = "parley-minilm"
    assert "Fallback running" not in admin_client_.get("/moderation/policy/").content.decode()
