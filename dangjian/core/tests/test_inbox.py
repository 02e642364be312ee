"""The due-items inbox: the registry, what each role sees from each provider, the page
and its counts partial, and a fixed number of queries whatever the tree's size."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core import inbox
from dangjian.core.testing import Cast, make_member, make_org
from dangjian.members import actions as member_actions
from dangjian.orglife import actions
from dangjian.orglife.choices import EventKind, EventState, LecturerKind
from dangjian.orglife.models import Event
from dangjian.orgs import actions as org_actions
from dangjian.orgs.choices import OrgKind, Sector

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


_topics = itertools.count(1)


def record(
    org: Any,
    kind: str,
    day: dt.date,
    *,
    state: str = EventState.HELD,
    attendance: dict[int, tuple[str, str]] | None = None,
    **fields: Any,
) -> Event:
    fields.setdefault("topic", f"议题{next(_topics)}")
    fields.setdefault("minutes", f"<p>记录{next(_topics)}</p>")
    event = Event(organization=org, kind=kind, state=state, held_on=day, **fields)
    return actions.create_event(event, actor=None, attendance=attendance)


def groups_by_key(user: Any) -> dict[str, inbox.DueGroup]:
    return {g.key: g for g in inbox.collect(user, TODAY)}


def labels(group: inbox.DueGroup) -> list[str]:
    return [str(item.label) for item in group.items]


# --- The registry ---------------------------------------------------------------------------------


def test_registry_collects_sorts_and_drops_empty_groups(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def first(user: Any, today: dt.date) -> Any:
        yield inbox.DueGroup("a.due", "B due", inbox.Level.DUE, 2, "/a/")
        yield inbox.DueGroup("a.empty", "Empty", inbox.Level.OVERDUE, 0, "/e/")
        yield inbox.DueGroup("a.flagged", "Flagged", inbox.Level.FLAGGED, 1, "/f/")

    def second(user: Any, today: dt.date) -> Any:
        assert today == TODAY
        yield inbox.DueGroup("b.overdue", "Overdue", inbox.Level.OVERDUE, 3, "/o/")
        yield inbox.DueGroup("b.due", "A due", inbox.Level.DUE, 1, "/d/")

    def silent(user: Any, today: dt.date) -> Any:
        return iter(())

    monkeypatch.setattr(inbox, "PROVIDERS", [])
    for func in (first, second, silent, first):
        inbox.provider(func)
    assert [first, second, silent] == inbox.PROVIDERS  # registering twice is harmless
    groups = inbox.collect(cast.secretary_a, TODAY)
    assert [g.key for g in groups] == ["b.overdue", "a.flagged", "b.due", "a.due"]
    assert inbox.totals(groups) == {"overdue": 3, "flagged": 1, "due": 3}

    from django.contrib.auth.models import AnonymousUser

    assert inbox.collect(AnonymousUser(), TODAY) == []


def test_every_area_registers_a_provider() -> None:
    modules = {func.__module__ for func in inbox.PROVIDERS}
    assert {"dangjian.orglife.inbox", "dangjian.orgs.inbox", "dangjian.members.inbox"} <= modules


# --- What each role sees ------------------------------------------------------------------------


def hold_all_but_march_theme_day(org: Any) -> None:
    """Everything the branch owed in the ended periods of 2026, except March's theme day."""
    for month in range(1, 11):
        if month != 3:
            record(org, EventKind.THEME_DAY, dt.date(2026, month, 10))
    for quarter_start in (1, 4, 7):
        record(org, EventKind.GENERAL_MEETING, dt.date(2026, quarter_start, 15))
        record(
            org,
            EventKind.PARTY_LESSON,
            dt.date(2026, quarter_start, 16),
            lecturer_kind=LecturerKind.MEMBER,
            lecturer_name="党员",
        )


