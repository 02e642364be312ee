"""The organization tree: organizations, the units they cover, their terms, party groups."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.models import AuditedModel, ScopedModel, TimeStampedModel
from dangjian.core.scoping import ScopedModelMixin, ScopedQuerySetMixin
from dangjian.orgs.choices import TWO_NEW_SECTORS, OrgKind, Sector


class OrganizationQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):  # type: ignore[misc]
    def subtree_of(self, org: Organization) -> OrganizationQuerySet:
        """``org`` and everything under it: one prefix query on the materialized path."""
        return self.filter(path__startswith=org.path)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


# Figures stored on each organization by ``orgs.figures`` (derived, not audited).
DERIVED_FIELDS = (
    "full_members",
    "probationary_members",
    "mobile_members",
    "unit_count",
    "committee_size",
    "has_secretary",
    "renewal_due_on",
)


class Organization(ScopedModelMixin, AuditedModel, TimeStampedModel, MP_Node):
    """A party organization: a node of the tree (leading committee → grassroots committee
    → general branch → branch). Subtrees are selected by the prefix of ``path``."""

    scope_paths: ClassVar[tuple[str, ...]] = ("path",)
    scope_self: ClassVar[str | None] = "members"
    audit_exclude: ClassVar[frozenset[str]] = frozenset(
        {"created_at", "updated_at", "path", "depth", "numchild", *DERIVED_FIELDS}
    )
    steplen = 4

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("organization code"),
        max_length=32,
        unique=True,
        help_text=_("Unique code used in imports, transfers and the API."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    # Derived from the records by ``orgs.figures.refresh`` (never typed): what subtree
    # counts and structure warnings are computed from.
    full_members = models.PositiveIntegerField(_("full members"), default=0, editable=False)
    probationary_members = models.PositiveIntegerField(_("probationary members"), default=0, editable=False)
    mobile_members = models.PositiveIntegerField(_("mobile members"), default=0, editable=False)
    unit_count = models.PositiveIntegerField(_("units covered"), default=0, editable=False)
    committee_size = models.PositiveIntegerField(_("committee size"), default=0, editable=False)
    has_secretary = models.BooleanField(_("has a secretary"), default=False, editable=False)
    renewal_due_on = models.DateField(_("renewal due on"), null=True, editable=False, db_index=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # No extra index on path: Django gives the unique path a varchar_pattern_ops
            # index on PostgreSQL, which serves the LIKE 'prefix%' of subtree queries.
            models.Index(fields=["kind", "sector"], name="org_kind_sector"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.pk])

    def ancestor_paths(self, *, include_self: bool = False) -> list[str]:
        """The paths of the organizations above this one, top first (and its own last
        with ``include_self``): the prefixes of the materialized path."""
        end = len(self.path) + (1 if include_self else 0)
        return [self.path[:i] for i in range(self.steplen, end, self.steplen)]

    @property
    def is_two_new(self) -> bool:
        return self.sector in TWO_NEW_SECTORS

    @property
    def is_branch(self) -> bool:
        return self.kind == OrgKind.BRANCH

    def audit_organization(self) -> Any:
        return self


class Unit(ScopedModel):
    """A workplace, village or community an organization covers. A joint branch covers
    several units (O1)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TermQuerySet(ScopedQuerySetMixin, models.QuerySet):  # type: ignore[type-arg]
    def current(self) -> TermQuerySet:
        return self.filter(ended_on__isnull=True)


class Term(ScopedModel):
    """A committee's term of office. ``due_on`` (renewal date) is derived from the
    election date and length by rule O7 and stored so deadlines are one indexed query;
    ``postponed_to`` records an approved delay (O8). A term ends when the next is elected."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="terms"
    )
    elected_on = models.DateField(_("elected on"))
    years = models.PositiveSmallIntegerField(_("term length (years)"))
    due_on = models.DateField(_("renewal due on"), db_index=True)
    postponed_to = models.DateField(_("renewal postponed to"), null=True, blank=True)
    postponement_approval = models.CharField(_("postponement approved by"), max_length=200, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["organization", "-elected_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(ended_on__isnull=True),
                name="term_one_current",
                violation_error_message=_("An organization has one current term."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("elected_on")),
                name="term_due_after_election",
                violation_error_message=_("The renewal date must be after the election."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.elected_on:%Y-%m-%d}"

    @property
    def effective_due_on(self) -> Any:
        """The date by which the committee must be renewed, with any approved delay."""
        return self.postponed_to or self.due_on


class PartyGroup(ScopedModel):
    """A party group (党小组) inside a branch; its leader is appointed by the branch (O6)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        related_name="party_groups",
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        "members.Member",
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="party_group_unique_name",
                violation_error_message=_("This branch already has a party group of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name
