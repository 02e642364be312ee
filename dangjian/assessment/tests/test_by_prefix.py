"""Adding up the sources' rows by path prefix when the group mixes levels: an
organization's own rows count once for it and once for each assessed organization above
it, never twice for itself (a committee assessed together with its branches)."""

from __future__ import annotations

from dangjian.assessment.sources import Measure, by_prefix
from dangjian.orgs.models import Organization

# by_prefix reads only ``pk`` and ``path``: unsaved organizations, no database.
COMMITTEE = Organization(pk=1, path="00010001")
BRANCH = Organization(pk=2, path="000100010001")


def test_a_committee_with_its_branch_counts_its_own_rows_once() -> None:
    rows = [("00010001", 1, 1), ("000100010001", 1, 2)]
    assert by_prefix(rows, [COMMITTEE, BRANCH]) == {1: Measure(2, 3), 2: Measure(1, 2)}
    # The order of the targets does not matter.
    assert by_prefix(rows, [BRANCH, COMMITTEE]) == {1: Measure(2, 3), 2: Measure(1, 2)}


def test_rows_deeper_than_every_target_and_outside_all_of_them() -> None:
    rows = [
        ("00010001", 1, 1),
        ("000100010001", 1, 2),
        ("0001000100010001", 3, 4),  # a party group under the branch: both count it
        ("00010002", 5, 5),  # another committee: neither
        ("0001", 7, 7),  # the level above both: neither
    ]
    assert by_prefix(rows, [COMMITTEE, BRANCH]) == {1: Measure(5, 7), 2: Measure(4, 6)}


def test_a_target_without_rows_gets_nothing_due() -> None:
    measures = by_prefix([("00010002", 1, 1)], [COMMITTEE])
    assert measures == {1: Measure(0, 0)} and measures[1].rate is None
