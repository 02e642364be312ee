"""Every change to party dues: setting a member's standard (computed by ``rules``, never
typed), and recording payments by month. Each validates, writes atomically, records the
audit entry and re-checks the scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.scoping import ensure_in_scope
from dangjian.dues import rules
from dangjian.dues.choices import PaymentKind
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def set_standard(
    member: Member,
    *,
    category: str,
    valid_from: dt.date,
    base: Decimal | None = None,
    farmer_amount: Decimal | None = None,
    reduced_amount: Decimal | None = None,
    reduction_reason: str = "",
    note: str = "",
    actor: Any,
) -> DuesStandard:
    """A member's dues from the month of ``valid_from`` (F9), computed from the category
    and base (F1-F6); earlier standards stay as history."""
    valid_from = month_of(valid_from)
    first = rules.first_month_due(member.joined_on)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Only current members pay dues."))
    if valid_from < first:
        raise ValidationError(
            {
                "valid_from": _("Dues are paid from the month of admission, %(month)s (F8).")
                % {"month": f"{first:%Y-%m}"}
            }
        )
    try:
        computed = rules.monthly_dues(category, on=valid_from, base=base, farmer_amount=farmer_amount)
    except rules.DuesError as exc:
        field = "farmer_amount" if category == "farmer" else "base"
        raise ValidationError({field: exc.message}) from exc
    if reduced_amount is not None and (reduced_amount < 0 or reduced_amount > computed.amount):
        raise ValidationError({"reduced_amount": _("A reduction lies between 0 and the computed dues (F7).")})
    standard = DuesStandard.objects.filter(member=member, valid_from=valid_from).first() or DuesStandard(
        member=member, valid_from=valid_from
    )
    before = audit.snapshot(standard) if standard.pk else {}
    standard.category = category
    standard.base = computed.base
    standard.farmer_amount = farmer_amount if category == "farmer" else None
    standard.amount = computed.amount
    standard.rule = computed.rule
    standard.rate = computed.rate
    standard.bracket = str(computed.bracket) if computed.bracket else ""
    standard.reduced_amount = reduced_amount
    standard.reduction_reason = reduction_reason.strip()
    standard.note = note
    standard.full_clean()
    standard.save()
    audit.record(actor, "update" if before else "create", standard, before=before)
    ensure_in_scope(actor, standard, Action.CHANGE)
    return standard


def standard_for(member: Member, month: dt.date) -> DuesStandard | None:
    """The standard in force in ``month``."""
    return DuesStandard.objects.filter(member=member, valid_from__lte=month_of(month)).order_by("-valid_from").first()


@transaction.atomic
def record_payments(
    member: Member,
    months: Iterable[dt.date],
    *,
    method: str,
    paid_on: dt.date,
    receipt_no: str = "",
    note: str = "",
    actor: Any,
) -> list[Payment]:
    """Record dues paid for ``months`` (one or several, prepaid or late) at the amount of
    the standard in force each month. All or nothing: any month that cannot be paid
    refuses the whole payment with the reason."""
    months = sorted({month_of(m) for m in months})
    if not months:
        raise ValidationError({"months": _("Choose the months paid for.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    first = rules.first_month_due(member.joined_on)
    paid = set(
        Payment.objects.filter(member=member, kind=PaymentKind.REGULAR, month__in=months).values_list(
            "month", flat=True
        )
    )
    problems: list[str] = []
    created: list[Payment] = []
    for month in months:
        standard = standard_for(member, month)
        if month < first:
            problems.append(_("%(month)s is before the month of admission (F8).") % {"month": f"{month:%Y-%m}"})
        elif month in paid:
            problems.append(_("%(month)s is already paid.") % {"month": f"{month:%Y-%m}"})
        elif standard is None:
            problems.append(_("No dues standard is set for %(month)s.") % {"month": f"{month:%Y-%m}"})
        else:
            created.append(
                Payment(
                    member=member,
                    organization=member.organization,
                    month=month,
                    amount=standard.payable,
                    method=method,
                    paid_on=paid_on,
                    receipt_no=receipt_no,
                    note=note,
                )
            )
    if problems:
        raise ValidationError({"months": problems})
    for payment in created:
        payment.full_clean()
        payment.save()
        audit.record(actor, "create", payment, before={})
        ensure_in_scope(actor, payment, Action.ADD)
    return created
