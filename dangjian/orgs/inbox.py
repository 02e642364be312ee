"""Due items of the organization tree for the inbox: committee terms overdue or due for
renewal soon (O7-O9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.scoping import can
from dangjian.orgs import queries
from dangjian.orgs.choices import StructureWarning
from dangjian.orgs.models import Organization


@inbox.provider
def term_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if not can(user, Organization, Action.VIEW) or user.role == Role.MEMBER:
        return
    orgs = queries.with_structure(Organization.objects.restrict(user), today)
    for warning, level in (
        (StructureWarning.TERM_OVERDUE, inbox.Level.OVERDUE),
        (StructureWarning.TERM_DUE_SOON, inbox.Level.DUE),
    ):
        matching = orgs.filter(queries.warning_filter(warning)).order_by("term_due_on")
        yield inbox.DueGroup(
            key=f"orgs.{warning}",
            title=warning.label,
            level=level,
            count=matching.count(),
            url=reverse("orgs:list") + f"?warning={warning}",
            rule="O7–O9",
            items=[
                inbox.DueItem(label=o.name, url=o.get_absolute_url(), due_on=o.term_due_on)
                for o in matching[: inbox.SAMPLE]
            ],
        )
