"""The figures stored on each organization always match the records: every action that
changes what they count recomputes them in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core import audit
from dangjian.core.testing import Cast, make_id_number, make_member
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, PostKind, Status, TransferReason, Transition
from dangjian.members.models import Member, Post
from dangjian.orgs import actions as org_actions
from dangjian.orgs import figures
from dangjian.orgs.models import Organization, Unit


def assert_fresh() -> None:
    stale = list(figures.stale().values_list("name", flat=True))
    assert stale == [], f"stale figures in {stale}"


def test_every_action_keeps_the_figures_fresh(cast: Cast) -> None:
    assert_fresh()
    a, b = cast.branch_a, cast.branch_b
    secretary = member_actions.add_post(
        Post(
            member=cast.members_a[0],
            kind=PostKind.PARTY,
            organization=a,
            party_post=PartyPost.SECRETARY,
            started_on=dt.date(2024, 1, 1),
        ),
        actor=None,
    )
    assert_fresh()
    member_actions.add_post(
        Post(
            member=cast.members_b[0],
            kind=PostKind.PARTY,
            organization=cast.committee_y,
            party_post=PartyPost.COMMITTEE_MEMBER,
            started_on=dt.date(2024, 1, 1),
        ),
        actor=None,
    )
    assert_fresh()
    unit = org_actions.add_unit(Unit(organization=a, name="东关村"), actor=None)
    assert_fresh()
    term = org_actions.record_election(a, elected_on=dt.date(2023, 1, 1), years=None, actor=None)
    assert_fresh()
    org_actions.postpone_renewal(term, postponed_to=dt.date(2028, 6, 1), approval="县委组织部", actor=None)
    assert_fresh()
    newcomer = make_member(a, "新来")
    assert_fresh()
    member = Member.objects.get(pk=newcomer.pk)
    before = audit.snapshot(member)
    member.is_mobile, member.mobile_location = True, "广东省东莞市"
    member_actions.update_member(member, actor=None, before=before)
    assert_fresh()
    transfer = member_actions.start_transfer(
        cast.members_a[1],
        to_org=b,
        to_external="",
        reason=TransferReason.WORK,
        letter_number="1",
        issued_on=dt.date(2026, 11, 1),
        same_city=True,
        actor=None,
    )
    member_actions.accept_transfer(transfer, accepted_on=dt.date(2026, 11, 2), actor=None)
    assert_fresh()
    member_actions.record_transition(
        cast.members_a[0], Transition.DECEASED, on=dt.date(2026, 11, 3), reason="病故", actor=None
    )  # the secretary: the post ends too
    assert_fresh()
    assert Organization.objects.get(pk=a.pk).has_secretary is False
    out = member_actions.start_transfer(
        cast.members_b[0],
        to_org=None,
        to_external="外省某支部",
        reason=TransferReason.WORK,
        letter_number="2",
        issued_on=dt.date(2026, 11, 1),
        same_city=False,
        actor=None,
    )
    member_actions.accept_transfer(out, accepted_on=dt.date(2026, 11, 4), actor=None)
    assert_fresh()
    back = Member(
        organization=b,
        name=cast.members_b[0].name,
        status=Status.FULL,
        joined_on=cast.members_b[0].joined_on,
        full_on=cast.members_b[0].full_on,
    )
    back.id_number = cast.members_b[0].id_number
    member_actions.receive_transfer_from_outside(
        back,
        from_external="外省某支部",
        letter_number="3",
        issued_on=dt.date(2026, 11, 5),
        accepted_on=dt.date(2026, 11, 6),
        reason=TransferReason.WORK,
        actor=None,
    )
    assert_fresh()
    member_actions.end_post(secretary, ended_on=dt.date(2026, 11, 3), actor=None)
    org_actions.remove_unit(unit, actor=None)
    assert_fresh()
    probationary = make_member(
        a, "预备", status=Status.PROBATIONARY, joined_on=dt.date(2025, 6, 1), birth=dt.date(2000, 1, 1)
    )
    member_actions.record_transition(probationary, Transition.MADE_FULL, on=dt.date(2026, 6, 2), reason="", actor=None)
    assert_fresh()
    stored = Organization.objects.get(pk=a.pk)
    assert stored.unit_count == 0 and stored.renewal_due_on == dt.date(2028, 6, 1)
    assert stored.mobile_members == 1


def test_stale_finds_a_wrong_figure_and_the_command_repairs_it(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.branch_a.pk).update(full_members=99)
    assert list(figures.stale()) == [cast.branch_a]
    with pytest.raises(CommandError):
        call_command("refresh_org_figures", "--check")
    call_command("refresh_org_figures")
    assert_fresh()
    assert Organization.objects.get(pk=cast.branch_a.pk).full_members == 4


def test_imported_members_are_counted(cast: Cast, settings) -> None:
    import io

    from django.core.files.base import ContentFile

    from dangjian.core import imports
    from dangjian.core.models import ImportBatch, ImportState

    columns = imports.REGISTRY["members"].columns
    lines = [",".join(c.template_header() for c in columns)]
    for i in range(3):
        values = {
            "organization": "BA",
            "name": f"导入{i}",
            "id_number": make_id_number(dt.date(1975, 3, 1 + i)),
            "status": "full",
            "joined_on": "2000-07-01",
            "full_on": "2001-07-01",
        }
        lines.append(",".join(values.get(c.key, "") for c in columns))
    batch = ImportBatch.objects.create(
        kind="members", original_name="r.csv", created_by=cast.secretary_a, organization=cast.branch_a
    )
    batch.file.save("r.csv", ContentFile(io.StringIO("\n".join(lines)).getvalue().encode()))
    imports.check_batch(batch.pk)
    imports.commit_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.state == ImportState.DONE
    assert_fresh()
    assert Organization.objects.get(pk=cast.branch_a.pk).full_members == 4 + 3
