"""Member development: candidates, the steps recorded for them, their documents, and the
yearly development plan of a grassroots committee."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.models import ScopedModel
from dangjian.core.scoping import ScopedQuerySet
from dangjian.development.choices import OPEN_STAGES, Body, EndReason, Recommendation, Stage, StepKind
from dangjian.members.models import Person


class CandidateQuerySet(ScopedQuerySet):
    def open(self) -> CandidateQuerySet:
        """Candidates still in the procedure (not full members yet, not left)."""
        return self.filter(stage__in=OPEN_STAGES)


class Candidate(Person, ScopedModel):
    """A person on the way to membership, from the application letter (step 1) to full
    membership (step 24) and the archived file (step 25).

    Admission (step 17) creates the member record from this person's data and links it
    (``member``); full membership (step 24) changes that record: the person is never
    entered twice. ``stage`` and the next-step columns are derived by ``rules`` from the
    steps each time one is recorded (``actions.refresh``).
    """

    audit_exclude: ClassVar[frozenset[str]] = frozenset(
        {
            "created_at",
            "updated_at",
            "id_number_encrypted",
            "id_number_digest",
            "name_pinyin",
            "name_initials",
            "stage",
            "reached",
            "last_step_on",
            "next_kind",
            "ready_on",
            "due_on",
            "due_rule",
        }
    )

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text=_("The branch that develops the candidate."),
    )
    leaving_on = models.DateField(
        _("leaves the unit on"),
        null=True,
        blank=True,
        help_text=_("If the candidate is known to be leaving the unit (D18)."),
    )
    note = models.TextField(_("note"), blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development",
    )
    # Derived from the steps (rules.stage_after, rules.next_due).
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices, default=Stage.APPLICANT, db_index=True)
    reached = models.PositiveSmallIntegerField(_("last step"), default=0)
    last_step_on = models.DateField(_("last step on"), null=True, blank=True)
    next_kind = models.CharField(_("next step"), max_length=12, choices=StepKind.choices, blank=True)
    ready_on = models.DateField(_("possible from"), null=True, blank=True)
    due_on = models.DateField(_("due by"), null=True, blank=True, db_index=True)
    due_rule = models.CharField(_("rule"), max_length=8, blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["organization", "name_pinyin", "id"]
        indexes = [models.Index(fields=["organization", "stage"], name="candidate_org_stage")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=Q(stage__in=sorted(OPEN_STAGES)),
                name="candidate_unique_open_id_number",
                violation_error_message=_("A candidate with this ID number is already in the procedure."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("development:detail", args=[self.pk])

    @property
    def applied_on(self) -> Any:
        step = self.steps.filter(kind=StepKind.APPLICATION).first()
        return step.on if step else None


class Step(ScopedModel):
    """One step of the procedure as it happened: its date, who decided, who took part,
    and what the step needs (vote, training, review conclusion, notice period, …).

    A step that breaks a rule is recorded only with an administrator's override: the
    reason, who gave it and the problems waived are kept with the step and reported."""

    scope_paths: ClassVar[tuple[str, ...]] = ("candidate__organization__path",)
    audit_exclude: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=12, choices=StepKind.choices)
    on = models.DateField(_("date"))
    body = models.CharField(_("decided by"), max_length=20, choices=Body.choices, blank=True)
    decided_by = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("approving committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The party committee that approved (D16)."),
    )
    people = models.ManyToManyField(
        "members.Member",
        verbose_name=_("people involved"),
        blank=True,
        related_name="development_steps",
        help_text=_("Who held the talk, the cultivation contacts, the introducers."),
    )
    other_people = models.CharField(
        _("others involved"), max_length=200, blank=True, help_text=_("People not in the member registry.")
    )
    event = models.ForeignKey(
        "orglife.Event",
        verbose_name=_("branch general meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_steps",
    )
    vote = models.OneToOneField(
        "orglife.Vote",
        verbose_name=_("vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_step",
    )
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Last day of the public notice."))
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    training_days = models.DecimalField(_("training days"), max_digits=5, decimal_places=1, null=True, blank=True)
    training_hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    special_extension = models.BooleanField(
        _("special extension of the approval period"), default=False, help_text=_("Up to 6 months in total (D17).")
    )
    recommendation = models.CharField(_("recommended by"), max_length=20, choices=Recommendation.choices, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=30, choices=EndReason.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_problems = models.JSONField(_("rules waived"), default=list, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["candidate", "on", "id"]
        indexes = [models.Index(fields=["kind", "on"], name="step_kind_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(overridden_problems=[]) | ~Q(override_reason=""),
                name="step_override_has_reason",
                violation_error_message=_("An override needs its written reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.get_kind_display()} · {self.on}"

    def audit_organization(self) -> Any:
        return self.candidate.organization

    def audit_snapshot(self) -> dict[str, Any]:
        data = super().audit_snapshot()
        if self.pk:
            data["people"] = ", ".join(p.name for p in self.people.all())
        return data

    @property
    def overridden(self) -> bool:
        return bool(self.overridden_problems)


SCAN_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "tif", "tiff"]


def document_path(instance: StepDocument, filename: str) -> str:
    return f"development/{instance.step.on:%Y/%m}/{filename}"


class StepDocument(ScopedModel):
    """A scanned document kept with a step (application letter, review material, forms;
    D24). Served only through a scoped view."""

    scope_paths: ClassVar[tuple[str, ...]] = ("step__candidate__organization__path",)

    step = models.ForeignKey(Step, verbose_name=_("step"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        _("file"),
        upload_to=document_path,
        validators=[FileExtensionValidator(SCAN_EXTENSIONS)],
        help_text=_("A scan or photo: PDF, JPEG, PNG or TIFF."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["step", "id"]

    def __str__(self) -> str:
        return self.description or self.file.name.rsplit("/", 1)[-1]

    def audit_organization(self) -> Any:
        return self.step.candidate.organization


class Plan(ScopedModel):
    """A grassroots committee's development plan for a year: how many new members each
    organization under it is to admit. Progress is counted live from the approvals
    (step 17) in that year."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="development_plans"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="plan_one_per_year",
                violation_error_message=_("This committee already has a plan for that year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("development:plan", args=[self.pk])


class Quota(ScopedModel):
    """How many admissions one organization under the plan's committee is to make."""

    # The committee that made the plan and the organization given the quota both see it.
    scope_paths: ClassVar[tuple[str, ...]] = ("plan__organization__path", "organization__path")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="quotas")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    admissions = models.PositiveIntegerField(_("admissions planned"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["plan", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organization"],
                name="quota_one_per_org",
                violation_error_message=_("This organization already has a quota in the plan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.admissions}"

    def audit_organization(self) -> Any:
        return self.plan.organization
