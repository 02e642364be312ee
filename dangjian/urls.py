"""URL configuration: the pages, the API under /api/, the schema and its docs."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from dangjian.assessment.api.views import (
    AppealViewSet,
    AssessedViewSet,
    ConsequenceViewSet,
    ResultViewSet,
    RoundViewSet,
    SchemeViewSet,
)
from dangjian.development.api.views import CandidateViewSet
from dangjian.dues.api.views import (
    DuesStandardViewSet,
    FundEntryViewSet,
    HandoverViewSet,
    PaymentViewSet,
    ReconciliationView,
)
from dangjian.duties.api.views import DecisionViewSet, ItemViewSet, ProjectViewSet, WorkListViewSet
from dangjian.evaluation.api.views import EvaluationFollowUpViewSet, EvaluationRoundViewSet
from dangjian.inspections.api.views import PlanViewSet, RectificationViewSet, VisitViewSet
from dangjian.members.api.views import MemberViewSet
from dangjian.orglife.api.views import ComplianceView, EventViewSet
from dangjian.orgs.api.views import OrganizationViewSet

router = DefaultRouter()
router.register("orgs", OrganizationViewSet, basename="organization")
router.register("members", MemberViewSet, basename="member")
router.register("events", EventViewSet, basename="event")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("dues-standards", DuesStandardViewSet, basename="dues-standard")
router.register("dues-payments", PaymentViewSet, basename="dues-payment")
router.register("dues-handovers", HandoverViewSet, basename="dues-handover")
router.register("fund-entries", FundEntryViewSet, basename="fund-entry")
router.register("work-lists", WorkListViewSet, basename="work-list")
router.register("work-items", ItemViewSet, basename="work-item")
router.register("projects", ProjectViewSet, basename="project")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("inspection-plans", PlanViewSet, basename="inspection-plan")
router.register("inspections", VisitViewSet, basename="inspection")
router.register("rectifications", RectificationViewSet, basename="rectification")
router.register("assessment-schemes", SchemeViewSet, basename="assessment-scheme")
router.register("assessment-rounds", RoundViewSet, basename="assessment-round")
router.register("assessment-sheets", AssessedViewSet, basename="assessment-sheet")
router.register("assessment-appeals", AppealViewSet, basename="assessment-appeal")
router.register("assessment-results", ResultViewSet, basename="assessment-result")
router.register("assessment-consequences", ConsequenceViewSet, basename="assessment-consequence")
router.register("evaluation-rounds", EvaluationRoundViewSet, basename="evaluation-round")
router.register("evaluation-follow-ups", EvaluationFollowUpViewSet, basename="evaluation-follow-up")

urlpatterns = [
    path("", include("dangjian.core.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("life/", include("dangjian.orglife.urls")),
    path("development/", include("dangjian.development.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("duties/", include("dangjian.duties.urls")),
    path("inspections/", include("dangjian.inspections.urls")),
    path("assessment/", include("dangjian.assessment.urls")),
    path("evaluation/", include("dangjian.evaluation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/compliance/", ComplianceView.as_view(), name="api-compliance"),
    path("api/dues-reconciliation/", ReconciliationView.as_view(), name="api-dues-reconciliation"),
    path("api/", include(router.urls)),
    path("api/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

# Uploaded files (import rosters with ID numbers) are never served over HTTP.
