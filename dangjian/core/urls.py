from django.urls import path

from dangjian.core import audit_views, import_views, views

app_name = "core"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("audit/", audit_views.AuditListView.as_view(), name="audit"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("imports/<slug:kind>/", import_views.ImportUploadView.as_view(), name="import"),
    path("imports/<slug:kind>/template.xlsx", import_views.import_template, name="import_template"),
    path("imports/batch/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/batch/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("imports/batch/<int:pk>/errors.xlsx", import_views.import_errors, name="import_errors"),
]
