from django.urls import path

from dangjian.development import report_views, views

app_name = "development"

urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("new/", views.CandidateCreateView.as_view(), name="add"),
    path("<int:pk>/", views.CandidateDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CandidateUpdateView.as_view(), name="edit"),
    path("<int:pk>/steps/<str:kind>/", views.StepCreateView.as_view(), name="step_add"),
    path("<int:pk>/undo/", views.UndoStepView.as_view(), name="undo"),
    path("<int:pk>/timeline.pdf", report_views.TimelinePdfView.as_view(), name="timeline_pdf"),
    path("steps/<int:pk>/documents/add/", views.DocumentAddView.as_view(), name="document_add"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/remove/", views.DocumentRemoveView.as_view(), name="document_remove"),
    path("overrides/", views.OverridesView.as_view(), name="overrides"),
    path("summary.pdf", report_views.SummaryPdfView.as_view(), name="summary_pdf"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_add"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("plans/<int:pk>/edit/", views.PlanUpdateView.as_view(), name="plan_edit"),
]
