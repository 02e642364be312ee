"""The assessment API: schemes (created with the default indicators, copied to next year,
their group added, rounds opened), rounds with the sheets of the organizations (live while
scoring and in review, the stored results once published) and the assessing side's
writes (scores, bonus and deduction items, review, publication), the assessed side's
appeals and their decisions, the published results and the consequences with their
follow-up. Scoped like the pages (one ``restrict`` per model; members see nothing; out
of scope is 404); every write goes through ``assessment.actions``, whose refusals answer
400 with the field and the reason. A write on the side the caller does not cover (a
decision on an appeal by the appealing organization) is 404.

A scheme and its rounds are the assessing organization's; an assessed organization sees
its place in a scheme's group (``/api/assessment-sheets/``, as on its sheet page): its
sheet in each round, its appeals, and appeals against the rounds from there."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from dangjian.accounts.roles import Action
from dangjian.assessment import actions, engine
from dangjian.assessment.api.serializers import (
    AddAssessedSerializer,
    AdjustmentSerializer,
    AppealSerializer,
    AssessedDetailSerializer,
    AssessedOrganizationSerializer,
    ConsequenceSerializer,
    CopySchemeSerializer,
    DecideAppealSerializer,
    FileAppealSerializer,
    FollowUpSerializer,
    OpenReviewSerializer,
    OpenRoundSerializer,
    RecordAdjustmentSerializer,
    RecordScoreSerializer,
    ResultDetailSerializer,
    ResultSerializer,
    RoundSerializer,
    SchemeDetailSerializer,
    SchemeSerializer,
    ScoreSerializer,
    SheetSerializer,
    sheet_of_draft,
    sheet_of_result,
)
from dangjian.assessment.choices import AppealState, FollowUp, RoundKind, RoundState, SchemeState
from dangjian.assessment.models import (
    Appeal,
    Assessed,
    Consequence,
    Dimension,
    Indicator,
    Result,
    Round,
    Scheme,
)
from dangjian.core.api import ID, YEAR, ScopedViewSet
from dangjian.core.ids import pk_or_404
from dangjian.core.scoping import OutOfScope, can, get_in_scope
from dangjian.orgs.filters import SubtreeFilter

# --- filters ---------------------------------------------------------------------------


class SchemeFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="Year", **YEAR)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Assessing within the subtree of this organization id", **ID
    )
    state = django_filters.ChoiceFilter(choices=SchemeState.choices, label="State")

    class Meta:
        model = Scheme
        fields = ["year", "organization", "state"]


class RoundFilter(django_filters.FilterSet):
    scheme = django_filters.NumberFilter(field_name="scheme_id", label="Scheme id", **ID)
    year = django_filters.NumberFilter(field_name="scheme__year", label="Year of the scheme", **YEAR)
    state = django_filters.ChoiceFilter(choices=RoundState.choices, label="State")
    kind = django_filters.ChoiceFilter(choices=RoundKind.choices, label="Round")

    class Meta:
        model = Round
        fields = ["scheme", "year", "state", "kind"]


class AssessedFilter(django_filters.FilterSet):
    scheme = django_filters.NumberFilter(field_name="scheme_id", label="Scheme id", **ID)
    year = django_filters.NumberFilter(field_name="scheme__year", label="Year of the scheme", **YEAR)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Assessed within the subtree of this organization id", **ID
    )

    class Meta:
        model = Assessed
        fields = ["scheme", "year", "organization"]


class AppealFilter(django_filters.FilterSet):
    round = django_filters.NumberFilter(field_name="round_id", label="Round id", **ID)
    state = django_filters.ChoiceFilter(choices=AppealState.choices, label="State")

    class Meta:
        model = Appeal
        fields = ["round", "state"]


class ResultFilter(django_filters.FilterSet):
    round = django_filters.NumberFilter(field_name="round_id", label="Round id", **ID)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Assessed within the subtree of this organization id", **ID
    )
    year = django_filters.NumberFilter(field_name="round__scheme__year", label="Year of the scheme", **YEAR)

    class Meta:
        model = Result
        fields = ["round", "organization", "year"]


class ConsequenceFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="round__scheme__year", label="Year of the scheme", **YEAR)
    state = django_filters.ChoiceFilter(choices=FollowUp.choices, label="Follow-up")
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Within the subtree of this organization id", **ID
    )

    class Meta:
        model = Consequence
        fields = ["year", "state", "organization"]


# --- viewsets --------------------------------------------------------------------------


class SchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Assessment schemes of organizations in the caller's scope (the assessing side),
    latest year first; one scheme comes with its indicators, grades, consequence rules,
    group, rounds and what stops scoring from starting. POST creates a draft with the
    default indicators for an organization of the caller's subtree; ``assessed/`` adds
    organizations to the group, ``rounds/`` opens a round (and freezes the scheme),
    ``copy/`` makes next year's draft in the same series."""

    model = Scheme
    filterset_class = SchemeFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return SchemeSerializer if self.action in ("list", "create") else SchemeDetailSerializer

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("organization").order_by("-year", "organization__path", "id")
        if self.action not in ("list", "create"):
            indicators = Indicator.objects.order_by("position", "id")
            dimensions = Dimension.objects.order_by("position", "id").prefetch_related(
                Prefetch("indicators", queryset=indicators)
            )
            queryset = queryset.prefetch_related(
                Prefetch("dimensions", queryset=dimensions),
                "grades",
                "consequence_rules",
                Prefetch("assessed", queryset=Assessed.objects.select_related("organization")),
                Prefetch("rounds", queryset=Round.objects.order_by("starts_on", "kind")),
            )
        return queryset

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        scheme = actions.create_scheme(organization, actor=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=scheme.pk)

    def _detail(self, scheme: Scheme) -> Any:
        return SchemeDetailSerializer(self.get_queryset().get(pk=scheme.pk), context=self.get_serializer_context()).data

    @extend_schema(request=CopySchemeSerializer, responses={201: SchemeDetailSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        """Next year's draft: the same group, indicators, grades and consequence rules, in
        the same series (the consequence rules read the series' consecutive years)."""
        source = get_in_scope(request.user, Scheme, Action.VIEW, pk=pk_or_404(pk))
        if not can(request.user, Scheme, Action.ADD):
            raise PermissionDenied
        body = CopySchemeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        copy = actions.copy_scheme(source, year=body.validated_data["year"], actor=request.user)
        return Response(self._detail(copy), status=201)

    @extend_schema(request=AddAssessedSerializer, responses=SchemeDetailSerializer)
    @action(detail=True, methods=["post"])
    def assessed(self, request: Request, pk: str | None = None) -> Response:
        """Add organizations under the scheme's organization to its group, while it is a
        draft (those already in it are skipped)."""
        scheme = get_in_scope(request.user, Scheme, Action.CHANGE, pk=pk_or_404(pk))
        body = AddAssessedSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        actions.add_assessed(scheme, list(body.validated_data["organizations"]), actor=request.user)
        return Response(self._detail(scheme))

    @extend_schema(request=OpenRoundSerializer, responses={201: RoundSerializer})
    @action(detail=True, methods=["post"])
    def rounds(self, request: Request, pk: str | None = None) -> Response:
        """Open a mid-year or year-end round over a period of the scheme's year, once its
        shares add up and its group is not empty; the scheme is frozen from then on."""
        scheme = get_in_scope(request.user, Scheme, Action.CHANGE, pk=pk_or_404(pk))
        body = OpenRoundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        round_ = actions.open_round(scheme, actor=request.user, **body.validated_data)
        round_ = Round.objects.select_related("scheme__organization").get(pk=round_.pk)
        return Response(RoundSerializer(round_).data, status=201)


class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Rounds of the schemes in the caller's scope (the assessing side), latest year
    first. ``sheets/`` gives the sheets of the group; ``scores/``, ``adjustments/``,
    ``review/`` and ``publish/`` record the scores and items (JSON, or multipart with
    ``evidence``) and move the round on. ``appeals/`` files an appeal for an organization
    of the caller's scope in the group: the assessed side reaches it from its sheets
    (``/api/assessment-sheets/``), as on its sheet page, without seeing the round."""

    model = Round
    serializer_class = RoundSerializer
    filterset_class = RoundFilter

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("scheme__organization")
            .order_by("-scheme__year", "scheme__organization__path", "scheme_id", "starts_on", "kind")
        )

    def _round(self, request: Request, pk: str | None) -> Round:
        """The round for a write of the assessing side."""
        return get_in_scope(request.user, Round, Action.CHANGE, pk=pk_or_404(pk))

    def _refreshed(self, round_: Round) -> Any:
        return RoundSerializer(Round.objects.select_related("scheme__organization").get(pk=round_.pk)).data

    @extend_schema(responses=SheetSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def sheets(self, request: Request, pk: str | None = None) -> Response:
        """The sheets of the organizations of the group, best first: live from the records
        while scoring and in review, the stored results once published."""
        round_ = self.get_object()
        return Response(SheetSerializer(sheets_of(request.user, round_), many=True).data)

    @extend_schema(request=RecordScoreSerializer, responses={201: ScoreSerializer})
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """Record the caller's own score of a manual indicator for an organization of the
        group (a new one replaces theirs), until the round is published. Evidence, where
        the indicator requires it, is attached once per organization."""
        round_ = self._round(request, pk)
        body = RecordScoreSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        score = actions.record_score(round_, actor=request.user, **body.validated_data)
        return Response(ScoreSerializer(score).data, status=201)

    @extend_schema(request=RecordAdjustmentSerializer, responses={201: AdjustmentSerializer})
    @action(detail=True, methods=["post"])
    def adjustments(self, request: Request, pk: str | None = None) -> Response:
        """Record bonus points or a deduction of an organization of the group under a
        bonus or deduction item, with the reason, until the round is published."""
        round_ = self._round(request, pk)
        body = RecordAdjustmentSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        adjustment = actions.record_adjustment(round_, actor=request.user, **body.validated_data)
        return Response(AdjustmentSerializer(adjustment).data, status=201)

    @extend_schema(request=OpenReviewSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Open the draft results to the assessed organizations' appeals until
        ``appeal_until``, once every manual indicator is scored for every organization."""
        round_ = self._round(request, pk)
        body = OpenReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.open_review(round_, appeal_until=body.validated_data["appeal_until"], actor=request.user)
        return Response(self._refreshed(round_))

    @extend_schema(request=None, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the results once, after the appeal window and the decisions on every
        appeal; a year-end round gives the consequences of the scheme's rules."""
        round_ = self._round(request, pk)
        actions.publish(round_, actor=request.user)
        return Response(self._refreshed(round_))

    @extend_schema(request=FileAppealSerializer, responses={201: AppealSerializer})
    @action(detail=True, methods=["post"])
    def appeals(self, request: Request, pk: str | None = None) -> Response:
        """Appeal, for an organization of the caller's scope in the group, against its
        draft scores while appeals are open."""
        # The round of a scheme whose group the caller sees (like the sheet page): the
        # assessing side's, or one assessing an organization of the caller's scope.
        groups = Assessed.objects.restrict(request.user, Action.ADD).values("scheme")
        round_ = Round.objects.filter(scheme__in=groups, pk=pk_or_404(pk)).select_related("scheme").first()
        if round_ is None:
            raise OutOfScope
        body = FileAppealSerializer(data=request.data, round_=round_, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        appeal = actions.file_appeal(round_, actor=request.user, **body.validated_data)
        appeal = Appeal.objects.select_related("round__scheme", "organization", "indicator").get(pk=appeal.pk)
        return Response(AppealSerializer(appeal).data, status=201)


class AssessedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The organizations of the groups of schemes, as their sheet pages show them: seen by
    the assessing side (the whole group) and by each assessed organization (its own),
    latest year first. One comes with its sheet in each round of the scheme (live while
    scoring and in review, the stored result once published) and its appeals."""

    model = Assessed
    filterset_class = AssessedFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return AssessedDetailSerializer if self.action == "retrieve" else AssessedOrganizationSerializer

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("scheme__organization", "organization")
            .order_by("-scheme__year", "scheme__organization__path", "scheme_id", "organization__path")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessed = self.get_object()
        assessed.sheet_rounds = rounds_of(request.user, assessed)  # type: ignore[attr-defined]
        return Response(self.get_serializer(assessed).data)


def rounds_of(user: Any, assessed: Assessed) -> list[dict[str, Any]]:
    """Each round of ``assessed``'s scheme with the organization's sheet (the stored
    result once published, else live) and its appeals, as ``user`` sees them."""
    scheme, organization = assessed.scheme, assessed.organization
    prefetch_related_objects([scheme], "grades")  # the grades' names, read for every sheet
    rounds = list(scheme.rounds.order_by("starts_on", "kind"))
    results = {
        result.round_id: result
        for result in Result.objects.restrict(user).filter(round__in=rounds, organization=organization)
    }
    appeals = list(
        Appeal.objects.restrict(user)
        .filter(round__in=rounds, organization=organization)
        .select_related("round__scheme", "organization", "indicator")
        .order_by("filed_on", "id")
    )
    today = timezone.localdate()
    rows = []
    for round_ in rounds:
        round_.scheme = scheme
        result = results.get(round_.pk)
        sheet: dict[str, Any] | None = None
        if result is not None:
            result.round, result.organization = round_, organization
            sheet = sheet_of_result(result)
        elif round_.state != RoundState.PUBLISHED:
            sheets = engine.compute(round_, today)
            if organization.pk in sheets:
                sheet = sheet_of_draft(sheets[organization.pk], scheme, len(sheets))
        rows.append({"round": round_, "sheet": sheet, "appeals": [a for a in appeals if a.round_id == round_.pk]})
    return rows


def sheets_of(user: Any, round_: Round) -> list[dict[str, Any]]:
    """The sheets of the organizations of ``round_``'s group that ``user`` sees, best
    first: live while scoring and in review, the stored results once published."""
    scheme = round_.scheme
    prefetch_related_objects([scheme], "grades")  # the grades' names, read for every sheet
    if round_.state == RoundState.PUBLISHED:
        results = (
            Result.objects.restrict(user)
            .filter(round=round_)
            .select_related("organization")
            .order_by("place", "organization__path")
        )
        rows = []
        for result in results:
            result.round = round_
            rows.append(sheet_of_result(result))
        return rows
    seen = set(Assessed.objects.restrict(user).filter(scheme=scheme).values_list("organization", flat=True))
    sheets = engine.compute(round_, timezone.localdate())
    ordered = sorted(sheets.values(), key=lambda sheet: (sheet.place, sheet.organization.path))
    return [sheet_of_draft(sheet, scheme, len(sheets)) for sheet in ordered if sheet.organization.pk in seen]


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Appeals of organizations in the caller's scope and against its rounds, latest
    first. ``decide/`` upholds or dismisses one (by the assessing side, before
    publication)."""

    model = Appeal
    serializer_class = AppealSerializer
    filterset_class = AppealFilter

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("round__scheme", "organization", "indicator")
            .order_by("-filed_on", "-id")
        )

    @extend_schema(request=DecideAppealSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Uphold the appeal (the assessors then correct the scores) or dismiss it, with
        the reasons."""
        appeal = get_in_scope(request.user, Appeal, Action.CHANGE, pk=pk_or_404(pk))
        body = DecideAppealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.decide_appeal(appeal, actor=request.user, **body.validated_data)
        return Response(AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data)


class ResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Published results of organizations in the caller's scope and of its rounds, latest
    year first, by place; one result comes with its breakdown by indicator."""

    model = Result
    filterset_class = ResultFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return ResultDetailSerializer if self.action == "retrieve" else ResultSerializer

    def get_queryset(self) -> Any:
        queryset = (
            super()
            .get_queryset()
            .select_related("round__scheme", "organization")
            .prefetch_related("round__scheme__grades")
            .order_by("-round__scheme__year", "round__scheme__organization__path", "round_id", "place", "id")
        )
        if self.action != "retrieve":
            queryset = queryset.defer("breakdown")
        return queryset


class ConsequenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Consequences the rankings gave organizations in the caller's scope, latest year
    first. ``follow-up/`` records what was done (by the assessing side)."""

    model = Consequence
    serializer_class = ConsequenceSerializer
    filterset_class = ConsequenceFilter

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("round__scheme", "organization", "done_by")
            .order_by("-round__scheme__year", "organization__path", "id")
        )

    @extend_schema(request=FollowUpSerializer, responses=ConsequenceSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        """Record the consequence done: the day and what was done."""
        consequence = get_in_scope(request.user, Consequence, Action.CHANGE, pk=pk_or_404(pk))
        body = FollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done_on = body.validated_data.get("done_on") or timezone.localdate()
        actions.follow_up(consequence, done_on=done_on, note=body.validated_data["note"], actor=request.user)
        return Response(ConsequenceSerializer(self.get_queryset().get(pk=consequence.pk)).data)
