"""API foundations: the scoped viewset every endpoint derives from, and errors as JSON."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dangjian.accounts.roles import Action
from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.scoping import can

ACTION_OF = {
    "list": Action.VIEW,
    "retrieve": Action.VIEW,
    "create": Action.ADD,
    "update": Action.CHANGE,
    "partial_update": Action.CHANGE,
    "destroy": Action.DELETE,
}


class RolePermission(permissions.IsAuthenticated):
    """The role must allow the action on the model at all; which objects is the scope's
    business (``get_queryset``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if view.action == "create":
            return can(request.user, view.model, Action.ADD)
        return True


class ScopedViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Base of every API viewset: the queryset is the model restricted to the caller's
    scope for the action at hand, so objects out of scope answer 404."""

    model: ClassVar[type[models.Model]]
    permission_classes = [RolePermission]
    field_map: ClassVar[dict[str, str]] = {}

    def get_queryset(self) -> Any:
        action = ACTION_OF.get(self.action or "", Action.VIEW)
        return self.model.objects.restrict(self.request.user, action)  # type: ignore[attr-defined]

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """A method an object's URL does not take (GET on ``publish/``) answers 405 only
        for an object in scope; 404 otherwise, like every other URL of an object."""
        if "pk" in kwargs:
            self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)  # type: ignore[no-any-return]


def _django_errors(exc: DjangoValidationError, field_map: dict[str, str]) -> Any:
    if hasattr(exc, "error_dict"):
        return {
            field_map.get(k, k if k != "__all__" else "non_field_errors"): [m for e in v for m in e.messages]
            for k, v in exc.error_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django ``ValidationError`` from actions as a 400 with the
    same field -> messages shape."""
    if isinstance(exc, DjangoValidationError):
        view = context.get("view")
        exc = exceptions.ValidationError(_django_errors(exc, getattr(view, "field_map", {})))
    return drf_exception_handler(exc, context)


# Bounds of the integer query parameters of the filters (a database integer; a year).
ID = {"min_value": 1, "max_value": 2**31 - 1}
YEAR = {"min_value": FIRST_YEAR, "max_value": LAST_YEAR}


def named_choices(name: str, choices: Any, *, blank: bool = False) -> type[serializers.ChoiceField]:
    """A choice field whose choices are one schema component, ``<name>Enum``: several
    models have a ``category`` or a ``state`` with different choices, and the schema names
    each set once instead of guessing from the field name."""
    field_class = type(f"{name}Field", (serializers.ChoiceField,), {"__doc__": f"A choice of {name}."})
    schema = serializers.ChoiceField(choices=choices, allow_blank=blank)
    return extend_schema_field(schema, component_name=f"{name}Enum")(field_class)  # type: ignore[no-any-return]


# --- helpers of the serializers ---------------------------------------------------------


def request_user(serializer: serializers.Serializer) -> Any:  # type: ignore[type-arg]
    """The user of the request the serializer serves (None outside a request: the schema)."""
    return getattr(serializer.context.get("request"), "user", None)


def choose_from(serializer: serializers.Serializer, name: str, queryset: Any) -> None:  # type: ignore[type-arg]
    """Limit the objects a related field (or a many-related one) accepts, usually to the
    caller's scope (``Model.objects.restrict(user)``): others, in scope or not, are
    unknown ids (400)."""
    field: Any = serializer.fields[name]
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    field.queryset = queryset


def file_url(serializer: serializers.Serializer, name: str, pk: int) -> str:  # type: ignore[type-arg]
    """The address of the scoped page serving a stored file (evidence, a document)."""
    url = reverse(name, args=[pk])
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def missing(name: str) -> serializers.ValidationError:
    """DRF's own "This field is required." for a field required only in some cases."""
    return serializers.ValidationError({name: [serializers.Field.default_error_messages["required"]]}, code="required")
