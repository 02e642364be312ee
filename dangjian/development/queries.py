"""Read models of member development: the facts the rules need, taken from the records,
the pipeline board's counts by stage, and the plan's progress. Counts are SQL over the
materialized path, a fixed number of queries whatever the size of the subtree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangjian.core.rulesets import value
from dangjian.development import rules
from dangjian.development.choices import OPEN_STAGES, DueState, Stage, StepKind
from dangjian.development.models import Candidate, Plan, Quota, Step
from dangjian.members.choices import ACTIVE_STATUSES, COMMITTEE_POSTS, PartyPost, Portfolio, PostKind
from dangjian.members.models import Member, Post
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.rules import COMMITTEE_MIN_SIZE

# D2: the secretary, a deputy secretary or the committee member for organization.
TALKER_POSTS = Q(party_post__in=[PartyPost.SECRETARY, PartyPost.DEPUTY_SECRETARY]) | Q(
    party_post=PartyPost.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION
)


def talkers(org: Organization, on: dt.date) -> QuerySet[Member]:
    """Who may hold the talk with an applicant of ``org`` on ``on`` (D2): the secretary,
    deputy secretaries and committee member for organization of ``org`` or of an
    organization above it, nearest first."""
    posts = (
        Post.objects.filter(TALKER_POSTS)
        .filter(kind=PostKind.PARTY, organization__path__in=org.ancestor_paths(include_self=True), started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
    )
    return Member.objects.filter(pk__in=posts.values("member_id")).order_by("-posts__organization__depth", "pk")


def _held_on(posts: list[tuple[int, dt.date, dt.date | None]], on: dt.date) -> set[int]:
    """Members of ``(member, from, until)`` rows holding their post on ``on``."""
    return {member for member, start, end in posts if start <= on and (end is None or end >= on)}


def _talker_posts(people: Iterable[int], org: Organization) -> list[tuple[int, dt.date, dt.date | None]]:
    return list(
        Post.objects.filter(TALKER_POSTS)
        .filter(
            member__in=list(people), kind=PostKind.PARTY, organization__path__in=org.ancestor_paths(include_self=True)
        )
        .values_list("member_id", "started_on", "ended_on")
    )


def _person_facts(
    people: Iterable[Member], on: dt.date, talker_posts: list[tuple[int, dt.date, dt.date | None]]
) -> tuple[rules.PersonFact, ...]:
    talkers_then = _held_on(talker_posts, on)
    return tuple(
        rules.PersonFact(
            name=p.name,
            full_member=p.full_on is not None and p.full_on <= on and (p.left_on is None or p.left_on > on),
            committee_member=p.pk in talkers_then,
        )
        for p in people
    )


def people_for(candidate: Candidate) -> QuerySet[Member]:
    """Who may be named on a step of ``candidate`` (form and API): current members of its
    branch, and those holding a post that may hold the talk (D2) in the branch or a
    committee above it. The rules check who was a full member on the day (D5, D8)."""
    org = candidate.organization
    talker_ids = (
        Post.objects.filter(TALKER_POSTS)
        .filter(
            kind=PostKind.PARTY, organization__path__in=org.ancestor_paths(include_self=True), ended_on__isnull=True
        )
        .values("member_id")
    )
    return (
        Member.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(Q(organization_id=org.pk) | Q(pk__in=talker_ids))
        .order_by("name_pinyin", "pk")
    )


def person_facts(people: Iterable[Member], on: dt.date, org: Organization) -> tuple[rules.PersonFact, ...]:
    """What the registry says of each person on ``on``: full member then (D5, D8), and
    whether they may hold the talk (D2) as secretary, deputy secretary or committee member
    for organization of ``org`` or an organization above it (one query)."""
    people = list(people)
    return _person_facts(people, on, _talker_posts((p.pk for p in people), org))


def _committee_posts(org: Organization | int) -> list[tuple[int, dt.date, dt.date | None]]:
    org_id = org if isinstance(org, int) else org.pk
    return list(
        Post.objects.filter(organization_id=org_id, kind=PostKind.PARTY, party_post__in=COMMITTEE_POSTS).values_list(
            "member_id", "started_on", "ended_on"
        )
    )


def _candidate_fact(
    candidate: Candidate, on: dt.date, committee_posts: list[tuple[int, dt.date, dt.date | None]]
) -> rules.CandidateFact:
    # D3 with O3: a branch has a committee when at least the smallest committee sits on it
    # that day; a branch with only a secretary decides in its general meeting.
    return rules.CandidateFact(
        birth_date=candidate.birth_date,
        has_committee=len(_held_on(committee_posts, on)) >= value(COMMITTEE_MIN_SIZE.key, on),
        leaving_on=candidate.leaving_on,
    )


def candidate_fact(candidate: Candidate, on: dt.date) -> rules.CandidateFact:
    return _candidate_fact(candidate, on, _committee_posts(candidate.organization_id))


def _has_documents(step: Step) -> bool:
    count = getattr(step, "document_count", None)  # annotated by the history queries
    if count is not None:
        return bool(count)
    return step.pk is not None and step.documents.exists()


def step_fact(
    step: Step, people: tuple[rules.PersonFact, ...] = (), vote_problems: tuple[Any, ...] = ()
) -> rules.StepFact:
    """The rules' view of a step (people's facts and vote reasons passed in when known)."""
    approver = step.decided_by
    return rules.StepFact(
        kind=step.kind,
        on=step.on,
        body=step.body,
        people=people,
        until=step.until,
        months=step.months,
        training_days=step.training_days,
        training_hours=step.training_hours,
        conclusion=step.conclusion,
        special_extension=step.special_extension,
        vote_passed=step.vote.passed if step.vote_id else None,
        vote_problems=vote_problems,
        approver_kind=approver.kind if approver else "",
        approver_sector=approver.sector if approver else "",
        has_documents=_has_documents(step),
        end_reason=step.end_reason,
    )


def history(candidate: Candidate) -> list[rules.StepFact]:
    """The candidate's recorded steps as facts, in date order (3 queries)."""
    steps = (
        candidate.steps.select_related("vote", "decided_by")
        .annotate(document_count=Count("documents"))
        .order_by("on", "id")
    )
    return [step_fact(step) for step in steps]


