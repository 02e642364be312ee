from django.urls import path

from dangjian.orglife import report_views, views

app_name = "orglife"

urlpatterns = [
    path("", views.EventListView.as_view(), name="list"),
    path("new/<str:kind>/", views.EventCreateView.as_view(), name="add"),
    path("<int:pk>/", views.EventDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EventUpdateView.as_view(), name="edit"),
    path("<int:pk>/cancel/", views.EventCancelView.as_view(), name="cancel"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/votes/add/", views.VoteCreateView.as_view(), name="vote_add"),
    path("<int:pk>/attachments/add/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", views.AttachmentRemoveView.as_view(), name="attachment_remove"),
    path("<int:pk>/sign-in-code/", views.OpenSignInView.as_view(), name="open_sign_in"),
    path("<int:pk>/qr.svg", views.sign_in_qr, name="qr"),
    path("<int:pk>/record.pdf", report_views.MeetingRecordPdfView.as_view(), name="record-pdf"),
    path("reports/compliance.xlsx", report_views.ComplianceExportView.as_view(), name="compliance-xlsx"),
    path("mine/", views.MyEventsView.as_view(), name="mine"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("compliance/<int:pk>/", views.OrgComplianceView.as_view(), name="org_compliance"),
    path("drifting/", views.DriftingView.as_view(), name="drifting"),
    path("signals/", views.SignalsView.as_view(), name="signals"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("plan/", views.PlanView.as_view(), name="plan"),
    path("partials/tree-status/<int:pk>/", views.tree_status, name="tree_status"),
    path("partials/dashboard/", views.dashboard_card, name="dashboard_card"),
    path("requirements/", views.RequirementsView.as_view(), name="requirements"),
    path("requirements/<int:pk>/remove/", views.OverrideRemoveView.as_view(), name="override_remove"),
]