def test_secretary_sees_the_exact_missing_slot(cast: Cast) -> None:
    hold_all_but_march_theme_day(cast.branch_a)
    groups = groups_by_key(cast.secretary_a)
    missing = groups[f"orglife.missing.{cast.branch_a.pk}"]
    assert missing.level == inbox.Level.OVERDUE and missing.count == 1
    assert labels(missing) == ["L6 Theme party day · 2026-03"]
    assert missing.items[0].due_on == dt.date(2026, 3, 31)
    assert missing.items[0].url == reverse("orglife:org_compliance", args=[cast.branch_a.pk]) + "?period=2026"
    due = groups[f"orglife.due.{cast.branch_a.pk}"]
    # Still to hold by the end of Q4: the general meeting, a party lesson, theme days in
    # November and December, and the year's meetings (L5 by the secretary, L7, L8, L9).
    assert due.level == inbox.Level.DUE and due.count == 8
    assert labels(due)[0] == "L6 Theme party day · 2026-11"
    assert len(due.items) == inbox.SAMPLE
    assert set(labels(due)) <= {
        "L1 General meeting · 2026-Q4",
        "L5 Party lesson · 2026-Q4",
        "L6 Theme party day · 2026-11",
        "L6 Theme party day · 2026-12",
        "L5 Lesson by the secretary · 2026",
        "L7 Organizational life meeting · 2026",
        "L8 Democratic evaluation · 2026",
        "L9 Heart-to-heart talk · 2026",
    }
    assert not any(key.endswith(f".{cast.branch_b.pk}") for key in groups)


def test_missing_slots_come_oldest_first(cast: Cast) -> None:
    missing = groups_by_key(cast.secretary_a)[f"orglife.missing.{cast.branch_a.pk}"]
    # 2026 up to October: 3 general meetings, 3 party lessons, 10 theme days.
    assert missing.count == 16
    assert len(missing.items) == inbox.SAMPLE
    dates = [item.due_on for item in missing.items]
    assert dates == sorted(dates)
    assert labels(missing)[:2] == ["L6 Theme party day · 2026-01", "L6 Theme party day · 2026-02"]
    assert "L6 Theme party day · 2026-03" in labels(missing)


def test_county_sees_children_aggregated(cast: Cast) -> None:
    hold_all_but_march_theme_day(cast.branch_a)
    groups = groups_by_key(cast.county_admin)
    missing = groups[f"orglife.missing.{cast.county.pk}"]
    assert missing.count == 1 + 16
    assert [(str(i.label), str(i.detail)) for i in missing.items] == [
        ("非公党委", "16 missing"),
        ("城关镇党委", "1 missing"),
    ]
    assert missing.url == reverse("orglife:compliance") + f"?org={cast.county.pk}&period=2026"
    # Each branch: 4 in Q4 and 4 yearly; each committee: the secretary's lesson and a talk.
    assert groups[f"orglife.due.{cast.county.pk}"].count == 8 + 8 + 2 + 2
    assert not any(key.endswith(f".{cast.branch_a.pk}") for key in groups)


def test_overdue_transfers_and_terms_appear(cast: Cast) -> None:
    li = cast.members_a[1]
    member_actions.start_transfer(
        li,
        to_org=cast.branch_b,
        to_external="",
        reason="work",
        letter_number="转2026-01",
        issued_on=dt.date(2026, 6, 1),
        same_city=True,
        actor=None,
    )
    org_actions.record_election(cast.branch_a, elected_on=dt.date(2022, 10, 8), years=3, actor=None)
    groups = groups_by_key(cast.secretary_a)
    transfers = groups["members.transfers_overdue"]
    assert transfers.level == inbox.Level.OVERDUE and transfers.count == 1 and transfers.rule == "T3"
    assert labels(transfers) == ["李四"] and transfers.items[0].due_on < TODAY
    terms = groups["orgs.term_overdue"]
    assert terms.count == 1 and labels(terms) == ["东关村党支部"]
    assert terms.items[0].due_on == dt.date(2025, 10, 8)
    # Branch B's secretary sees the transfer coming in? It is listed with the sending side only when in scope.
    assert "orgs.term_overdue" not in groups_by_key(cast.secretary_b)


