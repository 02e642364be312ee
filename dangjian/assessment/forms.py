"""Forms of assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.assessment import sources
from dangjian.assessment.choices import Category, Combine, Grading, Method, PointSource, Position, RoundKind
from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.forms import StyledForm
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization


def _year() -> int:
    return timezone.localdate().year


class SchemeForm(StyledForm):
    title = forms.CharField(label=_("Scheme"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, initial=_year)
    party_share = forms.IntegerField(
        label=_("Party-building share (%)"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("Points of the party-building indicators out of 100; the business indicators have the rest."),
    )
    combine = forms.ChoiceField(label=_("Several assessors"), choices=Combine.choices, initial=Combine.TRIMMED)
    grading = forms.ChoiceField(label=_("Grades"), choices=Grading.choices, initial=Grading.BANDS)
    appeal_days = forms.IntegerField(label=_("Days to appeal"), min_value=1, max_value=60, initial=7)


class CopyForm(StyledForm):
    year = forms.IntegerField(label=_("For the year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)


class GroupForm(StyledForm):
    """Organizations to add: every organization under the scheme's organization of a kind
    (and sector), or one chosen organization."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *OrgKind.choices], required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False)
    organization = forms.ModelChoiceField(
        label=_("Or one organization"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("kind") or data.get("sector") or data.get("organization")):
            raise forms.ValidationError(_("Choose a kind, a sector or an organization."))
        return data


class DimensionForm(StyledForm):
    title = forms.CharField(label=_("Dimension"), max_length=200)
    category = forms.ChoiceField(label=_("Side"), choices=Category.choices)


class IndicatorForm(StyledForm):
    title = forms.CharField(label=_("Indicator"), max_length=200)
    method = forms.ChoiceField(label=pgettext_lazy("indicator", "Scoring"), choices=Method.choices)
    source = forms.ChoiceField(label=_("Computed from"), required=False)
    max_score = forms.DecimalField(
        label=_("Full score"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        help_text=_("For bonus and deduction items: the most they can add or take."),
    )
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    guidance = forms.CharField(label=_("How it is scored"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—"), *sources.choices()]


class ConsequenceRuleForm(StyledForm):
    position = forms.ChoiceField(label=_("Where in the ranking"), choices=Position.choices)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=100)
    years = forms.IntegerField(label=_("Years running"), min_value=1, max_value=10)
    min_group = forms.IntegerField(label=_("Smallest group"), min_value=1, max_value=10000, initial=10)
    measure = forms.CharField(label=_("Consequence"), max_length=200)


class GradeForm(StyledForm):
    label = forms.CharField(label=pgettext_lazy("grade", "Name"), max_length=50)
    floor = forms.DecimalField(label=_("From (points)"), min_value=Decimal(0), max_digits=6, decimal_places=2)
    share = forms.IntegerField(
        # xgettext:no-python-format
        label=_("At most (% of the group)"),
        min_value=0,
        max_value=100,
        required=False,
    )


class RoundForm(StyledForm):
    kind = forms.ChoiceField(label=_("Round"), choices=RoundKind.choices)
    starts_on = forms.DateField(label=_("Period from"))
    ends_on = forms.DateField(label=_("Period to"))


class ReviewForm(StyledForm):
    appeal_until = forms.DateField(label=_("Appeals until"))


class AdjustmentForm(StyledForm):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    indicator = forms.ModelChoiceField(label=_("Item"), queryset=Organization.objects.none())
    points = forms.DecimalField(
        label=pgettext_lazy("bonus or deduction", "Points"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, image, Word or Excel file."))

    def __init__(self, *args: Any, organizations: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["indicator"].queryset = items


class AppealForm(StyledForm):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Organization.objects.none(), required=False, empty_label=_("(the whole result)")
    )
    text = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators


class DecideForm(StyledForm):
    upheld = forms.TypedChoiceField(
        label=pgettext_lazy("appeal", "Decision"),
        choices=[("1", _("Uphold: the scores will be corrected")), ("0", _("Dismiss"))],
        coerce=lambda v: v == "1",
    )
    response = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(StyledForm):
    done_on = forms.DateField(label=_("Done on"), initial=timezone.localdate)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))


class PointsRulesForm(StyledForm):
    """Points each and the yearly cap of every source, for one organization and year."""

    def __init__(self, *args: Any, caps: dict[str, Decimal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        caps = caps or {}
        for source, label in PointSource.choices:
            self.fields[source] = forms.DecimalField(
                label=label, max_digits=6, decimal_places=2, min_value=Decimal(-100), max_value=Decimal(100)
            )
            self.fields[f"{source}.cap"] = forms.DecimalField(
                label=_("at most a year"),
                max_digits=6,
                decimal_places=2,
                min_value=Decimal(0),
                initial=caps.get(source),
            )

    def rules(self) -> list[tuple[str, Decimal, Decimal]]:
        return [(s, self.cleaned_data[s], self.cleaned_data[f"{s}.cap"]) for s, _label in PointSource.choices]
