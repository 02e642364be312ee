from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    verbose_name = _("Member development")

    def ready(self) -> None:
        from dangjian.development import alerts, inbox, rules, tasks  # noqa: F401  (figures, due items, listeners)
