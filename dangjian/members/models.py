"""The member registry: members, their status history, transfers and posts held."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core import crypto
from dangjian.core.models import ScopedModel
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members import rules
from dangjian.members.choices import (
    ACTIVE_STATUSES,
    Education,
    Gender,
    Occupation,
    PartyPost,
    Portfolio,
    PostKind,
    Status,
    TransferReason,
    TransferState,
    Transition,
)
from dangjian.members.ethnicities import Ethnicity


class Person(models.Model):
    """Abstract: a person's data as the member registry keeps it, shared by members and by
    candidates for membership (development) so that admission moves the same data.

    The resident ID number is stored encrypted (``id_number_encrypted``) with a keyed
    digest for exact lookup and uniqueness and its last four characters for search and
    masked display. Read and write it through the ``id_number`` property.
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, db_index=True)
    gender = models.CharField(
        _("gender"),
        max_length=1,
        choices=Gender.choices,
        blank=True,
        help_text=_("Taken from the ID number when left blank."),
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    birth_date = models.DateField(_("birth date"), blank=True, help_text=_("Taken from the ID number when left blank."))
    id_number_encrypted = models.TextField(_("ID number (encrypted)"))
    id_number_digest = models.CharField(_("ID number digest"), max_length=64)
    id_number_last4 = models.CharField(_("last 4 of ID number"), max_length=4, db_index=True)
    education = models.CharField(_("education"), max_length=30, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation category"), max_length=30, choices=Occupation.choices, blank=True)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        abstract = True

    # --- personal data ---------------------------------------------------------------

    @property
    def id_number(self) -> str:
        """The plain ID number (decrypted on demand)."""
        cached = self.__dict__.get("_id_number_plain")
        if cached is None:
            cached = crypto.decrypt(self.id_number_encrypted)
            self.__dict__["_id_number_plain"] = cached
        return cached  # type: ignore[no-any-return]

    @id_number.setter
    def id_number(self, raw: str) -> None:
        number = rules.normalize_id_number(raw)
        self.__dict__["_id_number_plain"] = number
        self.id_number_encrypted = crypto.encrypt(number) if number else ""
        self.id_number_digest = crypto.digest(number) if number else ""
        self.id_number_last4 = number[-4:]

    @property
    def id_number_masked(self) -> str:
        return rules.mask_id_number(self.id_number_last4)

    @property
    def phone_masked(self) -> str:
        return rules.mask_phone(self.phone)

    def set_name(self, name: str) -> None:
        """Set the name and its derived pinyin search keys."""
        from dangjian.core.pinyin import pinyin_keys

        self.name = name.strip()
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)

    def identity_problems(self, today: Any) -> dict[str, Any]:
        """Field -> message for a missing or invalid ID number, or a birth date or gender
        that contradicts it; fills a blank birth date and gender from it (enter once)."""
        if not self.id_number:
            return {"id_number": _("Enter the resident ID number.")}
        problems: dict[str, Any] = dict(rules.identity_problems(self.id_number, self.birth_date, self.gender, today))
        if "id_number" in problems:
            return problems
        parsed = rules.parse_id_number(self.id_number)
        self.birth_date = self.birth_date or parsed.birth_date
        self.gender = self.gender or parsed.gender
        return problems


class MemberQuerySet(ScopedQuerySet):
    def active(self) -> MemberQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Member(Person, ScopedModel):
    """A Party member (probationary or full), or a former one kept for history. The
    personal data (``Person``) is the same a candidate had during development."""

    scope_self: ClassVar[str | None] = "pk"
    audit_exclude: ClassVar[frozenset[str]] = frozenset(
        {
            "created_at",
            "updated_at",
            "id_number_encrypted",
            "id_number_digest",
            "name_pinyin",
            "name_initials",
        }
    )

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    party_group = models.ForeignKey(
        "orgs.PartyGroup",
        verbose_name=_("party group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )

    status = models.CharField(_("party status"), max_length=30, choices=Status.choices, default=Status.PROBATIONARY)
    joined_on = models.DateField(
        _("admitted on"), help_text=_("Date of the branch general meeting that admitted the member.")
    )
    full_on = models.DateField(_("full member since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    is_mobile = models.BooleanField(_("mobile member"), default=False)
    mobile_location = models.CharField(_("where the member is"), max_length=200, blank=True)
    mobile_since = models.DateField(_("away since"), null=True, blank=True)
    mobile_certificate = models.BooleanField(_("holds a mobile member activity certificate"), default=False)
    lost_contact_since = models.DateField(
        _("lost contact since"),
        null=True,
        blank=True,
        help_text=_("Set when the organization can no longer reach the member (S2)."),
    )

    objects = MemberQuerySet.as_manager()

    # Set by the transfer-in flow: a former member who transferred out may come back
    # into the same record, so their ID number is not a duplicate.
    returning_member_ok: bool = False

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organization", "name_pinyin", "id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="member_org_status"),
            models.Index(fields=["status", "is_mobile"], name="member_status_mobile"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                name="member_unique_id_number",
                violation_error_message=_("A member with this ID number is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(full_on__isnull=True) | Q(full_on__gte=models.F("joined_on")),
                name="member_full_after_joined",
                violation_error_message=_("Full membership cannot come before admission."),
            ),
            models.CheckConstraint(
                condition=~Q(status="full") | Q(full_on__isnull=False),
                name="member_full_has_date",
                violation_error_message=_("A full member needs the date of full membership."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        problems = self.rule_problems(timezone.localdate())
        if "id_number" not in problems and self.is_duplicate_id_number():
            problems["id_number"] = _("A member with this ID number is already registered.")
        if problems:
            raise ValidationError(problems)

    def rule_problems(self, today: Any) -> dict[str, Any]:
        """Field -> message for every rule this record breaks (no database access).

        Fills a blank birth date and gender from the ID number first (enter once)."""
        problems = self.identity_problems(today)
        if "id_number" in problems:
            return problems
        if self.joined_on and self._state.adding:
            problems.update(rules.admission_problems(self.birth_date, self.joined_on, today))
            problems.update(rules.full_date_problems(self.joined_on, self.full_on, today))
        if self.status == Status.FULL and not self.full_on:
            problems["full_on"] = _("A full member needs the date of full membership.")
        if self.party_group_id and self.organization_id and self.party_group.organization_id != self.organization_id:
            problems["party_group"] = _("The party group belongs to another branch.")
        if self.is_mobile and not self.mobile_location:
            problems["mobile_location"] = _("Say where the mobile member is (T5).")
        return problems

    def is_duplicate_id_number(self) -> bool:
        others = Member.objects.filter(id_number_digest=self.id_number_digest).exclude(pk=self.pk)
        if self.returning_member_ok:
            others = others.exclude(status=Status.TRANSFERRED_OUT)
        return others.exists()

    def audit_snapshot(self) -> dict[str, Any]:
        data = super().audit_snapshot()
        # The trail shows which ID number changed, masked: never the number itself.
        data["id_number"] = self.id_number_masked
        return data

    @property
    def is_active_member(self) -> bool:
        return self.status in ACTIVE_STATUSES


class StatusChange(ScopedModel):
    """One explicit transition in a member's history, with its date and reason."""

    scope_paths: ClassVar[tuple[str, ...]] = ("member__organization__path",)
    scope_self: ClassVar[str | None] = "member"

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="status_changes"
    )
    transition = models.CharField(_("change"), max_length=30, choices=Transition.choices)
    on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    from_status = models.CharField(_("status before"), max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(_("status after"), max_length=30, choices=Status.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The organization the member belonged to after the change."),
    )
    transfer = models.ForeignKey(
        "members.Transfer",
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["member", "on", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_transition_display()} {self.on}"


class Transfer(ScopedModel):
    """Moving a member's organizational relation (T1-T4).

    The sending organization keeps managing the member until the receiving one accepts
    (T2). Either side may be outside this system (a name instead of an organization).
    Both sides see the transfer.
    """

    scope_paths: ClassVar[tuple[str, ...]] = ("from_org__path", "to_org__path")
    scope_self: ClassVar[str | None] = "member"

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("sending organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    from_external = models.CharField(_("sending organization outside the system"), max_length=200, blank=True)
    to_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("receiving organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_external = models.CharField(_("receiving organization outside the system"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=TransferReason.choices)
    letter_number = models.CharField(_("introduction letter number"), max_length=50)
    issued_on = models.DateField(_("letter issued on"))
    valid_until = models.DateField(_("letter valid until"))
    receipt_due_on = models.DateField(_("receipt due on"), db_index=True)
    state = models.CharField(
        _("state"), max_length=20, choices=TransferState.choices, default=TransferState.PENDING, db_index=True
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_org__isnull=False) | ~Q(from_external=""),
                name="transfer_has_sender",
                violation_error_message=_("Name the sending organization."),
            ),
            models.CheckConstraint(
                condition=Q(to_org__isnull=False) | ~Q(to_external=""),
                name="transfer_has_receiver",
                violation_error_message=_("Name the receiving organization."),
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state="pending"),
                name="transfer_one_pending",
                violation_error_message=_("This member already has a transfer awaiting acceptance."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.receiver_name}"

    @property
    def sender_name(self) -> str:
        return str(self.from_org) if self.from_org_id else self.from_external

    @property
    def receiver_name(self) -> str:
        return str(self.to_org) if self.to_org_id else self.to_external

    def audit_organization(self) -> Any:
        return self.from_org or self.to_org


class Post(ScopedModel):
    """A post a member holds: a party post in an organization's committee or party group,
    or an administrative post in a unit. One person may hold several."""

    scope_paths: ClassVar[tuple[str, ...]] = ("member__organization__path", "organization__path")
    scope_self: ClassVar[str | None] = "member"

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="posts",
        help_text=_("For party posts: the organization whose committee or group it is."),
    )
    party_post = models.CharField(_("party post"), max_length=30, choices=PartyPost.choices, blank=True)
    portfolio = models.CharField(_("portfolio"), max_length=30, choices=Portfolio.choices, blank=True)
    title = models.CharField(
        _("title"), max_length=100, blank=True, help_text=_("For administrative posts, e.g. deputy director.")
    )
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["member", "-started_on"]
        indexes = [models.Index(fields=["organization", "ended_on"], name="post_org_current")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="party") | (Q(organization__isnull=False) & ~Q(party_post="")),
                name="post_party_needs_org",
                violation_error_message=_("A party post needs the organization and the post."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="administrative") | ~Q(title=""),
                name="post_admin_needs_title",
                violation_error_message=_("An administrative post needs a title."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="post_ends_after_start",
                violation_error_message=_("A post cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == PostKind.PARTY:
            return f"{self.organization} {self.get_party_post_display()}"
        return f"{self.unit_name} {self.title}".strip()

    def audit_organization(self) -> Any:
        return self.organization or self.member.organization
