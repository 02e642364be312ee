"""The member FilterSet, shared by the list page, its export and the API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.filters import StyledFilterSet, YesNoFilter
from dangjian.members.choices import ACTIVE_STATUSES, Education, Gender, Status, TransferReason, TransferState
from dangjian.members.models import Member, Transfer
from dangjian.members.rules import normalize_id_number
from dangjian.orgs.choices import Sector
from dangjian.orgs.filters import SubtreeFilter
from dangjian.orgs.models import Organization, PartyGroup

CURRENT = "current"
FORMER = "former"
STATUS_CHOICES = [
    (CURRENT, _("Current members")),
    (FORMER, _("Former members (history)")),
    *Status.choices,
]
_ID_TAIL = re.compile(r"^[0-9Xx]{1,4}$")
_LATIN = re.compile(r"^[A-Za-z]+$")


def search_members(qs: QuerySet[Member], text: str) -> QuerySet[Member]:
    """Find members by what people type: a name (or part), pinyin initials (zs → 张三)
    or full pinyin, the last 1-4 characters of the ID number, or a whole ID number."""
    text = text.strip()
    if not text:
        return qs
    if len(normalize_id_number(text)) == 18:
        return qs.filter(id_number_digest=crypto.digest(normalize_id_number(text)))
    if _ID_TAIL.match(text):
        tail = text.upper()
        return qs.filter(id_number_last4=tail) if len(tail) == 4 else qs.filter(id_number_last4__endswith=tail)
    if _LATIN.match(text):
        key = text.lower()
        return qs.filter(Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key))
    return qs.filter(name__contains=text)


class MemberFilter(StyledFilterSet):
    context_filters = {"within": Organization, "organization": Organization, "party_group": PartyGroup}

    q = django_filters.CharFilter(label=_("Name, initials or ID digits"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    within = SubtreeFilter(label=_("Within"), path_lookup="organization__path")
    organization = django_filters.NumberFilter(label=_("Organization"), field_name="organization_id")
    party_group = django_filters.NumberFilter(label=_("Party group"), field_name="party_group_id")
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices, field_name="organization__sector")
    mobile = YesNoFilter(label=_("Mobile members"), field_name="is_mobile")
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    education = django_filters.ChoiceFilter(label=_("Education"), choices=Education.choices)

    class Meta:
        model = Member
        fields = ["q", "status", "within", "organization", "party_group", "sector", "mobile", "gender", "education"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Current members unless another status is asked for.
        if data is None:  # FilterView passes None when there is no query string
            data = QueryDict(mutable=True)
        if not data.get("status"):
            data = data.copy()
            data["status"] = CURRENT
        super().__init__(data, *args, **kwargs)

    def search(self, qs: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return search_members(qs, value)

    def filter_status(self, qs: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        if value == CURRENT:
            return qs.filter(status__in=ACTIVE_STATUSES)
        if value == FORMER:
            return qs.exclude(status__in=ACTIVE_STATUSES)
        return qs.filter(status=value) if value else qs


class TransferFilter(StyledFilterSet):
    """Filters of the transfer list (no choice of members or organizations: those would
    list objects outside the scope)."""

    q = django_filters.CharFilter(label=_("Member name or letter number"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=TransferState.choices)
    reason = django_filters.ChoiceFilter(label=_("Reason"), choices=TransferReason.choices)

    class Meta:
        model = Transfer
        fields = ["q", "state", "reason"]

    def search(self, qs: QuerySet[Transfer], name: str, value: str) -> QuerySet[Transfer]:
        return qs.filter(Q(member__name__contains=value) | Q(letter_number__icontains=value)) if value else qs
