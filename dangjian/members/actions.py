"""Every change to the member registry. Views, the API, imports, commands and tests all
go through these functions: each validates by ``rules.py``, writes atomically, records
the audit entry and re-checks that the result is inside the actor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.scoping import ensure_in_scope
from dangjian.members import rules
from dangjian.members.choices import (
    ACTIVE_STATUSES,
    PostKind,
    Status,
    TransferState,
    Transition,
)
from dangjian.members.models import Member, Post, StatusChange, Transfer
from dangjian.orgs import figures
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization


def _require_branch(org: Organization, field: str = "organization") -> None:
    if org.kind != OrgKind.BRANCH:
        raise ValidationError({field: _("Members belong to a party branch; %(org)s is not a branch.") % {"org": org}})


def _end_posts(member: Member, on: dt.date, actor: Any, *, keep_within: Organization | None = None) -> None:
    """End the member's current posts on ``on`` (a post does not outlive its holder's
    membership). With ``keep_within``, party posts of organizations that contain it, and
    administrative posts, stay: the member is still under them after a transfer."""
    posts = Post.objects.filter(member=member, ended_on__isnull=True).select_related("organization")
    for post in posts:
        if keep_within is not None and (
            post.kind == PostKind.ADMINISTRATIVE
            or (post.organization is not None and keep_within.path.startswith(post.organization.path))
        ):
            continue
        before = audit.snapshot(post)
        post.ended_on = max(on, post.started_on)
        post.save(update_fields=["ended_on", "updated_at"])
        audit.record(actor, "update", post, before=before)


def _refresh_figures(member: Member, *org_ids: int | None) -> None:
    """Recompute the stored figures (``orgs.figures``) of the organizations a change to
    ``member`` touches: theirs, those given, and those whose committee they sit on."""
    post_orgs = Post.objects.filter(member=member, kind=PostKind.PARTY).values_list("organization_id", flat=True)
    figures.refresh([member.organization_id, *org_ids, *post_orgs])


def _last_change_on(member: Member) -> dt.date | None:
    return StatusChange.objects.filter(member=member).order_by("-on").values_list("on", flat=True).first()


@transaction.atomic
def register_member(
    member: Member,
    *,
    actor: Any,
    transition: str = Transition.REGISTERED,
    on: dt.date | None = None,
    reason: str = "",
) -> Member:
    """Save a new member record (unsaved ``member`` with its fields set).

    ``transition`` is REGISTERED for an existing member entered into the registry and
    ADMITTED for a new admission; the history starts with it, dated ``on`` (admission
    date by default).
    """
    _require_branch(member.organization)
    member.set_name(member.name)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError({"status": _("A new record is a probationary or full member.")})
    member.full_clean()
    member.save()
    StatusChange.objects.create(
        member=member,
        transition=transition,
        on=on or member.joined_on,
        reason=reason,
        from_status="",
        to_status=member.status,
        organization=member.organization,
    )
    _refresh_figures(member)
    audit.record(actor, "create", member, before={})
    ensure_in_scope(actor, member, Action.ADD)
    return member


@transaction.atomic
def update_member(member: Member, *, actor: Any, before: dict[str, Any]) -> Member:
    """Save edits to personal data, party group and mobile status.

    ``before`` is the audit snapshot taken before the form changed the instance. The
    organization and the status are not changed here: that is what transfers and
    transitions are for.
    """
    original = Member.objects.select_for_update().get(pk=member.pk)
    if original.organization_id != member.organization_id or original.status != member.status:
        raise ValidationError(_("Use a transfer or a status change to move or change a member."))
    member.set_name(member.name)
    member.full_clean()
    member.save()
    _refresh_figures(member)
    audit.record(actor, "update", member, before=before)
    ensure_in_scope(actor, member, Action.CHANGE)
    return member


@transaction.atomic
def record_transition(member: Member, transition: str, *, on: dt.date, reason: str, actor: Any) -> StatusChange:
    """Record a status change (made full, deceased, expelled, …) with date and reason."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    today = timezone.localdate()
    problems = rules.transition_problems(
        transition,
        status=member.status,
        on=on,
        today=today,
        joined_on=member.joined_on,
        last_change_on=_last_change_on(member),
    )
    if transition != Transition.MADE_FULL and not reason.strip():
        problems.append(_("Give the reason for this change."))
    if problems:
        raise ValidationError(problems)
    before = audit.snapshot(member)
    from_status = member.status
    target = rules.TRANSITIONS[transition][1]
    if target:
        member.status = target
    if transition == Transition.MADE_FULL:
        member.full_on = on
    elif target and target not in ACTIVE_STATUSES:
        member.left_on = on
        _end_posts(member, on, actor)
    member.save()
    change = StatusChange.objects.create(
        member=member,
        transition=transition,
        on=on,
        reason=reason,
        from_status=from_status,
        to_status=member.status,
        organization=member.organization,
    )
    _refresh_figures(member)
    audit.record(actor, transition, member, before=before, note=reason)
    ensure_in_scope(actor, member, Action.CHANGE)
    return change


