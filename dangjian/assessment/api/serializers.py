"""Serializers of the assessment API: schemes with their indicators, grades, consequence
rules, group and rounds; rounds with the sheets of the organizations (live while scoring
and in review, the stored results once published); scores, bonus and deduction items,
appeals, results and consequences, as the actions take and return them. Points are
strings with two decimals. Organizations are ids with their names beside: a sheet, a
result, an appeal or a consequence names only the organization it belongs to, and the
assessing organization of what one sees is above one's own or in one's subtree."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.assessment import actions, engine, rules, sources
from dangjian.assessment.choices import (
    AppealState,
    Category,
    Combine,
    FollowUp,
    Grading,
    Method,
    Position,
    RoundKind,
    RoundState,
    SchemeState,
)
from dangjian.assessment.models import (
    Adjustment,
    Appeal,
    Assessed,
    Consequence,
    ConsequenceRule,
    Dimension,
    GradeBand,
    Indicator,
    Result,
    Round,
    Scheme,
    Score,
)
from dangjian.core.api import choose_from, named_choices, request_user
from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.orgs.models import Organization

SchemeStateField = named_choices("SchemeState", SchemeState.choices)
CombineField = named_choices("AssessorCombination", Combine.choices)
GradingField = named_choices("Grading", Grading.choices)
CategoryField = named_choices("AssessmentCategory", Category.choices)
MethodField = named_choices("IndicatorMethod", Method.choices)
PositionField = named_choices("RankingPosition", Position.choices)
RoundKindField = named_choices("RoundKind", RoundKind.choices)
RoundStateField = named_choices("RoundState", RoundState.choices)
AppealStateField = named_choices("AppealState", AppealState.choices)
FollowUpField = named_choices("FollowUp", FollowUp.choices)

POINTS = {"max_digits": 6, "decimal_places": 2}


def grade_label(scheme: Scheme, grade: str) -> str:
    """The name of a grade in the scheme's grades (the default grades when it has none,
    as the engine grades then); the prefetched grades are read, not queried again."""
    bands = [(band.grade, band.label) for band in scheme.grades.all()] or [
        (band.grade, str(band.label)) for band in rules.DEFAULT_GRADES
    ]
    return next((label for key, label in bands if key == grade), grade)


# --- schemes ---------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An indicator: its full score (for a bonus or deduction item, its cap), how it is
    scored and, for an automatic one, the source of the records it is computed from."""

    method = MethodField(choices=Method.choices, read_only=True)
    source_label = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "dimension",
            "title",
            "method",
            "max_score",
            "source",
            "source_label",
            "evidence_required",
            "guidance",
            "position",
        ]
        read_only_fields = fields

    def get_source_label(self, indicator: Indicator) -> str:
        found = sources.SOURCES.get(indicator.source)
        return str(found.label) if found is not None else ""


class DimensionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A dimension of the scheme, on the party-building or the business side, with its
    indicators in order."""

    category = CategoryField(choices=Category.choices, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Dimension
        fields = ["id", "title", "category", "position", "indicators"]
        read_only_fields = fields


class GradeBandSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A grade: from ``floor`` points (bands), or for at most ``share`` percent of the
    group (quotas; null: the rest)."""

    class Meta:
        model = GradeBand
        fields = ["id", "grade", "label", "floor", "share", "position"]
        read_only_fields = fields


class ConsequenceRuleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Among the ``places`` first or last of a group of at least ``min_group`` for
    ``years`` consecutive year-end results, an organization gets ``measure``."""

    position = PositionField(choices=Position.choices, read_only=True)

    class Meta:
        model = ConsequenceRule
        fields = ["id", "key", "position", "places", "years", "min_group", "measure"]
        read_only_fields = fields


class AssessedSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Assessed
        fields = ["id", "organization", "organization_name"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A mid-year or year-end round of a scheme over its period. Scoring, then draft
    results open to the assessed organizations' appeals until ``appeal_until``, then
    published once."""

    scheme_title = serializers.CharField(source="scheme.title", read_only=True)
    year = serializers.IntegerField(source="scheme.year", read_only=True)
    assessing_organization = serializers.IntegerField(source="scheme.organization_id", read_only=True)
    assessing_organization_name = serializers.CharField(source="scheme.organization.name", read_only=True)
    kind = RoundKindField(choices=RoundKind.choices, read_only=True)
    state = RoundStateField(choices=RoundState.choices, read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "scheme",
            "scheme_title",
            "year",
            "assessing_organization",
            "assessing_organization_name",
            "kind",
            "starts_on",
            "ends_on",
            "state",
            "appeal_until",
            "published_on",
        ]
        read_only_fields = fields


class SchemeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A year's assessment scheme of ``organization`` (in the caller's subtree) for a group
    of organizations under it. POST creates a draft with the default indicators (every
    automatic source on the party-building side, two manual business indicators, a bonus
    and a deduction item), grades and consequence rules; the group is added through
    ``assessed/``. Opening a round freezes it (``state``); ``copy/`` makes next year's."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    combine = CombineField(choices=Combine.choices, required=False)
    grading = GradingField(choices=Grading.choices, required=False)
    state = SchemeStateField(choices=SchemeState.choices, read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "title",
            "party_share",
            "combine",
            "grading",
            "appeal_days",
            "state",
            "series",
            "copied_from",
        ]
        read_only_fields = ["series", "copied_from"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))


class SchemeDetailSerializer(SchemeSerializer):
    """A scheme with its dimensions and indicators, grades, consequence rules, the
    organizations it assesses, its rounds, and what stops scoring from starting
    (``problems``: the shares must add up, the group must not be empty)."""

    dimensions = DimensionSerializer(many=True, read_only=True)
    grades = GradeBandSerializer(many=True, read_only=True)
    consequence_rules = ConsequenceRuleSerializer(many=True, read_only=True)
    assessed = AssessedSerializer(many=True, read_only=True)
    rounds = RoundSerializer(many=True, read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta(SchemeSerializer.Meta):
        fields = [
            *SchemeSerializer.Meta.fields,
            "dimensions",
            "grades",
            "consequence_rules",
            "assessed",
            "rounds",
            "problems",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_problems(self, scheme: Scheme) -> list[str]:
        return [str(problem) for problem in actions.problems(scheme)]


class CopySchemeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, help_text="The year of the copy.")


class AddAssessedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organizations = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        many=True,
        allow_empty=False,
        help_text="Organizations under the scheme's to add to its group (those already in it are skipped).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organizations", Organization.objects.restrict(user))


class OpenRoundSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A round over a period within the scheme's year; the scheme is frozen from then on."""

    kind = RoundKindField(choices=RoundKind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


# --- sheets ----------------------------------------------------------------------------


class LineDetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What a line's score came from: for an automatic indicator, ``done`` of ``due`` in
    the records (``rate``, null when nothing was due: full score); for a manual one, how
    many ``assessors`` scored it; for a bonus or deduction item, the ``items`` recorded and
    their ``raw`` sum before the cap."""

    done = serializers.IntegerField(required=False)
    due = serializers.IntegerField(required=False)
    rate = serializers.FloatField(required=False, allow_null=True)
    assessors = serializers.IntegerField(required=False)
    items = serializers.IntegerField(required=False)
    raw = serializers.DecimalField(required=False, **POINTS)


class LineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One indicator of an organization's sheet: its score (null: not scored yet) out of
    ``max_score`` (for a bonus or deduction item, its cap)."""

    indicator = serializers.IntegerField()
    title = serializers.CharField()
    dimension = serializers.CharField()
    method = MethodField(choices=Method.choices)
    max_score = serializers.DecimalField(source="max", **POINTS)
    score = serializers.DecimalField(allow_null=True, **POINTS)
    detail = serializers.SerializerMethodField()

    @extend_schema_field(LineDetailSerializer)
    def get_detail(self, line: dict[str, Any]) -> dict[str, Any]:
        # Each figure as its field writes it: a sum of points has two decimals whatever
        # the database's SUM gave the engine ("7" on SQLite).
        fields = LineDetailSerializer().fields
        return {
            key: fields[key].to_representation(value) if key in fields and value is not None else value
            for key, value in line["detail"].items()
        }


class SheetSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An organization's sheet of a round: the party-building and business subtotals, the
    bonus and deductions, the total, its place among the group (competition ranking: tied
    totals share the better place) and grade, and the lines by indicator."""

    organization = serializers.IntegerField()
    organization_name = serializers.CharField()
    party = serializers.DecimalField(**POINTS)
    business = serializers.DecimalField(**POINTS)
    bonus = serializers.DecimalField(**POINTS)
    deduction = serializers.DecimalField(**POINTS)
    total = serializers.DecimalField(**POINTS)
    place = serializers.IntegerField()
    place_from_bottom = serializers.IntegerField()
    group_size = serializers.IntegerField(help_text="Organizations assessed in the round.")
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    lines = LineSerializer(many=True)


# --- scores, bonus and deduction items -------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An assessor's score of a manual indicator for an organization."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    indicator_title = serializers.CharField(source="indicator.title", read_only=True)
    assessor: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = [
            "id",
            "round",
            "organization",
            "organization_name",
            "indicator",
            "indicator_title",
            "assessor",
            "value",
            "note",
            "has_evidence",
        ]
        read_only_fields = fields

    def get_has_evidence(self, score: Score) -> bool:
        return bool(score.evidence)


class RecordScoreSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The caller's own score of a manual indicator for an organization of the group (it
    replaces their earlier one); ``evidence`` as multipart upload, required by some
    indicators."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.none())
    value = serializers.DecimalField(help_text="From 0 to the indicator's full score.", **POINTS)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    evidence = serializers.FileField(required=False, help_text="PDF, image, Word or Excel file.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))
            choose_from(self, "indicator", Indicator.objects.restrict(user))


class AdjustmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Bonus points or a deduction of an organization under an item, with the reason; the
    item's total counts up to its cap."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    indicator_title = serializers.CharField(source="indicator.title", read_only=True)
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "round",
            "organization",
            "organization_name",
            "indicator",
            "indicator_title",
            "points",
            "reason",
            "by",
            "has_evidence",
        ]
        read_only_fields = fields

    def get_has_evidence(self, adjustment: Adjustment) -> bool:
        return bool(adjustment.evidence)


class RecordAdjustmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Bonus points or a deduction under a bonus or deduction item of the scheme, with the
    reason; ``evidence`` as multipart upload."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    indicator = serializers.PrimaryKeyRelatedField(
        queryset=Indicator.objects.none(), help_text="A bonus or deduction item of the scheme."
    )
    points = serializers.DecimalField(help_text="More than 0.", **POINTS)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    evidence = serializers.FileField(required=False, help_text="PDF, image, Word or Excel file.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))
            choose_from(self, "indicator", Indicator.objects.restrict(user))


class OpenReviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    appeal_until = serializers.DateField(help_text="The last day the assessed organizations may appeal.")


# --- appeals ---------------------------------------------------------------------------


class AppealSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An assessed organization's appeal against its draft scores (of one indicator, or
    null: the sheet as a whole), and the assessing side's decision."""

    scheme_title = serializers.CharField(source="round.scheme.title", read_only=True)
    year = serializers.IntegerField(source="round.scheme.year", read_only=True)
    kind = RoundKindField(source="round.kind", choices=RoundKind.choices, read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    indicator_title = serializers.CharField(source="indicator.title", read_only=True, allow_null=True)
    state = AppealStateField(choices=AppealState.choices, read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "round",
            "scheme_title",
            "year",
            "kind",
            "organization",
            "organization_name",
            "indicator",
            "indicator_title",
            "text",
            "filed_on",
            "state",
            "response",
            "decided_on",
        ]
        read_only_fields = fields


class AssessedOrganizationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An organization of a scheme's group: seen by the assessing side (the whole group)
    and by the organization itself."""

    scheme_title = serializers.CharField(source="scheme.title", read_only=True)
    year = serializers.IntegerField(source="scheme.year", read_only=True)
    assessing_organization = serializers.IntegerField(source="scheme.organization_id", read_only=True)
    assessing_organization_name = serializers.CharField(source="scheme.organization.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Assessed
        fields = [
            "id",
            "scheme",
            "scheme_title",
            "year",
            "assessing_organization",
            "assessing_organization_name",
            "organization",
            "organization_name",
        ]
        read_only_fields = fields


class AssessedRoundSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A round of the scheme with the organization's sheet in it (null: none) and its
    appeals against it."""

    round = RoundSerializer()
    sheet = SheetSerializer(allow_null=True)
    appeals = AppealSerializer(many=True)


class AssessedDetailSerializer(AssessedOrganizationSerializer):
    """An organization of a scheme's group with its sheet in each round of the scheme
    (live while scoring and in review, the stored result once published) and its appeals;
    appeal through the round's ``appeals/`` while the round is in review."""

    rounds = AssessedRoundSerializer(source="sheet_rounds", many=True, read_only=True)

    class Meta(AssessedOrganizationSerializer.Meta):
        fields = [*AssessedOrganizationSerializer.Meta.fields, "rounds"]
        read_only_fields = fields


class FileAppealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An appeal of an organization of the caller's scope in the round's group, while the
    draft results are open for appeals."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    indicator = serializers.PrimaryKeyRelatedField(
        queryset=Indicator.objects.none(),
        required=False,
        allow_null=True,
        help_text="The indicator appealed against (leave out for the sheet as a whole).",
    )
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="The grounds.")

    def __init__(self, *args: Any, round_: Round | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))
        if round_ is not None:
            # The indicators of the round's sheet, which the assessed side sees there.
            choose_from(self, "indicator", Indicator.objects.filter(dimension__scheme=round_.scheme_id))


class DecideAppealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    upheld = serializers.BooleanField(help_text="Upheld (the assessors correct the scores) or dismissed.")
    response = serializers.CharField(required=False, allow_blank=True, default="", help_text="The reasons.")


# --- results and consequences ----------------------------------------------------------


class ResultSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An organization's published result of a round: the subtotals and total, its place
    from the top and from the bottom among ``group_size`` organizations, and its grade."""

    scheme = serializers.IntegerField(source="round.scheme_id", read_only=True)
    scheme_title = serializers.CharField(source="round.scheme.title", read_only=True)
    year = serializers.IntegerField(source="round.scheme.year", read_only=True)
    kind = RoundKindField(source="round.kind", choices=RoundKind.choices, read_only=True)
    published_on = serializers.DateField(source="round.published_on", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    grade_label = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = [
            "id",
            "round",
            "scheme",
            "scheme_title",
            "year",
            "kind",
            "published_on",
            "organization",
            "organization_name",
            "party",
            "business",
            "bonus",
            "deduction",
            "total",
            "place",
            "place_from_bottom",
            "group_size",
            "grade",
            "grade_label",
        ]
        read_only_fields = fields

    def get_grade_label(self, result: Result) -> str:
        return grade_label(result.round.scheme, result.grade)


class ResultDetailSerializer(ResultSerializer):
    """A published result with its breakdown by indicator, as it stood when published."""

    lines = LineSerializer(source="breakdown", many=True, read_only=True)

    class Meta(ResultSerializer.Meta):
        fields = [*ResultSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class ConsequenceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """What a consequence rule gave an organization for a year-end round (``years``: the
    consecutive years that triggered it), and its follow-up."""

    scheme_title = serializers.CharField(source="round.scheme.title", read_only=True)
    year = serializers.IntegerField(source="round.scheme.year", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    state = FollowUpField(choices=FollowUp.choices, read_only=True)
    done_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = Consequence
        fields = [
            "id",
            "round",
            "scheme_title",
            "year",
            "organization",
            "organization_name",
            "rule",
            "measure",
            "years",
            "state",
            "done_on",
            "done_by",
            "note",
        ]
        read_only_fields = fields


class FollowUpSerializer(serializers.Serializer):  # type: ignore[type-arg]
    done_on = serializers.DateField(required=False, help_text="The day it was done (default: today).")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="What was done, or why.")


def sheet_of_result(result: Result) -> dict[str, Any]:
    """A stored result as a sheet (see ``SheetSerializer``)."""
    return {
        "organization": result.organization_id,
        "organization_name": result.organization.name,
        "party": result.party,
        "business": result.business,
        "bonus": result.bonus,
        "deduction": result.deduction,
        "total": result.total,
        "place": result.place,
        "place_from_bottom": result.place_from_bottom,
        "group_size": result.group_size,
        "grade": result.grade,
        "grade_label": grade_label(result.round.scheme, result.grade),
        "lines": result.breakdown,
    }


def sheet_of_draft(sheet: engine.Sheet, scheme: Scheme, group_size: int) -> dict[str, Any]:
    """A sheet computed live (see ``SheetSerializer``), its lines as a result stores them."""
    return {
        "organization": sheet.organization.pk,
        "organization_name": sheet.organization.name,
        "party": sheet.total.party,
        "business": sheet.total.business,
        "bonus": sheet.total.bonus,
        "deduction": sheet.total.deduction,
        "total": sheet.total.total,
        "place": sheet.place,
        "place_from_bottom": sheet.place_from_bottom,
        "group_size": group_size,
        "grade": sheet.grade,
        "grade_label": grade_label(scheme, sheet.grade),
        "lines": engine.breakdown(sheet),
    }
