"""Pages of the accountability sub-domain: the author's statement of reasons, the public site
rules, the reader's notice of illegal content, the moderators' "Illegal content" tab, and the
transparency report (admins; optionally public). Thin: reads and writes through this package."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from blog.models import Comment
from moderation.accountability import notices, site_rules, statements, transparency
from moderation.accountability.models import IllegalContentNotice, TransparencySettings
from moderation.permissions import CAN_MODERATE, CHANGE_POLICY, page_needs, user_has_perm

_admin_only = page_needs(CHANGE_POLICY)
_moderators_only = page_needs(CAN_MODERATE)


@login_required
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's statement of reasons (404 for anyone else: it names their restriction)."""
    data = statements.statement_for_reader(statement_id=pk, user=request.user)
    if data is None:
        raise Http404("No such statement.")
    return render(request, "moderation/statement.html", {"s": data})


def site_rules_page(request: HttpRequest) -> HttpResponse:
    """The site's rules as every statement cites them (the link the export sends as the ground's URL)."""
    return render(request, "moderation/site_rules.html", {"rules": site_rules.site_rules_current()})


class IllegalNoticeForm(forms.Form):
    law = forms.CharField(max_length=notices.LAW_MAX, label="Which law or legal ground does it break?")
    explanation = forms.CharField(max_length=notices.EXPLANATION_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                                  label="Why is it illegal? Be as precise as you can.")
    confirm = forms.BooleanField(label="I believe in good faith that the information in this notice is accurate and complete.")


@login_required
def illegal_notice_new(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article", "author"), pk=pk, status=Comment.Status.PUBLISHED)
    form = IllegalNoticeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notices.illegal_notice_create(comment=comment, reporter=request.user, law=form.cleaned_data["law"],
                                              explanation=form.cleaned_data["explanation"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, "Thank you: a moderator will assess your notice, and you will be told the outcome.")
                return redirect(comment.article.get_absolute_url())
        status = 400
    return render(request, "moderation/illegal_notice.html", {"comment": comment, "form": form}, status=status)


class NoticeDecisionForm(forms.Form):
    legality = forms.ChoiceField(choices=IllegalContentNotice.Legality.choices)
    legal_ground = forms.CharField(max_length=500, required=False)
    remove = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=500, required=False)


@_moderators_only
def illegal_notices(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/illegal_notices.html", {"notices": list(notices.illegal_notices_open()),
                                                               "legality": IllegalContentNotice.Legality.choices})


@_moderators_only
@require_POST
def illegal_notice_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoticeDecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400, content_type="text/plain")
    try:
        notices.illegal_notice_decide(notice_id=pk, moderator=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), status=400, content_type="text/plain")
    messages.success(request, "Notice decided; the reporters were told.")
    return redirect("moderation:illegal_notices")


def _span(request: HttpRequest):
    first, last = transparency.default_span()
    if request.GET.get("from"):
        first = transparency.parse_month(request.GET["from"], field_name="from")
    if request.GET.get("to"):
        last = transparency.parse_month(request.GET["to"], field_name="to")
    return first, last


def _charts(months):
    return [
        transparency.report_chart(months, title="Moderation actions: automated and human",
                                  series={"automated": "#8a9bb3", "human": "#c98a00"}),
        transparency.report_chart(months, title="Appeals: reinstated and upheld",
                                  series={"appeals_reinstated": "#2e7d32", "appeals_upheld": "#b3261e"}),
    ]


def _report_page(request: HttpRequest, *, public: bool) -> HttpResponse:
    try:
        first, last = _span(request)
        months = transparency.transparency_report(first=first, last=last)
    except ValidationError as exc:
        return render(request, "moderation/transparency.html", {"errors": exc.messages, "public": public,
                                                                "months": [], "charts": []}, status=400)
    settings_row = TransparencySettings.objects.first()
    return render(request, "moderation/transparency.html", {
        "months": months, "charts": _charts(months), "public": public, "first": first, "last": last,
        "is_public": bool(settings_row and settings_row.public), "errors": [],
    })


@_admin_only
def transparency_page(request: HttpRequest) -> HttpResponse:
    return _report_page(request, public=False)


@_admin_only
def transparency_csv(request: HttpRequest) -> HttpResponse:
    try:
        first, last = _span(request)
        months = transparency.transparency_report(first=first, last=last)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain")
    response = HttpResponse(transparency.report_csv(months), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parley-transparency-{first:%Y-%m}-{last:%Y-%m}.csv"'
    return response


@_admin_only
@require_POST
def transparency_publish(request: HttpRequest) -> HttpResponse:
    public = request.POST.get("public") == "on"
    row, _ = TransparencySettings.objects.get_or_create(pk=1)
    row.public, row.updated_by = public, request.user
    row.save()
    messages.success(request, "The transparency report is now public." if public else "The transparency report is no longer public.")
    return redirect("moderation:transparency")


def transparency_public(request: HttpRequest) -> HttpResponse:
    """The aggregate report for everyone, when an admin switched it on (404 otherwise)."""
    row = TransparencySettings.objects.first()
    if not (row and row.public) and not user_has_perm(request.user, CHANGE_POLICY):
        raise Http404("The transparency report is not published.")
    return _report_page(request, public=True)
