"""What every app shares: abstract base models, the audit trail, rule figure overrides."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import JSONField
from dangjian.core.scoping import ScopedModelMixin, ScopedQuerySet


class TimeStampedModel(models.Model):
    """Abstract: when a row was created and last changed (timezone-aware)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(models.Model):
    """Abstract: declares how the audit trail snapshots a row.

    ``audit_exclude``: fields never written to the trail (derived or bookkeeping);
    ``audit_snapshot()`` may be overridden to add computed or masked values.
    """

    audit_exclude: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        """Field name -> JSON-safe value, as the audit trail records it."""
        from dangjian.core.audit import field_value

        return {
            field.name: field_value(self, field)
            for field in self._meta.concrete_fields
            if field.name not in self.audit_exclude and not field.primary_key
        }

    def audit_organization(self) -> Any:
        """The organization whose scope the audit entries of this row belong to."""
        return getattr(self, "organization", None)


class ScopedModel(ScopedModelMixin, AuditedModel, TimeStampedModel):
    """Abstract: a timestamped, audited row that belongs to an organization."""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditSource(models.TextChoices):
    UI = "ui", _("Web interface")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    COMMAND = "command", _("Command line")


class AuditEntryQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries cannot be deleted.")

    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))


class AuditEntry(ScopedModelMixin, models.Model):
    """One recorded change: who did what to which object, when, and the changed fields.

    Entries are append-only: the model refuses updates and deletes, and no view, API
    endpoint or admin page edits them.
    """

    scope_area = "core"

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40)
    source = models.CharField(_("source"), max_length=10, choices=AuditSource.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = JSONField(_("changes"), default=dict, blank=True)  # written in bulk (core.fields)
    note = models.TextField(_("note"), blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries cannot be deleted.")


class FigureOverride(models.Model):
    """A locally configured value of a regulation figure marked *local* or *check*.

    Takes effect from ``effective_from``; the figure's default applies before it. See
    ``dangjian.core.rulesets``.
    """

    key = models.CharField(_("figure"), max_length=80, db_index=True)
    value = models.JSONField(_("value"))
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("source or reason"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("figure override")
        verbose_name_plural = _("figure overrides")
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from"],
                name="figure_override_unique_date",
                violation_error_message=_("This figure already has a value from that date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} ({self.effective_from})"


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Checking rows")
    INVALID = "invalid", _("Errors found: nothing imported")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing imported")


class ImportBatch(ScopedModelMixin, TimeStampedModel):
    """An uploaded file being imported: checked row by row first, then committed all at
    once or not at all. ``errors`` holds the row-level report."""

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)
    scope_area = "core"

    kind = models.CharField(_("kind"), max_length=30)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=20, choices=ImportState.choices, default=ImportState.CHECKING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    imported_count = models.PositiveIntegerField(_("imported"), default=0)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
