from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"

    def ready(self) -> None:
        # core counts nothing itself (it sits below the apps); it says a write was refused.
        from core.signals import rate_limit_refused  # noqa: PLC0415 - the app registry is ready only here

        rate_limit_refused.connect(_count_refusal, dispatch_uid="ops.rate_limited")


def _count_refusal(sender, *, scope: str, **kwargs) -> None:
    from ops import metrics  # noqa: PLC0415 - prometheus' registry is set up on first use

    metrics.rate_limited(scope=scope)
