"""Party dues: each member's monthly standard with its history, and the payments by month."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import ScopedModel
from dangjian.dues.choices import DuesCategory, PaymentKind, PaymentMethod


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
        indexes = [models.Index(fields=["organization", "month"], name="payment_org_month")]
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
