from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from dangjian.assessment import inbox  # noqa: F401  (due items)
