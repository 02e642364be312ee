"""Read models of the member registry."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from dangjian.members.choices import PartyPost, PostKind, TransferState
from dangjian.members.models import Post, Transfer


def committee_of(posts: QuerySet[Post], organization: Any) -> QuerySet[Post]:
    """Current party posts of ``organization``: secretary first, then deputies, committee
    members, party group leaders."""
    rank = Case(
        *[When(party_post=post, then=Value(i)) for i, post in enumerate(PartyPost)],
        output_field=IntegerField(),
    )
    return (
        posts.filter(organization=organization, kind=PostKind.PARTY, ended_on__isnull=True)
        .select_related("member")
        .annotate(rank=rank)
        .order_by("rank", "started_on")
    )


def pending_counts(user: Any) -> dict[str, int]:
    """Pending transfers in the user's scope: all, and those past their receipt date (T3).
    One query."""
    return (
        Transfer.objects.restrict(user)
        .filter(state=TransferState.PENDING)
        .aggregate(pending=Count("pk"), overdue=Count("pk", filter=Q(receipt_due_on__lt=timezone.localdate())))
    )
