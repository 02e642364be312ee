"""Every change to assessment. Each validates, writes atomically with an audit entry and
re-checks the scope. The assessing side (schemes, rounds, scores, decisions on appeals,
publishing, follow-up of consequences) needs a user covering the scheme's organization;
an appeal needs one covering the assessed organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.assessment import engine, rules, sources
from dangjian.assessment.choices import (
    AppealState,
    Category,
    FollowUp,
    Method,
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
    PointsRule,
    Result,
    Round,
    Scheme,
    Score,
)
from dangjian.core import audit
from dangjian.core.actions import change, create
from dangjian.core.scoping import ensure_in_scope, require_cover
from dangjian.orgs.models import Organization


def _draft(scheme: Scheme) -> None:
    # From the database: the caller's instance may predate the freeze.
    if not Scheme.objects.filter(pk=scheme.pk, state=SchemeState.DRAFT).exists():
        raise ValidationError(_("Scoring has started: the scheme is frozen. Copy it to change it."))


# --- schemes --------------------------------------------------------------------------

# The default indicators of a new scheme: the automatic ones share the party-building
# points; the business side starts with two manual indicators.
BUSINESS_DEFAULTS = (
    (_("Economic and business targets met"), Decimal("0.6"), True),
    (_("Service to the public and the unit's main work"), Decimal("0.4"), False),
)


@transaction.atomic
def create_scheme(
    organization: Organization,
    *,
    year: int,
    title: str,
    party_share: int = 50,
    combine: str = "trimmed",
    grading: str = "bands",
    appeal_days: int = 7,
    actor: Any,
) -> Scheme:
    """A draft scheme with the default indicators (every automatic source on the party
    side, two manual business indicators with evidence, a bonus and a deduction item), the
    default grades and consequence rules; all editable until scoring starts."""
    require_cover(actor, organization)
    scheme = create(
        actor,
        Scheme(
            organization=organization,
            year=year,
            title=title.strip(),
            party_share=party_share,
            combine=combine,
            grading=grading,
            appeal_days=appeal_days,
        ),
    )
    party = create(actor, Dimension(scheme=scheme, title=_("Party building"), category=Category.PARTY, position=1))
    keys = list(sources.SOURCES)
    share = Decimal(party_share)
    each = rules.q(share / len(keys))
    for position, key in enumerate(keys, start=1):
        points = each if position < len(keys) else share - each * (len(keys) - 1)
        create(
            actor,
            Indicator(
                dimension=party,
                title=str(sources.SOURCES[key].label),
                method=Method.AUTOMATIC,
                source=key,
                max_score=points,
                position=position,
            ),
        )
    business = create(
        actor,
        Dimension(scheme=scheme, title=_("Administrative and business work"), category=Category.BUSINESS, position=2),
    )
    rest = Decimal(100 - party_share)
    first = rules.q(rest * BUSINESS_DEFAULTS[0][1])
    for position, (label, _part, evidence) in enumerate(BUSINESS_DEFAULTS, start=1):
        create(
            actor,
            Indicator(
                dimension=business,
                title=str(label),
                method=Method.MANUAL,
                max_score=first if position == 1 else rest - first,
                evidence_required=evidence,
                position=position,
            ),
        )
    extras = create(
        actor, Dimension(scheme=scheme, title=_("Bonus and deductions"), category=Category.PARTY, position=3)
    )
    create(
        actor,
        Indicator(dimension=extras, title=_("Honours and innovations"), method=Method.BONUS, max_score=5, position=1),
    )
    create(
        actor,
        Indicator(
            dimension=extras, title=_("Violations and incidents"), method=Method.DEDUCTION, max_score=10, position=2
        ),
    )
    _add_grades_and_rules(scheme, enumerate(rules.DEFAULT_GRADES, start=1), rules.DEFAULT_CONSEQUENCES, actor=actor)
    return scheme


def _add_grades_and_rules(
    scheme: Scheme,
    grades: Iterable[tuple[int, rules.Band | GradeBand]],
    consequence_rules: Iterable[rules.Consequence | ConsequenceRule],
    *,
    actor: Any,
) -> None:
    """Give ``scheme`` its grades (each with its position) and consequence rules: the
    defaults of ``rules`` for a new scheme, the rows of the scheme it is copied from."""
    for position, band in grades:
        create(
            actor,
            GradeBand(
                scheme=scheme,
                grade=band.grade,
                label=str(band.label),
                floor=band.floor,
                share=band.share,
                position=position,
            ),
        )
    for rule in consequence_rules:
        create(
            actor,
            ConsequenceRule(
                scheme=scheme,
                key=rule.key,
                position=rule.position,
                places=rule.places,
                years=rule.years,
                min_group=rule.min_group,
                measure=str(rule.measure),
            ),
        )


@transaction.atomic
def copy_scheme(source: Scheme, *, year: int, actor: Any) -> Scheme:
    """Next year's draft: the same group, indicators, grades and consequence rules, in the
    same series (so the consequence rules read both years' results)."""
    require_cover(actor, source.organization)
    copy = create(
        actor,
        Scheme(
            organization=source.organization,
            year=year,
            title=source.title.replace(str(source.year), str(year)),
            party_share=source.party_share,
            combine=source.combine,
            grading=source.grading,
            appeal_days=source.appeal_days,
            series_id=source.series_id or source.pk,
            copied_from=source,
        ),
    )
    for assessed in source.assessed.all():
        create(actor, Assessed(scheme=copy, organization_id=assessed.organization_id))
    for dimension in source.dimensions.prefetch_related("indicators"):
        new = create(
            actor,
            Dimension(scheme=copy, title=dimension.title, category=dimension.category, position=dimension.position),
        )
        for i in dimension.indicators.all():
            create(
                actor,
                Indicator(
                    dimension=new,
                    title=i.title,
                    method=i.method,
                    max_score=i.max_score,
                    source=i.source,
                    evidence_required=i.evidence_required,
                    guidance=i.guidance,
                    position=i.position,
                ),
            )
    grades = ((band.position, band) for band in source.grades.all())
    _add_grades_and_rules(copy, grades, source.consequence_rules.all(), actor=actor)
    return copy


@transaction.atomic
def add_assessed(scheme: Scheme, organizations: list[Organization], *, actor: Any) -> int:
    """Add organizations under the scheme's organization to its group (those already in
    it are skipped); the number added."""
    require_cover(actor, scheme.organization)
    _draft(scheme)
    present = set(scheme.assessed.values_list("organization_id", flat=True))
    added = 0
    for org in organizations:
        if not org.path.startswith(scheme.organization.path) or org.pk == scheme.organization_id:
            raise ValidationError(
                {"organizations": _("Assess organizations under %(org)s.") % {"org": scheme.organization.name}}
            )
        if org.pk not in present:
            create(actor, Assessed(scheme=scheme, organization=org))
            present.add(org.pk)
            added += 1
    return added


@transaction.atomic
def remove_assessed(assessed: Assessed, *, actor: Any) -> None:
    require_cover(actor, assessed.scheme.organization)
    _draft(assessed.scheme)
    ensure_in_scope(actor, assessed, Action.CHANGE)
    audit.record(actor, "delete", assessed, before=audit.snapshot(assessed))
    assessed.delete()


@transaction.atomic
def add_dimension(scheme: Scheme, *, title: str, category: str, actor: Any) -> Dimension:
    require_cover(actor, scheme.organization)
    _draft(scheme)
    position = (scheme.dimensions.aggregate(m=Max("position"))["m"] or 0) + 1
    return create(actor, Dimension(scheme=scheme, title=title.strip(), category=category, position=position))


@transaction.atomic
def add_indicator(
    dimension: Dimension,
    *,
    title: str,
    method: str,
    max_score: Decimal,
    source: str = "",
    evidence_required: bool = False,
    guidance: str = "",
    actor: Any,
) -> Indicator:
    scheme = dimension.scheme
    require_cover(actor, scheme.organization)
    _draft(scheme)
    if method == Method.AUTOMATIC and source not in sources.SOURCES:
        raise ValidationError({"source": _("Choose what the automatic indicator is computed from.")})
    position = (dimension.indicators.aggregate(m=Max("position"))["m"] or 0) + 1
    return create(
        actor,
        Indicator(
            dimension=dimension,
            title=title.strip(),
            method=method,
            max_score=max_score,
            source=source if method == Method.AUTOMATIC else "",
            evidence_required=evidence_required,
            guidance=guidance.strip(),
            position=position,
        ),
    )


@transaction.atomic
def change_indicator(indicator: Indicator, *, actor: Any, **fields: Any) -> Indicator:
    scheme = indicator.dimension.scheme
    require_cover(actor, scheme.organization)
    _draft(scheme)
    if (
        fields.get("method", indicator.method) == Method.AUTOMATIC
        and fields.get("source", indicator.source) not in sources.SOURCES
    ):
        raise ValidationError({"source": _("Choose what the automatic indicator is computed from.")})
    return change(actor, indicator, **fields)


@transaction.atomic
def remove_indicator(indicator: Indicator, *, actor: Any) -> None:
    require_cover(actor, indicator.dimension.scheme.organization)
    _draft(indicator.dimension.scheme)
    ensure_in_scope(actor, indicator, Action.CHANGE)
    audit.record(actor, "delete", indicator, before=audit.snapshot(indicator))
    indicator.delete()


def problems(scheme: Scheme) -> list[str]:
    """What stops scoring from starting: the shares must add up (party-building indicators
    to the party share, business ones to the rest), the group must not be empty."""
    out = []
    sums = {
        row["dimension__category"]: row["points"] or Decimal(0)
        for row in Indicator.objects.filter(dimension__scheme=scheme, method__in=(Method.AUTOMATIC, Method.MANUAL))
        .values("dimension__category")
        .annotate(points=Sum("max_score"))
    }
    party, business = sums.get(Category.PARTY, Decimal(0)), sums.get(Category.BUSINESS, Decimal(0))
    if party != scheme.party_share:
        out.append(
            _("The party-building indicators add up to %(points)s points, not the share of %(share)s.")
            % {"points": rules.q(party), "share": scheme.party_share}
        )
    if business != 100 - scheme.party_share:
        out.append(
            _("The business indicators add up to %(points)s points, not the share of %(share)s.")
            % {"points": rules.q(business), "share": 100 - scheme.party_share}
        )
    if not scheme.assessed.exists():
        out.append(_("Add the organizations to assess."))
    return out


@transaction.atomic
def open_round(scheme: Scheme, *, kind: str, starts_on: dt.date, ends_on: dt.date, actor: Any) -> Round:
    """A round over the period; the scheme is frozen from then on."""
    require_cover(actor, scheme.organization)
    found = problems(scheme)
    if found:
        raise ValidationError(found)
    if starts_on > ends_on or starts_on.year != scheme.year:
        raise ValidationError({"ends_on": _("The period lies within %(year)s.") % {"year": scheme.year}})
    if scheme.rounds.filter(kind=kind).exists():
        raise ValidationError({"kind": _("This round is already open.")})
    round_ = create(actor, Round(scheme=scheme, kind=kind, starts_on=starts_on, ends_on=ends_on))
    if scheme.state == SchemeState.DRAFT:
        change(actor, scheme, state=SchemeState.FROZEN)
    return round_


def _scoring(round_: Round) -> None:
    if round_.state == RoundState.PUBLISHED:
        raise ValidationError(_("The round is published."))


def _in_group(round_: Round, organization: Organization) -> None:
    if not round_.scheme.assessed.filter(organization=organization).exists():
        raise ValidationError({"organization": _("%(org)s is not in the group.") % {"org": organization.name}})


@transaction.atomic
def record_score(
    round_: Round,
    *,
    organization: Organization,
    indicator: Indicator,
    value: Decimal,
    note: str = "",
    evidence: Any = None,
    actor: Any,
) -> Score:
    """The actor's own score of a manual indicator (a new one replaces theirs); only
    while the round is not published."""
    require_cover(actor, round_.scheme.organization)
    _scoring(round_)
    _in_group(round_, organization)
    if indicator.dimension.scheme_id != round_.scheme_id or indicator.method != Method.MANUAL:
        raise ValidationError({"indicator": _("Choose a manual indicator of this scheme.")})
    if not 0 <= value <= indicator.max_score:
        raise ValidationError({"value": _("Score between 0 and %(max)s.") % {"max": indicator.max_score}})
    score = Score.objects.filter(round=round_, organization=organization, indicator=indicator, assessor=actor).first()
    if indicator.evidence_required and not evidence:
        # Once per organization: another assessor's evidence serves everyone.
        attached = Score.objects.filter(round=round_, organization=organization, indicator=indicator).exclude(
            evidence=""
        )
        if not attached.exists():
            raise ValidationError({"evidence": _("This indicator is scored with evidence: attach it.")})
    if score is None:
        score = Score(
            round=round_, organization=organization, indicator=indicator, assessor=actor, value=value, note=note
        )
        if evidence:
            score.evidence = evidence
        return create(actor, score)
    fields: dict[str, Any] = {"value": value, "note": note}
    if evidence:
        fields["evidence"] = evidence
    return change(actor, score, **fields)


@transaction.atomic
def record_adjustment(
    round_: Round,
    *,
    organization: Organization,
    indicator: Indicator,
    points: Decimal,
    reason: str,
    evidence: Any = None,
    actor: Any,
) -> Adjustment:
    require_cover(actor, round_.scheme.organization)
    _scoring(round_)
    _in_group(round_, organization)
    if indicator.dimension.scheme_id != round_.scheme_id or indicator.method not in (Method.BONUS, Method.DEDUCTION):
        raise ValidationError({"indicator": _("Choose a bonus or deduction item of this scheme.")})
    if points <= 0:
        raise ValidationError({"points": _("Give the points (more than 0).")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    row = Adjustment(
        round=round_, organization=organization, indicator=indicator, points=points, reason=reason.strip(), by=actor
    )
    if evidence:
        row.evidence = evidence
    return create(actor, row)


@transaction.atomic
def open_review(round_: Round, *, appeal_until: dt.date, actor: Any) -> Round:
    """Draft results go to the assessed organizations, who may appeal until the date;
    every manual indicator needs a score for every organization first."""
    require_cover(actor, round_.scheme.organization)
    if round_.state != RoundState.SCORING:
        raise ValidationError(_("The round is not being scored."))
    today = timezone.localdate()
    if appeal_until < today:
        raise ValidationError({"appeal_until": _("Appeals are open until today or later.")})
    sheets = engine.compute(round_, today)
    missing = sorted({(s.organization.path, s.organization.name) for s in sheets.values() if s.unscored})
    if missing:
        names = "、".join(name for _path, name in missing[:10])
        raise ValidationError(_("Not every manual indicator is scored yet for: %(orgs)s.") % {"orgs": names})
    return change(actor, round_, state=RoundState.REVIEW, appeal_until=appeal_until)


@transaction.atomic
def file_appeal(
    round_: Round, *, organization: Organization, text: str, indicator: Indicator | None = None, actor: Any
) -> Appeal:
    require_cover(actor, organization)
    _in_group(round_, organization)
    today = timezone.localdate()
    if round_.state != RoundState.REVIEW or (round_.appeal_until and today > round_.appeal_until):
        raise ValidationError(_("Appeals are not open for this round."))
    if indicator is not None and indicator.dimension.scheme_id != round_.scheme_id:
        raise ValidationError({"indicator": _("Choose an indicator of this scheme.")})
    if not text.strip():
        raise ValidationError({"text": _("Give the grounds of the appeal.")})
    return create(
        actor, Appeal(round=round_, organization=organization, indicator=indicator, text=text.strip(), filed_on=today)
    )


@transaction.atomic
def decide_appeal(appeal: Appeal, *, upheld: bool, response: str, actor: Any) -> Appeal:
    """Upheld (the assessors correct the scores, which they can until publication) or
    dismissed, with the reasons."""
    require_cover(actor, appeal.round.scheme.organization)
    if appeal.state != AppealState.PENDING:
        raise ValidationError(_("The appeal is already decided."))
    if appeal.round.state == RoundState.PUBLISHED:
        raise ValidationError(_("The round is published."))
    if not response.strip():
        raise ValidationError({"response": _("Give the reasons.")})
    return change(
        actor,
        appeal,
        state=AppealState.UPHELD if upheld else AppealState.DISMISSED,
        response=response.strip(),
        decided_on=timezone.localdate(),
    )


@transaction.atomic
def publish(round_: Round, *, actor: Any) -> list[Result]:
    """Write the results (totals, places, grades, breakdown) once; for a year-end round,
    the consequences the scheme's rules give over the series' consecutive years."""
    round_ = Round.objects.select_for_update().select_related("scheme__organization").get(pk=round_.pk)
    require_cover(actor, round_.scheme.organization)
    today = timezone.localdate()
    if round_.state != RoundState.REVIEW:
        raise ValidationError(_("Publish after the draft results were open for appeals."))
    # Appeals are taken through the last day of the window: publish the day after.
    if round_.appeal_until and today <= round_.appeal_until:
        raise ValidationError(_("Appeals are open until %(day)s.") % {"day": round_.appeal_until.isoformat()})
    if round_.appeals.filter(state=AppealState.PENDING).exists():
        raise ValidationError(_("Decide the pending appeals first."))
    sheets = engine.compute(round_, today)
    n = len(sheets)
    results = [
        Result(
            round=round_,
            organization=sheet.organization,
            party=sheet.total.party,
            business=sheet.total.business,
            bonus=sheet.total.bonus,
            deduction=sheet.total.deduction,
            total=sheet.total.total,
            place=sheet.place,
            place_from_bottom=sheet.place_from_bottom,
            group_size=n,
            grade=sheet.grade,
            breakdown=engine.breakdown(sheet),
        )
        for sheet in sheets.values()
    ]
    Result.objects.bulk_create(results)
    audit.record_many(actor, "create", results)
    change(actor, round_, state=RoundState.PUBLISHED, published_on=today)
    if round_.kind == RoundKind.YEAR_END:
        _consequences(round_, actor)
    return results


def _consequences(round_: Round, actor: Any) -> None:
    scheme = round_.scheme
    series = scheme.series_id or scheme.pk
    history: dict[int, dict[int, rules.Place]] = {}
    # Five columns, not the results: each row carries a breakdown of ~7 KB, for every
    # organization and every year of the series (benchmarks, assessment proposal 3).
    for org_id, year, place, from_bottom, group_size in (
        Result.objects.filter(
            round__kind=RoundKind.YEAR_END,
            round__state=RoundState.PUBLISHED,
            round__scheme__organization=scheme.organization,
        )
        .filter(Q(round__scheme__series_id=series) | Q(round__scheme_id=series))
        .values_list("organization_id", "round__scheme__year", "place", "place_from_bottom", "group_size")
    ):
        history.setdefault(org_id, {})[year] = rules.Place(place, from_bottom, group_size)
    consequence_rules = [
        rules.Consequence(r.key, r.position, r.places, r.years, r.measure, r.min_group)
        for r in scheme.consequence_rules.all()
    ]
    rows = []
    for org_id, years in history.items():
        if scheme.year not in years:
            continue
        for rule, triggered in rules.consequences_for(years, scheme.year, consequence_rules):
            rows.append(
                Consequence(
                    round=round_, organization_id=org_id, rule=rule.key, measure=str(rule.measure), years=triggered
                )
            )
    Consequence.objects.bulk_create(rows)
    audit.record_many(actor, "create", rows)


@transaction.atomic
def follow_up(consequence: Consequence, *, done_on: dt.date, note: str, actor: Any) -> Consequence:
    require_cover(actor, consequence.round.scheme.organization)
    if consequence.state == FollowUp.DONE:
        raise ValidationError(_("Already done."))
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date is in the future.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was done, or why.")})
    return change(actor, consequence, state=FollowUp.DONE, done_on=done_on, note=note.strip(), done_by=actor)


@transaction.atomic
def save_consequence_rule(
    scheme: Scheme,
    *,
    position: str,
    places: int,
    years: int,
    min_group: int,
    measure: str,
    rule: ConsequenceRule | None = None,
    actor: Any,
) -> ConsequenceRule:
    """Change a consequence rule of a draft scheme, or add one (``rule`` None)."""
    require_cover(actor, scheme.organization)
    _draft(scheme)
    fields = {
        "position": position,
        "places": places,
        "years": years,
        "min_group": min_group,
        "measure": measure.strip(),
    }
    if rule is None:
        key = f"{position}_{years}_{places}"
        return create(actor, ConsequenceRule(scheme=scheme, key=key, **fields))
    if rule.scheme_id != scheme.pk:
        raise ValidationError(_("Choose a rule of this scheme."))
    return change(actor, rule, **fields)


@transaction.atomic
def save_grade(band: GradeBand, *, label: str, floor: Decimal, share: int | None, actor: Any) -> GradeBand:
    """Rename a grade of a draft scheme, or change its floor or quota."""
    require_cover(actor, band.scheme.organization)
    _draft(band.scheme)
    return change(actor, band, label=label.strip(), floor=floor, share=share)


@transaction.atomic
def set_points_rules(
    organization: Organization, *, year: int, rules: list[tuple[str, Decimal, Decimal]], actor: Any
) -> list[PointsRule]:
    """The member points rules of ``organization`` for ``year`` (replacing its earlier
    ones): points each and the yearly cap per source."""
    require_cover(actor, organization)
    out = []
    for source, points, cap in rules:
        row = PointsRule.objects.filter(organization=organization, year=year, source=source).first()
        if row is None:
            out.append(
                create(actor, PointsRule(organization=organization, year=year, source=source, points=points, cap=cap))
            )
        elif (row.points, row.cap) != (points, cap):
            out.append(change(actor, row, points=points, cap=cap))
        else:
            out.append(row)
    return out
