"""The policy page's site-model actions (admins): activate a candidate, roll back, switch the
periodic fit. Thin: writes through adaptation/services.py; the panel's data is :func:`site_model_panel`."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from moderation.adaptation import selectors, services
from moderation.models import ModelVersion
from moderation.permissions import CHANGE_POLICY, page_needs

_admin_only = page_needs(CHANGE_POLICY)


def site_model_panel() -> dict:
    """What the policy page's "This site's own model" section shows."""
    candidate = selectors.model_version_candidate()
    return {
        "active": selectors.model_version_active(),
        "candidate": candidate,
        "rows": selectors.model_version_rows(candidate) if candidate else {},
        "versions": selectors.model_versions_list()[:10],
        "periodic": selectors.site_adaptation_periodic(),
        "changes": selectors.model_version_changes(),
    }


def _switch(request: HttpRequest, version_id: int, *, rollback: bool) -> HttpResponse:
    try:
        version = services.model_version_activate(version_id=version_id, admin=request.user, rollback=rollback)
    except ModelVersion.DoesNotExist:
        raise Http404("No such model version.") from None
    except services.NotActivatable as exc:
        messages.error(request, exc.message)
        return redirect("/moderation/policy/#site-model")
    messages.success(request, f"{version} now scores new comments (the worker picks it up within seconds).")
    return redirect("/moderation/policy/#site-model")


@_admin_only
@require_POST
def model_activate(request: HttpRequest, version_id: int) -> HttpResponse:
    return _switch(request, version_id, rollback=False)


@_admin_only
@require_POST
def model_rollback(request: HttpRequest, version_id: int) -> HttpResponse:
    return _switch(request, version_id, rollback=True)


@_admin_only
@require_POST
def model_schedule(request: HttpRequest) -> HttpResponse:
    periodic = request.POST.get("periodic") == "on"
    services.site_adaptation_schedule_set(periodic=periodic, admin=request.user)
    messages.success(request, "A candidate will be fitted every day." if periodic else "Periodic fitting is off.")
    return redirect("/moderation/policy/#site-model")
