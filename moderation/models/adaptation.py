"""The toxicity model versions a site may score with, and the switch for fitting its own
(moderation/adaptation/)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ModelVersion(models.Model):
    """One toxicity model a site may score with: the shipped ``parley-minilm`` (one row, no
    parameters of its own), or a site version adapted to this site's moderators by
    ``moderation.adaptation`` (the shipped encoder, named by its weights version, plus its own small
    head and calibration in ``params``; the shipped weights are never overwritten). A version that
    failed a gate keeps its report and reasons and can never be activated. Exactly one row is active:
    the worker scores with it (moderation.adaptation.serving)."""

    class Kind(models.TextChoices):
        SHIPPED = "shipped", "shipped model"
        SITE = "site", "adapted to this site"

    class Status(models.TextChoices):
        READY = "ready", "passed every gate"
        REFUSED = "refused", "refused by a gate"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SITE)
    base_model = models.CharField(max_length=80, default="parley-minilm")
    # The shipped weights' version ("<sha256[:10]>-<date>") the head was fitted on; blank for the
    # shipped row (whatever weights are installed).
    base_version = models.CharField(max_length=120, blank=True)
    params = models.JSONField(null=True, blank=True, help_text="head weights, biases and per-label calibration")
    cutoff = models.DateTimeField(null=True, blank=True, help_text="fitted on decisions up to this moment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    refused_reasons = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True, help_text="last time it started serving")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version"),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="shipped"), name="one_shipped_model_version"),
        ]

    def __str__(self) -> str:
        return "shipped parley-minilm" if self.kind == self.Kind.SHIPPED else f"site model v{self.pk}"


class SiteAdaptationSetting(models.Model):
    """The one row (pk 1) saying whether beat fits a candidate site model periodically (off by
    default; switched on from the policy page)."""

    periodic = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
