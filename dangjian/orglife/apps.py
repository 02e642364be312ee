from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    verbose_name = _("Organizational life")

    def ready(self) -> None:
        from dangjian.orglife import alerts, inbox, rules  # noqa: F401  (registers figures and due items)
