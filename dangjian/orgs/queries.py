"""Read models of the organization tree: member counts over subtrees and structure
warnings, computed in SQL from the figures stored on each organization (``orgs.figures``),
so that pages cost a fixed number of queries at any size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Length, Substr
from django.utils import timezone

from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.orgs import rules
from dangjian.orgs.choices import KINDS_WITH_TERMS, OrgKind, StructureWarning
from dangjian.orgs.models import Organization


@dataclass(frozen=True)
class MemberCounts:
    full: int = 0
    probationary: int = 0
    mobile: int = 0

    @property
    def total(self) -> int:
        return self.full + self.probationary


_COUNT_SUMS = {
    "full": Coalesce(Sum("full_members"), 0),
    "probationary": Coalesce(Sum("probationary_members"), 0),
    "mobile": Coalesce(Sum("mobile_members"), 0),
}


def subtree_counts(org: Organization) -> MemberCounts:
    """Current members of ``org`` and everything under it: one prefix query over the
    organizations' stored counts (``orgs.figures``)."""
    row = Organization.objects.filter(path__startswith=org.path).aggregate(**_COUNT_SUMS)
    return MemberCounts(**row)


def own_counts(org: Organization) -> MemberCounts:
    """Current members whose organizational relation is in ``org`` itself: one query
    (read afresh, not from a possibly older ``org`` object)."""
    row = Organization.objects.filter(pk=org.pk).aggregate(**_COUNT_SUMS)
    return MemberCounts(**row)


def children_counts(parent: Organization) -> dict[str, MemberCounts]:
    """Subtree counts of each child of ``parent``, keyed by the child's path: one query
    grouping the organizations under it by the path prefix at the children's depth."""
    prefix_len = (parent.depth + 1) * Organization.steplen
    rows = (
        Organization.objects.filter(path__startswith=parent.path, depth__gt=parent.depth)
        .annotate(branch_path=Substr("path", 1, prefix_len))
        .values("branch_path")
        .annotate(**_COUNT_SUMS)
        .order_by()
    )
    return {
        row["branch_path"]: MemberCounts(row["full"], row["probationary"], row["mobile"])
        for row in rows
        if row["full"] or row["probationary"] or row["mobile"]
    }


def with_structure(queryset: QuerySet[Organization], today: dt.date | None = None) -> QuerySet[Organization]:
    """Annotate organizations with one boolean per structure warning (``w_<warning>``),
    plus ``active_members`` and ``term_due_on``, from their stored figures.

    The warning conditions (rules O1-O9, figures from the ruleset in force ``today``)
    are written once, here, as SQL expressions: lists filter on them, pages display them.
    """
    today = today or timezone.localdate()
    qs = queryset.annotate(
        active_members=F("full_members") + F("probationary_members"),
        term_due_on=F("renewal_due_on"),
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
        StructureWarning.NO_TERM: has_term & Q(renewal_due_on__isnull=True),
        StructureWarning.TERM_OVERDUE: has_term & Q(renewal_due_on__lt=today),
        StructureWarning.TERM_DUE_SOON: has_term & Q(renewal_due_on__gte=today, renewal_due_on__lte=notice),
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


def scope_roots(user: Any) -> QuerySet[Organization]:
    """The topmost organizations the user can see: the roots for a platform administrator,
    the scope organization for other roles, their own organization for a member."""
    visible = Organization.objects.restrict(user)
    if user.sees_everything:
        return visible.filter(depth=1)
    if user.scope_org_id:
        return visible.filter(pk=user.scope_org_id)
    return visible


def ancestors(user: Any, org: Organization) -> list[Organization]:
    """The organizations above ``org`` that ``user`` can see, top first (breadcrumbs):
    one query on the path's prefixes."""
    return list(Organization.objects.restrict(user).filter(path__in=org.ancestor_paths()).order_by("path"))


def root_from(request: Any) -> Organization | None:
    """The organization of ``?org=`` loaded through the scope (404 otherwise), else the
    user's own topmost organization: the subtree a page shows."""
    from dangjian.accounts.roles import Action
    from dangjian.core.ids import pk_or_404
    from dangjian.core.scoping import get_in_scope

    org_pk = request.GET.get("org", "")
    if org_pk:
        return get_in_scope(request.user, Organization, Action.VIEW, pk=pk_or_404(org_pk))
    return scope_roots(request.user).first()


def acting_for(request: Any) -> Organization:
    """The organization a form creates something for: that of ``root_from``, which the
    user must cover (not merely see, as the names of higher organizations); 404 else."""
    from django.http import Http404

    from dangjian.core.scoping import covers_path

    org = root_from(request)
    if org is None or not covers_path(request.user, org.path):
        raise Http404
    return org
