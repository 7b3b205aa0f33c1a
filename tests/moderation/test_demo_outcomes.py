"""The demo scored by the real models under the shipped default policy: abuse is held or
rejected *by the label that fits it* (a threat by `threat`), with the phrase behind it marked,
disagreement (polite or sarcastic) is published, and every comment gets a stance or "stance unclear"
(never favor for a threat or an insult); seed 003's six
reader comments are all published.

Runs the worker's own service in-process (no broker: this is about the models and the policy,
the pipeline has its own end-to-end tests). The known misses are listed, not hidden: each is a
strict xfail, so the day a better model catches one, this file says so."""
import importlib

import pytest

from blog.demo import DEMO_COMMENT_KINDS, demo_load
from blog.models import Comment
from ml.classifiers.base import stance_label
from ml.classifiers.stance import load_default_stance_classifier
from moderation.pipeline import scoring

# The shipped default policy (migration 0006), frozen: other moderation tests pin
# rules.DEFAULT_THRESHOLDS to cut-offs of their own (tests/conftest.py).
SHIPPED = importlib.import_module("moderation.migrations.0006_policy_v2_for_parley_minilm").THRESHOLDS_V2

ABUSE = ("insult", "obscene", "threat", "identity_attack")
DISAGREEMENT = ("disagree_polite", "sarcastic")

pytestmark = pytest.mark.django_db

# Misses of parley-minilm, the shipped default (see docs/MODELS.md, "Known limits"). The immigrants
# comment was one (identity_attack 0.12 read whole) until identity_attack was read
# sentence by sentence (0.39).
KNOWN_MISSES: dict[str, str] = {}
# The labels that name each kind of abuse: holding a threat by `toxicity` alone would be luck.
FITTING_LABELS = {
    "threat": ("threat",),
    "identity_attack": ("identity_attack",),
    "insult": ("insult", "toxicity", "severe_toxicity"),
    "obscene": ("obscene", "toxicity", "severe_toxicity"),
}


@pytest.fixture(scope="module")
def scored_demo(django_db_setup, django_db_blocker):
    """Load and score the demo once for the module, inside a transaction rolled back at the end
    (so nothing leaks into other tests, and no task is ever enqueued: on_commit never fires)."""
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from moderation.models import Policy

    with django_db_blocker.unblock():
        # Data written here is outside any test's transaction: never let it reach a real database.
        assert "test" in connection.settings_dict["NAME"], connection.settings_dict["NAME"]
        outer = transaction.atomic()
        outer.__enter__()
        try:
            Policy.objects.filter(is_active=True).update(thresholds=SHIPPED)
            with override_settings(PARLEY_TOXICITY_MODEL="parley-minilm"):
                demo_load()
                models = scoring.load_models()
                for pk in scoring.unscored_comment_ids(older_than_seconds=0):
                    scoring.comments_classify(comment_id=pk, models=models)
            yield {c.text: c for c in Comment.objects.select_related("analysis")}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _cases(kinds):
    for text, kind in DEMO_COMMENT_KINDS.items():
        if kind in kinds:
            miss = next((why for start, why in KNOWN_MISSES.items() if text.startswith(start)), None)
            marks = [pytest.mark.xfail(strict=True, reason=miss)] if miss else []
            yield pytest.param(text, id=f"{kind}:{text[:30]}", marks=marks)


@pytest.mark.parametrize("text", list(_cases(ABUSE)))
def test_demo_abuse_is_held_or_rejected_by_the_label_that_fits(scored_demo, text):
    comment = scored_demo[text]
    scores = comment.analysis.scores
    assert comment.status in (Comment.Status.HELD, Comment.Status.REJECTED), scores
    crossed = {label for label, cut in SHIPPED.items() if scores.get(label, 0.0) >= cut["hold"]}
    assert crossed & set(FITTING_LABELS[DEMO_COMMENT_KINDS[text]]), (crossed, scores)
    explanation = comment.analysis.explanation
    assert explanation["phrase"] and text[explanation["start"]:explanation["end"]] == explanation["phrase"]
    # The phrase starts and ends on a word that means something ("I will break both", not "and I will break both").
    from ml.explain import FILLER_WORDS

    edge_words = explanation["phrase"].split()
    assert edge_words[0].lower() not in FILLER_WORDS and edge_words[-1].lower().strip(",.;:!?") not in FILLER_WORDS, explanation


@pytest.mark.parametrize("text", list(_cases(DISAGREEMENT)))
def test_demo_disagreement_is_published(scored_demo, text):
    assert scored_demo[text].status == Comment.Status.PUBLISHED, scored_demo[text].analysis.scores


