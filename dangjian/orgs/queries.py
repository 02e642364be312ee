"""Read models of the organization tree: member counts over subtrees and structure
warnings, computed in SQL so that pages cost a fixed number of queries at any size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Length, Substr
from django.utils import timezone

from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.members.choices import ACTIVE_STATUSES, COMMITTEE_POSTS, PartyPost, PostKind, Status
from dangjian.members.models import Member, Post
from dangjian.orgs import rules
from dangjian.orgs.choices import KINDS_WITH_TERMS, OrgKind, StructureWarning
from dangjian.orgs.models import Organization, Term, Unit


@dataclass(frozen=True)
class MemberCounts:
    full: int = 0
    probationary: int = 0
    mobile: int = 0

    @property
    def total(self) -> int:
        return self.full + self.probationary


_COUNT_AGGREGATES = {
    "full": Count("pk", filter=Q(status=Status.FULL)),
    "probationary": Count("pk", filter=Q(status=Status.PROBATIONARY)),
    "mobile": Count("pk", filter=Q(is_mobile=True)),
}


def subtree_counts(org: Organization) -> MemberCounts:
    """Current members of ``org`` and everything under it: one query."""
    row = Member.objects.filter(organization__path__startswith=org.path, status__in=ACTIVE_STATUSES).aggregate(
        **_COUNT_AGGREGATES
    )
    return MemberCounts(**row)


def own_counts(org: Organization) -> MemberCounts:
    """Current members whose organizational relation is in ``org`` itself: one query."""
    row = Member.objects.filter(organization=org, status__in=ACTIVE_STATUSES).aggregate(**_COUNT_AGGREGATES)
    return MemberCounts(**row)


def children_counts(parent: Organization) -> dict[str, MemberCounts]:
    """Subtree counts of each child of ``parent``, keyed by the child's path: one query
    grouping members by the path prefix at the children's depth."""
    prefix_len = (parent.depth + 1) * Organization.steplen
    rows = (
        Member.objects.filter(
            organization__path__startswith=parent.path,
            organization__depth__gt=parent.depth,
            status__in=ACTIVE_STATUSES,
        )
        .annotate(branch_path=Substr("organization__path", 1, prefix_len))
        .values("branch_path")
        .annotate(**_COUNT_AGGREGATES)
        .order_by()
    )
    return {row["branch_path"]: MemberCounts(row["full"], row["probationary"], row["mobile"]) for row in rows}


def _count_subquery(queryset: QuerySet, field: str = "organization") -> Coalesce:  # type: ignore[type-arg]
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_structure(queryset: QuerySet[Organization], today: dt.date | None = None) -> QuerySet[Organization]:
    """Annotate organizations with the figures structure warnings are computed from, and
    one boolean per warning (``w_<warning>``), all in the same query.

    The warning conditions (rules O1-O9, figures from the ruleset in force ``today``)
    are written once, here, as SQL expressions: lists filter on them, pages display them.
    """
    today = today or timezone.localdate()
    current_term = Term.objects.filter(organization=OuterRef("pk"), ended_on__isnull=True)
    # A post counts while it is open and its holder is a current member.
    current_posts = Post.objects.filter(kind=PostKind.PARTY, ended_on__isnull=True, member__status__in=ACTIVE_STATUSES)
    qs = queryset.annotate(
        full_members=_count_subquery(Member.objects.filter(status=Status.FULL)),
        active_members=_count_subquery(Member.objects.filter(status__in=ACTIVE_STATUSES)),
        unit_count=_count_subquery(Unit.objects.all()),
        committee_size=_count_subquery(current_posts.filter(party_post__in=COMMITTEE_POSTS)),
        has_secretary=Exists(current_posts.filter(organization=OuterRef("pk"), party_post=PartyPost.SECRETARY)),
        term_due_on=Subquery(
            current_term.annotate(effective=Coalesce("postponed_to", "due_on")).values("effective")[:1]
        ),
    )
    is_branch = Q(kind=OrgKind.BRANCH)
    has_term = Q(kind__in=KINDS_WITH_TERMS)
    notice = add_months(today, value(rules.RENEWAL_NOTICE_MONTHS.key, today))
    conditions = {
        StructureWarning.UNDERSIZED: is_branch & Q(full_members__lt=value(rules.BRANCH_MIN_FULL_MEMBERS.key, today)),
        StructureWarning.OVERSIZED: is_branch & Q(active_members__gt=value(rules.BRANCH_MAX_MEMBERS.key, today)),
        StructureWarning.TOO_MANY_UNITS: is_branch & Q(unit_count__gt=value(rules.JOINT_BRANCH_MAX_UNITS.key, today)),
        StructureWarning.NO_COMMITTEE: is_branch
        & Q(full_members__gte=value(rules.COMMITTEE_THRESHOLD.key, today))
        & Q(committee_size__lt=value(rules.COMMITTEE_MIN_SIZE.key, today)),
        StructureWarning.NO_SECRETARY: has_term & Q(has_secretary=False),
        StructureWarning.NO_TERM: has_term & Q(term_due_on__isnull=True),
        StructureWarning.TERM_OVERDUE: has_term & Q(term_due_on__lt=today),
        StructureWarning.TERM_DUE_SOON: has_term & Q(term_due_on__gte=today, term_due_on__lte=notice),
    }
    alive = Q(dissolved_on__isnull=True)
    return qs.annotate(
        **{
            f"w_{warning}": ExpressionWrapper(alive & condition, output_field=BooleanField())
            for warning, condition in conditions.items()
        }
    )


def warnings_of(org: Organization) -> list[StructureWarning]:
    """The warnings of an organization annotated by ``with_structure``."""
    return [w for w in StructureWarning if getattr(org, f"w_{w}", False)]


def warning_filter(warning: str) -> Q:
    """Filter for organizations (annotated by ``with_structure``) with ``warning``."""
    return Q(**{f"w_{StructureWarning(warning)}": True})


def warning_totals(queryset: QuerySet[Organization], today: dt.date | None = None) -> dict[str, int]:
    """How many organizations in ``queryset`` have each warning: one query."""
    annotated = with_structure(queryset, today)
    return annotated.aggregate(**{str(w): Count("pk", filter=warning_filter(w)) for w in StructureWarning})


def with_parent_id(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate ``parent_pk``: the organization whose path is this path minus one step."""
    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent))