def file_check(candidate: Candidate, today: dt.date) -> list[tuple[Step, list[rules.Problem]]]:
    """The whole file re-checked step by step against the rules in force (the pipeline
    as a whole): each step that breaks a rule now, with the problems. Steps recorded with
    an override show here too, so the reader sees what was waived."""
    steps = list(
        candidate.steps.select_related("vote", "decided_by", "candidate__organization")
        .prefetch_related("people")
        .annotate(document_count=Count("documents"))
        .order_by("on", "id")
    )
    org = candidate.organization
    talker_posts = _talker_posts({p.pk for step in steps for p in step.people.all()}, org)
    committee_posts = _committee_posts(org)
    facts = [step_fact(step, _person_facts(step.people.all(), step.on, talker_posts)) for step in steps]
    found = []
    for i, step in enumerate(steps):
        fact = _candidate_fact(candidate, step.on, committee_posts)
        problems = rules.step_problems(facts[:i], facts[i], fact, today)
        if problems:
            found.append((step, problems))
    return found


def approving_committee(org: Organization) -> Organization | None:
    """The nearest committee above ``org`` that may approve admissions (D16)."""
    above = org.ancestor_paths()
    committees = Organization.objects.filter(
        path__in=above, kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.LEADING_COMMITTEE]
    ).order_by("-depth")
    for committee in committees:
        if not (committee.kind == OrgKind.GRASSROOTS_COMMITTEE and committee.sector in rules.NON_APPROVING_SECTORS):
            return committee
    return None


