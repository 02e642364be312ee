"""Supervision and inspection: an organization plans an inspection of organizations of
its subtree with a checklist drawn from the rules, records what it found at each of them
(against a checklist item, and linked to the automatic signal that pointed at it), and
turns findings into rectifications with an owner by post and a deadline, tracked to a
verified closure."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.models import ScopedModel
from dangjian.duties.models import EVIDENCE_EXTENSIONS
from dangjian.inspections.choices import RectificationMove, RectificationState
from dangjian.members.choices import PartyPost


class Plan(ScopedModel):
    """An inspection planned by ``organization`` of organizations under ``target``."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("inspecting organization"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        "orgs.Organization", verbose_name=_("inspected subtree"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("inspection"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    inspectors = models.CharField(_("inspectors"), max_length=300, blank=True)
    focus = models.TextField(_("focus"), blank=True)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="inspection_ends_after_start",
                violation_error_message=_("The inspection ends after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:plan", args=[self.pk])


class Check(ScopedModel):
    """An item of a plan's checklist: the question and the rule it checks."""

    scope_paths: ClassVar[tuple[str, ...]] = ("plan__organization__path",)

    plan = models.ForeignKey(Plan, verbose_name=_("inspection plan"), on_delete=models.CASCADE, related_name="checks")
    rule = models.CharField(_("rule"), max_length=10, blank=True, help_text=_("E.g. L1, O8, D17, F1."))
    text = models.CharField(_("checklist item"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.rule} {self.text}".strip()

    def audit_organization(self) -> Any:
        return self.plan.organization


class Visit(ScopedModel):
    """The inspection of one organization under a plan: seen by the inspecting
    organization and by the inspected one."""

    scope_paths: ClassVar[tuple[str, ...]] = ("plan__organization__path", "organization__path")

    plan = models.ForeignKey(Plan, verbose_name=_("inspection plan"), on_delete=models.CASCADE, related_name="visits")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("inspected organization"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    # Not the political review's conclusion (审查结论) of development: the inspection's own word.
    summary = models.TextField(pgettext_lazy("inspection", "conclusion"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["plan", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["plan", "organization"], name="visit_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:visit", args=[self.pk])

    def audit_organization(self) -> Any:
        return self.organization


class Finding(ScopedModel):
    """A problem found at an inspected organization, against a checklist item, possibly
    pointed at by an automatic signal (its code and what it said on the day)."""

    scope_paths: ClassVar[tuple[str, ...]] = ("visit__plan__organization__path", "visit__organization__path")

    visit = models.ForeignKey(Visit, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings")
    check_item = models.ForeignKey(
        Check,
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    text = models.TextField(_("what was found"))
    signal = models.CharField(_("automatic signal"), max_length=60, blank=True)
    signal_text = models.CharField(_("the signal said"), max_length=300, blank=True)
    found_on = models.DateField(_("found on"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["visit", "found_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def audit_organization(self) -> Any:
        return self.visit.organization


class Rectification(ScopedModel):
    """What the owner must put right about a finding, by when; closed only when the
    inspecting side verifies it."""

    scope_paths: ClassVar[tuple[str, ...]] = ("finding__visit__plan__organization__path", "owner__path")

    finding = models.OneToOneField(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="rectification"
    )
    owner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("responsible organization"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(
        _("responsible post"), max_length=30, choices=PartyPost.choices, default=PartyPost.SECRETARY
    )
    task = models.TextField(_("what to rectify"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=20, choices=RectificationState.choices, default=RectificationState.OPEN
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="rectification_state_deadline")]

    def __str__(self) -> str:
        return self.task[:80]

    def get_absolute_url(self) -> str:
        return reverse("inspections:rectification", args=[self.pk])

    def audit_organization(self) -> Any:
        return self.owner


class RectificationEvent(ScopedModel):
    """One step of a rectification's history, by whom and when, with evidence."""

    scope_paths: ClassVar[tuple[str, ...]] = (
        "rectification__finding__visit__plan__organization__path",
        "rectification__owner__path",
    )

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("rectification"), on_delete=models.CASCADE, related_name="events"
    )
    move = models.CharField(_("what"), max_length=20, choices=RectificationMove.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    evidence = models.FileField(
        _("evidence"),
        upload_to="rectifications/%Y/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["rectification", "on", "id"]

    def __str__(self) -> str:
        return f"{self.rectification} {self.get_move_display()} {self.on}"

    def audit_organization(self) -> Any:
        return self.rectification.owner
