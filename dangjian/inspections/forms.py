"""Forms of supervision and inspection."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.forms import StyledForm
from dangjian.inspections.choices import Coverage, RectificationMove
from dangjian.inspections.models import Check, Plan
from dangjian.members.choices import PartyPost
from dangjian.orgs.models import Organization


class PlanForm(StyledForm):
    title = forms.CharField(label=_("Inspection"), max_length=200)
    year = forms.IntegerField(
        label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, initial=lambda: timezone.localdate().year
    )
    target = forms.ModelChoiceField(label=_("Inspected subtree"), queryset=Organization.objects.none())
    covering = forms.ChoiceField(label=_("Inspect"), choices=Coverage.choices, initial=Coverage.CHILDREN)
    starts_on = forms.DateField(label=_("Starts on"), initial=timezone.localdate)
    ends_on = forms.DateField(label=_("Ends on"))
    inspectors = forms.CharField(label=_("Inspectors"), max_length=300, required=False)
    focus = forms.CharField(label=_("Focus"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checklist_from = forms.ModelChoiceField(
        label=_("Copy the checklist of"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("(the checklist drawn from the rules)"),
        help_text=_("Edit the checklist on the plan's page afterwards."),
    )

    def __init__(self, *args: Any, organizations: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = organizations
        self.fields["checklist_from"].queryset = plans
        self.fields["checklist_from"].label_from_instance = lambda p: f"{p.year} {p.title}"


class CheckForm(StyledForm):
    rule = forms.CharField(label=_("Rule"), max_length=10, required=False, help_text=_("E.g. L1, O8, D17, F1."))
    text = forms.CharField(label=_("Checklist item"), max_length=300)


class VisitAddForm(StyledForm):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class VisitForm(StyledForm):
    inspected_on = forms.DateField(label=_("Inspected on"), initial=timezone.localdate)
    summary = forms.CharField(
        label=pgettext_lazy("inspection", "Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingForm(StyledForm):
    check = forms.ModelChoiceField(
        label=_("Checklist item"), queryset=Check.objects.none(), required=False, empty_label=_("(other)")
    )
    text = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}))
    found_on = forms.DateField(label=_("Found on"), initial=timezone.localdate)
    signal = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    signal_text = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    rectify = forms.BooleanField(label=_("Require a rectification"), required=False, initial=True)
    task = forms.CharField(
        label=_("What to rectify"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to use the finding's text."),
    )
    owner = forms.ModelChoiceField(
        label=_("Responsible organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Leave empty for the inspected organization."),
    )
    post = forms.ChoiceField(label=_("Responsible post"), choices=PartyPost.choices, initial=PartyPost.SECRETARY)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, help_text=_("Leave empty for the local default period.")
    )

    def __init__(self, *args: Any, checks: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["check"].queryset = checks
        self.fields["owner"].queryset = organizations


# What the button of each move says.
VERBS: dict[str, Any] = {
    RectificationMove.PROGRESS: _("Report progress"),
    RectificationMove.REPORT: _("Report rectified"),
    RectificationMove.RETURN: _("Not accepted, redo"),
    RectificationMove.VERIFY: _("Verify closed"),
}


class MoveForm(StyledForm):
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    text = forms.CharField(label=_("What was done, or why"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, image, Word or Excel file."))

    def __init__(self, *args: Any, move: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if move not in (RectificationMove.PROGRESS, RectificationMove.REPORT):
            del self.fields["evidence"]