def general_meetings(candidate: Candidate) -> QuerySet[Any]:
    """Held branch general meetings of the candidate's branch, newest first (for the
    vote steps: the vote is taken at one of them, D13, D14)."""
    from dangjian.orglife.choices import EventKind, EventState
    from dangjian.orglife.models import Event

    return Event.objects.filter(
        organization_id=candidate.organization_id, kind=EventKind.GENERAL_MEETING, state=EventState.HELD
    ).order_by("-held_on")


# --- Board ----------------------------------------------------------------------------


def stage_counts(candidates: QuerySet[Candidate]) -> dict[str, int]:
    """Candidates per stage (one query)."""
    rows = candidates.values("stage").annotate(n=Count("pk"))
    counts = {stage.value: 0 for stage in Stage}
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def due_state(candidate: Candidate, today: dt.date) -> str:
    """Overdue, due soon (within ``D.due_soon_days``), waiting, or nothing due."""
    if candidate.stage not in OPEN_STAGES and candidate.stage != Stage.FULL:
        return DueState.NONE
    if candidate.due_on and candidate.due_on < today:
        return DueState.OVERDUE
    soon = today + dt.timedelta(days=value(rules.DUE_SOON_DAYS.key, today))
    if (candidate.due_on and candidate.due_on <= soon) or (candidate.ready_on and candidate.ready_on <= soon):
        return DueState.DUE_SOON
    return DueState.WAITING if candidate.next_kind else DueState.NONE


def overdue(candidates: QuerySet[Candidate], today: dt.date) -> QuerySet[Candidate]:
    return candidates.filter(due_on__lt=today).exclude(stage=Stage.ENDED)


def due_soon(candidates: QuerySet[Candidate], today: dt.date) -> QuerySet[Candidate]:
    soon = today + dt.timedelta(days=value(rules.DUE_SOON_DAYS.key, today))
    return (
        candidates.exclude(stage=Stage.ENDED)
        .filter(Q(due_on__gte=today, due_on__lte=soon) | Q(due_on__isnull=True, ready_on__lte=soon))
        .exclude(next_kind="")
    )


def overrides(steps: QuerySet[Step]) -> QuerySet[Step]:
    """Steps recorded against a rule with an administrator's override, and approvals
    given after the normal three months with a special extension (D17)."""
    return steps.filter(~Q(overridden_problems=[]) | Q(special_extension=True)).select_related(
        "candidate__organization", "overridden_by"
    )


# --- Plan -----------------------------------------------------------------------------


def plans_progress(plans: Iterable[Plan]) -> list[tuple[Plan, list[dict[str, Any]]]]:
    """Each plan with its quotas and the admissions approved (step 17) that year in each
    quota's subtree: two queries for any number of plans (quotas; approvals grouped by
    year and branch, summed under each quota)."""
    plans = list(plans)
    if not plans:
        return []
    quotas = Quota.objects.filter(plan__in=plans).select_related("organization").order_by("organization__path")
    by_plan: dict[int, list[Quota]] = {}
    for quota in quotas:
        by_plan.setdefault(quota.plan_id, []).append(quota)
    within = Q()
    for plan in plans:
        within |= Q(on__year=plan.year, candidate__organization__path__startswith=plan.organization.path)
    approvals = (
        Step.objects.filter(kind=StepKind.ADMISSION_APPROVAL)
        .filter(within)
        .values("on__year", "candidate__organization__path")
        .annotate(n=Count("pk"))
    )
    counted = [(row["on__year"], row["candidate__organization__path"], row["n"]) for row in approvals]
    result = []
    for plan in plans:
        rows = []
        for quota in by_plan.get(plan.pk, []):
            path = quota.organization.path
            done = sum(n for year, branch, n in counted if year == plan.year and branch.startswith(path))
            rows.append(
                {
                    "quota": quota,
                    "organization": quota.organization,
                    "planned": quota.admissions,
                    "done": done,
                    "share": round(100 * done / quota.admissions) if quota.admissions else None,
                }
            )
        result.append((plan, rows))
    return result


def plan_progress(plan: Plan) -> list[dict[str, Any]]:
    """One plan's quotas with their progress (see ``plans_progress``)."""
    return plans_progress([plan])[0][1]
