"""What the worker stores and decides beyond the scores, with the real shipped models in-process:
the comment's language (text the model cannot read is held, unless the policy says otherwise) and,
for held comments, the phrase behind the top label."""
import pytest

from blog.models import Comment
from moderation.models import Analysis, Policy
from moderation.pipeline import scoring
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

CHINESE = "你这个白痴，滚出去，闭嘴吧，垃圾作者"
SPANISH = "Eres un idiota y un mentiroso, cállate"
RUSSIAN = "Ты идиот, заткнись"
THREAT = "I will wait for you outside the council offices and break both your legs. I know where you live."


@pytest.fixture(scope="module")
def models():
    return scoring.load_models()


def classify(models, *texts) -> list[Comment]:
    comments = [CommentFactory(text=t, status=Comment.Status.PENDING) for t in texts]
    for c in comments:
        scoring.comments_classify(comment_id=c.pk, batch_size=1, models=models)
    return [Comment.objects.select_related("analysis").get(pk=c.pk) for c in comments]


def test_comments_the_model_cannot_read_are_held_and_say_so(models):
    for comment, name in zip(classify(models, CHINESE, SPANISH, RUSSIAN), ("Chinese", "Spanish", "Russian")):
        assert comment.status == Comment.Status.HELD
        assert comment.analysis.language in ("zh", "es", "ru")
        event = comment.moderation_events.latest("created_at")
        assert f"written in {name}, which the toxicity model does not read" in event.reason


def test_a_policy_may_publish_a_language_or_switch_the_rule_off(models):
    Policy.objects.filter(is_active=True).update(publish_languages=["es"])
    spanish_ok = classify(models, "Me gusta mucho este artículo, gracias por escribirlo")[0]
    assert spanish_ok.analysis.language == "es" and spanish_ok.status == Comment.Status.PUBLISHED
    Policy.objects.filter(is_active=True).update(publish_languages=[], rules_off=["unread_language"])
    assert classify(models, "这篇文章写得很好，谢谢作者")[0].status == Comment.Status.PUBLISHED


def test_a_held_comment_carries_the_phrase_behind_its_label(models):
    [comment] = classify(models, THREAT)
    explanation = comment.analysis.explanation
    assert comment.status in (Comment.Status.HELD, Comment.Status.REJECTED)
    assert explanation["label"] == "threat"
    assert THREAT[explanation["start"]:explanation["end"]] == explanation["phrase"]
    # The model keys on the threat's frame ("I will wait for ...") more than on the legs: either is the threat.
    assert explanation["phrase"] and explanation["end"] <= THREAT.index(". I know")


def test_a_published_comment_carries_no_explanation(models):
    [comment] = classify(models, "Thank you for a balanced and well researched article.")
    assert comment.status == Comment.Status.PUBLISHED
    assert Analysis.objects.get(comment=comment).explanation == {}
