"""Per-organization figures derived from the records and stored on the organization.

Member counts, units covered, committee size, whether there is a secretary and the renewal
date of the current term are what the structure warnings (O1-O9) and every subtree count are
made of. Computing them per request means correlated subqueries over every organization of
the subtree (5 s for a province's dashboard); stored, a subtree is one indexed prefix query
over the organization table, whatever the number of members.

They are never typed and never incremented: ``refresh(org_ids)`` recomputes them from the
records, in one UPDATE, inside the transaction of every action that changes the records they
count. ``stale()`` finds organizations whose stored figures differ from the records (tests,
``manage.py refresh_org_figures --check``); ``refresh_all()`` repairs everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from dangjian.members.choices import ACTIVE_STATUSES, COMMITTEE_POSTS, PartyPost, PostKind, Status
from dangjian.members.models import Member, Post
from dangjian.orgs.models import DERIVED_FIELDS, Organization, Term, Unit

_CHUNK = 1000


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = (
        queryset.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def expressions() -> dict[str, Any]:
    """Field -> SQL expression computing it from the records, for one organization row."""
    # A post counts while it is open and its holder is a current member.
    current_posts = Post.objects.filter(kind=PostKind.PARTY, ended_on__isnull=True, member__status__in=ACTIVE_STATUSES)
    current_term = Term.objects.filter(organization=OuterRef("pk"), ended_on__isnull=True)
    return {
        "full_members": _count(Member.objects.filter(status=Status.FULL)),
        "probationary_members": _count(Member.objects.filter(status=Status.PROBATIONARY)),
        "mobile_members": _count(Member.objects.filter(status__in=ACTIVE_STATUSES, is_mobile=True)),
        "unit_count": _count(Unit.objects.all()),
        "committee_size": _count(current_posts.filter(party_post__in=COMMITTEE_POSTS)),
        "has_secretary": Exists(current_posts.filter(organization=OuterRef("pk"), party_post=PartyPost.SECRETARY)),
        "renewal_due_on": Subquery(current_term.annotate(due=Coalesce("postponed_to", "due_on")).values("due")[:1]),
    }


def refresh(org_ids: Iterable[int | None]) -> None:
    """Recompute the stored figures of these organizations from the records."""
    ids = sorted({pk for pk in org_ids if pk is not None})
    for start in range(0, len(ids), _CHUNK):
        Organization.objects.filter(pk__in=ids[start : start + _CHUNK]).update(**expressions())


def refresh_all() -> int:
    """Recompute every organization's figures; returns how many organizations."""
    ids = list(Organization.objects.values_list("pk", flat=True))
    refresh(ids)
    return len(ids)


def stale(queryset: QuerySet[Organization] | None = None) -> QuerySet[Organization]:
    """Organizations whose stored figures differ from the records."""
    queryset = Organization.objects.all() if queryset is None else queryset
    live = {f"live_{name}": expression for name, expression in expressions().items()}
    differs = Q()
    for name in DERIVED_FIELDS:
        if name == "renewal_due_on":
            both_blank = Q(renewal_due_on__isnull=True, **{f"live_{name}__isnull": True})
            differs |= ~(Q(renewal_due_on=F(f"live_{name}")) | both_blank)
        else:
            differs |= ~Q(**{name: F(f"live_{name}")})
    return queryset.annotate(**live).filter(differs)
