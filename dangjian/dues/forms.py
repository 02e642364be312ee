"""Forms of party dues: they collect what the member declared; the rules compute the amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months
from dangjian.core.forms import StyledForm
from dangjian.dues.choices import DuesCategory, FundCategory, FundSource, PaymentMethod
from dangjian.orgs.models import Organization


class StandardForm(StyledForm):
    category = forms.ChoiceField(label=_("Dues category"), choices=DuesCategory.choices)
    valid_from = forms.DateField(
        label=_("From the month of"), initial=lambda: timezone.localdate().replace(day=1), help_text=_("F9")
    )
    base = forms.DecimalField(
        label=_("Monthly income base (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "After-tax regular pay, pension, or last quarter's average net income, without what F11 leaves out."
        ),
    )
    farmer_amount = forms.DecimalField(
        label=_("Amount set by the branch (farmers, F5)"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    reduced_amount = forms.DecimalField(
        label=_("Reduced amount (F7)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    reduction_reason = forms.CharField(label=_("Reason and approval of the reduction"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(StyledForm):
    months = forms.MultipleChoiceField(label=_("Months paid for"), widget=forms.CheckboxSelectMultiple)
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), initial=timezone.localdate)
    receipt_no = forms.CharField(label=_("Receipt number"), required=False, max_length=50)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, unpaid: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Unpaid months, and up to twelve months ahead (paid in advance).
        today = timezone.localdate().replace(day=1)
        ahead = [add_months(today, i) for i in range(1, 13)]
        months = sorted({*unpaid, today, *ahead})
        self.fields["months"].choices = [(m.isoformat(), f"{m:%Y-%m}") for m in months]
        self.fields["months"].initial = [m.isoformat() for m in unpaid]

    def chosen_months(self) -> list[dt.date]:
        return [dt.date.fromisoformat(value) for value in self.cleaned_data["months"]]


class VoluntaryForm(StyledForm):
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2)
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), initial=timezone.localdate)
    receipt_no = forms.CharField(label=_("Receipt number"), required=False, max_length=50)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class HandoverForm(StyledForm):
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    handed_on = forms.DateField(label=_("Handed over on"), initial=timezone.localdate)
    months_from = forms.DateField(label=_("Dues of the months from"), help_text=_("The first day of a month."))
    months_to = forms.DateField(label=_("To the month of"))
    receipt_no = forms.CharField(label=_("Receipt or transfer number"), required=False, max_length=50)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ConfirmForm(StyledForm):
    confirmed_on = forms.DateField(label=_("Received on"), initial=timezone.localdate)


class IncomeForm(StyledForm):
    source = forms.ChoiceField(
        label=_("Source"), choices=[(c, label) for c, label in FundSource.choices if c != FundSource.HIGHER]
    )
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), max_length=200)
    voucher = forms.FileField(label=_("Voucher"), required=False, help_text=_("PDF, JPEG, PNG or TIFF."))


class GrantForm(StyledForm):
    """An allocation from this organization's funds to one below it."""

    organization = forms.ModelChoiceField(label=_("To the organization"), queryset=Organization.objects.none())
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), max_length=200)
    voucher = forms.FileField(label=_("Voucher"), required=False, help_text=_("PDF, JPEG, PNG or TIFF."))

    def __init__(self, *args: Any, below: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = below


class ExpenditureForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"), choices=FundCategory.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), max_length=200)
    approver = forms.CharField(
        label=_("Signed off by"),
        required=False,
        max_length=100,
        help_text=_("Name and post of who signed. Above the approval threshold the higher organization approves here."),
    )
    voucher = forms.FileField(label=_("Voucher"), required=False, help_text=_("PDF, JPEG, PNG or TIFF."))
    project = forms.ModelChoiceField(
        label=_("Party-building project"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class DecisionForm(StyledForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note (the reason when rejecting)"), required=False, max_length=200)
