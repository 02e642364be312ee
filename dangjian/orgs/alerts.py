"""Signals of organization structure for inspections: the warnings of rules O1-O8 (a
term past its renewal, no secretary, a branch too large…) of one organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from dangjian.core import alerts
from dangjian.orgs.choices import StructureWarning
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import warnings_of, with_structure

# The rule each warning concerns; a renewal merely coming up is not a problem yet.
RULE_OF = {
    StructureWarning.UNDERSIZED: "O1",
    StructureWarning.OVERSIZED: "O2",
    StructureWarning.TOO_MANY_UNITS: "O1",
    StructureWarning.NO_COMMITTEE: "O3",
    StructureWarning.NO_SECRETARY: "O3",
    StructureWarning.NO_TERM: "O7",
    StructureWarning.TERM_OVERDUE: "O8",
}


@alerts.source
def structure_warnings(organization: Any, today: dt.date) -> Iterator[alerts.Alert]:
    annotated = with_structure(Organization.objects.filter(pk=organization.pk), today).first()
    if annotated is None:
        return
    for warning in warnings_of(annotated):
        if warning in RULE_OF:
            yield alerts.Alert(
                code=f"orgs.{warning}", rule=RULE_OF[warning], text=warning.label, url=organization.get_absolute_url()
            )
