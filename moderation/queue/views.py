"""The moderators' pages: the review queue, its actions, and the audit log.

Thin: reads through queue/selectors.py, writes through queue/decisions.py, undo.py, standing.py
and reasons.py. Every page
needs ``moderation.can_moderate``: the anonymous are sent to log in, readers get 403.

The queue works without JavaScript (each action is a form POST that redirects back); with it,
static/moderation/queue.js adds the keyboard, acts through /api/moderation/ with fetch(), and
polls ``queue_poll`` for new cards and tab counts. No inline script or handler anywhere (the
Content-Security-Policy, config/settings/base.py, forbids them).
"""
from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from core.params import int_list_param, int_param, local_url, str_param
from core.validators import validate_day
from moderation.permissions import CAN_MODERATE, page_needs
from moderation.queue import audit_log as audit_entries
from moderation.queue import decisions, selectors, standing, undo
from moderation.queue.filters import QueueFilterForm

# Anonymous visitors are sent to log in; signed-in readers get 403 (one permission query).
_moderators_only = page_needs(CAN_MODERATE)


def _query_without(request: HttpRequest, *drop: str, **set_: str) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    for key, value in set_.items():
        params[key] = value
    return params.urlencode()


def _queue_filters(request: HttpRequest) -> tuple[QueueFilterForm, selectors.QueueFilters | None]:
    form = QueueFilterForm(request.GET)  # unknown keys (cursor, known, ...) are ignored
    return form, (form.filters() if form.is_valid() else None)


@require_GET
@_moderators_only
def queue(request: HttpRequest) -> HttpResponse:
    """The review queue: tabs with counts, filters, one keyset page of cards."""
    form, filters = _queue_filters(request)
    after = None
    if filters is not None and request.GET.get("cursor"):
        try:
            after = selectors.Cursor.decode(request.GET["cursor"])
        except ValueError:
            form.add_error(None, "This page link is no longer valid; start from the first page.")
            filters = None
    if filters is None:
        return render(request, "moderation/queue.html", {"form": form, "tabs": [], "cards": []}, status=400)

    page = selectors.review_queue(filters=filters, after=after)
    counts = selectors.queue_counts(filters=filters)
    tabs = [
        {"key": key, "title": title, "count": counts[key], "active": key == filters.tab,
         "query": _query_without(request, "cursor", tab=key)}
        for key, title in selectors.TABS.items()
    ]
    context = {
        "form": form,
        "filters": filters,
        "tab": filters.tab,
        "tabs": tabs,
        "cards": page.cards,
        # Rendered by Jinja2 (core/jinja2.py): a card is most of a queue page's render time.
        "cards_html": _cards_html(request, page.cards, here=request.get_full_path(), tab=filters.tab),
        "policy": page.policy,
        "next_query": _query_without(request, cursor=page.next_cursor.encode()) if page.next_cursor else None,
        "first_query": _query_without(request, "cursor") if after else None,
        "here": request.get_full_path(),
        "poll_query": _query_without(request, "cursor"),
        "bulk_possible": filters.tab in ("held", "reported", "failed"),
        "undo_seconds": undo.UNDO_SECONDS,
        "undo_minutes": undo.UNDO_SECONDS // 60,
    }
    return render(request, "moderation/queue.html", context)


def _cards_html(request: HttpRequest, cards, *, here: str, tab: str) -> str:
    # One hidden CSRF field for every form on the page: the backend's own csrf_input is lazy and
    # would draw a fresh masked token for each of a page's ~100 forms.
    context = {"cards": cards, "here": here, "tab": tab, "csrf_field": str(csrf_input(request))}
    # Jinja2 escaped every value as it rendered (autoescape): the result is safe HTML.
    return mark_safe(render_to_string("moderation/_cards.html", context, request=request, using="jinja2"))


def _counts_json(counts: dict[str, selectors.TabCount]) -> dict:
    # The page shows the label ("1,000+" once a tab passes selectors.COUNT_CAP) and counts
    # locally only where the number is exact.
    return {
        "counts": {tab: c.n for tab, c in counts.items()},
        "counts_capped": {tab: c.capped for tab, c in counts.items()},
        "count_labels": {tab: str(c) for tab, c in counts.items()},
    }


@require_GET
@_moderators_only
def queue_poll(request: HttpRequest) -> HttpResponse:
    """JSON for the page's poll: tab counts, the ids now on the moderator's stretch of the queue
    (top down to ``until``, their last card), and rendered cards for ids not in ``known``."""
    form, filters = _queue_filters(request)
    if filters is None:
        return JsonResponse({"errors": form.errors}, status=400)
    counts = _counts_json(selectors.queue_counts(filters=filters))
    if request.GET.get("counts_only"):  # a later page: new cards belong to the first one
        return JsonResponse(counts)
    until = None
    if request.GET.get("until"):
        try:
            until = selectors.Cursor.decode(request.GET["until"])
        except ValueError:
            return JsonResponse({"errors": {"until": ["Invalid cursor."]}}, status=400)
    known = set(int_list_param(request.GET, "known", sep=","))
    ids, cards = selectors.review_queue_top(filters=filters, down_to=until, exclude_ids=known)
    here = local_url(request, request.GET.get("here"), default=reverse("moderation:queue"))
    return JsonResponse(
        {
            **counts,
            "ids": ids,
            "cards": [
                {"id": card.comment.pk, "rank": card.comment.queue_rank,
                 "html": _cards_html(request, [card], here=here, tab=filters.tab)}
                for card in cards
            ],
        }
    )


