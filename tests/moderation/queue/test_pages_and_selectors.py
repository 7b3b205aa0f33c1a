"""The moderators' review queue and audit log pages (moderation/queue/views.py, selectors.py)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Comment, CommentReport
from blog.services import comment_report
from moderation.models import AuthorStanding, ModerationEvent
from moderation.queue import selectors
from moderation.queue.decisions import comment_decide
from moderation.queue.selectors import Cursor, QueueFilters, queue_counts, review_queue
from moderation.queue.services import queue_rerank
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import client_for, moderator, queued_comment, second_moderator  # noqa: F401

pytestmark = pytest.mark.django_db

PAGES = ["/moderation/", "/moderation/?tab=reported", "/moderation/queue/poll/", "/moderation/audit-log/"]
POSTS = ["/moderation/comments/1/decide/", "/moderation/bulk/", "/moderation/authors/alice/standing/"]


def card_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="card-(\d+)"', html)]


# --- who may see what --------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_queue_pages_send_the_anonymous_to_log_in_refuse_readers_and_open_for_moderators(url, reader, moderator):
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client_for(reader).get(url).status_code == 403
    assert client_for(moderator).get(url).status_code == 200


@pytest.mark.parametrize("url", POSTS)
def test_queue_actions_refuse_the_anonymous_and_readers(url, reader):
    comment = queued_comment(tox={"insult": 0.7})
    url = url.replace("/1/", f"/{comment.pk}/")
    assert client_for(None).post(url, {"action": "approve"}).status_code == 302
    assert client_for(reader).post(url, {"action": "approve", "ids": [comment.pk]}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert not ModerationEvent.objects.filter(actor__isnull=False).exists()


def test_the_moderation_link_and_nav_show_for_moderators(moderator):
    html = client_for(moderator).get("/moderation/").content.decode()
    assert 'href="/moderation/audit-log/"' in html and "Review queue" in html


# --- tabs and ranking --------------------------------------------------------------------------


def test_each_tab_lists_its_comments_with_counts(moderator):
    held = queued_comment(tox={"insult": 0.7})
    failed = queued_comment(status="failed")
    rejected = queued_comment(tox={"insult": 0.99})
    published = queued_comment()
    reported = queued_comment(text="Reported one")
    comment_report(comment=reported, reporter=UserFactory(), reason="spam")
    client = client_for(moderator)

    expected = {"held": [held], "failed": [failed], "rejected": [rejected], "reported": [reported],
                "published": [reported, published]}
    for tab, comments in expected.items():
        html = client.get(f"/moderation/?tab={tab}").content.decode()
        assert sorted(card_ids(html)) == sorted(c.pk for c in comments), tab
    html = client.get("/moderation/").content.decode()
    for key, n in {"held": 1, "reported": 1, "failed": 1, "published": 2, "rejected": 1}.items():
        assert re.search(rf'data-count-for="{key}"[^>]*>{n}<', html), key


def test_tab_counts_follow_the_filters_and_count_only_open_reports(moderator):
    article, other = ArticleFactory(), ArticleFactory()
    queued_comment(tox={"insult": 0.7}, article=article, stance="against")
    queued_comment(tox={"insult": 0.65, "threat": 0.62}, article=article, stance="favor")
    queued_comment(tox={"threat": 0.85}, article=other, stance="against")
    ruled = queued_comment(article=article, stance="against")
    open_ = queued_comment(article=article, stance="against")
    for reporter in (UserFactory(), UserFactory()):  # two open reports: one comment on the tab
        comment_report(comment=open_, reporter=reporter, reason="spam")
    comment_report(comment=ruled, reporter=UserFactory(), reason="spam")
    CommentReport.objects.filter(comment=ruled).update(upheld=False)
    queued_comment(tox={"insult": 0.99}, article=article)  # rejected

    def counts(**filters) -> dict:
        c = queue_counts(filters=QueueFilters(**filters))
        assert not any(t.capped for t in c.values())
        return {tab: t.n for tab, t in c.items()}

    assert counts() == {"held": 3, "reported": 1, "failed": 0, "published": 2, "rejected": 1, "appeals": 0}
    assert counts(article_id=article.pk) == {"held": 2, "reported": 1, "failed": 0, "published": 2, "rejected": 1, "appeals": 0}
    assert counts(stance="against") == {"held": 2, "reported": 1, "failed": 0, "published": 2, "rejected": 0, "appeals": 0}
    assert counts(label="threat", min_score=0.6) == {"held": 2, "reported": 0, "failed": 0, "published": 0, "rejected": 0, "appeals": 0}
    assert counts(label="insult", min_score=0.66, article_id=article.pk)["held"] == 1


def test_a_tab_past_the_cap_says_so_instead_of_counting_on(moderator, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    make_held(4)
    queued_comment(tox={"insult": 0.99})
    html = client_for(moderator).get("/moderation/").content.decode()

    assert re.search(r'data-count-for="held" data-count="3" data-capped="1"[^>]*>3\+<', html)
    assert re.search(r'data-count-for="rejected" data-count="1">1<', html)
    data = client_for(moderator).get("/moderation/queue/poll/", {"counts_only": "1"}).json()
    assert data["counts"]["held"] == 3 and data["counts_capped"]["held"] is True
    assert data["count_labels"] == {"held": "3+", "reported": "0", "failed": "0", "published": "0", "rejected": "1", "appeals": "0"}


def test_a_reported_comment_leaves_the_reported_tab_once_a_moderator_rules(moderator):
    comment = queued_comment()
    comment_report(comment=comment, reporter=UserFactory(), reason="spam")
    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")

    assert card_ids(client_for(moderator).get("/moderation/?tab=reported").content.decode()) == []


def test_held_tab_puts_escalated_first_then_the_more_toxic_then_the_longer_waiting(moderator):
    article = ArticleFactory()
    now = timezone.now()
    mild = queued_comment(tox={"insult": 0.55}, article=article, created_at=now, rerank=False)
    toxic = queued_comment(tox={"insult": 0.90}, article=article, created_at=now, rerank=False)
    # Two days in the queue break the tie between equals, but do not lift it over 0.90.
    old_mild = queued_comment(tox={"insult": 0.55}, article=article, created_at=now - timedelta(hours=48), rerank=False)
    escalated = queued_comment(tox={"insult": 0.51}, article=article, created_at=now, rerank=False)
    queue_rerank(comment_ids=[mild.pk, toxic.pk, old_mild.pk, escalated.pk])
    comment_decide(comment_id=escalated.pk, moderator=moderator, action="escalate", reason="legal should look")

    html = client_for(moderator).get("/moderation/").content.decode()

    assert card_ids(html) == [escalated.pk, toxic.pk, old_mild.pk, mild.pk]
    assert "badge-escalated" in html and "legal should look" in html


def test_a_hotter_thread_ranks_its_held_comment_higher(moderator):
    quiet, busy = ArticleFactory(), ArticleFactory()
    now = timezone.now()
    a = queued_comment(tox={"insult": 0.6}, article=quiet, created_at=now)
    CommentFactory.create_batch(20, article=busy)
    b = queued_comment(tox={"insult": 0.6}, article=busy, created_at=now)

    assert card_ids(client_for(moderator).get("/moderation/").content.decode()) == [b.pk, a.pk]


# --- the card ----------------------------------------------------------------------------------


def test_card_shows_text_article_parent_author_record_labels_stance_rule_model_and_reports(moderator):
    article = ArticleFactory(title="Cities should ban cars")
    author = UserFactory(username="carol")
    parent = queued_comment(text="Cars are essential for families.", article=article)
    CommentFactory(author=author, status=Comment.Status.PUBLISHED)
    CommentFactory(author=author, status=Comment.Status.REJECTED)
    AuthorStanding.objects.create(user=author, premoderated=True)
    comment = queued_comment(
        text="You are an idiot.\nSecond line.", tox={"insult": 0.83, "toxicity": 0.4}, article=article, parent=parent,
        author=author, stance="against", parent_stance="against",
    )
    # Reported while it was published, then held again by a moderator's policy re-apply, say.
    CommentReport.objects.create(comment=comment, reporter=UserFactory(username="dave"), reason="Name-calling")

    html = client_for(moderator).get("/moderation/").content.decode()

    assert "You are an idiot.<br>Second line." in html
    assert "Cities should ban cars" in html and article.get_absolute_url() in html
    assert "in reply to" in html and "Cars are essential for families." in html
    assert "carol" in html and "1 published · 1 rejected · 1 waiting" in html and "pre-moderated" in html
    assert re.search(r'class="chip chip-hold"[^>]*>insult 0.83<', html)
    assert re.search(r'class="chip chip-near"[^>]*>toxicity 0.40<', html) is None  # 0.40 < 0.8 × 0.60
    assert re.search(r'class="chip chip-low"[^>]*>toxicity 0.40<', html)
    assert "against toward the article" in html and "against toward the parent" in html
    assert "insult 0.83 is at or above the hold threshold 0.50" in html
    # Model names and versions behind the card's Details toggle.
    assert 'detoxify:original <span class="version">0.5.2</span>' in html and 'nli-stance <span class="version">2</span>' in html
    assert "dave" in html and "Name-calling" in html


def test_a_card_says_stance_unclear_where_the_model_is_not_confident(moderator):
    parent = queued_comment(text="Trams are a waste of money.")
    queued_comment(text="Hmm, maybe.", tox={"insult": 0.7}, parent=parent, stance="unclear", parent_stance="unclear")

    html = client_for(moderator).get("/moderation/").content.decode()

    assert "stance unclear" in html and "stance toward the parent unclear" in html
    assert "unclear toward the article" not in html


def test_a_failed_comment_says_it_was_not_scored(moderator):
    queued_comment(status="failed")
    html = client_for(moderator).get("/moderation/?tab=failed").content.decode()
    assert "Not scored: classification failed." in html and "classification failed after retries" in html


def test_comment_text_is_escaped_on_the_queue_page_and_in_the_poll(moderator):
    comment = queued_comment(text='<script>alert("x")</script><img src=x onerror=alert(1)>', tox={"insult": 0.7})
    CommentReport.objects.create(comment=comment, reporter=UserFactory(), reason="<b>bold</b>")
    client = client_for(moderator)

    for html in (client.get("/moderation/").content.decode(),
                 client.get("/moderation/queue/poll/").json()["cards"][0]["html"]):
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_pages_have_no_inline_script_or_handlers_for_the_coming_csp(moderator):
    queued_comment(tox={"insult": 0.7})
    for url in ("/moderation/", "/moderation/audit-log/"):
        html = client_for(moderator).get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.search(r"\son[a-z]+=", html) is None
        assert ' style="' not in html


# --- filters -----------------------------------------------------------------------------------


def test_filters_by_label_score_stance_article_author_and_date(moderator):
    article = ArticleFactory()
    author = UserFactory(username="erin")
    now = timezone.now()
    insulting = queued_comment(tox={"insult": 0.9}, stance="against", article=article, created_at=now)
    threatening = queued_comment(tox={"threat": 0.5}, stance="favor", author=author, created_at=now - timedelta(days=3))
    client = client_for(moderator)

    def ids(query):
        response = client.get(f"/moderation/?{query}")
        assert response.status_code == 200, response.content
        return card_ids(response.content.decode())

    assert ids("label=insult&min_score=0.8") == [insulting.pk]
    assert ids("label=threat&min_score=0.4") == [threatening.pk]
    # A label alone: the comments it flagged (at or past its hold cut-off), not every held card.
    assert ids("label=threat") == [threatening.pk]
    assert ids("label=insult") == [insulting.pk]
    assert ids("label=identity_attack") == []
    # A minimum score alone: any label that high.
    assert ids("min_score=0.8") == [insulting.pk]
    assert sorted(ids("min_score=0.45")) == sorted([insulting.pk, threatening.pk])
    assert ids("stance=favor") == [threatening.pk]
    assert ids(f"article={article.pk}") == [insulting.pk]
    assert ids("author=erin") == [threatening.pk]
    day = (now - timedelta(days=3)).date().isoformat()
    assert ids(f"date_from={day}&date_to={day}") == [threatening.pk]
    assert sorted(ids(f"date_from={day}")) == sorted([insulting.pk, threatening.pk])


def test_bad_filters_are_answered_400_with_the_reason(moderator):
    client = client_for(moderator)
    assert client.get("/moderation/?tab=nope").status_code == 400
    assert client.get("/moderation/?min_score=1.5").status_code == 400  # scores are 0..1
    response = client.get("/moderation/?cursor=garbage")
    assert response.status_code == 400 and "no longer valid" in response.content.decode()


# --- keyset pagination -------------------------------------------------------------------------


def make_held(n: int) -> list[Comment]:
    article = ArticleFactory()
    now = timezone.now()
    comments = [
        queued_comment(tox={"insult": 0.5 + (i % 7) * 0.06}, article=article, created_at=now - timedelta(minutes=i % 5),
                       rerank=False)
        for i in range(n)
    ]
    queue_rerank(comment_ids=[c.pk for c in comments])
    # Ties on rank are real (same scores, same minute): the id breaks them.
    return comments


def test_walking_every_page_shows_every_held_comment_exactly_once_in_rank_order(moderator):
    comments = make_held(23)
    seen, cursor, pages = [], None, 0
    while True:
        page = review_queue(filters=QueueFilters(tab="held"), after=cursor, limit=5)
        seen += [card.comment for card in page.cards]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 5
    assert sorted(c.pk for c in seen) == sorted(c.pk for c in comments)
    keys = [(c.queue_rank, c.pk) for c in seen]
    assert keys == sorted(keys, reverse=True)


def test_web_pages_follow_next_links_without_offset(moderator):
    comments = make_held(60)
    client = client_for(moderator)
    seen, url = [], "/moderation/"
    with CaptureQueriesContext(connection) as ctx:
        while url:
            html = client.get(url).content.decode()
            seen += card_ids(html)
            m = re.search(r'href="\?([^"]+)" rel="next"', html)
            url = "/moderation/?" + m.group(1).replace("&amp;", "&") if m else None
    assert sorted(seen) == sorted(c.pk for c in comments)
    assert not [q["sql"] for q in ctx.captured_queries if "OFFSET" in q["sql"].upper()]


def test_a_page_costs_the_same_queries_whatever_its_size_or_depth(moderator):
    make_held(30)
    filters = QueueFilters(tab="held")

    def queries(**kwargs) -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = review_queue(filters=filters, **kwargs)
            [c.comment.parent for c in page.cards]  # everything the template touches is loaded
        return len(ctx.captured_queries)

    first = review_queue(filters=filters, limit=20)
    assert queries(limit=1) == queries(limit=20) == queries(after=first.next_cursor, limit=5) <= 4


def test_the_queue_page_is_a_fixed_number_of_queries(moderator):
    client = client_for(moderator)
    first = make_held(3)
    CommentReport.objects.create(comment=first[0], reporter=UserFactory(), reason="x")
    with CaptureQueriesContext(connection) as small:
        client.get("/moderation/")
    make_held(20)
    for c in Comment.objects.filter(status="held")[:5]:
        CommentReport.objects.create(comment=c, reporter=UserFactory(), reason="x")
    with CaptureQueriesContext(connection) as big:
        client.get("/moderation/")
    assert len(small.captured_queries) == len(big.captured_queries)


@pytest.mark.parametrize("url", ["/moderation/", "/moderation/?tab=reported&label=insult&min_score=0.5&stance=against"])
def test_a_queue_page_is_eight_queries_five_of_them_its_content(moderator, url, django_assert_max_num_queries):
    first = make_held(30)
    for c in first[:5]:
        CommentReport.objects.create(comment=c, reporter=UserFactory(), reason="x")
    client = client_for(moderator)
    # session, user, the moderator's permissions (one query, moderation/permissions.py); then
    # cards, their reports, their audit entries, the active policy, the tab counts. No sidebar.
    with django_assert_max_num_queries(8) as ctx:
        assert client.get(url).status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "blog_authorprofile" in q["sql"]]


def test_cursor_is_opaque_and_round_trips_exactly():
    cursor = Cursor(-6043.123456789012345, 42)
    encoded = cursor.encode()
    assert "6043" not in encoded and Cursor.decode(encoded) == cursor
    for bad in ("", "!!", "YWJj", Cursor(float("nan"), 1).encode()):
        with pytest.raises(ValueError):
            Cursor.decode(bad)


# --- live updates ------------------------------------------------------------------------------


def test_poll_gives_counts_new_cards_and_drops_decided_ones(moderator):
    shown = queued_comment(tox={"insult": 0.6})
    decided = queued_comment(tox={"insult": 0.6})
    client = client_for(moderator)
    until = Cursor.of(Comment.objects.order_by("queue_rank", "id").first()).encode()
    newcomer = queued_comment(tox={"insult": 0.9})  # held, and ranks on top
    comment_decide(comment_id=decided.pk, moderator=moderator, action="approve")

    data = client.get("/moderation/queue/poll/", {"until": until, "known": f"{shown.pk},{decided.pk}"}).json()

    assert data["counts"]["held"] == 2 and data["counts"]["published"] == 1
    assert set(data["ids"]) == {shown.pk, newcomer.pk}  # the page removes `decided`
    assert [c["id"] for c in data["cards"]] == [newcomer.pk]
    assert f'id="card-{newcomer.pk}"' in data["cards"][0]["html"]
    counts_only = client.get("/moderation/queue/poll/", {"counts_only": "1"}).json()
    assert counts_only == {k: data[k] for k in ("counts", "counts_capped", "count_labels")}


# --- actions from the page (without JavaScript) ------------------------------------------------


def test_approve_reject_and_escalate_forms_decide_and_come_back(moderator):
    a, r, e = (queued_comment(tox={"insult": 0.7}) for _ in range(3))
    client = client_for(moderator)

    resp = client.post(f"/moderation/comments/{a.pk}/decide/", {"action": "approve", "expected_status": "held", "next": "/moderation/?tab=held"})
    assert resp.status_code == 302 and resp["Location"] == "/moderation/?tab=held"
    client.post(f"/moderation/comments/{r.pk}/decide/", {"action": "reject", "reason": "Insults are not allowed."})
    client.post(f"/moderation/comments/{e.pk}/decide/", {"action": "escalate"})

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert (statuses[a.pk], statuses[r.pk], statuses[e.pk]) == ("published", "rejected", "held")
    assert Comment.objects.get(pk=e.pk).escalated
    assert Comment.objects.get(pk=r.pk).status_reason == "Insults are not allowed."


def test_a_form_decision_already_made_shows_who_made_it(moderator, second_moderator):
    comment = queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=comment.pk, moderator=second_moderator, action="approve")

    response = client_for(moderator).post(
        f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "no", "expected_status": "held"}, follow=True
    )

    assert "already decided by mod2" in response.content.decode()
    assert ModerationEvent.objects.filter(comment=comment, actor__isnull=False).count() == 1


def test_next_must_stay_on_this_site(moderator):
    comment = queued_comment(tox={"insult": 0.7})
    response = client_for(moderator).post(
        f"/moderation/comments/{comment.pk}/decide/", {"action": "approve", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/moderation/"


def test_bulk_form_approves_the_selected_cards(moderator):
    a, b, c = (queued_comment(tox={"insult": 0.7}) for _ in range(3))
    response = client_for(moderator).post("/moderation/bulk/", {"ids": [a.pk, b.pk], "action": "approve"}, follow=True)
    assert "2 comment(s) approved" in response.content.decode()
    assert set(Comment.objects.filter(status="held").values_list("pk", flat=True)) == {c.pk}


def test_standing_form_suspends_an_author_until_a_date(moderator):
    comment = queued_comment(tox={"insult": 0.7}, author=UserFactory(username="frank"))
    until = (timezone.now() + timedelta(days=7)).date()
    client_for(moderator).post(
        "/moderation/authors/frank/standing/", {"action": "suspend", "until": until.isoformat(), "note": "cool off"}
    )
    standing = AuthorStanding.objects.get(user=comment.author)
    assert standing.suspended_until.date() == until and "cool off" in standing.note
    html = client_for(moderator).get("/moderation/").content.decode()
    assert f"suspended until {until:%Y-%m-%d}" in html


# --- audit log ---------------------------------------------------------------------------------


def test_audit_log_lists_every_decision_and_filters_by_comment_and_moderator(moderator, second_moderator):
    a = queued_comment(tox={"insult": 0.7})
    b = queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=a.pk, moderator=moderator, action="reject", reason="Name-calling")
    comment_decide(comment_id=b.pk, moderator=second_moderator, action="approve")
    client = client_for(moderator)

    all_html = client.get("/moderation/audit-log/").content.decode()
    assert len(re.findall(r'id="event-\d+"', all_html)) == 4  # two automatic holds, two human decisions
    one = client.get(f"/moderation/audit-log/?comment={a.pk}").content.decode()
    assert len(re.findall(r'id="event-\d+"', one)) == 2 and "Name-calling" in one and "held → rejected" in one
    mine = client.get("/moderation/audit-log/?moderator=mod2").content.decode()
    assert len(re.findall(r'id="event-\d+"', mine)) == 1 and f"#{b.pk}" in mine
    system = client.get("/moderation/audit-log/?moderator=system").content.decode()
    assert len(re.findall(r'id="event-\d+"', system)) == 2
    assert client.get("/moderation/audit-log/?comment=abc").status_code == 400


def test_audit_log_escapes_comment_text_and_reasons(moderator):
    comment = queued_comment(text="<script>alert(1)</script>", tox={"insult": 0.7})
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="<i>nope</i>")
    html = client_for(moderator).get("/moderation/audit-log/").content.decode()
    assert "<script>alert(1)" not in html and "<i>nope</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;i&gt;nope&lt;/i&gt;" in html


def test_audit_log_cannot_be_changed_from_the_site(moderator):
    comment = queued_comment(tox={"insult": 0.7})
    client = client_for(moderator)
    assert client.post("/moderation/audit-log/", {"comment": comment.pk}).status_code == 405
    event = ModerationEvent.objects.get(comment=comment)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_client = client_for(admin)
    assert admin_client.get(f"/admin/moderation/moderationevent/{event.pk}/change/").status_code == 200  # view only
    admin_client.post(f"/admin/moderation/moderationevent/{event.pk}/change/", {"reason": "edited"})
    admin_client.post(f"/admin/moderation/moderationevent/{event.pk}/delete/", {"post": "yes"})
    event.refresh_from_db()
    assert event.reason != "edited"
    assert admin_client.get("/admin/moderation/moderationevent/add/").status_code == 403


def test_audit_log_lists_standing_changes(moderator):
    from moderation.queue.standing import author_standing_set

    author_standing_set(author=UserFactory(username="gina"), moderator=moderator, banned=True, note="spam bot")
    html = client_for(moderator).get("/moderation/audit-log/?moderator=mod").content.decode()
    assert "gina" in html and "banned (spam bot)" in html


def test_card_figures_read_as_floatformat_shows_them():
    from django.template.defaultfilters import floatformat

    from moderation.queue.cards import two_places

    values = [0.0, 0.005, 0.015, 0.125, 0.135, 0.5, 0.6, 0.83, 0.995, 1.0, 1 / 3, 2 / 3, 0.1 + 0.2, 0.30000000000000004]
    values += [i / 1000 for i in range(0, 1001, 7)] + [0.123456789, 0.994999, 0.99500001]
    for x in values:
        assert two_places(x) == floatformat(x, 2), x
