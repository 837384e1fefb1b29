from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "meridian.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Models outside models.py register when their module is imported.
        from meridian.core import idempotency  # noqa: F401
