"""The model commands a newsroom engineer runs by hand: score a file, drain a backlog."""
import json

import pytest
from django.core.management import CommandError, call_command

from blog.models import Comment
from moderation.models import Analysis
from tests.factories import CommentFactory


def test_score_writes_every_label_and_the_stance_for_each_line(tmp_path, settings):
    settings.PARLEY_TOXICITY_MODEL = "jigsaw-bilstm"
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"text": "You are a stupid idiot and I hope you die."}) + "\n\n"
        + json.dumps({"text": "Smoking in parks harms children and should be banned.",
                      "claim": "We should ban smoking in public places", "parent": "Banning it is overreach."}) + "\n"
    )
    out = tmp_path / "out.jsonl"

    call_command("score", input=src, output=out, verbosity=0)

    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2
    assert rows[0]["toxicity_model"] == "jigsaw-bilstm"
    assert rows[0]["scores"]["toxicity"] == pytest.approx(0.996, abs=0.002)
    assert "stance_claim" not in rows[0]
    assert rows[1]["stance_claim"]["label"] == "favor"
    assert set(rows[1]["stance_parent"]["probabilities"]) == {"favor", "against", "neutral"}


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"text": "fine"}\n{"text": \n', "in.jsonl:2: not valid JSON"),
        ('{"text": "fine"}\n{"txt": "typo"}\n', "in.jsonl:2: unknown field(s) txt"),
        ('{"text": "   "}\n', "in.jsonl:1: 'text' is required and must not be empty"),
        ('{"text": 5}\n', "in.jsonl:1: 'text' must be a string"),
    ],
)
def test_score_refuses_a_bad_line_with_its_number_and_writes_nothing(tmp_path, content, message):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(content)
    with pytest.raises(CommandError) as exc:
        call_command("score", input=src, output=out, verbosity=0)
    assert exc.value.returncode == 2 and message in str(exc.value)
    assert not out.exists()


@pytest.mark.django_db
def test_classify_pending_scores_and_decides_the_backlog(settings):
    settings.PARLEY_TOXICITY_MODEL = "jigsaw-bilstm"
    backlog = [CommentFactory(status=Comment.Status.PENDING, text=t) for t in ("Thanks, good read.", "I disagree.")]

    call_command("classify_pending", verbosity=0)

    assert Analysis.objects.filter(comment__in=backlog).count() == 2
    assert all(c.status == Comment.Status.PUBLISHED for c in Comment.objects.filter(pk__in=[c.pk for c in backlog]))
