"""The scope-leak crawl: every URL of the product, as every role of the fixed cast.

For each user and each URL (page, partial, export, API), with every object the URL can
take: no server error; objects outside the user's scope answer 404 (never 403, never the
page); and no page, export or API answer shows the name of a member or organization the
user may not see. New URLs join the crawl automatically; a URL whose object type the
crawl does not know fails ``test_every_url_is_crawled``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.accounts.models import User
from dangjian.assessment import actions as assessment_actions
from dangjian.assessment.models import Appeal, Assessed, Consequence, Indicator, Result, Scheme, Score
from dangjian.assessment.models import Round as AssessmentRound
from dangjian.core.imports import REGISTRY as IMPORTERS
from dangjian.core.models import ImportBatch
from dangjian.core.testing import Cast, make_member
from dangjian.development import actions as dev_actions
from dangjian.development import testing as dev_testing
from dangjian.development.choices import StepKind
from dangjian.development.models import Candidate, Plan, Step, StepDocument
from dangjian.dues import actions as dues_actions
from dangjian.dues.models import DuesStandard, FundEntry, Handover, Payment
from dangjian.duties import actions as duty_actions
from dangjian.duties.models import Decision, Item, ItemEvent, Milestone, Project, WorkList
from dangjian.evaluation import actions as evaluation_actions
from dangjian.evaluation import testing as evaluation_testing
from dangjian.evaluation.models import Evaluation, FollowUp
from dangjian.evaluation.models import Round as EvaluationRound
from dangjian.inspections import actions as inspection_actions
from dangjian.inspections.models import Plan as InspectionPlan
from dangjian.inspections.models import Rectification, RectificationEvent, Visit
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, PostKind, TransferReason
from dangjian.members.models import Member, Post, Transfer
from dangjian.orglife import actions as life_actions
from dangjian.orglife.choices import EventKind, EventState, VoteSubject
from dangjian.orglife.models import Event, EventAttachment, RequirementOverride, Vote
from dangjian.orgs import actions as org_actions
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization, PartyGroup, Unit

# URL name -> model of its ``pk``. Every URL with a ``pk`` must be listed here.
PK_MODELS: dict[str, type[models.Model]] = {
    "assessment:scheme": Scheme,
    "assessment:round": AssessmentRound,
    "assessment:score": AssessmentRound,
    "assessment:export": AssessmentRound,
    "assessment:notice": AssessmentRound,
    "assessment:sheet": Assessed,
    "assessment:evidence": Score,
    "core:import_detail": ImportBatch,
    "core:import_commit": ImportBatch,
    "core:import_errors": ImportBatch,
    "accounts:user_edit": User,
    "orgs:detail": Organization,
    "orgs:tree_children": Organization,
    "orgs:edit": Organization,
    "orgs:add_child": Organization,
    "orgs:elect": Organization,
    "orgs:postpone": Organization,
    "orgs:unit_add": Organization,
    "orgs:unit_remove": Unit,
    "orgs:group_add": Organization,
    "members:detail": Member,
    "members:edit": Member,
    "members:transition": Member,
    "members:transfer": Member,
    "members:post_end": Post,
    "members:transfer_accept": Transfer,
    "members:transfer_cancel": Transfer,
    "organization-detail": Organization,
    "member-detail": Member,
    "orglife:detail": Event,
    "orglife:edit": Event,
    "orglife:cancel": Event,
    "orglife:attendance": Event,
    "orglife:vote_add": Event,
    "orglife:attachment_add": Event,
    "orglife:open_sign_in": Event,
    "orglife:qr": Event,
    "orglife:record-pdf": Event,
    "orglife:attachment": EventAttachment,
    "orglife:attachment_remove": EventAttachment,
    "orglife:org_compliance": Organization,
    "orglife:tree_status": Organization,
    "orglife:override_remove": RequirementOverride,
    "event-detail": Event,
    "event-attendance": Event,
    "event-votes": Event,
    "development:detail": Candidate,
    "development:edit": Candidate,
    "development:step_add": Candidate,
    "development:undo": Candidate,
    "development:timeline_pdf": Candidate,
    "development:document_add": Step,
    "development:document": StepDocument,
    "development:document_remove": StepDocument,
    "development:plan": Plan,
    "development:plan_edit": Plan,
    "candidate-detail": Candidate,
    "candidate-steps": Candidate,
    "dues:member": Member,
    "dues:standard": Member,
    "dues:pay": Member,
    "dues:voluntary": Member,
    "dues:confirm_handover": Handover,
    "dues:withdraw_handover": Handover,
    "dues:fund_entry": FundEntry,
    "dues:fund_voucher": FundEntry,
    "dues-standard-detail": DuesStandard,
    "dues-payment-detail": Payment,
    "dues-handover-detail": Handover,
    "dues-handover-confirm": Handover,
    "fund-entry-detail": FundEntry,
    "fund-entry-decide": FundEntry,
    "duties:list": WorkList,
    "duties:item_add": WorkList,
    "duties:item": Item,
    "duties:move": Item,
    "duties:evidence": ItemEvent,
    "duties:list_export": WorkList,
    "duties:project": Project,
    "duties:milestone_evidence": Milestone,
    "duties:decision_document": Decision,
    "work-list-detail": WorkList,
    "work-list-publish": WorkList,
    "work-list-copy": WorkList,
    "work-item-detail": Item,
    "work-item-move": Item,
    "inspections:plan": InspectionPlan,
    "inspections:visit": Visit,
    "inspections:rectification": Rectification,
    "inspections:move": Rectification,
    "inspections:evidence": RectificationEvent,
    "project-detail": Project,
    "project-milestones": Project,
    "project-complete-milestone": Project,
    "project-close": Project,
    "decision-detail": Decision,
    "inspection-plan-detail": InspectionPlan,
    "inspection-plan-checks": InspectionPlan,
    "inspection-plan-visits": InspectionPlan,
    "inspection-detail": Visit,
    "inspection-findings": Visit,
    "inspection-record": Visit,
    "rectification-detail": Rectification,
    "rectification-move": Rectification,
    "assessment-scheme-detail": Scheme,
    "assessment-scheme-copy": Scheme,
    "assessment-scheme-assessed": Scheme,
    "assessment-scheme-rounds": Scheme,
    "assessment-round-detail": AssessmentRound,
    "assessment-round-sheets": AssessmentRound,
    "assessment-round-scores": AssessmentRound,
    "assessment-round-adjustments": AssessmentRound,
    "assessment-round-review": AssessmentRound,
    "assessment-round-publish": AssessmentRound,
    "assessment-round-appeals": AssessmentRound,
    "assessment-sheet-detail": Assessed,
    "assessment-appeal-detail": Appeal,
    "assessment-appeal-decide": Appeal,
    "assessment-result-detail": Result,
    "assessment-consequence-detail": Consequence,
    "assessment-consequence-follow-up": Consequence,
    "evaluation:round": EvaluationRound,
    "evaluation:tallies": EvaluationRound,
    "evaluation:decide": EvaluationRound,
    "evaluation:entry": Evaluation,
    "evaluation:self": Evaluation,
    "evaluation:follow_up": FollowUp,
    "evaluation:follow_up_move": FollowUp,
    "evaluation:evidence": FollowUp,
    "evaluation-round-detail": EvaluationRound,
    "evaluation-follow-up-detail": FollowUp,
}
# Other URL arguments of the object URLs above.
PK_EXTRA = {
    "development:step_add": {"kind": "s02"},
    "duties:move": {"move": "acknowledge"},
    "duties:list_export": {"fmt": "pdf"},
    "inspections:move": {"move": "report"},
    "evaluation:follow_up_move": {"move": "correct"},
}
# URLs that take no object: the query strings tried on each (besides none).
LIST_QUERIES = {
    "assessment:schemes": ["year=2025", "year=bad"],
    "assessment:consequences": ["state=open", "state=done"],
    "assessment:points": ["year=2025", "year=bad"],
    "members:list": ["_export=csv", "status=former", "q=zs"],
    "orgs:list": ["_export=csv", "warning=undersized"],
    "core:audit": ["_export=csv"],
    "accounts:users": ["_export=csv"],
    "members:transfers": ["_export=csv"],
    "member-list": ["status=former"],
    "organization-list": [],
    "orglife:list": ["_export=csv", "signal=no_minutes", "period=2026", "requirement=general_meeting"],
    "orglife:signals": ["_export=csv"],
    "orglife:drifting": ["_export=csv"],
    "orglife:compliance": ["period=2026-Q1", "period=nonsense"],
    "orglife:compliance-xlsx": ["rows=all", "period=bad"],
    "orglife:calendar": ["month=2026-01"],
    "core:inbox": ["partial=counts"],
    "event-list": ["kind=general_meeting"],
    "api-compliance": ["group=org", "group=child&by_requirement=true", "period=x"],
    "development:board": ["_export=csv", "due=overdue", "due=due_soon", "stage=applicant", "admitted_in=2026"],
    "development:overrides": ["_export=csv"],
    "candidate-list": ["stage=applicant"],
    "dues:arrears": ["month=2026-05", "month=bad"],
    "dues:sheet": ["month=2026-05", "month=bad"],
    "dues:handovers": ["year=2025", "year=bad"],
    "dues:funds": ["year=2025", "year=99999"],
    "dues-standard-list": [],
    "dues-payment-list": ["kind=voluntary", "month=2026-01", "month=bad"],
    "dues-handover-list": ["confirmed=false", "year=2025"],
    "fund-entry-list": ["state=pending", "year=2026"],
    "api-dues-reconciliation": ["start=2026-01-01&end=2026-12-31", "start=bad"],
    "duties:lists": ["year=2025", "year=bad"],
    "duties:projects": [],
    "duties:decisions": ["without=1"],
    "work-list-list": ["year=2026", "state=published", "year=bad"],
    "work-item-list": ["overdue=true", "state=acknowledged", "year=2026", "state=bad"],
    "inspections:plans": ["year=2025", "year=bad"],
    "inspections:export": ["year=2025"],
    "project-list": ["state=running", "state=bad"],
    "decision-list": ["without_prior_discussion=true", "kind=large_sum", "year=2026", "year=bad"],
    "inspection-plan-list": ["year=2026", "year=bad"],
    "inspection-list": ["plan=1", "plan=bad"],
    "rectification-list": ["overdue=true", "state=reported", "year=2026", "state=bad"],
    "assessment-scheme-list": ["year=2026", "state=frozen", "year=bad"],
    "assessment-round-list": ["state=published", "kind=year_end", "year=bad"],
    "assessment-sheet-list": ["year=2026", "scheme=bad"],
    "assessment-appeal-list": ["state=pending", "state=bad"],
    "assessment-result-list": ["year=2026", "round=bad"],
    "assessment-consequence-list": ["state=open", "year=2026", "state=bad"],
    "evaluation:rounds": ["year=2025", "year=bad"],
    "evaluation:export": ["year=2025", "year=bad"],
    "evaluation-round-list": ["year=2026", "step=decided", "year=bad"],
    "evaluation-follow-up-list": ["open=true", "state=corrected", "year=2026", "state=bad"],
}
# URLs that act for the organization in the path (``org``): out of scope answers 403 or 404.
ORG_PATH_EXTRA: dict[str, list[dict[str, str]]] = {
    "dues:hand_over": [{}],
    "dues:fund_income": [{}],
    "dues:fund_expenditure": [{}],
    "dues:fund_grant": [{}],
    "dues:fund_statement": [{"fmt": "pdf"}, {"fmt": "xlsx"}],
}
# URLs that take an organization in ``?org=``: out of scope answers 404.
ORG_PARAM = {
    "assessment:schemes",
    "assessment:scheme_add",
    "assessment:consequences",
    "assessment:points",
    "orglife:compliance",
    "orglife:compliance-xlsx",
    "orglife:calendar",
    "orglife:list",
    "api-compliance",
    "orglife:add",
    "development:board",
    "development:summary_pdf",
    "dues:arrears",
    "dues:sheet",
    "dues:handovers",
    "dues:funds",
    "api-dues-reconciliation",
    "duties:lists",
    "duties:list_add",
    "duties:projects",
    "duties:project_add",
    "duties:decisions",
    "duties:decision_add",
    "inspections:plans",
    "inspections:plan_add",
    "inspections:export",
    "evaluation:rounds",
    "evaluation:open",
    "evaluation:export",
}
SKIPPED = {
    "accounts:logout",  # POST only; logs the crawler out
    "set_language",  # POST only
    "core:import_commit",  # POST only (GET answers 405 after the scope check: crawled below)
    "api-token",  # POST only
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            converters = list(pattern.pattern.converters)
            regex_groups = list(pattern.pattern.regex.groupindex)
            yield f"{namespace}{pattern.name}", converters or regex_groups


def url_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for name, params in _walk(get_resolver().url_patterns):
        if "format" in params:
            continue  # DRF format-suffix twins of the same views
        names.setdefault(name, params)
    return names


def test_every_url_is_crawled() -> None:
    for name, params in url_names().items():
        if "pk" in params:
            assert name in PK_MODELS or name in SKIPPED, f"{name}: add its model to PK_MODELS"
        if "org" in params:
            assert name in ORG_PATH_EXTRA, f"{name}: add it to ORG_PATH_EXTRA"


@pytest.fixture
def world(cast: Cast) -> Cast:
    """The cast plus one of everything a URL can point at, in both halves of the tree."""
    today = dt.date.today()
    for org in (cast.branch_a, cast.branch_b, cast.committee_x):
        org_actions.record_election(org, elected_on=today - dt.timedelta(days=400), years=None, actor=None)
        org_actions.add_unit(Unit(organization=org, name=f"{org.name}单位"), actor=None)
    for org, members in ((cast.branch_a, cast.members_a), (cast.branch_b, cast.members_b)):
        org_actions.add_party_group(PartyGroup(organization=org, name=f"{org.name}第一小组"), actor=None)
        member_actions.add_post(
            Post(
                member=members[0],
                kind=PostKind.PARTY,
                organization=org,
                party_post=PartyPost.SECRETARY,
                started_on=today,
            ),
            actor=None,
        )
    # A transfer from A to B: both sides see it (and so the member's name), nobody else.
    mover = make_member(cast.branch_a, "过客甲")
    member_actions.start_transfer(
        mover,
        to_org=cast.branch_b,
        to_external="",
        reason=TransferReason.WORK,
        letter_number="L-1",
        issued_on=today,
        same_city=True,
        actor=None,
    )
    # A former member (history) in B.
    former = make_member(cast.branch_b, "故人乙")
    member_actions.record_transition(former, "deceased", on=today, reason="病故", actor=None)
    # Organizational life in both halves: a held general meeting with a vote and an
    # attachment, a planned theme day with a sign-in code, an override.
    from django.core.files.base import ContentFile

    for org, members in ((cast.branch_a, cast.members_a), (cast.branch_b, cast.members_b)):
        meeting = life_actions.create_event(
            Event(
                organization=org,
                kind=EventKind.GENERAL_MEETING,
                state=EventState.HELD,
                held_on=today - dt.timedelta(days=3),
                topic=f"{org.name}党员大会",
                host=members[0],
                minutes="<p>会议记录</p>",
            ),
            actor=None,
        )
        life_actions.record_vote(
            Vote(event=meeting, subject=VoteSubject.OTHER, title="决议", member=members[1], votes_for=2),
            actor=None,
        )
        attachment = EventAttachment(event=meeting, kind="photo", description=f"{org.name}照片")
        attachment.file.save("photo.jpg", ContentFile(b"jpeg"), save=False)
        life_actions.add_attachment(attachment, actor=None)
        planned = life_actions.create_event(
            Event(organization=org, kind=EventKind.THEME_DAY, held_on=today, topic=f"{org.name}主题党日"), actor=None
        )
        life_actions.open_sign_in(planned, actor=None)
        life_actions.set_override(
            RequirementOverride(
                key="theme_day", organization=org, count=2, valid_from=dt.date(today.year, 1, 1), note="试点"
            ),
            actor=None,
        )
    life_actions.set_override(
        RequirementOverride(
            key="party_lesson", sector=Sector.VILLAGE, count=2, valid_from=dt.date(today.year, 1, 1), note="乡村"
        ),
        actor=None,
    )
    # Member development in both halves: an applicant with a scanned letter and a step
    # recorded against the rules by an administrator, and each committee's plan.
    for org, admin, committee in (
        (cast.branch_a, cast.committee_admin, cast.committee_x),
        (cast.branch_b, cast.county_admin, cast.committee_y),
    ):
        candidate = dev_testing.new_candidate(
            org, f"{org.name}申请人", applied_on=today - dt.timedelta(days=20), actor=None
        )
        dev_testing.take_step(
            candidate,
            StepKind.TALK,
            today - dt.timedelta(days=10),
            admin,
            people=[Member.objects.filter(organization=org).first()],
            override_reason="书记外出，由委员谈话",
        )
        dev_actions.save_plan(Plan(organization=committee, year=today.year), {org: 2}, actor=None)
    # Party dues in both halves: a standard and a payment, and arrears.
    for members in (cast.members_a, cast.members_b):
        for member in members[:2]:
            dues_actions.set_standard(
                member, category="salary", base=Decimal("4000"), valid_from=dt.date(today.year, 1, 1), actor=None
            )
        dues_actions.record_payments(
            members[0], [dt.date(today.year, 1, 1)], method="cash", paid_on=dt.date(today.year, 1, 15), actor=None
        )
    # Dues handed over, confirmed in one half; funds received, allocated and spent, one
    # expenditure waiting for approval, with a voucher.
    for committee, org in ((cast.committee_x, cast.branch_a), (cast.committee_y, cast.branch_b)):
        committee = Organization.objects.get(pk=committee.pk)
        month = dt.date(today.year, 1, 1)
        handover = dues_actions.hand_over(
            org,
            amount=Decimal("1"),
            handed_on=dt.date(today.year, 1, 20),
            months_from=month,
            months_to=month,
            actor=None,
        )
        if org == cast.branch_a:
            dues_actions.confirm_handover(handover, confirmed_on=dt.date(today.year, 1, 21), actor=None)
        dues_actions.record_income(
            committee,
            source="budget",
            amount=Decimal("9000"),
            on=dt.date(today.year, 1, 5),
            description="经费",
            actor=None,
        )
        dues_actions.record_income(
            org,
            source="higher",
            granted_by=committee,
            amount=Decimal("5000"),
            on=dt.date(today.year, 1, 6),
            description="下拨",
            actor=None,
        )
        dues_actions.record_expenditure(
            org,
            category="training",
            amount=Decimal("3000"),
            on=dt.date(today.year, 2, 1),
            description="培训",
            voucher=SimpleUploadedFile("v.png", b"\x89PNG\r\n", "image/png"),
            actor=None,
        )
        dues_actions.record_expenditure(
            org,
            category="materials",
            amount=Decimal("100"),
            on=dt.date(today.year, 2, 2),
            description="资料",
            approver="书记",
            actor=None,
        )
    # Responsibility lists: each committee's, published, an item for its branch with
    # evidence; the county's list with an item for each committee.
    county_list = duty_actions.create_list(cast.county, year=today.year, title="县委清单", actor=None)
    for committee, org in ((cast.committee_x, cast.branch_a), (cast.committee_y, cast.branch_b)):
        committee = Organization.objects.get(pk=committee.pk)
        duty_actions.add_item(
            county_list, assignee=committee, title=f"{committee.name}任务", deadline=today, actor=None
        )
        work_list = duty_actions.create_list(committee, year=today.year, title=f"{committee.name}清单", actor=None)
        item = duty_actions.add_item(work_list, assignee=org, title=f"{org.name}任务", deadline=today, actor=None)
        duty_actions.publish(work_list, actor=None)
        duty_actions.make_move(item, "acknowledge", actor=None)
        duty_actions.make_move(
            item,
            "progress",
            actor=None,
            percent=50,
            text="进行中",
            evidence=SimpleUploadedFile("e.png", b"\x89PNG\r\n", "image/png"),
        )
    duty_actions.publish(county_list, actor=None)
    # A decision in each half, one with a document.
    for org in (cast.branch_a, cast.branch_b):
        duty_actions.record_decision(
            org,
            kind="large_sum",
            title=f"{org.name}决策",
            decided_on=dt.date(today.year, 2, 1),
            meeting="会议",
            document=SimpleUploadedFile("d.pdf", b"%PDF-1.4", "application/pdf"),
            actor=None,
        )
    # A project in each half, a milestone done with evidence, spending from its budget.
    for org in (cast.branch_a, cast.branch_b):
        project = duty_actions.create_project(
            org,
            title=f"{org.name}项目",
            goals="目标",
            starts_on=dt.date(today.year, 1, 1),
            ends_on=dt.date(today.year, 12, 31),
            budget=Decimal("1000"),
            actor=None,
        )
        milestone = duty_actions.add_milestone(project, title="阶段一", due_on=dt.date(today.year, 3, 1), actor=None)
        duty_actions.complete_milestone(
            milestone,
            done_on=dt.date(today.year, 3, 1),
            note="完成",
            actor=None,
            evidence=SimpleUploadedFile("m.png", b"\x89PNG\r\n", "image/png"),
        )
        dues_actions.record_expenditure(
            org,
            category="activities",
            amount=Decimal("50"),
            on=dt.date(today.year, 3, 2),
            description="项目支出",
            approver="书记",
            project=project,
            actor=None,
        )
    # A county inspection of every branch with a finding in each half, and a committee's
    # own inspection of its branch; the branch reports with evidence.
    county_plan = inspection_actions.create_plan(
        cast.county,
        target=cast.county,
        title="县级督查",
        year=today.year,
        starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year, 12, 31),
        covering="branches",
        actor=None,
    )
    committee_plan = inspection_actions.create_plan(
        cast.committee_x,
        target=cast.committee_x,
        title="党委自查",
        year=today.year,
        starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year, 12, 31),
        covering="branches",
        actor=None,
    )
    for plan in (county_plan, committee_plan):
        for visit in plan.visits.select_related("organization"):
            finding = inspection_actions.record_finding(
                visit,
                text=f"{visit.organization.name}问题",
                check=plan.checks.first(),
                found_on=dt.date(today.year, 1, 2),
                actor=None,
            )
            inspection_actions.make_move(
                finding.rectification,
                "report",
                actor=None,
                on=dt.date(today.year, 1, 3),
                text="已整改",
                evidence=SimpleUploadedFile("r.png", b"\x89PNG\r\n", "image/png"),
            )
    # The county assesses its two committees (a published year-end round with a consequence,
    # evidence on a score); committee X assesses its branch.
    scheme = assessment_actions.create_scheme(cast.county, year=today.year, title="县考核", actor=None)
    assessment_actions.add_assessed(scheme, [cast.committee_x, cast.committee_y], actor=None)
    scheme.consequence_rules.update(min_group=2)
    year_end = assessment_actions.open_round(
        scheme, kind="year_end", starts_on=dt.date(today.year, 1, 1), ends_on=dt.date(today.year, 12, 31), actor=None
    )
    for indicator in Indicator.objects.filter(dimension__scheme=scheme, method="manual"):
        for org in (cast.committee_x, cast.committee_y):
            Score.objects.create(
                round=year_end,
                organization=org,
                indicator=indicator,
                assessor=cast.county_admin,
                value=1,
                evidence=SimpleUploadedFile("s.pdf", b"%PDF-1.4", "application/pdf"),
            )
    assessment_actions.open_review(year_end, appeal_until=today, actor=None)
    assessment_actions.file_appeal(year_end, organization=cast.committee_x, text="申诉", actor=None)
    Appeal.objects.update(state="dismissed", response="驳回")
    AssessmentRound.objects.filter(pk=year_end.pk).update(appeal_until=today - dt.timedelta(days=1))  # window over
    assessment_actions.publish(year_end, actor=None)
    own = assessment_actions.create_scheme(cast.committee_x, year=today.year, title="党委考核", actor=None)
    assessment_actions.add_assessed(own, [cast.branch_a], actor=None)
    # Import batches uploaded by two secretaries.
    for user in (cast.secretary_a, cast.secretary_b):
        ImportBatch.objects.create(
            kind="members",
            file="imports/x.csv",
            original_name=f"{user.username}.csv",
            created_by=user,
            organization=user.scope_org,
        )
    # Democratic evaluation: branch A decided this year, the member of branch A basically
    # qualified (helper: another member) and corrected with evidence; branch B decided last
    # year with an unqualified member followed up, and this year at the rating step.
    a_round = evaluation_testing.to_rating(cast.branch_a, today - dt.timedelta(days=30), None)
    evaluation_testing.rate(
        a_round,
        5,
        {cast.members_a[0].pk: {"basically_qualified": 3, "qualified": 2}},
        None,
        today - dt.timedelta(days=15),
    )
    evaluation_testing.decide_as_suggested(
        EvaluationRound.objects.get(pk=a_round.pk),
        evaluation_testing.meeting(cast.branch_a, today - dt.timedelta(days=10)),
        None,
    )
    a_follow_up = FollowUp.objects.get(evaluation__member=cast.members_a[0])
    evaluation_actions.plan_follow_up(
        a_follow_up, helper=cast.members_a[1], plan="帮扶计划", deadline=a_follow_up.deadline, actor=None
    )
    evaluation_actions.move_follow_up(
        a_follow_up,
        "correct",
        on=today,
        text="已改正",
        evidence=SimpleUploadedFile("c.png", b"\x89PNG\r\n", "image/png"),
        actor=None,
    )
    last_year = dt.date(today.year - 1, 11, 2)
    b_round = evaluation_testing.to_rating(cast.branch_b, last_year, None)
    evaluation_testing.rate(
        b_round, 3, {cast.members_b[0].pk: {"unqualified": 2, "qualified": 1}}, None, last_year + dt.timedelta(days=15)
    )
    evaluation_testing.decide_as_suggested(
        EvaluationRound.objects.get(pk=b_round.pk),
        evaluation_testing.meeting(cast.branch_b, last_year + dt.timedelta(days=20)),
        None,
    )
    evaluation_testing.to_rating(cast.branch_b, today - dt.timedelta(days=20), None)
    return cast


def _visible_names(user: User) -> set[str]:
    """Names the user may see: everything reachable through a restricted queryset."""
    names = set(Member.objects.restrict(user).values_list("name", flat=True))
    names |= set(Organization.objects.restrict(user).values_list("name", flat=True))
    names |= set(Candidate.objects.restrict(user).values_list("name", flat=True))
    for transfer in Transfer.objects.restrict(user).select_related("member", "from_org", "to_org"):
        names |= {transfer.member.name, transfer.sender_name, transfer.receiver_name}
    for post in Post.objects.restrict(user).select_related("member", "organization"):
        names |= {post.member.name, str(post.organization or "")}
    if user.scope_org is not None:  # the names of the organizations above one's own are not secret
        paths = user.scope_org.ancestor_paths()
        names |= set(Organization.objects.filter(path__in=paths).values_list("name", flat=True))
    return names


def _all_names() -> set[str]:
    return (
        set(Member.objects.values_list("name", flat=True))
        | set(Organization.objects.values_list("name", flat=True))
        | set(Candidate.objects.values_list("name", flat=True))
    )


def _in_scope_pks(user: User, model: type[models.Model]) -> set[Any]:
    return set(model.objects.restrict(user).values_list("pk", flat=True))  # type: ignore[attr-defined]


def _pk_urls(name: str) -> Iterator[tuple[str, type[models.Model], Any]]:
    model = PK_MODELS[name]
    for pk in model._default_manager.values_list("pk", flat=True):
        yield reverse(name, kwargs={"pk": pk, **PK_EXTRA.get(name, {})}), model, pk


def _plain_urls(name: str, params: list[str]) -> Iterator[str]:
    if name == "orglife:add":
        for kind in EventKind.values:
            yield reverse(name, kwargs={"kind": kind})
        return
    if "kind" in params:
        for kind in IMPORTERS:
            yield reverse(name, kwargs={"kind": kind})
        return
    base = reverse(name)
    yield base
    for query in LIST_QUERIES.get(name, []):
        yield f"{base}?{query}"
    if name in ("members:list", "orgs:list", "member-list", "organization-list", "core:audit", "orglife:drifting"):
        for org_pk in Organization.objects.values_list("pk", flat=True):
            yield f"{base}?within={org_pk}"


def _check_no_leak(user: User, url: str, body: str, forbidden: set[str]) -> None:
    leaked = sorted(n for n in forbidden if n and n in body)
    assert not leaked, f"{user.username} sees {leaked} at {url}"


@pytest.mark.django_db
def test_scope_crawl(world: Cast) -> None:
    names = url_names()
    everything = _all_names()
    for user in world.users:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        forbidden = everything - _visible_names(user)
        for name, params in names.items():
            if name in SKIPPED and name != "core:import_commit":
                continue
            if "pk" in params:
                in_scope = _in_scope_pks(user, PK_MODELS[name])
                for url, _model, pk in _pk_urls(name):
                    response = client.get(url)
                    assert response.status_code < 500, f"{user.username} GET {url}: {response.status_code}"
                    if pk not in in_scope:
                        assert response.status_code == 404, (
                            f"{user.username} GET {url} (out of scope): {response.status_code}"
                        )
                    elif response.status_code == 200 and any(
                        t in response.get("Content-Type", "") for t in ("html", "json")
                    ):
                        _check_no_leak(user, url, response.content.decode(), forbidden)
                continue
            if "org" in params:
                visible_orgs = _in_scope_pks(user, Organization)
                for org_pk in Organization.objects.values_list("pk", flat=True):
                    for extra in ORG_PATH_EXTRA[name]:
                        url = reverse(name, kwargs={"org": org_pk, **extra})
                        response = client.get(url)
                        assert response.status_code < 500, f"{user.username} GET {url}: {response.status_code}"
                        if org_pk not in visible_orgs:
                            assert response.status_code in (403, 404), f"{user.username} GET {url} (out of scope)"
                        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
                            _check_no_leak(user, url, response.content.decode(), forbidden)
                continue
            for url in _plain_urls(name, params):
                response = client.get(url)
                assert response.status_code < 500, f"{user.username} GET {url}: {response.status_code}"
                assert response.status_code != 404 or name == "core:import", f"{user.username} GET {url}: 404"
                content_type = response.get("Content-Type", "")
                if response.status_code == 200 and ("text" in content_type or "json" in content_type):
                    body = (
                        b"".join(response.streaming_content).decode()
                        if response.streaming
                        else response.content.decode()
                    )
                    _check_no_leak(user, url, body, forbidden)
            if name in ORG_PARAM:
                visible_orgs = _in_scope_pks(user, Organization)
                for url, org_pk in _org_urls(name):
                    response = client.get(url)
                    assert response.status_code < 500, f"{user.username} GET {url}: {response.status_code}"
                    if org_pk not in visible_orgs and name != "orglife:list":  # a filter: empty list
                        assert response.status_code in (403, 404), f"{user.username} GET {url}: {response.status_code}"
                    elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
                        _check_no_leak(user, url, response.content.decode(), forbidden)


def _org_urls(name: str) -> Iterator[tuple[str, int]]:
    """``name`` with ``?org=`` (or ``?within=``) set to each organization."""
    bases = [reverse(name, kwargs={"kind": EventKind.GENERAL_MEETING})] if name == "orglife:add" else [reverse(name)]
    for org_pk in Organization.objects.values_list("pk", flat=True):
        for base in bases:
            yield f"{base}?org={org_pk}", org_pk
            if name == "orglife:list":
                yield f"{base}?within={org_pk}", org_pk


@pytest.mark.django_db
def test_anonymous_sees_nothing(world: Cast) -> None:
    client = Client()
    for name, params in url_names().items():
        if name in SKIPPED or name in ("accounts:login", "javascript-catalog"):
            continue
        if "pk" in params:
            urls = [u for u, _m, _pk in _pk_urls(name)][:2]
        elif "org" in params:
            urls = [reverse(name, kwargs={"org": world.branch_a.pk, **ORG_PATH_EXTRA[name][0]})]
        else:
            urls = list(_plain_urls(name, params))[:1]
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 401, 403), f"anonymous GET {url}: {response.status_code}"
            if response.status_code == 302:
                assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_member_sees_only_own_record(world: Cast) -> None:
    client = Client()
    client.force_login(world.member_a)
    own = world.members_a[0]
    assert client.get(reverse("members:detail", args=[own.pk])).status_code == 200
    for other in [*world.members_a[1:], *world.members_b]:
        assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    listed = client.get(reverse("member-list")).json()
    assert [row["id"] for row in listed["results"]] == [own.pk]


@pytest.mark.django_db
def test_masking_follows_role(world: Cast) -> None:
    """ID numbers and phones appear in full only to roles allowed to see them."""
    member = world.members_a[1]
    full_id = member.id_number
    for user, sees in ((world.secretary_a, True), (world.county_admin, True), (world.inspector, False)):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
        export = client.get(reverse("members:list") + "?_export=csv").content.decode()
        api = client.get(reverse("member-detail", args=[member.pk])).json()
        for body in (page, export, str(api)):
            assert (full_id in body) is sees, f"{user.username}: full ID shown={full_id in body}"
            if not sees:
                assert member.id_number_masked in body
