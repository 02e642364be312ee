"""Tables of members and transfers. ID numbers and phones are masked unless the user's
role may see them in full; exports use the same tables, so they are masked the same way."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action
from dangjian.core.scoping import can
from dangjian.members.models import Member, Transfer


def sees_sensitive(request: Any) -> bool:
    return request is not None and can(request.user, Member, Action.VIEW_SENSITIVE)


class MemberTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True, order_by=("name_pinyin",))
    gender = tables.Column(verbose_name=_("Gender"))
    birth_date = tables.DateColumn(verbose_name=_("Birth date"), format="Y-m-d")
    id_number = tables.Column(verbose_name=_("ID number"), empty_values=(), order_by=("id_number_last4",))
    phone = tables.Column(verbose_name=_("Phone"), orderable=False)
    organization = tables.Column(verbose_name=_("Organization"), linkify=True, order_by=("organization__path",))
    status = tables.Column(verbose_name=_("Status"))
    joined_on = tables.DateColumn(verbose_name=_("Admitted on"), format="Y-m-d")
    full_on = tables.DateColumn(verbose_name=_("Full member since"), format="Y-m-d")
    is_mobile = tables.BooleanColumn(verbose_name=_("Mobile"), yesno=("✔", ""))

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "organization",
            "status",
            "joined_on",
            "full_on",
            "is_mobile",
        ]

    def render_id_number(self, record: Member) -> str:
        return record.id_number if sees_sensitive(self.request) else record.id_number_masked

    def render_phone(self, record: Member) -> str:
        return record.phone if sees_sensitive(self.request) else record.phone_masked

    def value_is_mobile(self, record: Member) -> Any:
        return _("yes") if record.is_mobile else ""


class TransferTable(tables.Table):
    member = tables.Column(verbose_name=_("Member"), accessor="member__name")
    sender = tables.Column(verbose_name=_("Sending organization"), accessor="sender_name", orderable=False)
    receiver = tables.Column(verbose_name=_("Receiving organization"), accessor="receiver_name", orderable=False)
    letter_number = tables.Column(verbose_name=_("Letter number"))
    issued_on = tables.DateColumn(verbose_name=_("Issued on"), format="Y-m-d")
    receipt_due_on = tables.DateColumn(verbose_name=_("Receipt due"), format="Y-m-d")
    state = tables.Column(verbose_name=_("State"))
    actions = tables.TemplateColumn(
        template_name="members/partials/transfer_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = Transfer
        fields = ["member", "sender", "receiver", "letter_number", "issued_on", "receipt_due_on", "state", "actions"]
