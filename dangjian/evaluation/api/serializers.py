"""Serializers of the democratic evaluation API (read only): rounds with the members
evaluated in them, as the round page shows them, and the follow-ups of the lower grades.

What the pages keep from a member (``Role.MEMBER``) the API keeps too: a member sees only
their own row of a round, not the summary of the mutual evaluation; on their follow-up,
not the helper (another member) nor the general meeting's vote. Those fields are null
for a member. No self-evaluation text is given: the round page shows only whether, when
and how it was handed in."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.accounts.roles import Role
from dangjian.core.api import named_choices
from dangjian.evaluation.choices import FollowUpState, Grade, Step
from dangjian.evaluation.models import Evaluation, FollowUp, Round
from dangjian.members.choices import Status

EvaluationGradeField = named_choices("EvaluationGrade", Grade.choices, blank=True)
EvaluationStepField = named_choices("EvaluationStep", Step.choices)
# The party statuses on a roster: full and probationary members are evaluated (L8).
PARTY_STATUSES = [(Status.FULL.value, Status.FULL.label), (Status.PROBATIONARY.value, Status.PROBATIONARY.label)]
EvaluationStatusField = named_choices("EvaluationPartyStatus", PARTY_STATUSES)
FollowUpStateField = named_choices("EvaluationFollowUpState", FollowUpState.choices)


def _is_member(serializer: serializers.Serializer) -> bool:  # type: ignore[type-arg]
    """Whether the caller is an ordinary member, to whom the pages show only their own
    record and not what concerns other members."""
    request = serializer.context.get("request")
    return getattr(getattr(request, "user", None), "role", None) == Role.MEMBER


# --- rounds ----------------------------------------------------------------------------


class MemberEvaluationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A member on the round's roster, as in the round page's table: party status on the
    opening day, whether the self-evaluation was handed in (``self_on``, by the member
    themself or from the paper form), why the member is not evaluated, the tallies of the
    democratic rating by grade in use (null before the rating or when not evaluated), the
    suggested and the decided grade with the reason, and the follow-up id."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    status = EvaluationStatusField(choices=PARTY_STATUSES, read_only=True)
    handed_in = serializers.BooleanField(read_only=True)
    tallies = serializers.SerializerMethodField()
    suggested = EvaluationGradeField(choices=Grade.choices, read_only=True)
    grade = EvaluationGradeField(choices=Grade.choices, read_only=True)
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "member",
            "member_name",
            "status",
            "handed_in",
            "self_on",
            "self_by_member",
            "excused_reason",
            "tallies",
            "suggested",
            "grade",
            "grade_reason",
            "follow_up",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(), allow_null=True))
    def get_tallies(self, evaluation: Evaluation) -> dict[str, int] | None:
        round_ = evaluation.round
        if not round_.rated_on or evaluation.excused_reason:
            return None
        tallies = evaluation.tallies()
        return {grade: tallies[grade] for grade in round_.grades}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_follow_up(self, evaluation: Evaluation) -> int | None:
        follow_up = getattr(evaluation, "follow_up", None)
        return follow_up.pk if follow_up is not None else None


class EvaluationRoundSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """The democratic evaluation of a branch's members for a year (L8), at its ``step``:
    the grades in use (V1), when self-evaluations closed, the mutual evaluation, the
    democratic rating (ballots cast) and the meeting that decided. ``mutual_summary`` is
    null for a member."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    step = EvaluationStepField(choices=Step.choices, read_only=True)
    grades = serializers.ListField(child=EvaluationGradeField(choices=Grade.choices), read_only=True)
    mutual_summary = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "opened_on",
            "step",
            "grades",
            "self_closed_on",
            "mutual_on",
            "mutual_summary",
            "ballots",
            "rated_on",
            "meeting",
            "decided_on",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_mutual_summary(self, round_: Round) -> str | None:
        return None if _is_member(self) else round_.mutual_summary


class EvaluationRoundDetailSerializer(EvaluationRoundSerializer):
    """A round with the members evaluated in it by name (for a member: only themself)."""

    evaluations = MemberEvaluationSerializer(many=True, read_only=True)

    class Meta(EvaluationRoundSerializer.Meta):
        fields = [*EvaluationRoundSerializer.Meta.fields, "evaluations"]
        read_only_fields = fields


# --- follow-ups ------------------------------------------------------------------------


class EvaluationFollowUpSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """The follow-up of a member graded below qualified (V2, V3): the time limit, the
    plan, the steps towards withdrawal or removal, the outcome and its evidence
    (``evidence_url`` serves the file). ``helper``, ``helper_name`` and ``vote`` are null
    for a member."""

    round = serializers.IntegerField(source="evaluation.round_id", read_only=True)
    year = serializers.IntegerField(source="evaluation.round.year", read_only=True)
    organization = serializers.IntegerField(source="evaluation.round.organization_id", read_only=True)
    organization_name = serializers.CharField(source="evaluation.round.organization.name", read_only=True)
    member = serializers.IntegerField(source="evaluation.member_id", read_only=True)
    member_name = serializers.CharField(source="evaluation.member.name", read_only=True)
    grade = EvaluationGradeField(choices=Grade.choices, read_only=True)
    state = FollowUpStateField(choices=FollowUpState.choices, read_only=True)
    overdue = serializers.SerializerMethodField()
    helper = serializers.SerializerMethodField()
    helper_name = serializers.SerializerMethodField()
    vote = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "evaluation",
            "round",
            "year",
            "organization",
            "organization_name",
            "member",
            "member_name",
            "grade",
            "starts_on",
            "deadline",
            "overdue",
            "helper",
            "helper_name",
            "plan",
            "state",
            "persuaded_on",
            "proposed_on",
            "filed_on",
            "vote",
            "closed_on",
            "outcome",
            "evidence_url",
            "rejoin_after",
        ]
        read_only_fields = fields

    def get_overdue(self, follow_up: FollowUp) -> bool:
        """Still correcting past the time limit, as the follow-up page marks it."""
        return follow_up.state == FollowUpState.CORRECTING and follow_up.deadline < timezone.localdate()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_helper(self, follow_up: FollowUp) -> int | None:
        return None if _is_member(self) else follow_up.helper_id

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_helper_name(self, follow_up: FollowUp) -> str | None:
        if _is_member(self) or follow_up.helper is None:
            return None
        return follow_up.helper.name

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_vote(self, follow_up: FollowUp) -> int | None:
        return None if _is_member(self) else follow_up.vote_id

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_url(self, follow_up: FollowUp) -> str | None:
        if not follow_up.evidence:
            return None
        url = reverse("evaluation:evidence", args=[follow_up.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
