"""Admin and moderator pages for the threshold policy, the discussions ranking and the viewpoint
audit. Thin: reads through policy/selectors.py and insights/, writes through policy/services.py.

No inline script anywhere (the Content-Security-Policy forbids it): previewing is an ordinary form
POST that re-renders the page with the preview, charts are SVG drawn here on the server.
"""
from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from blog.models import Article
from core.params import int_param
from core.validators import validate_day
from ml.classifiers.base import TOXICITY_LABELS
from moderation import rules
from moderation.adaptation.views import site_model_panel
from moderation.insights import agreement as insights_agreement
from moderation.insights import discussions as insights_discussions
from moderation.insights import viewpoint_audit as insights_audit
from moderation.insights.nudges import nudge_outcomes
from moderation.models import Policy
from moderation.permissions import CAN_MODERATE, CHANGE_POLICY, page_needs
from moderation.policy import reapply, selectors, services
from moderation.policy.charts import score_chart
from moderation.policy.forms import PolicyForm
from moderation.policy.models_in_use import models_in_use
from moderation.policy.targets import APPROVED_TARGET, HELD_TARGET, label_targets

# Anonymous users are sent to log in, signed-in users without the right get 403.
_admin_only = page_needs(CHANGE_POLICY)
_moderators_only = page_needs(CAN_MODERATE)


def _quality_rows(preview: selectors.PolicyPreview) -> list[dict]:
    return [
        {"label": a.label, "active": a, "draft": d} for a, d in zip(preview.quality_active, preview.quality_draft)
    ]


# --- thresholds --------------------------------------------------------------------------------


def _add_errors(form: PolicyForm, exc: ValidationError) -> None:
    # Threshold messages already name the label ("insult: hold 0.9 is above reject 0.5").
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@_admin_only
def policy(request: HttpRequest) -> HttpResponse:
    """GET: the active policy as an editable form. POST with action=preview: the same page with
    the draft's preview; action=save: save a new version (nothing is re-decided)."""
    active = selectors.policy_active()
    preview = None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        action = request.POST.get("action")
        if form.is_valid():
            values = {
                "thresholds": form.thresholds(),
                "premoderate_all": form.cleaned_data["premoderate_all"],
                "on_failure": form.cleaned_data["on_failure"],
                "note": form.cleaned_data["note"],
                "rules_off": form.cleaned_data["rules_off"],
                "publish_languages": form.languages(),
            }
            try:
                if action == "save":
                    saved = services.policy_save(**values, admin=request.user,
                                                 acknowledge_warnings=form.cleaned_data["acknowledge_warnings"])
                    messages.success(
                        request,
                        f"Saved as version {saved.version}, now active. Comments already decided keep their "
                        "decision; re-apply it to automatic holds from the link below if you want to.",
                    )
                    return redirect("moderation:policy")
                services.policy_clean(**values)
                draft = selectors.Draft(thresholds=values["thresholds"], premoderate_all=values["premoderate_all"],
                                        rules_off=tuple(values["rules_off"]),
                                        publish_languages=tuple(rules.validate_publish_languages(values["publish_languages"])))
                n = form.cleaned_data["n"] or selectors.PREVIEW_DEFAULT_N
                preview = selectors.policy_preview(draft=draft, n=n)
            except ValidationError as exc:
                _add_errors(form, exc)
        status = 200 if form.is_valid() else 400
    else:
        form = PolicyForm(initial=PolicyForm.initial_from(active))
        status = 200
    context = {
        "form": form,
        "label_rows": form.label_rows(label_targets(thresholds=active.thresholds)),
        "held_target": HELD_TARGET,
        "approved_target": APPROVED_TARGET,
        "active": active,
        "preview": preview,
        "charts": [score_chart(h) for h in preview.histograms] if preview else [],
        "quality_rows": _quality_rows(preview) if preview else [],
        "premoderated_articles": selectors.premoderated_articles()[:50],
        "versions": selectors.policy_list()[:5],
        "models_in_use": models_in_use(),
        "site_model": site_model_panel(),
    }
    return render(request, "moderation/policy.html", context, status=status)


@_admin_only
def policy_versions(request: HttpRequest, version: int | None = None) -> HttpResponse:
    """Every version (newest first); with `version`, that one's values in full."""
    selected = None
    if version is not None:
        try:
            selected = selectors.policy_get(version=version)
        except Policy.DoesNotExist:
            raise Http404("No such version.") from None
    return render(
        request,
        "moderation/policy_versions.html",
        {
            "versions": selectors.policy_list(),
            "selected": selected,
            "selected_rows": [(label, selected.thresholds.get(label)) for label in TOXICITY_LABELS] if selected else [],
        },
    )


