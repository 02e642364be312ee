"""Base FilterSet: one filter definition serves the HTML list, the export and the API."""

from __future__ import annotations

from typing import Any

import django_filters

from dangjian.core.forms import style_fields


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form has Bootstrap classes."""

    @property
    def form(self) -> Any:
        if not hasattr(self, "_form"):
            form = super().form
            style_fields(form)
            for field in form.fields.values():
                field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " form-control-sm"
                if "form-select" in field.widget.attrs["class"]:
                    field.widget.attrs["class"] = field.widget.attrs["class"].replace(
                        "form-control-sm", "form-select-sm"
                    )
        return self._form
