"""The responsibility system's due items: each group counted once, in one query for all
three, and a few of its items read by deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.core import inbox
from dangjian.core.testing import Cast
from dangjian.duties import actions
from dangjian.duties.choices import Move
from dangjian.duties.inbox import duty_items
from dangjian.duties.models import Item

M = dt.date
TODAY = M(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def items(cast: Cast, *deadlines: dt.date) -> list[Item]:
    work_list = actions.create_list(cast.committee_x, year=2026, title="责任清单", actor=None)
    added = [
        actions.add_item(work_list, assignee=cast.branch_a, title=f"事项{i}", deadline=deadline, actor=None)
        for i, deadline in enumerate(deadlines)
    ]
    actions.publish(work_list, actor=None)
    return added


def move(item: Item, *moves: Move) -> None:
    for step in moves:
        actions.make_move(item, step, actor=None, text="说明")


def test_each_group_counted_once_and_sampled_by_deadline(cast: Cast, django_assert_num_queries: Any) -> None:
    _late, _later, returned, reported, *more = items(
        cast, M(2026, 11, 10), M(2026, 11, 20), M(2026, 12, 31), M(2026, 12, 15), *[M(2026, 11, 1)] * inbox.SAMPLE
    )
    move(returned, Move.ACKNOWLEDGE, Move.REPORT, Move.RETURN)
    move(reported, Move.ACKNOWLEDGE, Move.REPORT)
    list(duty_items(cast.committee_admin, TODAY))  # the figures in force are read once and cached
    # One query counts the three groups, then one reads each group's sample.
    with django_assert_num_queries(4):
        groups = {g.key: g for g in duty_items(cast.committee_admin, TODAY)}
        samples = {key: [i.url for i in g.items] for key, g in groups.items()}
    assert {key: g.count for key, g in groups.items()} == {
        "duties.overdue": 2 + inbox.SAMPLE,
        "duties.returned": 1,
        "duties.to_assess": 1,
    }
    assert samples["duties.overdue"] == [i.get_absolute_url() for i in more]
    assert samples["duties.returned"] == [returned.get_absolute_url()]
    assert samples["duties.to_assess"] == [reported.get_absolute_url()]
    first = groups["duties.overdue"].items[0]
    assert (first.label, first.due_on) == ("东关村党支部: 事项4", M(2026, 11, 1))
    assert {g.level for g in groups.values()} == {inbox.Level.OVERDUE, inbox.Level.FLAGGED, inbox.Level.DUE}
    # The branch sees its own items due, not the committee's assessments.
    assert [g.key for g in duty_items(cast.secretary_a, TODAY)] == ["duties.overdue", "duties.returned"]
