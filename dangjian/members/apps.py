from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from dangjian.members import imports, inbox, rules  # noqa: F401  (figures, importer, due items)
