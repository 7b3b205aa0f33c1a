"""The publish / hold / reject rule and the reason it gives."""
import pytest
from django.core.exceptions import ValidationError

from moderation.rules import DEFAULT_THRESHOLDS, decide, validate_thresholds

T = {"toxicity": {"hold": 0.5, "reject": 0.9}, "insult": {"hold": 0.6, "reject": 0.95}}


def test_below_every_hold_threshold_is_published():
    verdict = decide({"toxicity": 0.1, "insult": 0.2}, T)
    assert verdict.status == "published"


def test_at_the_hold_threshold_is_held_with_the_rule_in_words():
    verdict = decide({"toxicity": 0.3, "insult": 0.83}, T)
    assert verdict.status == "held"
    assert verdict.reason == "insult 0.83 is at or above the hold threshold 0.60"


def test_any_label_at_its_reject_threshold_rejects():
    verdict = decide({"toxicity": 0.92, "insult": 0.7}, T)
    assert verdict.status == "rejected"
    assert verdict.reasons == ["toxicity 0.92 is at or above the reject threshold 0.90"]


def test_premoderation_holds_an_otherwise_clean_comment_and_says_why():
    verdict = decide({"toxicity": 0.01}, T, premoderation="every comment on this article is pre-moderated")
    assert verdict.status == "held" and "pre-moderated" in verdict.reason


def test_labels_the_model_does_not_predict_are_skipped():
    assert decide({"toxicity": 0.1}, DEFAULT_THRESHOLDS).status == "published"


@pytest.mark.parametrize(
    "draft, message",
    [
        ({"rudeness": {"hold": 0.5, "reject": 0.9}}, "Unknown label 'rudeness'"),
        ({"insult": {"hold": 0.9, "reject": 0.5}}, "hold 0.9 is above reject 0.5"),
        ({"insult": {"hold": -0.1, "reject": 0.5}}, "outside 0..1"),
        ({"insult": {"hold": "high", "reject": 0.5}}, "must be a number"),
        ({"insult": {"hold": 0.5}}, "exactly the keys"),
    ],
)
def test_bad_thresholds_are_refused_with_the_reason(draft, message):
    with pytest.raises(ValidationError) as exc:
        validate_thresholds(draft)
    assert message in " ".join(exc.value.message_dict["thresholds"])


def test_the_shipped_defaults_are_what_migration_0006_installs():
    import importlib

    from moderation.rules import DEFAULT_THRESHOLDS

    migration = importlib.import_module("moderation.migrations.0006_policy_v2_for_parley_minilm")
    assert migration.THRESHOLDS_V2 == DEFAULT_THRESHOLDS
