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
from dangjian.core.scoping import OutOfScope, can, covers_path, ensure_in_scope
from dangjian.dues import queries, rules
from dangjian.dues.choices import FundSource, FundState, PaymentKind
from dangjian.dues.models import DuesStandard, FundEntry, Handover, Payment
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


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


def plan_payments(
    member: Member, months: list[dt.date], standards: list[DuesStandard], paid: set[dt.date]
) -> tuple[list[Payment], list[str]]:
    """The payments of ``months`` (first days, sorted) at the standard in force each month
    (``standards``: the member's, oldest first), or why a month cannot be paid: before
    admission (F8), already paid (``paid``), or no standard. No queries, so that a sheet
    of a whole branch is checked with the same rules as the form."""
    first = rules.first_month_due(member.joined_on)
    problems: list[str] = []
    created: list[Payment] = []
    for month in months:
        in_force = [s for s in standards if s.valid_from <= month]
        if month < first:
            problems.append(_("%(month)s is before the month of admission (F8).") % {"month": f"{month:%Y-%m}"})
        elif member.left_on is not None and month > month_of(member.left_on):
            problems.append(
                _("%(month)s is after the member left on %(day)s.")
                % {"month": f"{month:%Y-%m}", "day": member.left_on.isoformat()}
            )
        elif month in paid:
            problems.append(_("%(month)s is already paid.") % {"month": f"{month:%Y-%m}"})
        elif not in_force:
            problems.append(_("No dues standard is set for %(month)s.") % {"month": f"{month:%Y-%m}"})
        else:
            created.append(
                Payment(member=member, organization=member.organization, month=month, amount=in_force[-1].payable)
            )
    return created, problems


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
    standards = list(DuesStandard.objects.filter(member=member).order_by("valid_from"))
    paid = set(
        Payment.objects.filter(member=member, kind=PaymentKind.REGULAR, month__in=months).values_list(
            "month", flat=True
        )
    )
    created, problems = plan_payments(member, months, standards, paid)
    for payment in created:
        payment.method, payment.paid_on, payment.receipt_no, payment.note = method, paid_on, receipt_no, note
    if problems:
        raise ValidationError({"months": problems})
    for payment in created:
        payment.full_clean()
        payment.save()
        audit.record(actor, "create", payment, before={})
        ensure_in_scope(actor, payment, Action.ADD)
    return created