def test_every_demo_comment_has_a_stance_toward_the_article_or_says_it_is_unclear(scored_demo):
    # Shown only where the shipped model is confident enough (ml.classifiers.base.stance_label).
    min_confidence = load_default_stance_classifier().min_confidence
    for _text, comment in scored_demo.items():
        a = comment.analysis
        assert a.stance_article_label == stance_label(a.stance_article, min_confidence=min_confidence)
        if comment.parent_id:
            assert a.stance_parent_label == stance_label(a.stance_parent, min_confidence=min_confidence)


def test_no_demo_threat_or_insult_is_shown_as_agreeing_with_the_article(scored_demo):
    for text, comment in scored_demo.items():
        if DEMO_COMMENT_KINDS[text] in ("threat", "insult") and not comment.parent_id:
            assert comment.analysis.stance_article_label in ("against", "unclear"), text



def _seed_003_comments():
    from pathlib import Path

    from blog.importing import parse_page

    seeds = sorted((Path(__file__).resolve().parents[3] / "shared" / "seeds").glob("003_*.txt"))
    return parse_page(seeds[0].read_text(encoding="utf-8")).comments if seeds else []


# Seed 003's one miss: a reader answering another with "You are completely ignoring the fact that Russia is the bully!"
SEED_MISSES = {"You are completely ignoring": "toxicity 0.62 over its 0.38 cut-off"}


@pytest.mark.parametrize("text", [
    pytest.param(c.text, id=f"seed003:{c.text[:30]}", marks=[pytest.mark.xfail(strict=True, reason=why)
                 for words, why in SEED_MISSES.items() if words in c.text])
    for c in _seed_003_comments()
] or [pytest.param(None, marks=pytest.mark.skip(reason="../shared/seeds/003_*.txt is not beside the repository"))])
def test_seed_003s_reader_comments_are_published(text):
    """Six readers disagreeing about an opinion piece: none of it is abuse."""
    from moderation.pipeline import scoring
    from moderation.rules import PUBLISH, decide

    [scores] = scoring.load_models().toxicity.score([text])
    verdict = decide(scores, SHIPPED)
    assert verdict.status == PUBLISH, verdict.reason


# Issue 21's behaviours on real sentences, under the shipped policy. Strict xfails are the shipped
# model's measured misses (docs/MODELS.md, "Round three"): the day the weights catch one, this says so.
THREAT_SCORE_MISSES = {"Margaret, I know which house": "threat 0.44 (held by threat, but under the 0.5 target)"}


@pytest.mark.parametrize("text", [
    pytest.param(text, id=f"threat:{text[:30]}", marks=[pytest.mark.xfail(strict=True, reason=why)
                 for start, why in THREAT_SCORE_MISSES.items() if text.startswith(start)])
    for text, kind in DEMO_COMMENT_KINDS.items() if kind == "threat"
])
def test_demo_threats_score_at_least_half_on_threat_and_are_held_by_it(scored_demo, text):
    scores = scored_demo[text].analysis.scores
    assert scores["threat"] >= 0.5 and scores["threat"] >= SHIPPED["threat"]["hold"], scores


@pytest.mark.parametrize("text", [
    "As a homosexual man, I think the council got this one right.",
    "I'm a proud lesbian and I agree with every word.",
    "Is the new vicar gay? Honest question, I'd love to know.",
    "We murdered them 5-0 on Saturday.",
])
def test_naming_who_you_are_or_a_sporting_rout_is_published(text):
    from moderation.pipeline import scoring
    from moderation.rules import PUBLISH, decide

    [scores] = scoring.load_models().toxicity.score([text])
    assert decide(scores, SHIPPED).status == PUBLISH, scores


@pytest.mark.parametrize("text", [
    pytest.param("Nice car you've got, Margaret. Grey Golf, parked outside number 9 every night. Would be a shame.",
                 marks=pytest.mark.xfail(strict=True, reason="veiled threat: threat 0.00 (no act, no weapon named)")),
    pytest.param("Someone should teach that councillor a lesson with a baseball bat, and I'd happily help.",
                 marks=pytest.mark.xfail(strict=True, reason="threat as a wish: threat 0.00")),
])
def test_veiled_and_wished_threats_are_held_by_threat(text):
    from moderation.pipeline import scoring

    [scores] = scoring.load_models().toxicity.score([text])
    assert scores["threat"] >= SHIPPED["threat"]["hold"], scores
