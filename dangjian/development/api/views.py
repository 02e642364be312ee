"""The development API: candidates and their steps, scoped like the pages; a step goes
through the same action and rules (D1-D25) as the form."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.api import ScopedViewSet
from dangjian.core.scoping import get_in_scope
from dangjian.development import actions, rules
from dangjian.development.api.serializers import CandidateSerializer, StepSerializer
from dangjian.development.filters import CandidateFilter
from dangjian.development.models import Candidate, Step

VOTE_FIELDS = ("votes_for", "votes_against", "abstentions", "written_for", "written_against")


class CandidateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Candidates for membership in the caller's scope, with their stage and next step.
    ``steps/`` lists a candidate's steps (GET) and records the next one (POST)."""

    model = Candidate
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization").order_by("organization__path", "name_pinyin")

    def perform_create(self, serializer: CandidateSerializer) -> None:
        data = dict(serializer.validated_data)
        id_number = data.pop("id_number")
        applied_on = data.pop("applied_on", None)
        if applied_on is None:
            raise ValidationError({"applied_on": [_("Give the date of the application letter.")]})
        candidate = Candidate(**data)
        candidate.id_number = id_number
        serializer.instance = actions.register_candidate(candidate, applied_on=applied_on, actor=self.request.user)

    def perform_update(self, serializer: CandidateSerializer) -> None:
        candidate = serializer.instance
        before = audit.snapshot(candidate)
        data = dict(serializer.validated_data)
        data.pop("applied_on", None)
        id_number = data.pop("id_number", None)
        for field, value in data.items():
            setattr(candidate, field, value)
        if id_number:
            candidate.id_number = id_number
        serializer.instance = actions.update_candidate(candidate, actor=self.request.user, before=before)

    @extend_schema(request=StepSerializer, responses=StepSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def steps(self, request: Request, pk: str | None = None) -> Response:
        """GET: the candidate's steps in order. POST: record the next step; a step the
        rules forbid answers 400 with the problems by rule id, unless an administrator
        gives ``override_reason``."""
        if request.method == "GET":
            candidate = self.get_object()
            steps = Step.objects.restrict(request.user).filter(candidate=candidate).order_by("on", "id")
            return Response(StepSerializer(steps.prefetch_related("people").select_related("vote"), many=True).data)
        candidate = get_in_scope(request.user, Candidate, Action.CHANGE, pk=pk)
        # The choices are those the form offers (people, the branch's held general
        # meetings, committees above it): anything else is "does not exist", in scope or not.
        serializer = StepSerializer(data=request.data, context={"candidate": candidate})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        people = data.pop("people", [])
        counts = {name: data.pop(name) for name in VOTE_FIELDS if name in data}
        override_reason = data.pop("override_reason", "")
        if data["kind"] in rules.VOTES:
            if data.get("event") is None:
                raise ValidationError({"event": [_("Choose the branch general meeting that voted (D13, D14).")]})
        elif data.get("event") is not None:
            raise ValidationError({"event": [_("Only the votes (steps 15 and 23) name a meeting.")]})
        elif "on" not in data:
            raise ValidationError({"on": [_("Give the date of the step.")]})
        step = Step(candidate=candidate, **data)
        try:
            actions.record_step(
                step,
                actor=request.user,
                people=people,
                vote_counts=counts if "votes_for" in counts else None,
                override_reason=override_reason,
            )
        except actions.RuleViolation as exc:
            raise ValidationError(
                {"problems": [{"rule": p.rule, "message": str(p)} for p in exc.problems]}  # type: ignore[dict-item]
            ) from exc
        return Response(StepSerializer(step).data, status=201)
