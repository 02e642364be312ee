"""Form helpers shared by every app: Bootstrap classes and native date inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def style_fields(form: forms.BaseForm) -> None:
    """Give each widget the Bootstrap 5 class for its kind (and dates a date picker)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.DateInput) and not isinstance(widget, forms.DateTimeInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class StyledFormMixin:
    """Mix into a form to style its fields, and mark fields with errors as invalid."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)  # type: ignore[arg-type]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = error.error_dict if hasattr(error, "error_dict") else [field]
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass


class ConfirmForm(StyledForm):
    """No fields: the submission itself confirms."""


class FigureForm(StyledForm):
    """A local value for a configurable regulation figure, from a date on."""

    key = forms.ChoiceField(label=_("Figure"))
    value = forms.CharField(
        label=_("Value"), help_text=_("As shown in the table: a number, or a list or table in JSON.")
    )
    effective_from = forms.DateField(label=_("Effective from"))
    note = forms.CharField(label=_("Source or reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from dangjian.core.rulesets import REGISTRY

        self.fields["key"].choices = [
            (fig.key, f"{fig.rule} · {fig.description}") for fig in REGISTRY.values() if fig.configurable
        ]

    def clean_value(self) -> Any:
        import json

        try:
            return json.loads(self.cleaned_data["value"])
        except ValueError:
            raise forms.ValidationError(_("Not a number or JSON value.")) from None
