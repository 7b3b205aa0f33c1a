"""The worker's spam rules (moderation.rules.worker_rule_reasons): the same text posted many times,
one character repeated, mostly links from a new account. Each is a named rule a policy can switch
off; the worker stores what it found on the Analysis so the threshold preview decides alike; and
a policy's rules_off / publish_languages are validated on the page and in the API (400 naming the field)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from blog.models import Comment
from moderation import rules
from moderation.models import Policy
from moderation.pipeline import scoring
from moderation.policy import selectors
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import client_for, scores

X5000 = "x" * 5000
LINKS = "Cheap pills https://pills.example/buy?ref=1 https://pills.example/offer?ref=2 http://spam.example/x"


class QuietToxicity:
    """Scores every text as harmless (toxicity 0.07, as the real model scored the 5,000 x's):
    these tests are about the rules that hold a comment *whatever* its scores."""

    name, version, labels = "scripted", "1", tuple(rules.DEFAULT_THRESHOLDS)

    def score(self, texts):
        return [scores(toxicity=0.07) for _ in texts]


class NeutralStance:
    name, version, labels = "scripted-stance", "1", ("favor", "against", "neutral")

    def score(self, pairs):
        return [{"favor": 0.1, "against": 0.1, "neutral": 0.8} for _ in pairs]


def score(comment) -> Comment:
    models = scoring.Models(toxicity=QuietToxicity(), stance=NeutralStance())
    scoring.comments_classify(comment_id=comment.pk, batch_size=1, models=models)
    return Comment.objects.select_related("analysis").get(pk=comment.pk)


def reasons(findings, **kw):
    return rules.worker_rule_reasons(language="en", model_name="scripted", findings=findings, **kw)


# --- the rules on plain findings ---------------------------------------------------------------


def test_text_findings_measure_one_character_and_links():
    assert rules.text_findings(X5000) == {"chars": 5000, "top_char_share": 1.0, "link_share": 0.0}
    assert rules.text_findings(LINKS)["link_share"] > 0.8
    assert rules.text_findings("A perfectly ordinary comment about trams.")["top_char_share"] < 0.2
    assert rules.text_findings("   ") == {"chars": 0, "top_char_share": 0.0, "link_share": 0.0}


def test_each_spam_rule_holds_with_its_reason_and_only_past_its_limit():
    assert reasons({"repeats": 3}) == ["the same text was posted 3 times in 24 hours"]
    assert reasons({"repeats": 2}) == []
    assert reasons(rules.text_findings(X5000)) == ["100% of its 5,000 characters are one character repeated"]
    assert reasons(rules.text_findings("Nooooooooooooo!")) == []  # short: an exclamation, not junk
    links = rules.text_findings(LINKS)
    assert reasons({**links, "account_age_hours": 20}) == [f"mostly links ({links['link_share']:.0%}), from an account 20 hours old"]
    assert reasons({**links, "account_age_hours": 24 * 30}) == []  # a known reader may share links
    assert reasons({}) == []  # nothing found (an old Analysis): no rule applies


def test_a_policy_switches_each_rule_off_by_name():
    found = {**rules.text_findings(X5000), "repeats": 5}
    assert len(reasons(found)) == 2
    assert reasons(found, rules_off=[rules.REPEATED_TEXT, rules.ONE_CHARACTER]) == []


# --- in the worker -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_holds_5000_xs_that_the_model_scores_harmless():
    comment = score(CommentFactory(text=X5000, status=Comment.Status.PENDING))

    assert comment.status == Comment.Status.HELD
    event = comment.moderation_events.latest("id")
    assert "one character repeated" in event.reason
    assert comment.analysis.findings["top_char_share"] == 1.0


@pytest.mark.django_db
def test_the_third_copy_of_a_text_is_held_the_first_two_are_published():
    article = ArticleFactory()
    text = "Visit my channel for the truth about this!"
    first = score(CommentFactory(article=article, text=text, status=Comment.Status.PENDING))
    second = score(CommentFactory(article=article, text=text.upper() + "  ", status=Comment.Status.PENDING))
    third = score(CommentFactory(article=article, text=text, status=Comment.Status.PENDING))

    assert (first.status, second.status, third.status) == ("published", "published", "held")
    assert third.analysis.findings["repeats"] == 3
    assert "posted 3 times" in third.moderation_events.latest("id").reason


@pytest.mark.django_db
def test_links_from_a_day_old_account_are_held_from_an_old_one_published():
    fresh = UserFactory(username="fresh", date_joined=timezone.now() - timedelta(hours=20))
    old = UserFactory(username="old", date_joined=timezone.now() - timedelta(days=400))

    assert score(CommentFactory(author=fresh, text=LINKS, status=Comment.Status.PENDING)).status == "held"
    assert score(CommentFactory(author=old, text=LINKS, status=Comment.Status.PENDING)).status == "published"


@pytest.mark.django_db
def test_a_rule_switched_off_in_the_policy_publishes_and_the_preview_redecides_from_stored_findings():
    held = score(CommentFactory(text=X5000, status=Comment.Status.PENDING))
    assert held.status == "held"

    preview = selectors.policy_preview(draft=selectors.Draft(
        thresholds=Policy.objects.get(is_active=True).thresholds, rules_off=(rules.ONE_CHARACTER,)))
    assert preview.transitions == {"held → published": 1}

    Policy.objects.filter(is_active=True).update(rules_off=[rules.ONE_CHARACTER])
    assert score(CommentFactory(text="y" * 300, status=Comment.Status.PENDING)).status == "published"


# --- the policy editor and API -----------------------------------------------------------------


@pytest.fixture
def policy_admin(db):
    user = UserFactory(username="padmin")
    user.user_permissions.add(Permission.objects.get(codename="change_policy", content_type__app_label="moderation"))
    return user


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_policy_api_saves_rules_off_and_languages_and_names_the_bad_field(policy_admin):
    body = {"thresholds": rules.DEFAULT_THRESHOLDS, "rules_off": ["repeated_text"], "publish_languages": ["de", "FR"]}
    saved = _api(policy_admin).post("/api/moderation/policy/", body, format="json")
    assert saved.status_code == 201, saved.json()
    assert saved.json()["rules_off"] == ["repeated_text"] and saved.json()["publish_languages"] == ["de", "fr"]

    bad_rule = _api(policy_admin).post("/api/moderation/policy/", {**body, "rules_off": ["no_cats"]}, format="json")
    assert bad_rule.status_code == 400 and "Unknown rule 'no_cats'" in bad_rule.json()["rules_off"][0]
    bad_lang = _api(policy_admin).post("/api/moderation/policy/", {**body, "publish_languages": ["klingon"]}, format="json")
    assert bad_lang.status_code == 400 and "klingon" in bad_lang.json()["publish_languages"][0]
    preview = _api(policy_admin).post("/api/moderation/policy/preview/", {**body, "rules_off": "all"}, format="json")
    assert preview.status_code == 400 and "rules_off" in preview.json()
    # Saving without them keeps the active version's.
    kept = _api(policy_admin).post("/api/moderation/policy/", {"thresholds": rules.DEFAULT_THRESHOLDS}, format="json")
    assert kept.json()["rules_off"] == ["repeated_text"]


@pytest.mark.django_db
def test_the_policy_editor_lists_the_rules_and_saves_them(policy_admin):
    client = client_for(policy_admin)
    page = client.get("/moderation/policy/").content.decode()
    for name in rules.WORKER_RULES:
        assert f'value="{name}"' in page
    form = {"premoderate_all": "", "on_failure": "hold", "note": "", "n": "", "action": "save",
            "rules_off": ["links_from_new_account"], "publish_languages": "de, it"}
    for label, cut in rules.DEFAULT_THRESHOLDS.items():
        form[f"{label}__hold"], form[f"{label}__reject"] = cut["hold"], cut["reject"]

    assert client.post("/moderation/policy/", form).status_code == 302
    active = Policy.objects.get(is_active=True)
    assert (active.rules_off, active.publish_languages) == (["links_from_new_account"], ["de", "it"])
    bad = client.post("/moderation/policy/", {**form, "publish_languages": "de, xx1"})
    assert bad.status_code == 400 and "xx1" in bad.content.decode()