@transaction.atomic
def start_transfer(
    member: Member,
    *,
    to_org: Organization | None,
    to_external: str,
    reason: str,
    letter_number: str,
    issued_on: dt.date,
    same_city: bool,
    note: str = "",
    actor: Any,
) -> Transfer:
    """Issue an introduction letter moving ``member`` to another organization (T1-T4).

    The member stays with the sending organization until the receiver accepts (T2).
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors: dict[str, str] = {}
    if member.status not in ACTIVE_STATUSES:
        errors["member"] = _("Only current members can be transferred.")
    if to_org is None and not to_external.strip():
        errors["to_org_code"] = _("Give the receiving organization's code or its name.")
    if to_org is not None:
        if to_org.pk == member.organization_id:
            errors["to_org_code"] = _("The member already belongs to this organization.")
        elif to_org.kind != OrgKind.BRANCH:
            errors["to_org_code"] = _("The receiving organization must be a party branch.")
    if issued_on > timezone.localdate():
        errors["issued_on"] = _("The letter date is in the future.")
    if errors:
        raise ValidationError(errors)
    transfer = Transfer(
        member=member,
        from_org=member.organization,
        to_org=to_org,
        to_external="" if to_org else to_external.strip(),
        reason=reason,
        letter_number=letter_number,
        issued_on=issued_on,
        valid_until=rules.letter_valid_until(issued_on, same_city),
        receipt_due_on=rules.receipt_due_on(issued_on),
        note=note,
    )
    transfer.full_clean()
    transfer.save()
    audit.record(actor, "start_transfer", transfer, before={})
    ensure_in_scope(actor, member, Action.CHANGE)
    return transfer


@transaction.atomic
def accept_transfer(transfer: Transfer, *, accepted_on: dt.date, actor: Any) -> Transfer:
    """Complete a transfer.

    For a receiver in this system: the receiving side accepts and the member moves to it.
    For a receiver outside: the sending side records the receipt and the member's status
    becomes "transferred out", kept in history.
    """
    transfer = Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if transfer.state != TransferState.PENDING:
        raise ValidationError(_("This transfer is no longer awaiting acceptance."))
    if accepted_on < transfer.issued_on:
        raise ValidationError({"accepted_on": _("Acceptance cannot come before the letter.")})
    if accepted_on > timezone.localdate():
        raise ValidationError({"accepted_on": _("The date is in the future.")})
    before_member = audit.snapshot(member)
    before_transfer = audit.snapshot(transfer)
    transfer.state = TransferState.ACCEPTED
    transfer.accepted_on = accepted_on
    transfer.save()
    from_status = member.status
    if transfer.to_org is not None:
        member.organization = transfer.to_org
        member.party_group = None
        transition = Transition.TRANSFERRED_IN
        _end_posts(member, accepted_on, actor, keep_within=transfer.to_org)
    else:
        member.status = Status.TRANSFERRED_OUT
        member.left_on = accepted_on
        transition = Transition.TRANSFERRED_OUT
        _end_posts(member, accepted_on, actor)
    member.save()
    StatusChange.objects.create(
        member=member,
        transition=transition,
        on=accepted_on,
        reason=transfer.get_reason_display(),
        from_status=from_status,
        to_status=member.status,
        organization=member.organization,
        transfer=transfer,
    )
    _refresh_figures(member, transfer.from_org_id, transfer.to_org_id)
    audit.record(actor, "accept_transfer", transfer, before=before_transfer)
    audit.record(actor, transition, member, before=before_member)
    # In-system: the member is now the receiver's, so only the receiving side can accept.
    # Outside: the member stays with the sender, who records the receipt.
    ensure_in_scope(actor, member, Action.CHANGE)
    return transfer


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, reason: str, actor: Any) -> Transfer:
    """Withdraw a pending transfer (wrong receiver, letter expired unused, …)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.state != TransferState.PENDING:
        raise ValidationError(_("This transfer is no longer awaiting acceptance."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    before = audit.snapshot(transfer)
    transfer.state = TransferState.CANCELLED
    transfer.note = (transfer.note + "\n" + reason).strip()
    transfer.save()
    audit.record(actor, "cancel_transfer", transfer, before=before, note=reason)
    ensure_in_scope(actor, transfer, Action.CHANGE)
    return transfer


@transaction.atomic
def receive_transfer_from_outside(
    member: Member,
    *,
    from_external: str,
    letter_number: str,
    issued_on: dt.date,
    accepted_on: dt.date,
    reason: str,
    actor: Any,
) -> Member:
    """Register a member arriving with a letter from an organization outside the system.

    A person already in the registry (same ID number, transferred out earlier) is taken
    back into the same record: never a second copy of the person.
    """
    if not from_external.strip():
        raise ValidationError({"from_external": _("Name the sending organization.")})
    _require_branch(member.organization)
    member.set_name(member.name)
    existing = Member.objects.filter(id_number_digest=member.id_number_digest).first()
    if existing is not None and existing.status != Status.TRANSFERRED_OUT:
        raise ValidationError({"id_number": _("A member with this ID number is already registered.")})
    if existing is not None:
        before = audit.snapshot(existing)
        existing.organization = member.organization
        existing.party_group = None
        existing.status = Status.FULL if existing.full_on else Status.PROBATIONARY
        existing.left_on = None
        existing.save()
        target = existing
        audit.record(actor, Transition.TRANSFERRED_IN, target, before=before)
    else:
        member.full_clean()
        member.save()
        target = member
        audit.record(actor, "create", target, before={})
    transfer = Transfer.objects.create(
        member=target,
        from_external=from_external.strip(),
        to_org=target.organization,
        reason=reason,
        letter_number=letter_number,
        issued_on=issued_on,
        valid_until=rules.letter_valid_until(issued_on, same_city=False),
        receipt_due_on=rules.receipt_due_on(issued_on),
        state=TransferState.ACCEPTED,
        accepted_on=accepted_on,
    )
    StatusChange.objects.create(
        member=target,
        transition=Transition.TRANSFERRED_IN,
        on=accepted_on,
        reason=from_external.strip(),
        from_status=Status.TRANSFERRED_OUT if existing else "",
        to_status=target.status,
        organization=target.organization,
        transfer=transfer,
    )
    _refresh_figures(target)
    audit.record(actor, "create", transfer, before={})
    ensure_in_scope(actor, target, Action.ADD)
    return target


@transaction.atomic
def add_post(post: Post, *, actor: Any) -> Post:
    """Record a post held by a member (party or administrative)."""
    if post.kind == PostKind.ADMINISTRATIVE:
        post.organization = None
        post.party_post = ""
        post.portfolio = ""
    post.full_clean()
    post.save()
    figures.refresh([post.organization_id])
    audit.record(actor, "create", post, before={})
    ensure_in_scope(actor, post, Action.CHANGE)
    return post


@transaction.atomic
def end_post(post: Post, *, ended_on: dt.date, actor: Any) -> Post:
    """Close a post on ``ended_on`` (the record stays as history)."""
    before = audit.snapshot(post)
    post.ended_on = ended_on
    post.full_clean()
    post.save()
    figures.refresh([post.organization_id])
    audit.record(actor, "update", post, before=before)
    ensure_in_scope(actor, post, Action.CHANGE)
    return post
