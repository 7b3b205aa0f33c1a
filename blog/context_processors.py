"""Where Login and Register send a reader back to once signed in (``auth_next``), on every page."""
from __future__ import annotations

from django.urls import reverse

from core.params import local_url


def auth_next(request) -> dict:
    """The page being read; on the login and register pages themselves, the ?next they carry
    (so going from Login to Register keeps it), or nothing."""
    if request.path in (reverse("login"), reverse("register")):
        return {"auth_next": local_url(request, request.GET.get("next"), default="")}
    return {"auth_next": request.get_full_path()}
