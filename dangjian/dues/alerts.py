"""Signals of party dues for inspections: members of one organization with six months in
a row owed and unpaid (S1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from dangjian.core import alerts
from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.dues import queries
from dangjian.members.models import Member
from dangjian.orglife.rules import DRIFT_MONTHS


@alerts.source
def six_months_unpaid(organization: Any, today: dt.date) -> Iterator[alerts.Alert]:
    through = add_months(today.replace(day=1), -1)
    months = value(DRIFT_MONTHS.key, today)
    count = queries.unpaid_in_a_row(Member.objects.filter(organization=organization), through, months).count()
    if count:
        yield alerts.Alert(
            code="dues.six_months",
            rule="S1",
            text=ngettext(
                "%(count)d member has not paid dues for %(months)d months in a row",
                "%(count)d members have not paid dues for %(months)d months in a row",
                count,
            )
            % {"count": count, "months": months},
            url=f"{reverse('dues:arrears')}?org={organization.pk}",
        )
