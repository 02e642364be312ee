from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    verbose_name = _("Party dues")

    def ready(self) -> None:
        from dangjian.dues import alerts, imports, inbox, rules  # noqa: F401  (figures, importer, due items)
