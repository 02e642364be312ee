"""Recording a whole branch's dues from a sheet (.xlsx or .csv): one row per member and
payment, checked by the same rules as the payment form (``actions.plan_payments``), then
written in one transaction, or nothing. ``views.payment_sheet`` gives the sheet filled
with who owes what for a month, so the secretary only types how and when each paid."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Action
from dangjian.core import audit, crypto
from dangjian.core.imports import (
    CellError,
    CheckResult,
    Column,
    Importer,
    RowError,
    choice_parser,
    parse_date,
    parse_text,
    register,
)
from dangjian.core.scoping import OutOfScope
from dangjian.dues import actions
from dangjian.dues.choices import PaymentKind, PaymentMethod
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.models import Member
from dangjian.members.rules import normalize_id_number

METHOD_ALIASES = {
    "现金": PaymentMethod.CASH,
    "转账": PaymentMethod.TRANSFER,
    "微信": PaymentMethod.TRANSFER,
    "支付宝": PaymentMethod.TRANSFER,
    "代扣": PaymentMethod.PAYROLL,
    "工资代扣": PaymentMethod.PAYROLL,
}
_MONTH = r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?"


def parse_months(value: Any) -> list[dt.date]:
    """Months paid for: ``2026-10``, ``2026年10月``, a range ``2026-09~2026-12`` (also
    with 至, 到 or –), or a list separated by commas; a date cell counts as its month."""
    if value in (None, ""):
        return []
    if isinstance(value, dt.date):
        return [value.replace(day=1)]
    text = parse_text(value)
    months: set[dt.date] = set()
    for part in re.split(r"[,，、;；]\s*", text):
        if not part.strip():
            continue
        bounds = re.fullmatch(rf"\s*{_MONTH}\s*(?:[~～至到–—]|-(?=\s*\d{{4}}))\s*{_MONTH}\s*", part)
        single = re.fullmatch(rf"\s*{_MONTH}\s*", part)
        try:
            if bounds:
                y1, m1, y2, m2 = (int(g) for g in bounds.groups())
                first, last = dt.date(y1, m1, 1), dt.date(y2, m2, 1)
            elif single:
                first = last = dt.date(int(single.group(1)), int(single.group(2)), 1)
            else:
                raise ValueError
        except ValueError:
            raise CellError(
                _("“%(value)s” is not a month or a range of months; write 2026-10 or 2026-09~2026-12.")
                % {"value": part.strip()}
            ) from None
        if last < first or (last.year - first.year) * 12 + last.month - first.month > 35:
            raise CellError(_("“%(value)s”: a range runs forward, at most 36 months.") % {"value": part.strip()})
        month = first
        while month <= last:
            months.add(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return sorted(months)


def parse_amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    text = parse_text(value).replace(",", "").replace("元", "").replace("¥", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not an amount in yuan.") % {"value": text}) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise CellError(_("“%(value)s”: amounts are in yuan with at most two decimals.") % {"value": text})
    return amount


def parse_member_number(value: Any) -> int | None:
    text = parse_text(value)
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise CellError(_("“%(value)s” is not a member number.") % {"value": text})
    return int(text)


class PaymentImporter(Importer):
    kind = "dues-payments"
    title = gettext_lazy("Dues payments")
    area = "dues"
    done_url = "dues:arrears"
    done_label = gettext_lazy("See the arrears")
    instructions = [
        gettext_lazy("One payment per row. Download the sheet of a month from the Party dues page: it lists who owes."),
        gettext_lazy("Give the member number (from the sheet) or the resident ID number, and the name as a check."),
        gettext_lazy("Months: 2026-10, or several: 2026-09~2026-12 or 2026-09, 2026-10 (paid late or in advance)."),
        gettext_lazy(
            "The amount, if given, must be the dues of those months; the product computes it from the standard."
        ),
        gettext_lazy("Delete the rows of members who have not paid."),
        gettext_lazy(
            "If any row has an error, nothing is recorded: fix the rows listed in the report and upload again."
        ),
    ]
    columns = [
        Column(
            "member",
            gettext_lazy("Member number"),
            parse=parse_member_number,
            help=gettext_lazy("As in the sheet downloaded from the Party dues page."),
        ),
        Column(
            "id_number",
            gettext_lazy("Resident ID number"),
            parse=parse_text,
            help=gettext_lazy("Instead of the member number."),
        ),
        Column("name", gettext_lazy("Name"), required=True, parse=parse_text),
        Column(
            "months",
            gettext_lazy("Months paid for"),
            required=True,
            parse=parse_months,
            help=gettext_lazy("2026-10, or 2026-09~2026-12"),
        ),
        Column(
            "amount",
            gettext_lazy("Amount (yuan)"),
            parse=parse_amount,
            help=gettext_lazy("Optional: checked against the dues of the months."),
        ),
        Column(
            "method",
            gettext_lazy("Paid by"),
            required=True,
            parse=choice_parser(PaymentMethod.choices, METHOD_ALIASES),
            help=gettext_lazy("Cash, transfer or payroll deduction (现金/转账/代扣)"),
        ),
        Column("paid_on", gettext_lazy("Paid on"), required=True, parse=parse_date),
        Column("receipt_no", gettext_lazy("Receipt number"), parse=parse_text),
        Column("note", gettext_lazy("Note"), parse=parse_text),
    ]

    def check_rows(self, rows: list[tuple[int, dict[str, Any]]], user: Any, today: dt.date) -> CheckResult:
        result = CheckResult()
        members = self._members(rows, user)
        ids = [m.pk for m in members.values()]
        standards: dict[int, list[DuesStandard]] = {}
        for standard in DuesStandard.objects.filter(member_id__in=ids).order_by("valid_from"):
            standards.setdefault(standard.member_id, []).append(standard)
        paid: dict[int, set[dt.date]] = {}
        for member_id, month in Payment.objects.filter(member_id__in=ids, kind=PaymentKind.REGULAR).values_list(
            "member_id", "month"
        ):
            paid.setdefault(member_id, set()).add(month)
        in_file: dict[tuple[int, dt.date], int] = {}
        for row, values in rows:
            errors: list[RowError] = []
            member = members.get(row)
            label = _("Member number") if values.get("member") else _("Resident ID number")
            shown = str(values.get("member") or "") or _masked(values.get("id_number", ""))
            if member is None:
                message = (
                    _("Give the member number or the resident ID number.")
                    if not values.get("member") and not values.get("id_number")
                    else _("No member with this number in your scope.")
                )
                errors.append(RowError(row, str(label), shown, message))
            elif member.name != values["name"]:
                errors.append(
                    RowError(
                        row,
                        _("Name"),
                        values["name"],
                        _("Member %(number)s is %(name)s.") % {"number": shown, "name": member.name},
                    )
                )
            elif values["paid_on"] > today:
                errors.append(
                    RowError(row, _("Paid on"), values["paid_on"].isoformat(), _("The payment date is in the future."))
                )
            else:
                created, problems = actions.plan_payments(
                    member, values["months"], standards.get(member.pk, []), paid.get(member.pk, set())
                )
                months_text = ", ".join(f"{m:%Y-%m}" for m in values["months"])
                errors += [RowError(row, _("Months paid for"), months_text, str(p)) for p in problems]
                for month in values["months"]:
                    earlier = in_file.setdefault((member.pk, month), row)
                    if earlier != row:
                        errors.append(
                            RowError(
                                row,
                                _("Months paid for"),
                                months_text,
                                _("%(month)s is already on row %(row)s.") % {"month": f"{month:%Y-%m}", "row": earlier},
                            )
                        )
                due = sum((p.amount for p in created), Decimal(0))
                if not problems and values.get("amount") is not None and values["amount"] != due:
                    errors.append(
                        RowError(
                            row,
                            _("Amount (yuan)"),
                            str(values["amount"]),
                            _("The dues of %(months)s are %(due)s yuan.") % {"months": months_text, "due": due},
                        )
                    )
                if not errors:
                    for payment in created:
                        payment.method = values["method"]
                        payment.paid_on = values["paid_on"]
                        payment.receipt_no = values.get("receipt_no") or ""
                        payment.note = values.get("note") or ""
                    result.items.append(created)
                    result.preview.append(
                        {
                            _("Name"): member.name,
                            _("Branch"): member.organization.name,
                            _("Months paid for"): months_text,
                            _("Amount (yuan)"): str(due),
                            _("Paid by"): str(PaymentMethod(values["method"]).label),
                            _("Paid on"): values["paid_on"].isoformat(),
                        }
                    )
            result.errors += errors
        return result

    @staticmethod
    def _members(rows: list[tuple[int, dict[str, Any]]], user: Any) -> dict[int, Member]:
        """Row -> the member it names, in the user's scope: two queries for the sheet."""
        scoped = Member.objects.restrict(user).select_related("organization")
        numbers = {values["member"] for _row, values in rows if values.get("member")}
        digests = {
            crypto.digest(normalize_id_number(values["id_number"]))
            for _row, values in rows
            if not values.get("member") and values.get("id_number")
        }
        by_pk = {m.pk: m for m in scoped.filter(pk__in=numbers)} if numbers else {}
        by_digest = {m.id_number_digest: m for m in scoped.filter(id_number_digest__in=digests)} if digests else {}
        out: dict[int, Member] = {}
        for row, values in rows:
            if values.get("member"):
                member = by_pk.get(values["member"])
            elif values.get("id_number"):
                member = by_digest.get(crypto.digest(normalize_id_number(values["id_number"])))
            else:
                member = None
            if member is not None:
                out[row] = member
        return out

    def write(self, items: list[list[Payment]], user: Any, progress: Callable[[int], None]) -> int:
        """Every row's payments (a row may pay several months); returns the rows written."""
        payments = [payment for row in items for payment in row]
        saved = Payment.objects.bulk_create(payments, batch_size=settings.IMPORT_BATCH_SIZE)
        audit.record_many(user, "create", saved, note=_("Recorded from a dues sheet"))
        in_scope = Payment.objects.restrict(user, Action.ADD).filter(pk__in=[p.pk for p in saved]).count()
        if in_scope != len(saved):
            raise OutOfScope
        progress(len(items))
        return len(items)


def _masked(id_number: str) -> str:
    return f"…{id_number[-4:]}" if id_number else ""


register(PaymentImporter())