def test_unrecorded_drifting_and_signals_groups(cast: Cast) -> None:
    li = cast.members_a[1]
    for month in range(5, 12):
        record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, month, 2), attendance={li.pk: ("absent", "")})
    record(
        cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 5), minutes="", attendance={li.pk: ("absent", "")}
    )
    planned = record(cast.branch_a, EventKind.PARTY_LESSON, dt.date(2026, 11, 6), state=EventState.PLANNED)
    groups = groups_by_key(cast.secretary_a)
    assert groups["orglife.drifting"].level == inbox.Level.FLAGGED and labels(groups["orglife.drifting"]) == ["李四"]
    assert (
        groups["orglife.unrecorded"].count == 1
        and groups["orglife.unrecorded"].items[0].url == planned.get_absolute_url()
    )
    assert groups["orglife.signals"].count >= 1
    assert "orglife.drifting" not in groups_by_key(cast.secretary_b)


def test_member_sees_upcoming_events_only(cast: Cast) -> None:
    record(
        cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 30), state=EventState.PLANNED, topic="A支部党员大会"
    )
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 20), state=EventState.PLANNED, topic="太远的")
    record(
        cast.branch_b, EventKind.GENERAL_MEETING, dt.date(2026, 11, 30), state=EventState.PLANNED, topic="B支部党员大会"
    )
    groups = inbox.collect(cast.member_a, TODAY)
    assert [g.key for g in groups] == ["orglife.upcoming"]
    assert groups[0].count == 1 and labels(groups[0]) == ["A支部党员大会"]
    assert "orglife.upcoming" not in groups_by_key(cast.secretary_a)


# --- The page ---------------------------------------------------------------------------------------


def test_inbox_page_and_counts_partial(cast: Cast) -> None:
    hold_all_but_march_theme_day(cast.branch_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.secretary_a)
    body = client.get(reverse("core:inbox")).content.decode()
    assert f'data-due-group="orglife.missing.{cast.branch_a.pk}"' in body
    assert "L6 Theme party day · 2026-03" in body
    assert body.index(f'data-due-group="orglife.missing.{cast.branch_a.pk}"') < body.index(
        f'data-due-group="orglife.due.{cast.branch_a.pk}"'
    )
    totals = inbox.totals(inbox.collect(cast.secretary_a, TODAY))
    counts = client.get(reverse("core:inbox") + "?partial=counts").content.decode()
    assert "<html" not in counts and "data-inbox-counts" in counts
    assert f"Overdue {totals['overdue']}<" in counts and f"Due {totals['due']}<" in counts
    assert totals["overdue"] >= 1 and totals["due"] == 8

    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(cast.member_a)
    assert "Nothing is due or overdue in your scope." in member.get(reverse("core:inbox")).content.decode()
    assert Client().get(reverse("core:inbox")).status_code == 302


# --- Queries ------------------------------------------------------------------------------------------


def grow(cast: Cast, n: int) -> None:
    """``n`` more branches under committee X, each with members, events and a term."""
    for i in range(n):
        branch = make_org(f"新支部{i}", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
        people = [make_member(branch, f"党员{i}{j}") for j in range(3)]
        record(branch, EventKind.THEME_DAY, dt.date(2026, 10, 10), attendance={people[0].pk: ("absent", "")})
        record(branch, EventKind.PARTY_LESSON, dt.date(2026, 11, 10), state=EventState.PLANNED)
        org_actions.record_election(branch, elected_on=dt.date(2022, 1, 8), years=3, actor=None)


def queries_per_provider(user: Any) -> dict[str, int]:
    counts = {}
    for func in inbox.PROVIDERS:
        with CaptureQueriesContext(connection) as captured:
            for group in func(user, TODAY):
                list(group.items)
        counts[func.__name__] = len(captured)
    return counts


@pytest.mark.parametrize("role", ["county_admin", "committee_admin", "secretary_a", "member_a"])
def test_queries_do_not_grow_with_organizations(cast: Cast, role: str, django_assert_max_num_queries: Any) -> None:
    user = getattr(cast, role)
    queries_per_provider(user)  # the figures in force are read once and cached
    before = queries_per_provider(user)
    grow(cast, 6)
    queries_per_provider(user)
    after = queries_per_provider(user)
    assert after == before
    # A fixed budget for the whole inbox: about two queries per area plus the samples.
    with django_assert_max_num_queries(30):
        inbox.collect(user, TODAY)
