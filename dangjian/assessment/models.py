"""Two-way quantitative assessment (issue 7): an organization department's scheme for a
year and a group of assessed organizations, its indicators in two levels (dimensions →
indicators) with the party-building and business shares, its grade bands and consequence
rules; rounds (mid-year, year-end) with the assessors' scores, bonus and deduction items,
appeals, and the published results with their ranking; the consequences the rules give
over consecutive years, with their follow-up."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.assessment.choices import (
    AppealState,
    Category,
    Combine,
    FollowUp,
    Grading,
    Method,
    PointSource,
    Position,
    RoundKind,
    RoundState,
    SchemeState,
)
from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.fields import JSONField
from dangjian.core.models import ScopedModel
from dangjian.duties.models import EVIDENCE_EXTENSIONS

POINTS = {"max_digits": 6, "decimal_places": 2}


def evidence_field(upload_to: str) -> models.FileField:
    return models.FileField(
        _("evidence"), upload_to=upload_to, blank=True, validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)]
    )


class Scheme(ScopedModel):
    """A year's assessment scheme of ``organization`` for a group of organizations under
    it. ``series`` ties the schemes copied from one another, whose year-end results the
    consequence rules read as consecutive years."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("assessing organization"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    title = models.CharField(_("scheme"), max_length=200)
    party_share = models.PositiveSmallIntegerField(
        _("party-building share (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("Points of the party-building indicators out of 100; the business indicators have the rest."),
    )
    combine = models.CharField(_("several assessors"), max_length=10, choices=Combine.choices, default=Combine.TRIMMED)
    grading = models.CharField(_("grades"), max_length=10, choices=Grading.choices, default=Grading.BANDS)
    appeal_days = models.PositiveSmallIntegerField(
        _("days to appeal"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    state = models.CharField(_("state"), max_length=10, choices=SchemeState.choices, default=SchemeState.DRAFT)
    series = models.ForeignKey(
        "self", verbose_name=_("series"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "organization__path", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme", args=[self.pk])

    @property
    def series_id_or_own(self) -> int:
        return self.series_id or self.pk


class Assessed(ScopedModel):
    """An organization of a scheme's group."""

    scope_paths: ClassVar[tuple[str, ...]] = ("scheme__organization__path", "organization__path")

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="assessed")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("assessed organization"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assessed organization")
        verbose_name_plural = _("assessed organizations")
        ordering = ["scheme", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["scheme", "organization"], name="assessed_once")]

    def __str__(self) -> str:
        return str(self.organization)

    def audit_organization(self) -> Any:
        return self.scheme.organization


class Dimension(ScopedModel):
    scope_paths: ClassVar[tuple[str, ...]] = ("scheme__organization__path",)

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="dimensions")
    title = models.CharField(_("dimension"), max_length=200)
    category = models.CharField(_("side"), max_length=10, choices=Category.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["scheme", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_organization(self) -> Any:
        return self.scheme.organization


class Indicator(ScopedModel):
    """An indicator: its full score (for bonus and deduction items, their cap), how it is
    scored and, when automatic, the source of the product's records it is computed from."""

    scope_paths: ClassVar[tuple[str, ...]] = ("dimension__scheme__organization__path",)

    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="indicators"
    )
    title = models.CharField(_("indicator"), max_length=200)
    method = models.CharField(_("scoring"), max_length=10, choices=Method.choices)
    max_score = models.DecimalField(_("full score"), validators=[MinValueValidator(0)], **POINTS)
    source = models.CharField(_("computed from"), max_length=40, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    guidance = models.TextField(_("how it is scored"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_organization(self) -> Any:
        return self.dimension.scheme.organization


class GradeBand(ScopedModel):
    """A grade of the scheme: from ``floor`` points (bands), or at most ``share`` percent
    of the group (quotas; empty: the rest)."""

    scope_paths: ClassVar[tuple[str, ...]] = ("scheme__organization__path",)

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="grades")
    grade = models.CharField(_("grade"), max_length=20)
    label = models.CharField(_("name"), max_length=50)
    floor = models.DecimalField(_("from (points)"), default=0, **POINTS)
    share = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("at most (% of the group)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["scheme", "position", "id"]

    def __str__(self) -> str:
        return self.label

    def audit_organization(self) -> Any:
        return self.scheme.organization


class ConsequenceRule(ScopedModel):
    """A consequence rule of the scheme (see ``rules.Consequence``), editable."""

    scope_paths: ClassVar[tuple[str, ...]] = ("scheme__organization__path",)

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="consequence_rules"
    )
    key = models.CharField(_("key"), max_length=30)
    position = models.CharField(_("where in the ranking"), max_length=10, choices=Position.choices)
    places = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    years = models.PositiveSmallIntegerField(_("years running"), validators=[MinValueValidator(1)])
    min_group = models.PositiveSmallIntegerField(_("smallest group"), default=10, validators=[MinValueValidator(1)])
    measure = models.CharField(_("consequence"), max_length=200)

    class Meta:
        verbose_name = _("consequence rule")
        verbose_name_plural = _("consequence rules")
        ordering = ["scheme", "position", "years", "id"]

    def __str__(self) -> str:
        return self.measure

    def audit_organization(self) -> Any:
        return self.scheme.organization


class Round(ScopedModel):
    """A mid-year or year-end round of a scheme over the period it measures."""

    scope_paths: ClassVar[tuple[str, ...]] = ("scheme__organization__path",)

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("round"), max_length=10, choices=RoundKind.choices)
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period to"))
    state = models.CharField(_("state"), max_length=10, choices=RoundState.choices, default=RoundState.SCORING)
    appeal_until = models.DateField(_("appeals until"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["scheme", "starts_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="round_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:round", args=[self.pk])

    def audit_organization(self) -> Any:
        return self.scheme.organization


class Score(ScopedModel):
    """One assessor's score of a manual indicator for one organization."""

    scope_paths: ClassVar[tuple[str, ...]] = ("round__scheme__organization__path",)

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="scores")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("assessed organization"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("score"), validators=[MinValueValidator(0)], **POINTS)
    note = models.CharField(_("note"), max_length=300, blank=True)
    evidence = evidence_field("assessment/%Y/")

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["round", "organization", "indicator", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization", "indicator", "assessor"], name="score_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value}"

    def audit_organization(self) -> Any:
        return self.round.scheme.organization


class Adjustment(ScopedModel):
    """A bonus or deduction of an organization under a bonus or deduction item, with the
    reason (and evidence); the item's total is held to its cap."""

    scope_paths: ClassVar[tuple[str, ...]] = ("round__scheme__organization__path", "organization__path")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="adjustments")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("assessed organization"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), validators=[MinValueValidator(0)], **POINTS)
    reason = models.CharField(_("reason"), max_length=300)
    evidence = evidence_field("assessment/%Y/")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("bonus or deduction")
        verbose_name_plural = _("bonuses and deductions")
        ordering = ["round", "organization", "indicator", "id"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.points}"

    def audit_organization(self) -> Any:
        return self.organization


class Appeal(ScopedModel):
    """An assessed organization's appeal against its draft scores, within the window."""

    scope_paths: ClassVar[tuple[str, ...]] = ("round__scheme__organization__path", "organization__path")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="appeals")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("assessed organization"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("grounds"))
    filed_on = models.DateField(_("filed on"))
    state = models.CharField(_("state"), max_length=10, choices=AppealState.choices, default=AppealState.PENDING)
    response = models.TextField(_("response"), blank=True)
    decided_on = models.DateField(pgettext_lazy("appeal", "decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["round", "filed_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    def audit_organization(self) -> Any:
        return self.organization


class Result(ScopedModel):
    """An organization's published result of a round: the totals, the place and grade,
    and the breakdown by indicator with the figures automatic scores came from."""

    scope_paths: ClassVar[tuple[str, ...]] = ("round__scheme__organization__path", "organization__path")
    # A published result is never changed and its breakdown is in its row: its creation
    # entry need not copy ~7 KB of JSON per organization (benchmarks, assessment proposal 2).
    audit_exclude: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at", "breakdown"})

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="results")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("assessed organization"), on_delete=models.PROTECT, related_name="+"
    )
    party = models.DecimalField(_("party building"), **POINTS)
    business = models.DecimalField(_("business"), **POINTS)
    bonus = models.DecimalField(_("bonus"), **POINTS)
    deduction = models.DecimalField(_("deductions"), **POINTS)
    total = models.DecimalField(_("total"), **POINTS)
    place = models.PositiveIntegerField(pgettext_lazy("ranking", "place"))
    place_from_bottom = models.PositiveIntegerField(_("place from the bottom"))
    group_size = models.PositiveIntegerField(_("organizations assessed"))
    grade = models.CharField(_("grade"), max_length=50)
    breakdown = JSONField(_("breakdown"), default=list)  # written in bulk (core.fields)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["round", "place", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["round", "organization"], name="result_once")]

    def __str__(self) -> str:
        return f"{self.organization} {self.total}"

    def audit_organization(self) -> Any:
        return self.organization


class Consequence(ScopedModel):
    """What a consequence rule gave an organization in a year, and its follow-up."""

    scope_paths: ClassVar[tuple[str, ...]] = ("round__scheme__organization__path", "organization__path")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="consequences")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=30)
    measure = models.CharField(_("consequence"), max_length=200)
    years = models.JSONField(_("years that triggered it"), default=list)
    state = models.CharField(_("follow-up"), max_length=10, choices=FollowUp.choices, default=FollowUp.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("consequence")
        verbose_name_plural = _("consequences")
        ordering = ["-round__scheme__year", "organization__path", "id"]

    def __str__(self) -> str:
        return f"{self.organization} {self.measure}"

    def audit_organization(self) -> Any:
        return self.organization


class PointsRule(ScopedModel):
    """A member points rule of ``organization`` for a year: it applies to the members of
    its subtree unless an organization nearer to them sets its own rules for the year."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)
    # Kept by those who keep the members (administrators, secretaries); inspectors, who
    # score assessment rounds, only read them.
    scope_area: ClassVar[str | None] = "members"

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    source = models.CharField(_("counted from"), max_length=30, choices=PointSource.choices)
    points = models.DecimalField(_("points each (negative: deduction)"), **POINTS)
    cap = models.DecimalField(_("at most a year"), validators=[MinValueValidator(0)], **POINTS)

    class Meta:
        verbose_name = _("member points rule")
        verbose_name_plural = _("member points rules")
        ordering = ["organization__path", "year", "source"]
        constraints = [models.UniqueConstraint(fields=["organization", "year", "source"], name="points_rule_once")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.points}"
