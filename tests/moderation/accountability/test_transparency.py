"""The transparency report (DSA Art. 15/24): per month, from the audit log. A property test holds
its counts to the audit log's on generated months; the pages, CSV, API and public switch follow."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.accountability.transparency import MODERATION_ACTIONS, percentile, transparency_report
from moderation.models import Appeal, ModerationEvent, Policy
from tests.factories import CommentFactory, UserFactory

from .helpers import client_for, moderator, site_admin, worker_decided  # noqa: F401

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 1, tzinfo=UTC)
HUMAN_ACTIONS = {"approve", "reject", "escalate", "undo"}
AUTO_ACTIONS = {"auto_publish", "auto_hold", "auto_reject", "classification_failed"}
event_st = st.tuples(
    st.sampled_from(sorted(MODERATION_ACTIONS) + ["author_edit", "appeal"]),
    st.integers(min_value=-40, max_value=70),  # day offset from 1 March: some fall in February or April
    st.integers(min_value=0, max_value=86_399),  # seconds into that day
    st.integers(min_value=0, max_value=5 * 86_400),  # posted this long before the decision
)
appeal_st = st.tuples(st.integers(min_value=-5, max_value=35), st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
                      st.sampled_from(["upheld", "reinstated"]))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=st.lists(event_st, max_size=14), appeals=st.lists(appeal_st, max_size=5))
def test_report_counts_equal_the_audit_logs_on_a_generated_month(events, appeals):
    with transaction.atomic():
        mod = UserFactory(username="prop-mod")
        policy = Policy.objects.get(is_active=True)
        for action, day, second, age in events:
            at = MARCH + timedelta(days=day, seconds=second)
            comment = CommentFactory(created_at=at - timedelta(seconds=age))
            ModerationEvent.objects.create(comment=comment, actor=mod if action in HUMAN_ACTIONS else None, action=action,
                                           previous_status="held", new_status="held", policy=policy, created_at=at)
        for opened_day, decided_after, outcome in appeals:
            opened = MARCH + timedelta(days=opened_day, hours=1)
            Appeal.objects.create(comment=CommentFactory(status="rejected"), created_at=opened,
                                  decided_at=opened + timedelta(days=decided_after) if decided_after is not None else None,
                                  outcome=outcome if decided_after is not None else "")

        [march] = transparency_report(first=date(2026, 3, 1), last=date(2026, 3, 1))

        in_march = ModerationEvent.objects.filter(created_at__gte=MARCH, created_at__lt=datetime(2026, 4, 1, tzinfo=UTC))
        for action in MODERATION_ACTIONS:
            assert march.actions.get(action, 0) == in_march.filter(action=action).count(), action
        assert "author_edit" not in march.actions and "appeal" not in march.actions
        assert march.automated == in_march.filter(action__in=AUTO_ACTIONS).count()
        assert march.human == in_march.filter(action__in=HUMAN_ACTIONS).count()
        assert march.reversals == in_march.filter(action="undo").count()
        decided = Appeal.objects.filter(decided_at__gte=MARCH, decided_at__lt=datetime(2026, 4, 1, tzinfo=UTC))
        assert march.appeals_opened == Appeal.objects.filter(created_at__gte=MARCH, created_at__lt=datetime(2026, 4, 1, tzinfo=UTC)).count()
        assert march.appeals_upheld == decided.filter(outcome="upheld").count()
        assert march.appeals_reinstated == decided.filter(outcome="reinstated").count()
        humans = march.actions.get("approve", 0) + march.actions.get("reject", 0) + march.actions.get("escalate", 0)
        assert march.reversal_rate == (round(march.reversals / humans, 4) if humans else None)
        transaction.set_rollback(True)


def test_percentile_is_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([3, 1, 2], 0.5) == 2
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([5], 0.9) == 5


def test_restrictions_by_rule_and_automated_decisions_come_from_the_statements(reader, moderator):
    worker_decided(author=reader, tox={"threat": 0.95})
    worker_decided(author=reader, tox={"threat": 0.5})
    today = date.today()
    [month] = transparency_report(first=today, last=today)
    assert month.restrictions_by_rule == {"No threats": 2}
    assert month.restrictions_by_kind == {"rejected": 1, "held": 1}
    assert month.restrictions_automated_decision == 2
    assert month.models == ["parley-minilm 3"]
    assert month.policy_versions


def test_admin_page_csv_and_api(site_admin, reader):
    worker_decided(author=reader, tox={"threat": 0.95})
    month = date.today().strftime("%Y-%m")
    page = client_for(site_admin).get(f"/moderation/transparency/?from={month}&to={month}")
    assert page.status_code == 200 and b"<svg" in page.content and b"No threats: 1" in page.content
    csv = client_for(site_admin).get(f"/moderation/transparency/report.csv?from={month}&to={month}")
    assert csv["Content-Type"].startswith("text/csv")
    header, row = csv.content.decode().splitlines()[:2]
    assert "action:auto_reject" in header and "rule:No threats" in header and row.startswith(month)
    api = client_for(site_admin).get(f"/api/moderation/transparency/?from={month}&to={month}")
    assert api.status_code == 200
    assert api.json()["months"][0]["actions"]["auto_reject"] == 1


@pytest.mark.parametrize("query, field", [("?from=March", "from"), ("?from=2026-05&to=2026-01", "to"),
                                          ("?from=2020-01&to=2026-01", "to"), ("?from=9999-12&to=9999-12", "from")])
def test_api_names_the_bad_month(site_admin, query, field):
    response = client_for(site_admin).get(f"/api/moderation/transparency/{query}")
    assert response.status_code == 400 and field in response.json()
    assert client_for(site_admin).get(f"/moderation/transparency/{query}").status_code == 400


def test_report_is_admins_only_and_public_only_when_switched_on(site_admin, moderator, reader):
    for user in (None, reader, moderator):
        assert client_for(user).get("/api/moderation/transparency/").status_code == 403
        assert client_for(user).get("/moderation/transparency/").status_code in (302, 403)
    assert client_for(None).get("/moderation/transparency/public/").status_code == 404
    client_for(site_admin).post("/moderation/transparency/publish/", {"public": "on"})
    public = client_for(None).get("/moderation/transparency/public/")
    assert public.status_code == 200 and b"Transparency report" in public.content
    assert b"Download CSV" not in public.content and b"/moderation/transparency/publish/" not in public.content
    client_for(site_admin).post("/moderation/transparency/publish/", {})
    assert client_for(None).get("/moderation/transparency/public/").status_code == 404


def test_the_policy_page_carries_the_public_switch(site_admin):
    page = client_for(site_admin).get("/moderation/policy/").content.decode()
    assert 'action="/moderation/transparency/publish/"' in page
    client_for(site_admin).post("/moderation/transparency/publish/", {"public": "on"})
    assert client_for(None).get("/moderation/transparency/public/").status_code == 200
