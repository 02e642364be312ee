"""The responsibility system: an organization's yearly work list, its items assigned to
organizations of its subtree by post (so they survive a change of person), sub-items
assigned further down, and each item's history through the four links of responsibility."""

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
from dangjian.duties.choices import DecisionKind, ItemState, ListState, Measure, Move, ProjectGrade, ProjectState
from dangjian.members.choices import PartyPost

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "tif", "tiff", "doc", "docx", "xls", "xlsx"]


class WorkList(ScopedModel):
    """A yearly list of party-building work published by an organization."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="work_lists"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    title = models.CharField(_("list title"), max_length=200)
    state = models.CharField(_("state"), max_length=20, choices=ListState.choices, default=ListState.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("work list")
        verbose_name_plural = _("work lists")
        ordering = ["-year", "organization__path", "id"]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("duties:list", args=[self.pk])


class Item(ScopedModel):
    """A task of a work list: what, by when, to what standard, for which organization and
    post. A sub-item (``parent``) is issued by the parent's owner to its own subtree."""

    # Seen by the organizations above the issuer and above the owner (their subtrees).
    scope_paths: ClassVar[tuple[str, ...]] = ("issuer__path", "assignee__path")

    work_list = models.ForeignKey(WorkList, verbose_name=_("work list"), on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    issuer = models.ForeignKey(
        "orgs.Organization", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="issued_items"
    )
    assignee = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("responsible organization"),
        on_delete=models.PROTECT,
        related_name="assigned_items",
    )
    post = models.CharField(
        _("responsible post"),
        max_length=30,
        choices=PartyPost.choices,
        default=PartyPost.SECRETARY,
        help_text=_("By post, so the duty stays when the person changes."),
    )
    title = models.CharField(_("task"), max_length=200)
    requirements = models.TextField(_("requirements"), blank=True)
    quality_standard = models.TextField(_("quality standard"), blank=True)
    deadline = models.DateField(_("deadline"))
    max_score = models.DecimalField(
        _("full score"), max_digits=5, decimal_places=1, default=10, validators=[MinValueValidator(0)]
    )
    # Kept up to date by the actions from the history below.
    state = models.CharField(_("state"), max_length=20, choices=ItemState.choices, default=ItemState.ASSIGNED)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    done_on = models.DateField(_("reported done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["work_list", "deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="item_state_deadline")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("duties:item", args=[self.pk])

    def audit_organization(self) -> Any:
        return self.issuer


class ItemEvent(ScopedModel):
    """One move on an item, by whom and when: acknowledgement, progress (percent, text,
    evidence), the report, acceptance with a score, return with the reason, failure, and
    the accountability measure with who decided it."""

    scope_paths: ClassVar[tuple[str, ...]] = ("item__issuer__path", "item__assignee__path")

    item = models.ForeignKey(Item, verbose_name=_("work item"), on_delete=models.CASCADE, related_name="events")
    move = models.CharField(_("what"), max_length=20, choices=Move.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=100, blank=True)
    evidence = models.FileField(
        _("evidence"),
        upload_to="duties/%Y/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )

    class Meta:
        verbose_name = _("work item event")
        verbose_name_plural = _("work item events")
        ordering = ["item", "on", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.get_move_display()} {self.on}"

    def audit_organization(self) -> Any:
        return self.item.issuer


class Project(ScopedModel):
    """A party-building project ("brand"): goals, an owner by post, milestones with
    evidence, a budget whose spending is the funds ledger's entries linked to it, and a
    closing evaluation."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("project"), max_length=200)
    goals = models.TextField(_("goals"))
    post = models.CharField(
        _("responsible post"), max_length=30, choices=PartyPost.choices, default=PartyPost.SECRETARY
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, default=0)
    state = models.CharField(_("state"), max_length=20, choices=ProjectState.choices, default=ProjectState.RUNNING)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    grade = models.CharField(_("evaluation"), max_length=20, choices=ProjectGrade.choices, blank=True)
    evaluation = models.TextField(_("closing evaluation"), blank=True)

    class Meta:
        verbose_name = _("party-building project")
        verbose_name_plural = _("party-building projects")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
                violation_error_message=_("The project ends after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("duties:project", args=[self.pk])


class Milestone(ScopedModel):
    scope_paths: ClassVar[tuple[str, ...]] = ("project__organization__path",)

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("what was done"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to="projects/%Y/", blank=True, validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)]
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_organization(self) -> Any:
        return self.project.organization


class Decision(ScopedModel):
    """A "three majors and one big" decision of the unit an organization leads: where it
    was taken, whether the party organization discussed it first (the meeting of its
    committee or general meeting, held on or before the day), who took part, the vote and
    the document."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("party organization"), on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    title = models.CharField(_("decision"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    meeting = models.CharField(
        _("meeting where it was taken"), max_length=200, help_text=_("E.g. the unit's executive meeting.")
    )
    prior_discussion = models.ForeignKey(
        "orglife.Event",
        verbose_name=_("prior discussion by the party organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    participants = models.TextField(_("participants"), blank=True)
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    votes_abstained = models.PositiveSmallIntegerField(_("abstained"), null=True, blank=True)
    document = models.FileField(
        _("document"), upload_to="decisions/%Y/", blank=True, validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)]
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def discussed_first(self) -> bool:
        return self.prior_discussion_id is not None
