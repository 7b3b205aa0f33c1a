"""Model–moderator agreement (moderation.insights.agreement; /moderation/agreement/ and
GET /api/moderation/agreement/) on a fixture of decisions whose figures were computed by hand.

Pinned hold cut-offs (tests/conftest.py): toxicity 0.60, insult 0.50, threat 0.30.

    comment  scores          model  auto       moderator (week of)        outcome
    c1       insult 0.80     A      held       rejected (Nov 2)           TP
    c2       insult 0.55     A      held       approved (Nov 2)           FP
    c3       threat 0.40     A      held       rejected (Nov 9)           TP
    c4       all 0.01        B      published  rejected (Nov 9)           FN   (reported, then rejected)
    c5       toxicity 0.65   B      held       approved (Nov 9)           FP
    c6       insult 0.90     B      held       approved, undone, rejected TP   (the standing verdict)
    c7       insult 0.70     B      held       approved, undone           —    (no standing verdict)
    c8       all 0.01        B      published  approved (Nov 2)           TN   (reports dismissed)

    all:     n 7, agreed 4, precision 3/5 = 0.60, recall 3/4 = 0.75
    insult:  held c1 c2 c6 -> precision 2/3, recall 2/4 = 0.50
    threat:  held c3 -> precision 1.00, recall 1/4 = 0.25
    toxicity: held c5 -> precision 0.00, recall 0.00;  obscene: holds nothing -> precision undefined
    week of Nov 2 (c1 c2 c8): n 3, agreed 2, precision 1/2, recall 1/1
    week of Nov 9 (c3 c4 c5 c6): n 4, agreed 2, precision 2/3, recall 2/3
    model A (c1 c2 c3): n 3, agreed 2, precision 2/3, recall 2/2;  model B (c4 c5 c6 c8): n 4, agreed 2, precision 1/2, recall 1/2
    worst disagreements: c4 (published, rejected: 1 - 0.01), c5 (0.65), c2 (0.55)
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rest_framework.test import APIClient

from moderation.insights.agreement import agreement_report
from moderation.models import Analysis, ModerationEvent
from tests.moderation.queue.helpers import client_for, moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

WEEK1 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # the week of Monday Nov 2
WEEK2 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)  # the week of Monday Nov 9

FIXTURE = [  # key, scores, model version, [(action, when)]
    ("c1", {"insult": 0.80}, "1", [("reject", WEEK1)]),
    ("c2", {"insult": 0.55}, "1", [("approve", WEEK1)]),
    ("c3", {"threat": 0.40}, "1", [("reject", WEEK2)]),
    ("c4", {}, "2", [("reject", WEEK2)]),
    ("c5", {"toxicity": 0.65}, "2", [("approve", WEEK2)]),
    ("c6", {"insult": 0.90}, "2", [("approve", WEEK1), ("undo", WEEK1), ("reject", WEEK2)]),
    ("c7", {"insult": 0.70}, "2", [("approve", WEEK2), ("undo", WEEK2)]),
    ("c8", {}, "2", [("approve", WEEK1)]),
]


@pytest.fixture
def decisions(moderator):  # noqa: F811
    ids = {}
    for key, tox, version, steps in FIXTURE:
        comment = queued_comment(text=f"comment {key}", tox=tox)
        Analysis.objects.filter(comment=comment).update(toxicity_model="parley-minilm", toxicity_model_version=version)
        previous = None
        for action, when in steps:
            previous = ModerationEvent.objects.create(
                comment=comment, actor=moderator, action=action, reason="r", previous_status="held",
                new_status="held", created_at=when, reverses=previous if action == "undo" else None)
        ids[key] = comment.pk
    return ids


def figures(a) -> tuple:
    return (a.n, a.agreed, a.precision, a.recall)


def test_the_agreement_figures_are_the_hand_computed_ones(decisions):
    report = agreement_report()

    assert figures(report.overall) == (7, 4, pytest.approx(0.60), pytest.approx(0.75))
    labels = {a.key: a for a in report.per_label}
    assert (labels["insult"].precision, labels["insult"].recall) == (pytest.approx(2 / 3), pytest.approx(0.50))
    assert (labels["threat"].precision, labels["threat"].recall) == (pytest.approx(1.0), pytest.approx(0.25))
    assert (labels["toxicity"].precision, labels["toxicity"].recall) == (0.0, 0.0)
    assert labels["obscene"].precision is None and labels["obscene"].model_flagged == 0
    assert [(a.key, *figures(a)) for a in report.per_week] == [
        ("2026-11-02", 3, 2, pytest.approx(0.5), pytest.approx(1.0)),
        ("2026-11-09", 4, 2, pytest.approx(2 / 3), pytest.approx(2 / 3)),
    ]
    assert [(a.key, *figures(a)) for a in report.per_model] == [
        ("parley-minilm 1", 3, 2, pytest.approx(2 / 3), pytest.approx(1.0)),
        ("parley-minilm 2", 4, 2, pytest.approx(0.5), pytest.approx(0.5)),
    ]
    by_pk = {pk: key for key, pk in decisions.items()}
    assert [by_pk[j.comment_id] for j in report.worst] == ["c4", "c5", "c2"]
    assert report.worst[0].disagreement == pytest.approx(0.99)


def test_filters_narrow_to_a_model_version_and_to_days(decisions):
    assert figures(agreement_report(model="parley-minilm 1").overall) == (3, 2, pytest.approx(2 / 3), pytest.approx(1.0))
    # Only the week of Nov 9: c6's standing verdict (its reject) is in it, its undone approve is not.
    assert agreement_report(since=date(2026, 11, 9), until=date(2026, 11, 15)).overall.n == 4


def test_the_page_and_the_api_show_the_figures(decisions, moderator):  # noqa: F811
    page = client_for(moderator).get("/moderation/agreement/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>7</strong> decisions: the model agreed on 4 (0.57)" in html
    assert "precision 0.60, recall 0.75" in html and 'data-key="2026-11-09"' in html

    client = APIClient()
    client.force_authenticate(moderator)
    data = client.get("/api/moderation/agreement/", {"model": "parley-minilm 2"}).json()
    assert (data["overall"]["n"], data["overall"]["precision"], data["overall"]["recall"]) == (4, 0.5, 0.5)
    assert data["models"] == ["parley-minilm 1", "parley-minilm 2"]
    bad = client.get("/api/moderation/agreement/", {"since": "2026-11-10", "until": "2026-11-01"})
    assert bad.status_code == 400 and "until" in bad.json()
    assert client.get("/api/moderation/agreement/", {"since": "yesterday"}).status_code == 400
    assert client_for(moderator).get("/moderation/agreement/?since=nope").status_code == 400


def test_undoing_an_escalation_leaves_the_verdict_before_it_standing(moderator):  # noqa: F811
    comment = queued_comment(text="reported after approval", tox={"insult": 0.55})
    approve = ModerationEvent.objects.create(comment=comment, actor=moderator, action="approve", reason="",
                                             previous_status="held", new_status="published", created_at=WEEK1)
    escalate = ModerationEvent.objects.create(comment=comment, actor=moderator, action="escalate", reason="legal",
                                              previous_status="published", new_status="published", created_at=WEEK2)
    ModerationEvent.objects.create(comment=comment, actor=moderator, action="undo", reason="", reverses=escalate,
                                   previous_status="published", new_status="published", created_at=WEEK2)

    report = agreement_report()

    assert report.overall.n == 1 and approve.action == "approve"
    assert (report.overall.model_flagged, report.overall.moderator_rejected) == (1, 0)


def test_readers_may_not_see_it(reader):
    assert client_for(reader).get("/moderation/agreement/").status_code == 403
