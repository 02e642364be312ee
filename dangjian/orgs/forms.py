"""Forms of the organization tree. Validation beyond field types lives in the actions
and rules; these forms only collect input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm, StyledModelForm
from dangjian.orgs import rules
from dangjian.orgs.choices import ALLOWED_CHILDREN, OrgKind
from dangjian.orgs.models import Organization, PartyGroup, Unit


class OrganizationForm(StyledModelForm):
    class Meta:
        model = Organization
        fields = ["name", "code", "kind", "sector", "established_on", "address", "contact_phone", "dissolved_on"]

    def __init__(self, *args: Any, parent: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Left blank, a code is made from the parent's code.")
        if parent is not None:
            allowed = ALLOWED_CHILDREN.get(parent.kind, frozenset())
            self.fields["kind"].choices = [c for c in OrgKind.choices if c[0] in allowed]
        if self.instance.pk is None:
            del self.fields["dissolved_on"]


class ElectionForm(StyledForm):
    elected_on = forms.DateField(label=_("Elected on"))
    years = forms.IntegerField(
        label=_("Term length (years)"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("Leave blank for the length the rules give (O7)."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = rules.default_term_years(org.kind, org.sector)
        self.fields["years"].widget.attrs["placeholder"] = str(default)
        self.fields["years"].help_text = _("Leave blank for the length the rules give (O7): %(years)s years.") % {
            "years": default
        }


class PostponeForm(StyledForm):
    postponed_to = forms.DateField(label=_("Renewal postponed to"))
    approval = forms.CharField(
        label=_("Approved by"), max_length=200, help_text=_("Higher organization and document number (O8).")
    )


class UnitForm(StyledModelForm):
    class Meta:
        model = Unit
        fields = ["name", "credit_code", "address"]


class PartyGroupForm(StyledModelForm):
    class Meta:
        model = PartyGroup
        fields = ["name", "leader"]

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = org.members.active().order_by("name_pinyin")
