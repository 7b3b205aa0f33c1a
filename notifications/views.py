"""The notifications page (/notifications/): the latest ones, mark them read, and the email setting."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.params import local_url

from . import selectors, services


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    context = {
        "notifications": list(selectors.notifications_for(user=request.user)),
        "email_enabled": selectors.notification_email_enabled(user=request.user),
    }
    return render(request, "notifications/list.html", context)


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification reads it: it is marked read (the bell counts one fewer) and the
    reader lands where it points (the list, for one that points nowhere)."""
    try:
        notification = selectors.notification_of(user=request.user, pk=pk)
    except selectors.Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(local_url(request, notification.url, default=reverse("notifications:list")))


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_read(user=request.user)
    messages.info(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
@require_POST
def notification_settings(request: HttpRequest) -> HttpResponse:
    try:
        services.notification_settings_set(user=request.user, email=request.POST.get("email") == "on")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "notifications/list.html", {
            "notifications": list(selectors.notifications_for(user=request.user)), "email_enabled": False,
        }, status=400)
    messages.info(request, "Saved: " + ("notifications are also emailed to you." if request.POST.get("email") == "on"
                                        else "notifications are shown here only."))
    return redirect("notifications:list")