def _back(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(local_url(request, request.POST.get("next"), default=reverse("moderation:queue")))


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_POST
@_moderators_only
def comment_decide(request: HttpRequest, comment_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        event = decisions.comment_decide(
            comment_id=comment_id,
            moderator=request.user,
            action=action,
            reason=request.POST.get("reason", ""),
            expected_status=request.POST.get("expected_status") or None,
            seen_event_id=int_param(request.POST, "seen_event"),
            revision=request.POST.get("revision") or None,
        )
    except decisions.AlreadyDecided as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, f"Comment {comment_id}: {_messages_of(exc)}")
    else:
        messages.success(request, f"Comment {comment_id} {event.get_action_display()}.")
    return _back(request)


@require_POST
@_moderators_only
def bulk_decide(request: HttpRequest) -> HttpResponse:
    ids = int_list_param(request.POST, "ids")
    # Each selected card sends the revision it shows: a comment edited since is skipped.
    revisions = {i: request.POST[f"rev_{i}"] for i in ids if request.POST.get(f"rev_{i}")}
    try:
        results = decisions.comments_bulk_decide(
            comment_ids=ids, moderator=request.user, action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""), revisions=revisions,
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return _back(request)
    done = [r for r in results if r.ok]
    if done:
        messages.success(request, f"{len(done)} comment(s) {'approved' if request.POST.get('action') == 'approve' else 'rejected'}.")
    for r in results:
        if not r.ok:
            messages.error(request, r.error)
    return _back(request)


class StandingForm(forms.Form):
    ACTIONS = [
        ("ban", "ban"),
        ("unban", "lift ban"),
        ("suspend", "suspend until"),
        ("unsuspend", "lift suspension"),
        ("premoderate", "pre-moderate"),
        ("unpremoderate", "lift pre-moderation"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    until = forms.DateField(required=False, validators=[validate_day])
    note = forms.CharField(max_length=standing.STANDING_NOTE_MAX_LENGTH, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "suspend" and not data.get("until"):
            self.add_error("until", "Give the date the suspension ends.")
        return data

    def changes(self) -> dict:
        action, until = self.cleaned_data["action"], self.cleaned_data.get("until")
        return {
            "ban": {"banned": True},
            "unban": {"banned": False},
            "suspend": {"suspended_until": datetime.combine(until, time.min, tzinfo=UTC) if until else None},
            "unsuspend": {"suspended_until": None},
            "premoderate": {"premoderated": True},
            "unpremoderate": {"premoderated": False},
        }[action]


@require_POST
@_moderators_only
def author_standing(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(get_user_model(), username=username)
    form = StandingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return _back(request)
    try:
        standing.author_standing_set(
            author=author, moderator=request.user, note=form.cleaned_data.get("note", ""), **form.changes()
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, f"{username}: {dict(StandingForm.ACTIONS)[form.cleaned_data['action']]} done.")
    return _back(request)


@require_GET
@_moderators_only
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every decision, newest first; ?comment=ID and/or ?moderator=USERNAME ("system" for the
    automatic ones). Read-only: there is no way to change an entry here or anywhere."""
    comment_id = int_param(request.GET, "comment")
    moderator = str_param(request.GET, "moderator", max_length=150)
    before = int_param(request.GET, "before")
    events, next_before = audit_entries.audit_events(comment_id=comment_id, moderator=moderator, before_id=before)
    context = {
        "events": events,
        "comment_id": "" if comment_id is None else str(comment_id),
        "moderator": moderator,
        "next_query": _query_without(request, before=str(next_before)) if next_before else None,
        "standing_changes": [] if comment_id else audit_entries.standing_changes(moderator=moderator),
        "reversible": undo.REVERSIBLE,
        "author_actions": audit_entries.AUTHOR_ACTIONS,  # the author's own edits, nudge answers, appeals
    }
    return render(request, "moderation/audit_log.html", context)


@require_POST
@_moderators_only
def audit_reverse(request: HttpRequest, event_id: int) -> HttpResponse:
    """Reverse a moderator's decision from the audit log (itself logged, as an "undo" entry)."""
    try:
        entry = undo.decision_reverse(event_id=event_id, moderator=request.user, reason=request.POST.get("reason", ""))
    except undo.NotReversible as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, f"Comment {entry.comment_id}: {entry.reason}; it is {entry.new_status} again.")
    return _back(request)
