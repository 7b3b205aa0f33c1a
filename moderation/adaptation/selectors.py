"""Reads for the site's own model: the versions, the one serving, the periodic switch, and a
version's report shaped for the policy page and the API."""
from __future__ import annotations

from moderation.models import ModelVersion, SiteAdaptationSetting


def model_versions_list() -> list[ModelVersion]:
    """Every version, newest first; the shipped one last."""
    versions = list(ModelVersion.objects.select_related("created_by").defer("params"))
    return sorted(versions, key=lambda v: (v.kind == ModelVersion.Kind.SHIPPED, -v.pk))


def model_version_get(*, version_id: int) -> ModelVersion:
    """Raises ModelVersion.DoesNotExist."""
    return ModelVersion.objects.select_related("created_by").get(pk=version_id)


def model_version_active() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).defer("params").first()


def model_version_candidate() -> ModelVersion | None:
    """The newest site version that is not serving (ready or refused): what the policy page shows
    beside the current model."""
    return ModelVersion.objects.filter(kind=ModelVersion.Kind.SITE, is_active=False).defer("params").order_by("-id").first()


def site_adaptation_periodic() -> bool:
    return SiteAdaptationSetting.objects.filter(pk=1, periodic=True).exists()


def model_version_rows(version: ModelVersion) -> dict:
    """The report as tables: per-label agreement on later decisions (current, candidate), the
    guard rails side by side, the comments whose outcome would change."""
    report = version.report or {}
    judged = report.get("later_agreement") or {}
    labels = []
    if judged.get("candidate"):
        for label, cand in judged["candidate"]["per_label"].items():
            cur = judged["current"]["per_label"][label]
            labels.append({"label": label, "n": cand["n"], "current": cur["agreement"], "candidate": cand["agreement"]})
    rails = report.get("guard_rails") or {}
    guard = [{"name": name, "current": rails.get("current", {}).get(name), "candidate": value,
              **report.get("tolerances", {}).get(name, {})}
             for name, value in (rails.get("candidate") or {}).items()]
    return {
        "overall": {"current": (judged.get("current") or {}).get("overall"),
                    "candidate": (judged.get("candidate") or {}).get("overall"),
                    "n": (judged.get("candidate") or {}).get("n", 0)},
        "labels": labels, "guard_rails": guard, "changed": report.get("changed", []),
        "moderators": report.get("moderators", []), "decisions": report.get("decisions", {}),
        "fit": report.get("fit", {}), "guard_sets": report.get("guard_sets", {}),
    }


def model_version_changes(*, limit: int = 20) -> list[dict]:
    """Who put which version in service (or rolled back, or switched the periodic fit), newest
    first, from the admin log where adaptation.services records each change."""
    from django.contrib.admin.models import LogEntry  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    cts = [ContentType.objects.get_for_model(m) for m in (ModelVersion, SiteAdaptationSetting)]
    return [{"at": e.action_time, "admin": e.user.get_username(), "change": e.change_message}
            for e in LogEntry.objects.filter(content_type__in=cts).select_related("user").order_by("-action_time", "-id")[:limit]]
