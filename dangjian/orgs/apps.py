from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from dangjian.orgs import alerts, inbox, rules  # noqa: F401  (registers figures and due items)
