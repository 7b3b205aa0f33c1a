from django.apps import AppConfig


class BlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blog"
    verbose_name = "Readers' blog"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed  # noqa: PLC0415 - the app registry is ready only here

        from core.ratelimit import count_login_failure  # noqa: PLC0415 - the app registry is ready only here

        # Failed logins count per address (core.ratelimit.LOGIN_FAILURES), page and API alike.
        user_login_failed.connect(count_login_failure, dispatch_uid="parley-login-failures-per-address")
