"""The democratic evaluation of members (L8, V1-V3): a branch's round for a year with the
roster taken from the member records on the opening day, each member's self-evaluation,
the tallies of the democratic rating and the grade the branch decided at a meeting; and the
follow-up of a lower grade to correction, withdrawal or removal."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.models import ScopedModel
from dangjian.duties.models import EVIDENCE_EXTENSIONS
from dangjian.evaluation.choices import FollowUpState, Grade, Step
from dangjian.members.choices import Status


class Round(ScopedModel):
    """The democratic evaluation of the members of ``organization`` (a branch) for
    ``year``, at one of the steps of L8. ``grades`` keeps the grades in use on the opening
    day (V1), so a later local change does not alter a round under way."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)
    # A member sees the rounds they are evaluated in (and only their own record in them).
    scope_self: ClassVar[str | None] = "evaluations__member"

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    opened_on = models.DateField(_("opened on"))
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, default=Step.SELF)
    grades = models.JSONField(_("grades in use"), default=list)
    self_closed_on = models.DateField(_("self-evaluations closed on"), null=True, blank=True)
    mutual_on = models.DateField(_("mutual evaluation held on"), null=True, blank=True)
    mutual_summary = models.TextField(_("summary of the mutual evaluation"), blank=True)
    ballots = models.PositiveSmallIntegerField(_("ballots cast"), null=True, blank=True)
    rated_on = models.DateField(_("democratic rating held on"), null=True, blank=True)
    meeting = models.ForeignKey(
        "orglife.Event",
        verbose_name=_("meeting that decided"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(pgettext_lazy("evaluation", "decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("democratic evaluation")
        verbose_name_plural = _("democratic evaluations")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="evaluation_round_once_a_year",
                violation_error_message=_("This branch already has a democratic evaluation for that year."),
            ),
            models.CheckConstraint(
                condition=~Q(step="decided") | Q(meeting__isnull=False, decided_on__isnull=False),
                name="evaluation_decided_at_a_meeting",
                violation_error_message=_("A decided evaluation names the meeting that decided it (L8)."),
            ),
        ]
        indexes = [models.Index(fields=["step", "year"], name="evaluation_round_step_year")]

    def __str__(self) -> str:
        # The audit trail keeps this as written: no words of one language in it.
        return f"{self.organization} · {self.year}"

    @property
    def label(self) -> str:
        return str(_("%(org)s · democratic evaluation %(year)s") % {"org": self.organization, "year": self.year})

    def get_absolute_url(self) -> str:
        return reverse("evaluation:round", args=[self.pk])

    @property
    def grade_choices(self) -> list[tuple[str, Any]]:
        return [(g, Grade(g).label) for g in self.grades]


class Evaluation(ScopedModel):
    """One member on a round's roster: their self-evaluation, the democratic rating's
    tallies and the grade they suggest (V1), and the grade the branch decided."""

    scope_paths: ClassVar[tuple[str, ...]] = ("round__organization__path",)
    scope_self: ClassVar[str | None] = "member"

    round = models.ForeignKey(
        Round, verbose_name=_("democratic evaluation"), on_delete=models.CASCADE, related_name="evaluations"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="evaluations"
    )
    status = models.CharField(
        _("party status on the opening day"),
        max_length=20,
        choices=[(Status.FULL, Status.FULL.label), (Status.PROBATIONARY, Status.PROBATIONARY.label)],
    )
    self_text = models.TextField(_("self-evaluation"), blank=True)
    self_on = models.DateField(_("handed in on"), null=True, blank=True)
    self_by_member = models.BooleanField(_("handed in by the member"), default=False)
    excused_reason = models.CharField(
        _("not evaluated because"),
        max_length=200,
        blank=True,
        help_text=_("E.g. long illness or away abroad: the member takes no part and gets no grade."),
    )
    rated_excellent = models.PositiveSmallIntegerField(_("rated excellent"), default=0)
    rated_qualified = models.PositiveSmallIntegerField(_("rated qualified"), default=0)
    rated_basically_qualified = models.PositiveSmallIntegerField(_("rated basically qualified"), default=0)
    rated_unqualified = models.PositiveSmallIntegerField(_("rated unqualified"), default=0)
    suggested = models.CharField(_("suggested grade"), max_length=20, choices=Grade.choices, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    grade_reason = models.CharField(_("reason for the grade"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("member's evaluation")
        verbose_name_plural = _("members' evaluations")
        ordering = ["round", "member__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"],
                name="evaluation_member_once_per_round",
                violation_error_message=_("This member is already on the roster."),
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(grade=F("suggested")) | ~Q(grade_reason=""),
                name="evaluation_grade_differs_with_reason",
                violation_error_message=_("A grade that differs from the suggested one needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(excused_reason=""),
                name="evaluation_excused_without_grade",
                violation_error_message=_("A member who is not evaluated gets no grade."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.round.year}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:entry", args=[self.pk])

    def audit_organization(self) -> Any:
        return self.round.organization

    def tallies(self) -> dict[str, int]:
        return {g.value: getattr(self, f"rated_{g.value}") for g in Grade}

    @property
    def handed_in(self) -> bool:
        return bool(self.self_text)


class FollowUp(ScopedModel):
    """What follows a lower grade (V2): correction within a time limit, with a helper and a
    plan; for an unqualified member who does not correct, persuasion to withdraw and, if
    they refuse, removal by the procedure of V3."""

    scope_paths: ClassVar[tuple[str, ...]] = ("evaluation__round__organization__path",)
    scope_self: ClassVar[str | None] = "evaluation__member"

    evaluation = models.OneToOneField(
        Evaluation, verbose_name=_("member's evaluation"), on_delete=models.PROTECT, related_name="follow_up"
    )
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    starts_on = models.DateField(pgettext_lazy("evaluation", "decided on"))
    deadline = models.DateField(_("correct by"))
    helper = models.ForeignKey(
        "members.Member",
        verbose_name=_("helper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The member of the branch who helps and keeps in contact."),
    )
    plan = models.TextField(_("plan of correction"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=FollowUpState.choices, default=FollowUpState.CORRECTING)
    persuaded_on = models.DateField(_("persuaded to withdraw on"), null=True, blank=True)
    proposed_on = models.DateField(_("removal proposed by the branch committee on"), null=True, blank=True)
    filed_on = models.DateField(_("filed with the grassroots committee on"), null=True, blank=True)
    vote = models.ForeignKey(
        "orglife.Vote",
        verbose_name=_("general meeting's vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(pgettext_lazy("follow-up", "closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    evidence = models.FileField(
        _("evidence"),
        upload_to="evaluation/%Y/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    rejoin_after = models.DateField(_("may not rejoin before"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="evaluation_followup_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="removed") | Q(vote__isnull=False, filed_on__isnull=False),
                name="evaluation_removal_after_vote",
                violation_error_message=_("A removal needs the branch general meeting's passed vote (V3)."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("starts_on")),
                name="evaluation_followup_deadline_after_start",
                violation_error_message=_("The time limit ends after the decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation.member} · {self.evaluation.round.year}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:follow_up", args=[self.pk])

    def audit_organization(self) -> Any:
        return self.evaluation.round.organization
