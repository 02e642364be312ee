"""Base FilterSet: one filter definition serves the HTML list, the export and the API."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import style_fields
from dangjian.core.ids import is_pk

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter shown as a select with a blank choice (not "Unknown")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Select(choices=[("", "---------"), *YES_NO]))
        super().__init__(*args, **kwargs)


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form has Bootstrap classes.

    ``context_filters`` maps filters that point at an object by id (set by links such as
    "members of this organization") to the object's model: the page shows them as a chip
    with the object's name, looked up through the user's scope, instead of a number box.
    """

    context_filters: ClassVar[dict[str, type[models.Model]]] = {}

    @property
    def form(self) -> Any:
        if not hasattr(self, "_form"):
            form = super().form
            style_fields(form)
            for name, field in form.fields.items():
                css = field.widget.attrs.get("class", "")
                field.widget.attrs["class"] = css.replace("form-select", "form-select form-select-sm").replace(
                    "form-control", "form-control form-control-sm"
                )
                if name in self.context_filters:
                    field.widget = forms.HiddenInput()
        return self._form

    def chips(self) -> list[dict[str, Any]]:
        """Active context filters as ``{"label", "name", "remove"}`` (remove: query string)."""
        data: QueryDict = self.data if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        user = getattr(self.request, "user", None)
        result = []
        for name, model in self.context_filters.items():
            value = data.get(name)
            if not value or not is_pk(value):
                continue
            obj = model.objects.restrict(user).filter(pk=value).first()  # type: ignore[attr-defined]
            rest = data.copy()
            rest.pop(name, None)
            rest.pop("page", None)
            label = self.filters[name].label
            result.append({"label": f"{label}: {obj if obj else '—'}", "name": name, "remove": rest.urlencode()})
        return result
