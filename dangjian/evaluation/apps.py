from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "dangjian.evaluation"
    verbose_name = _("Democratic evaluation of members")

    def ready(self) -> None:
        from dangjian.evaluation import inbox  # noqa: F401  (due items)