@transaction.atomic
def record_voluntary(
    member: Member,
    amount: Decimal,
    *,
    method: str,
    paid_on: dt.date,
    receipt_no: str = "",
    note: str = "",
    actor: Any,
) -> Payment:
    """A voluntary payment on top of the monthly dues; from the F10 figure on it goes
    wholly to the Centre (the reconciliation shows it as to be handed up in full)."""
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Only current members pay dues."))
    if amount <= 0:
        raise ValidationError({"amount": _("Amounts are positive.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    payment = Payment(
        member=member,
        organization=member.organization,
        kind=PaymentKind.VOLUNTARY,
        month=month_of(paid_on),
        amount=amount,
        method=method,
        paid_on=paid_on,
        receipt_no=receipt_no,
        note=note,
    )
    payment.full_clean()
    payment.save()
    audit.record(actor, "create", payment, before={})
    ensure_in_scope(actor, payment, Action.ADD)
    return payment


# --- handing dues over up the tree ---------------------------------------------------


@transaction.atomic
def hand_over(
    organization: Organization,
    *,
    amount: Decimal,
    handed_on: dt.date,
    months_from: dt.date,
    months_to: dt.date,
    receipt_no: str = "",
    note: str = "",
    actor: Any,
) -> Handover:
    """``organization`` hands ``amount`` of the dues it holds over to the organization
    directly above it (level by level, so every subtree reconciles). It cannot hand over
    more than it holds on that day."""

    if actor is not None and not covers_path(actor, organization.path):
        raise OutOfScope
    to = Organization.objects.get_parent(organization)
    if to is None:
        raise ValidationError(_("%(org)s has no higher organization in the product.") % {"org": organization.name})
    if months_to < months_from:
        raise ValidationError({"months_to": _("The last month comes after the first.")})
    if handed_on > timezone.localdate():
        raise ValidationError({"handed_on": _("The date is in the future.")})
    if amount <= 0:
        raise ValidationError({"amount": _("Amounts are positive.")})
    _lock(organization)
    held, day = _lowest_held(organization, handed_on)
    if amount > held:
        raise ValidationError(
            {
                "amount": _("%(org)s holds %(held)s yuan of dues on %(day)s.")
                % {"org": organization.name, "held": held, "day": day.isoformat()}
            }
        )
    handover = Handover(
        from_organization=organization,
        to_organization=to,
        amount=amount,
        handed_on=handed_on,
        months_from=month_of(months_from),
        months_to=month_of(months_to),
        receipt_no=receipt_no,
        note=note,
    )
    handover.full_clean()
    handover.save()
    audit.record(actor, "create", handover, before={})
    ensure_in_scope(actor, handover, Action.ADD)
    return handover


@transaction.atomic
def confirm_handover(handover: Handover, *, confirmed_on: dt.date, actor: Any) -> Handover:
    """The receiving organization confirms that the money arrived."""
    if actor is not None and not covers_path(actor, handover.to_organization.path):
        raise ValidationError(_("Only the receiving organization confirms a handover."))
    if handover.confirmed_on is not None:
        raise ValidationError(_("The handover is already confirmed."))
    if confirmed_on < handover.handed_on or confirmed_on > timezone.localdate():
        raise ValidationError({"confirmed_on": _("Confirm on a day from the handover to today.")})
    before = audit.snapshot(handover)
    handover.confirmed_on = confirmed_on
    handover.confirmed_by = actor
    handover.save(update_fields=["confirmed_on", "confirmed_by", "updated_at"])
    audit.record(actor, "update", handover, before=before)
    ensure_in_scope(actor, handover, Action.CHANGE)
    return handover


@transaction.atomic
def withdraw_handover(handover: Handover, *, actor: Any) -> None:
    """The sender takes back a handover recorded by mistake, before it is confirmed."""
    if handover.confirmed_on is not None:
        raise ValidationError(_("A confirmed handover cannot be withdrawn."))
    if actor is not None and not covers_path(actor, handover.from_organization.path):
        raise OutOfScope
    ensure_in_scope(actor, handover, Action.CHANGE)
    receiver = handover.to_organization
    _lock(receiver)
    held, day = _lowest_held(receiver, handover.handed_on)
    if handover.amount > held:
        raise ValidationError(
            _("%(org)s has already passed this money on: it would hold %(held)s yuan on %(day)s.")
            % {"org": receiver.name, "held": held - handover.amount, "day": day.isoformat()}
        )
    audit.record(actor, "delete", handover, before=audit.snapshot(handover))
    handover.delete()


def _lock(organization: Organization) -> None:
    """Serialize the money checks of one organization (two handovers at the same time
    must not both pass the balance check). SQLite serializes writes anyway."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def _lowest_held(organization: Organization, since: dt.date) -> tuple[Decimal, dt.date]:
    """The least ``organization`` holds on any day from ``since`` on, and that day: what
    it holds only falls on the days it hands over, so a handover or a withdrawal dated
    ``since`` must not make any later day negative."""

    days = {
        since,
        *Handover.objects.filter(from_organization=organization, handed_on__gt=since).values_list(
            "handed_on", flat=True
        ),
    }
    return min((queries.held(organization, day), day) for day in sorted(days))


# --- the party-building funds ledger -------------------------------------------------


@transaction.atomic
def record_income(
    organization: Organization,
    *,
    source: str,
    amount: Decimal,
    on: dt.date,
    description: str,
    granted_by: Organization | None = None,
    voucher: Any = None,
    actor: Any,
) -> FundEntry:
    """Money received into ``organization``'s funds. An allocation from a higher
    organization in the product is recorded once, by that organization, and leaves its
    balance: it cannot allocate more than it has."""
    if source == FundSource.HIGHER and granted_by is None and Organization.objects.get_parent(organization):
        raise ValidationError(
            {"source": _("An allocation from the higher organization is recorded there, as “Allocate below”.")}
        )
    if source == FundSource.HIGHER and granted_by is not None:
        if not (organization.path.startswith(granted_by.path) and granted_by.pk != organization.pk):
            raise ValidationError({"granted_by": _("Funds are allocated by a higher organization.")})
        _check_balance(granted_by, amount)
        if actor is not None and not covers_path(actor, granted_by.path):
            raise OutOfScope
    elif granted_by is not None:
        raise ValidationError({"granted_by": _("Only an allocation from the higher organization names it.")})
    entry = FundEntry(
        organization=organization,
        is_income=True,
        source=source,
        granted_by=granted_by,
        amount=amount,
        on=on,
        description=description.strip(),
        state=FundState.RECORDED,
        recorded_by=actor,
    )
    return _save_entry(entry, voucher, actor)


@transaction.atomic
def record_expenditure(
    organization: Organization,
    *,
    category: str,
    amount: Decimal,
    on: dt.date,
    description: str,
    approver: str = "",
    voucher: Any = None,
    project: Any = None,
    actor: Any,
) -> FundEntry:
    """Money spent from ``organization``'s funds (for a party-building project of it, if
    given). Above the approval threshold (a local
    setting) it waits for the higher organization's approval before it counts."""
    _check_balance(organization, amount)
    pending = rules.needs_approval(amount, on)
    if not pending and not approver.strip():
        raise ValidationError({"approver": _("Name who approved the expenditure (name and post).")})
    entry = FundEntry(
        organization=organization,
        is_income=False,
        category=category,
        amount=amount,
        on=on,
        description=description.strip(),
        approver=approver.strip(),
        state=FundState.PENDING if pending else FundState.RECORDED,
        recorded_by=actor,
        project=project,
    )
    if project is not None and project.organization_id != organization.pk:
        raise ValidationError({"project": _("The project belongs to another organization.")})
    return _save_entry(entry, voucher, actor)


def _check_balance(organization: Organization, amount: Decimal) -> None:

    _lock(organization)
    if amount <= 0:
        raise ValidationError({"amount": _("Amounts are positive.")})
    available = queries.fund_balance(organization) - queries.fund_pending(organization)
    if amount > available:
        raise ValidationError(
            {
                "amount": _("%(org)s has %(available)s yuan available (balance less expenditures awaiting approval).")
                % {"org": organization.name, "available": available}
            }
        )


def _save_entry(entry: FundEntry, voucher: Any, actor: Any) -> FundEntry:
    if entry.on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    if voucher:
        entry.voucher = voucher
    entry.full_clean()
    entry.save()
    audit.record(actor, "create", entry, before={})
    ensure_in_scope(actor, entry, Action.ADD)
    return entry


def can_decide(user: Any, entry: FundEntry) -> bool:
    """Whether ``user`` may approve or reject a pending expenditure: someone of the higher
    organization (of the organization itself for a top-level one), not its recorder."""
    if entry.state != FundState.PENDING or user is None or entry.recorded_by_id == getattr(user, "pk", None):
        return False
    if not can(user, FundEntry, Action.CHANGE):
        return False
    parent = Organization.objects.get_parent(entry.organization)
    return covers_path(user, parent.path if parent else entry.organization.path)


@transaction.atomic
def decide_expenditure(entry: FundEntry, *, approve: bool, note: str = "", actor: Any) -> FundEntry:
    entry = FundEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_decide(actor, entry):
        raise ValidationError(
            _("Only the higher organization decides on a pending expenditure, and not the person who recorded it.")
        )
    if not approve and not note.strip():
        raise ValidationError({"decision_note": _("Give the reason for rejecting.")})
    if approve:
        entry.state = FundState.PENDING  # the balance check below must not count it twice

        if entry.amount > queries.fund_balance(entry.organization):
            raise ValidationError(_("The organization's balance no longer covers this expenditure."))
    before = audit.snapshot(FundEntry.objects.get(pk=entry.pk))
    entry.state = FundState.APPROVED if approve else FundState.REJECTED
    entry.decided_by = actor
    entry.decided_on = timezone.localdate()
    entry.decision_note = note.strip()
    if approve and not entry.approver:
        entry.approver = str(actor)
    entry.save()
    audit.record(actor, "update", entry, before=before)
    ensure_in_scope(actor, entry, Action.CHANGE)
    return entry
