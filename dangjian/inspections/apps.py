from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "dangjian.inspections"
    verbose_name = _("Supervision and inspection")

    def ready(self) -> None:
        from dangjian.inspections import inbox  # noqa: F401  (due items)
