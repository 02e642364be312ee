"""Member actions: registration, transitions, transfers, posts — with history and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, make_id_number, make_member
from dangjian.members import actions
from dangjian.members.choices import PartyPost, PostKind, Status, TransferReason, TransferState, Transition
from dangjian.members.models import Member, Post, StatusChange, Transfer

TODAY = dt.date(2026, 11, 23)


def new_member(cast: Cast, **fields) -> Member:
    member = Member(
        organization=fields.pop("organization", cast.branch_a),
        name=fields.pop("name", "新党员"),
        status=fields.pop("status", Status.PROBATIONARY),
        joined_on=fields.pop("joined_on", dt.date(2026, 6, 1)),
        **fields,
    )
    member.id_number = fields.get("id_number") or make_id_number(dt.date(1995, 3, 4))
    return member


def test_register_fills_birth_and_gender_from_id_and_records_history(cast: Cast) -> None:
    member = actions.register_member(new_member(cast), actor=cast.secretary_a, transition=Transition.ADMITTED)
    assert member.birth_date == dt.date(1995, 3, 4) and member.gender == "M"
    assert member.name_initials == "xdy"
    change = StatusChange.objects.get(member=member)
    assert change.transition == Transition.ADMITTED and change.to_status == Status.PROBATIONARY
    entry = AuditEntry.objects.for_object(member).get()
    assert entry.action == "create" and entry.actor == cast.secretary_a
    assert entry.changes["id_number"][1] == member.id_number_masked  # never the number itself
    assert member.id_number not in str(entry.changes)


def test_register_refuses_wrong_birth_date_for_the_id(cast: Cast) -> None:
    member = new_member(cast, birth_date=dt.date(1995, 3, 5))
    with pytest.raises(ValidationError) as exc:
        actions.register_member(member, actor=cast.secretary_a)
    assert "1995-03-04" in str(exc.value.message_dict["birth_date"])
    assert not Member.objects.filter(name="新党员").exists()


def test_register_refuses_duplicate_id_number(cast: Cast) -> None:
    member = new_member(cast)
    member.id_number = cast.members_b[0].id_number
    with pytest.raises(ValidationError) as exc:
        actions.register_member(member, actor=cast.county_admin)
    assert "already registered" in str(exc.value.message_dict["id_number"])


def test_register_outside_scope_rolls_back(cast: Cast) -> None:
    """Secretary A cannot add a member to branch B, even calling the action directly."""
    member = new_member(cast, organization=cast.branch_b)
    with pytest.raises(Http404):
        actions.register_member(member, actor=cast.secretary_a)
    assert not Member.objects.filter(name="新党员").exists()
    assert not AuditEntry.objects.filter(object_repr="新党员").exists()


def test_members_belong_to_branches(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        actions.register_member(new_member(cast, organization=cast.committee_x), actor=None)


def test_D19_made_full_only_after_a_year_and_with_history(cast: Cast, time_machine) -> None:
    time_machine.move_to(TODAY)
    member = actions.register_member(new_member(cast, joined_on=dt.date(2025, 12, 1)), actor=None)
    with pytest.raises(ValidationError) as exc:
        actions.record_transition(
            member, Transition.MADE_FULL, on=dt.date(2026, 11, 30), reason="", actor=cast.secretary_a
        )
    assert "2026-12-01" in str(exc.value)
    time_machine.move_to(dt.date(2026, 12, 2))
    actions.record_transition(member, Transition.MADE_FULL, on=dt.date(2026, 12, 1), reason="", actor=cast.secretary_a)
    member.refresh_from_db()
    assert member.status == Status.FULL and member.full_on == dt.date(2026, 12, 1)
    history = list(member.status_changes.values_list("transition", "to_status"))
    assert history == [(Transition.REGISTERED, Status.PROBATIONARY), (Transition.MADE_FULL, Status.FULL)]


def test_end_states_keep_the_record(cast: Cast) -> None:
    member = cast.members_a[1]
    with pytest.raises(ValidationError):  # a reason is required
        actions.record_transition(member, Transition.DECEASED, on=dt.date(2026, 1, 5), reason=" ", actor=None)
    actions.record_transition(member, Transition.DECEASED, on=dt.date(2026, 1, 5), reason="病故", actor=None)
    member.refresh_from_db()
    assert member.status == Status.DECEASED and member.left_on == dt.date(2026, 1, 5)
    with pytest.raises(ValidationError):  # no transition out of an end state
        actions.record_transition(member, Transition.EXPELLED, on=dt.date(2026, 2, 1), reason="x", actor=None)
    assert Member.objects.filter(pk=member.pk).exists()


def test_T2_internal_transfer_sender_keeps_member_until_receiver_accepts(cast: Cast) -> None:
    member = cast.members_a[2]
    transfer = actions.start_transfer(
        member,
        to_org=cast.branch_b,
        to_external="",
        reason=TransferReason.WORK,
        letter_number="组转1号",
        issued_on=dt.date(2026, 11, 1),
        same_city=True,
        actor=cast.secretary_a,
    )
    assert transfer.valid_until == dt.date(2026, 11, 11)  # T4: 10 days in the same city
    assert transfer.receipt_due_on == dt.date(2026, 12, 1)  # T3: one month
    member.refresh_from_db()
    assert member.organization == cast.branch_a  # T2
    with pytest.raises(ValidationError):  # one pending transfer at a time
        actions.start_transfer(
            member,
            to_org=cast.branch_b,
            to_external="",
            reason=TransferReason.WORK,
            letter_number="2",
            issued_on=dt.date(2026, 11, 2),
            same_city=True,
            actor=None,
        )
    with pytest.raises(Http404):  # only the receiving side accepts
        actions.accept_transfer(transfer, accepted_on=dt.date(2026, 11, 5), actor=cast.secretary_a)
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.PENDING
    actions.accept_transfer(transfer, accepted_on=dt.date(2026, 11, 5), actor=cast.secretary_b)
    member.refresh_from_db()
    assert member.organization == cast.branch_b and member.status == Status.FULL
    change = member.status_changes.latest("id")
    assert change.transition == Transition.TRANSFERRED_IN and change.transfer_id == transfer.pk


def test_transfer_outside_the_system_ends_as_transferred_out(cast: Cast) -> None:
    member = cast.members_a[3]
    transfer = actions.start_transfer(
        member,
        to_org=None,
        to_external="浙江省义乌市某党支部",
        reason=TransferReason.RESIDENCE,
        letter_number="3",
        issued_on=dt.date(2026, 10, 1),
        same_city=False,
        actor=cast.secretary_a,
    )
    assert transfer.valid_until == dt.date(2026, 10, 31)  # T4: 30 days elsewhere
    actions.accept_transfer(transfer, accepted_on=dt.date(2026, 10, 20), actor=cast.secretary_a)
    member.refresh_from_db()
    assert member.status == Status.TRANSFERRED_OUT and member.left_on == dt.date(2026, 10, 20)
    # The same person coming back is taken into the same record.
    returning = new_member(
        cast, name=member.name, status=Status.FULL, joined_on=member.joined_on, full_on=member.full_on
    )
    returning.id_number = member.id_number
    back = actions.receive_transfer_from_outside(
        returning,
        from_external="浙江省义乌市某党支部",
        letter_number="回1",
        issued_on=dt.date(2026, 11, 1),
        accepted_on=dt.date(2026, 11, 3),
        reason=TransferReason.RESIDENCE,
        actor=cast.secretary_a,
    )
    assert back.pk == member.pk and back.status == Status.FULL
    assert Member.objects.filter(id_number_digest=member.id_number_digest).count() == 1


def test_cancel_transfer_needs_reason(cast: Cast) -> None:
    transfer = actions.start_transfer(
        cast.members_a[1],
        to_org=cast.branch_b,
        to_external="",
        reason=TransferReason.WORK,
        letter_number="9",
        issued_on=dt.date(2026, 11, 1),
        same_city=True,
        actor=None,
    )
    with pytest.raises(ValidationError):
        actions.cancel_transfer(transfer, reason="", actor=cast.secretary_a)
    actions.cancel_transfer(transfer, reason="填错接收单位", actor=cast.secretary_a)
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.CANCELLED


def test_posts_one_person_several(cast: Cast) -> None:
    member = cast.members_a[0]
    party = actions.add_post(
        Post(
            member=member,
            kind=PostKind.PARTY,
            organization=cast.branch_a,
            party_post=PartyPost.SECRETARY,
            started_on=dt.date(2024, 1, 1),
        ),
        actor=cast.secretary_a,
    )
    actions.add_post(
        Post(
            member=member,
            kind=PostKind.ADMINISTRATIVE,
            title="村委会主任",
            unit_name="东关村",
            started_on=dt.date(2024, 1, 1),
        ),
        actor=cast.secretary_a,
    )
    assert member.posts.count() == 2
    with pytest.raises(ValidationError):
        actions.add_post(Post(member=member, kind=PostKind.PARTY, started_on=dt.date(2024, 1, 1)), actor=None)
    actions.end_post(party, ended_on=dt.date(2025, 1, 1), actor=cast.secretary_a)
    assert Post.objects.get(pk=party.pk).ended_on == dt.date(2025, 1, 1)


def test_update_cannot_move_member(cast: Cast) -> None:
    from dangjian.core import audit

    member = cast.members_a[1]
    before = audit.snapshot(member)
    member.organization = cast.branch_b
    with pytest.raises(ValidationError):
        actions.update_member(member, actor=cast.county_admin, before=before)


def test_update_records_changed_fields_only(cast: Cast) -> None:
    from dangjian.core import audit

    member = Member.objects.get(pk=cast.members_a[1].pk)
    before = audit.snapshot(member)
    member.phone = "13900000000"
    member.workplace = "东关村委会"
    actions.update_member(member, actor=cast.secretary_a, before=before)
    entry = AuditEntry.objects.for_object(member).filter(action="update").get()
    assert set(entry.changes) == {"phone", "workplace"}
    assert entry.changes["phone"] == ["13800138000", "13900000000"]


def test_audit_entries_cannot_be_edited_or_deleted(cast: Cast) -> None:
    entry = AuditEntry.objects.first()
    entry.note = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(note="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_id_number_is_stored_encrypted(cast: Cast) -> None:
    member = Member.objects.get(pk=cast.members_a[0].pk)
    raw = Member.objects.filter(pk=member.pk).values_list("id_number_encrypted", flat=True).get()
    assert member.id_number not in raw and len(raw) > 50
    assert member.id_number_last4 == member.id_number[-4:]
    assert Member.objects.get(pk=member.pk).id_number == cast.members_a[0].id_number


def test_new_member_full_with_dates(cast: Cast) -> None:
    member = make_member(cast.branch_a, "新正式", joined_on=dt.date(2000, 7, 1), full_on=dt.date(2001, 7, 1))
    assert member.status == Status.FULL
