"""The four links of responsibility: every allowed and every forbidden move of an item,
for each side, with the history kept (issue 6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast
from dangjian.duties import actions, rules
from dangjian.duties.choices import ItemState, Move
from dangjian.duties.models import Item, WorkList
from dangjian.duties.rules import Side

M = dt.date
YEAR_END = M(2026, 12, 31)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def published(cast: Cast, deadline: dt.date = YEAR_END) -> Item:
    work_list = actions.create_list(
        cast.committee_x, year=2026, title="2026年党建工作责任清单", actor=cast.committee_admin
    )
    item = actions.add_item(
        work_list,
        assignee=cast.branch_a,
        title="按期换届",
        deadline=deadline,
        requirements="按O7/O8",
        actor=cast.committee_admin,
    )
    actions.publish(work_list, actor=cast.committee_admin)
    item.refresh_from_db()
    return item


ARGS: dict[Move, dict[str, Any]] = {
    Move.ACKNOWLEDGE: {},
    Move.PROGRESS: {"percent": 50, "text": "已提交换届请示"},
    Move.REPORT: {"text": "已完成换届选举"},
    Move.ACCEPT: {"score": Decimal("9.5")},
    Move.RETURN: {"text": "缺少选举结果报告"},
    Move.FAIL: {"text": "逾期未完成"},
    Move.PURSUE: {"measure": "talk", "decided_by": "镇党委", "text": "约谈支部书记"},
}
# How to bring an item into each state from "assigned".
PATHS: dict[ItemState, list[Move]] = {
    ItemState.ASSIGNED: [],
    ItemState.ACKNOWLEDGED: [Move.ACKNOWLEDGE],
    ItemState.REPORTED: [Move.ACKNOWLEDGE, Move.REPORT],
    ItemState.RETURNED: [Move.ACKNOWLEDGE, Move.REPORT, Move.RETURN],
    ItemState.ACCEPTED: [Move.ACKNOWLEDGE, Move.REPORT, Move.ACCEPT],
    ItemState.FAILED: [Move.FAIL],
    ItemState.PURSUED: [Move.FAIL, Move.PURSUE],
}
EXPECTED_ALLOWED = {
    ItemState.ASSIGNED: {(Move.ACKNOWLEDGE, Side.OWNER), (Move.FAIL, Side.ISSUER)},
    ItemState.ACKNOWLEDGED: {(Move.PROGRESS, Side.OWNER), (Move.REPORT, Side.OWNER), (Move.FAIL, Side.ISSUER)},
    ItemState.REPORTED: {(Move.ACCEPT, Side.ISSUER), (Move.RETURN, Side.ISSUER), (Move.FAIL, Side.ISSUER)},
    ItemState.RETURNED: {(Move.PROGRESS, Side.OWNER), (Move.REPORT, Side.OWNER), (Move.FAIL, Side.ISSUER)},
    ItemState.ACCEPTED: set(),
    ItemState.FAILED: {(Move.PURSUE, Side.ISSUER)},
    ItemState.PURSUED: set(),
}


def test_the_state_machine_is_exactly_the_table() -> None:
    for state in ItemState:
        allowed = {(m, s) for m in rules.TRANSITIONS for s in Side if rules.allowed(state, m, s)}
        assert allowed == EXPECTED_ALLOWED[state], state


def actor_for(cast: Cast, move: Move) -> Any:
    return cast.committee_admin if rules.TRANSITIONS[move].side == Side.ISSUER else cast.secretary_a


@pytest.mark.parametrize("state", list(ItemState))
@pytest.mark.parametrize("move", [m for m in Move if m != Move.ASSIGN])
def test_every_move_from_every_state(cast: Cast, state: ItemState, move: Move) -> None:
    item = published(cast)
    for step in PATHS[state]:
        actions.make_move(item, step, actor=actor_for(cast, step), **ARGS[step])
    item.refresh_from_db()
    assert item.state == state
    history = item.events.count()
    side = rules.TRANSITIONS[move].side
    if (move, side) in EXPECTED_ALLOWED[state]:
        event = actions.make_move(item, move, actor=actor_for(cast, move), **ARGS[move])
        item.refresh_from_db()
        assert item.state == rules.after(state, move)
        assert item.events.count() == history + 1 and event.move == move and event.by == actor_for(cast, move)
    else:
        with pytest.raises(ValidationError, match="is not possible while the item is"):
            actions.make_move(item, move, actor=actor_for(cast, move), **ARGS[move])
        assert Item.objects.get(pk=item.pk).state == state and item.events.count() == history


@pytest.mark.parametrize("move", [Move.ACKNOWLEDGE, Move.REPORT, Move.PROGRESS])
def test_the_issuer_cannot_make_the_owners_moves_for_an_owner_outside_its_scope(cast: Cast, move: Move) -> None:
    item = published(cast)
    with pytest.raises(OutOfScope):
        actions.make_move(item, move, actor=cast.secretary_b, **ARGS[move])


def test_the_owner_cannot_assess_its_own_item(cast: Cast) -> None:
    item = published(cast)
    actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    actions.make_move(item, Move.REPORT, actor=cast.secretary_a, text="完成")
    with pytest.raises(OutOfScope):
        actions.make_move(item, Move.ACCEPT, actor=cast.secretary_a, score=Decimal(10))


def test_a_returned_item_is_fixed_and_accepted_with_the_whole_history(cast: Cast) -> None:
    item = published(cast)
    actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    actions.make_move(item, Move.PROGRESS, actor=cast.secretary_a, percent=60, text="选举已召开")
    item.refresh_from_db()
    assert item.percent == 60
    actions.make_move(item, Move.REPORT, actor=cast.secretary_a, text="换届完成")
    actions.make_move(item, Move.RETURN, actor=cast.committee_admin, text="缺选举结果报告")
    item.refresh_from_db()
    assert (item.state, item.percent, item.done_on) == (ItemState.RETURNED, 99, None)
    actions.make_move(item, Move.REPORT, actor=cast.secretary_a, text="已补报告")
    actions.make_move(item, Move.ACCEPT, actor=cast.committee_admin, score=Decimal("9"))
    item.refresh_from_db()
    assert (item.state, item.score, item.percent) == (ItemState.ACCEPTED, Decimal("9.0"), 100)
    assert [e.move for e in item.events.order_by("id")] == [
        Move.ASSIGN,
        Move.ACKNOWLEDGE,
        Move.PROGRESS,
        Move.REPORT,
        Move.RETURN,
        Move.REPORT,
        Move.ACCEPT,
    ]
    assert AuditEntry.objects.filter(content_type__model="item", object_id=str(item.pk)).count() >= 6


@pytest.mark.parametrize(
    ("move", "args", "message"),
    [
        (Move.REPORT, {"text": " "}, "Say what was done"),
        (Move.PROGRESS, {"percent": 100}, "0 to 99 percent"),
        (Move.PROGRESS, {"percent": None}, "0 to 99 percent"),
        (Move.ACCEPT, {"score": Decimal("10.5")}, "Score between 0 and 10"),
        (Move.PURSUE, {"text": "约谈", "measure": "", "decided_by": ""}, "Name the measure"),
    ],
)
def test_moves_need_what_they_record(cast: Cast, move: Move, args: dict, message: str) -> None:  # type: ignore[type-arg]
    item = published(cast)
    for step in {
        Move.REPORT: [Move.ACKNOWLEDGE],
        Move.PROGRESS: [Move.ACKNOWLEDGE],
        Move.ACCEPT: [Move.ACKNOWLEDGE, Move.REPORT],
        Move.PURSUE: [Move.FAIL],
    }[move]:
        actions.make_move(item, step, actor=actor_for(cast, step), **ARGS[step])
    with pytest.raises(ValidationError, match=message):
        actions.make_move(item, move, actor=actor_for(cast, move), **args)


def test_sub_items_go_down_the_owners_subtree_and_must_be_accepted_first(cast: Cast) -> None:
    work_list = actions.create_list(cast.county, year=2026, title="县委责任清单", actor=cast.county_admin)
    item = actions.add_item(
        work_list, assignee=cast.committee_x, title="全镇换届", deadline=M(2026, 12, 31), actor=cast.county_admin
    )
    actions.publish(work_list, actor=cast.county_admin)
    with pytest.raises(ValidationError, match="Acknowledge the item"):
        actions.add_item(
            work_list,
            parent=item,
            assignee=cast.branch_a,
            title="东关村换届",
            deadline=M(2026, 12, 1),
            actor=cast.committee_admin,
        )
    actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.committee_admin)
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="or an organization under it"):
        actions.add_item(
            work_list, parent=item, assignee=cast.branch_b, title="x", deadline=M(2026, 12, 1), actor=cast.county_admin
        )
    with pytest.raises(ValidationError, match="due by the item's deadline"):
        actions.add_item(
            work_list,
            parent=item,
            assignee=cast.branch_a,
            title="x",
            deadline=M(2027, 1, 1),
            actor=cast.committee_admin,
        )
    sub = actions.add_item(
        work_list,
        parent=item,
        assignee=cast.branch_a,
        title="东关村换届",
        deadline=M(2026, 12, 1),
        actor=cast.committee_admin,
    )
    assert sub.issuer == cast.committee_x and sub.events.get().move == Move.ASSIGN
    with pytest.raises(ValidationError, match="Sub-items not yet accepted: 东关村换届"):
        actions.make_move(item, Move.REPORT, actor=cast.committee_admin, text="完成")
    actions.make_move(sub, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    actions.make_move(sub, Move.REPORT, actor=cast.secretary_a, text="完成")
    actions.make_move(sub, Move.ACCEPT, actor=cast.committee_admin, score=Decimal(10))
    actions.make_move(item, Move.REPORT, actor=cast.committee_admin, text="全镇完成")


def test_publish_and_copy_from_last_year(cast: Cast) -> None:
    work_list = actions.create_list(cast.committee_x, year=2025, title="2025年责任清单", actor=cast.committee_admin)
    with pytest.raises(ValidationError, match="Add the items"):
        actions.publish(work_list, actor=cast.committee_admin)
    actions.add_item(
        work_list, assignee=cast.branch_a, title="三会一课", deadline=M(2025, 12, 31), actor=cast.committee_admin
    )
    assert not Item.objects.get(work_list=work_list).events.exists()  # a draft's items are not yet assigned
    actions.publish(work_list, actor=cast.committee_admin)
    with pytest.raises(ValidationError, match="already published"):
        actions.publish(work_list, actor=cast.committee_admin)
    copy = actions.copy_list(work_list, organization=cast.committee_x, year=2026, actor=cast.committee_admin)
    assert copy.state == "draft" and copy.copied_from == work_list
    assert [(i.title, i.deadline, i.assignee, i.state) for i in copy.items.all()] == [
        ("三会一课", M(2026, 12, 31), cast.branch_a, ItemState.ASSIGNED)
    ]
    other = actions.copy_list(work_list, organization=cast.committee_y, year=2026, actor=cast.county_admin)
    assert other.items.get().assignee == cast.committee_y  # outside its subtree: to itself
    assert WorkList.objects.count() == 3


def test_no_moves_on_a_draft_and_no_move_dated_before_the_previous_one(cast: Cast) -> None:
    work_list = actions.create_list(cast.committee_x, year=2026, title="草稿", actor=None)
    item = actions.add_item(work_list, assignee=cast.branch_a, title="x", deadline=M(2026, 12, 31), actor=None)
    with pytest.raises(ValidationError, match="publish it first"):
        actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    actions.publish(work_list, actor=None)  # assigned today, 2026-11-23
    with pytest.raises(ValidationError, match="on or after the previous one, 2026-11-23"):
        actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a, on=M(2026, 1, 1))
    event = actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a, measure="talk", decided_by="x")
    assert (event.measure, event.decided_by) == ("", "")  # fields the move does not take are not kept
