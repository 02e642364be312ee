"""Party dues: each member's monthly standard with its history, and the payments by month."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import ScopedModel
from dangjian.dues.choices import DuesCategory, FundCategory, FundSource, FundState, PaymentKind, PaymentMethod


class DuesStandard(ScopedModel):
    """What a member pays a month from ``valid_from`` (the first of a month) until the
    next standard: the category and income base the member declared, and the amount the
    rules computed from them (F1-F6), with the bracket and rate used. A reduction or
    exemption approved for hardship (F7) replaces the amount payable."""

    scope_paths: ClassVar[tuple[str, ...]] = ("member__organization__path",)
    scope_self: ClassVar[str | None] = "member"

    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_standards"
    )
    valid_from = models.DateField(_("from the month of"), help_text=_("The first of the month (F9)."))
    category = models.CharField(_("dues category"), max_length=20, choices=DuesCategory.choices)
    base = models.DecimalField(_("monthly income base"), max_digits=12, decimal_places=2, null=True, blank=True)
    farmer_amount = models.DecimalField(
        _("amount set by the branch"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # Derived by rules.monthly_dues when saved.
    amount = models.DecimalField(_("monthly dues"), max_digits=10, decimal_places=2, editable=False)
    rule = models.CharField(_("rule"), max_length=8, editable=False)
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4, null=True, blank=True, editable=False)
    bracket = models.CharField(_("bracket"), max_length=40, blank=True, editable=False)
    reduced_amount = models.DecimalField(
        _("reduced amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Hardship reduction approved by the higher committee (F7); 0 exempts."),
    )
    reduction_reason = models.CharField(_("reason and approval of the reduction"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("dues standard")
        verbose_name_plural = _("dues standards")
        ordering = ["member", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "valid_from"],
                name="dues_standard_one_per_month",
                violation_error_message=_("The member already has a standard from that month."),
            ),
            models.CheckConstraint(
                condition=Q(reduced_amount__isnull=True) | ~Q(reduction_reason=""),
                name="dues_reduction_has_reason",
                violation_error_message=_("A reduction or exemption needs its reason and approval (F7)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.valid_from:%Y-%m}: {self.payable}"

    @property
    def payable(self) -> Any:
        """The amount due each month: the reduced amount if one was approved (F7)."""
        return self.reduced_amount if self.reduced_amount is not None else self.amount

    def audit_organization(self) -> Any:
        return self.member.organization


class Payment(ScopedModel):
    """Dues paid for one month (``month`` is its first day), or a voluntary payment.
    Several months paid at once are several rows with the same receipt."""

    scope_paths: ClassVar[tuple[str, ...]] = ("member__organization__path", "organization__path")
    scope_self: ClassVar[str | None] = "member"

    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="dues_payments",
        help_text=_("The branch the member belonged to when paying."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentKind.choices, default=PaymentKind.REGULAR)
    month = models.DateField(_("for the month of"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    method = models.CharField(_("paid by"), max_length=20, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("paid on"))
    receipt_no = models.CharField(_("receipt number"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["member", "month", "id"]
        indexes = [
            models.Index(fields=["organization", "month"], name="payment_org_month"),
            # The collection of a month: the payments of that month, member by member
            # (docs/benchmarks.md, "Party dues collection").
            models.Index(fields=["month", "member"], condition=Q(kind="regular"), name="payment_month_member"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month"],
                condition=Q(kind="regular"),
                name="payment_one_per_month",
                violation_error_message=_("Dues for this month are already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="payment_not_negative",
                violation_error_message=_("Amounts are positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount}"


class Handover(ScopedModel):
    """Dues an organization hands over to a higher one (branch -> grassroots committee ->
    higher). The receiving side confirms what arrived; the sums reconcile with what each
    level collected (``queries.reconciliation``)."""

    scope_paths: ClassVar[tuple[str, ...]] = ("from_organization__path", "to_organization__path")

    from_organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="handovers_out"
    )
    to_organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("handed over to"), on_delete=models.PROTECT, related_name="handovers_in"
    )
    handed_on = models.DateField(_("handed over on"))
    months_from = models.DateField(_("dues of the months from"))
    months_to = models.DateField(_("to"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    receipt_no = models.CharField(_("receipt or transfer number"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    confirmed_on = models.DateField(_("receipt confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dues handover")
        verbose_name_plural = _("dues handovers")
        ordering = ["-handed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="handover_positive", violation_error_message=_("Amounts are positive.")
            ),
            models.CheckConstraint(
                condition=Q(months_to__gte=models.F("months_from")),
                name="handover_months_in_order",
                violation_error_message=_("The last month comes after the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organization} → {self.to_organization} {self.handed_on}: {self.amount}"

    def audit_organization(self) -> Any:
        return self.from_organization


def voucher_path(entry: FundEntry, filename: str) -> str:
    return f"vouchers/{entry.organization_id}/{filename}"


VOUCHER_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "tif", "tiff"]


class FundEntry(ScopedModel):
    """One line of an organization's party-building funds ledger: money received
    (``source``) or spent (``category``). An allocation from the higher organization is
    recorded once, by the higher one (``granted_by``): it is income here and outgoing
    there. An expenditure above the approval threshold waits for approval by the higher
    organization before it counts."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="fund_entries"
    )
    is_income = models.BooleanField(_("income"))
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices, blank=True)
    granted_by = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("allocated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_grants",
    )
    category = models.CharField(_("category"), max_length=20, choices=FundCategory.choices, blank=True)
    on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    description = models.CharField(_("description"), max_length=200)
    approver = models.CharField(
        _("approved by"), max_length=100, blank=True, help_text=_("Who signed the voucher (name and post).")
    )
    voucher = models.FileField(
        _("voucher"),
        upload_to=voucher_path,
        blank=True,
        validators=[FileExtensionValidator(VOUCHER_EXTENSIONS)],
        help_text=_("A scan or photo of the voucher: PDF, JPEG, PNG or TIFF."),
    )
    state = models.CharField(_("state"), max_length=20, choices=FundState.choices, default=FundState.RECORDED)
    project = models.ForeignKey(
        "duties.Project",
        verbose_name=_("party-building project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
        help_text=_("The project whose budget this expenditure is spent from."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approval decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("approval decided on"), null=True, blank=True)
    decision_note = models.CharField(_("approval note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("funds entry")
        verbose_name_plural = _("funds entries")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["organization", "on"], name="fund_entry_org_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="fund_entry_positive",
                violation_error_message=_("Amounts are positive."),
            ),
            models.CheckConstraint(
                condition=(Q(is_income=True) & ~Q(source="") & Q(category=""))
                | (Q(is_income=False) & Q(source="") & ~Q(category="") & Q(granted_by__isnull=True)),
                name="fund_entry_income_has_source_expense_category",
                violation_error_message=_("Income has a source; an expenditure has a category."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.on} {'+' if self.is_income else '-'}{self.amount} {self.description}"

    @property
    def counts(self) -> bool:
        """Whether the entry is in the balance (a pending or rejected expenditure is not)."""
        return self.state in (FundState.RECORDED, FundState.APPROVED)
