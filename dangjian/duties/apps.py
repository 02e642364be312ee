from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = _("Responsibility system")

    def ready(self) -> None:
        from dangjian.duties import alerts, inbox  # noqa: F401  (due items)