@_admin_only
@require_POST
def policy_restore(request: HttpRequest, version: int) -> HttpResponse:
    try:
        restored = services.policy_restore(version=version, admin=request.user,
                                           acknowledge_warnings=request.POST.get("acknowledge_warnings") == "on")
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("moderation:policy_version", version=version)
    messages.success(request, f"Version {version} restored as version {restored.version}, now active. Comments "
                              "decided meanwhile keep their decision: below is what re-applying it to automatic holds "
                              "would do.")
    return redirect("moderation:policy_reapply")


@_admin_only
def policy_reapply(request: HttpRequest) -> HttpResponse:
    """GET: the dry-run count and a confirm button. POST (confirm): re-decide them."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        result = services.held_reapply(admin=request.user)
        published = ", ".join(f"#{item.comment_id}" for item in result.publishes)
        messages.success(
            request,
            f"Policy v{result.policy_version} re-applied to {result.candidates} automatic holds: "
            f"{result.published} published{f' ({published})' if published else ''}, {result.rejected} rejected, "
            f"{result.stay_held} still held.",
        )
        return redirect("moderation:policy")
    return render(request, "moderation/policy_reapply.html", {"plan": reapply.held_reapply_plan()})


# --- discussions -------------------------------------------------------------------------------


@_moderators_only
def discussions(request: HttpRequest) -> HttpResponse:
    rows = insights_discussions.discussions_ranked(limit=100)
    shown, scored = insights_discussions.stance_coverage(rows)
    return render(
        request,
        "moderation/discussions.html",
        {
            "rows": rows,
            "stance_shown": shown,
            "stance_scored": scored,
            # Until the moderators' agreement page exists, the nudge's rate is shown here.
            "nudges": nudge_outcomes(),
            "weights": {
                "held": insights_discussions.W_HELD,
                "report": insights_discussions.W_REPORT,
                "toxicity": insights_discussions.W_TOXICITY,
                "per_hour": insights_discussions.W_PER_HOUR,
                "per_day": insights_discussions.W_PER_DAY,
                "polarization": insights_discussions.W_POLARIZATION,
                "full_volume": insights_discussions.POLARIZATION_FULL_VOLUME,
            },
        },
    )


@_admin_only
@require_POST
def article_premoderation(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    premoderate = request.POST.get("premoderate") == "on"
    services.article_set_premoderation(article=article, premoderate=premoderate, admin=request.user)
    what = "now held for a moderator" if premoderate else "decided by the policy again"
    messages.success(request, f"New comments on “{article.title}” are {what}.")
    back = request.POST.get("back")
    return redirect("moderation:policy" if back == "policy" else "moderation:discussions")


# --- viewpoint audit ---------------------------------------------------------------------------

AUDIT_DAY_CHOICES = (7, 30, 90, 365)


@_admin_only
def viewpoint_audit(request: HttpRequest) -> HttpResponse:
    label = request.GET.get("label", "toxicity")
    if label not in (*TOXICITY_LABELS, insights_audit.AUDIT_MAX_LABEL):
        label = "toxicity"
    days = int_param(request.GET, "days", default=90)
    if days not in AUDIT_DAY_CHOICES:
        days = 90
    audit = insights_audit.viewpoint_audit(label=label, since=timezone.now() - timedelta(days=days))
    return render(
        request,
        "moderation/viewpoint_audit.html",
        {
            "audit": audit,
            "labels": (*TOXICITY_LABELS, insights_audit.AUDIT_MAX_LABEL),
            "days": days,
            "day_choices": AUDIT_DAY_CHOICES,
            "tables": [("Automatic decisions", audit.automatic, True, audit.automatic_coverage),
                       ("Moderators’ decisions", audit.human, False, audit.human_coverage)],
            "stances": insights_audit.STANCE_LABELS,
        },
    )


# --- model–moderator agreement -----------------------------------------------------------------


class AgreementFilterForm(forms.Form):
    since = forms.DateField(required=False, label="decided from", widget=forms.DateInput(attrs={"type": "date"}),
                            validators=[validate_day])
    until = forms.DateField(required=False, label="to", widget=forms.DateInput(attrs={"type": "date"}),
                            validators=[validate_day])
    model = forms.CharField(required=False, max_length=200, label="model version")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "Must be on or after the start date.")
        return data


@_moderators_only
def agreement(request: HttpRequest) -> HttpResponse:
    """How often the model's automatic outcome agreed with the moderators, per label, week and
    model version (moderation.insights.agreement)."""
    form = AgreementFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "moderation/agreement.html", {"form": form, "report": None}, status=400)
    d = form.cleaned_data
    report = insights_agreement.agreement_report(since=d.get("since"), until=d.get("until"), model=d.get("model", ""))
    return render(request, "moderation/agreement.html", {"form": form, "report": report})
