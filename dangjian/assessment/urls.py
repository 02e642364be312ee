from django.urls import path

from dangjian.assessment import views
from dangjian.assessment.models import Score
from dangjian.core.views import scoped_file_view

app_name = "assessment"

urlpatterns = [
    path("", views.SchemesView.as_view(), name="schemes"),
    path("new/", views.SchemeCreateView.as_view(), name="scheme_add"),
    path("consequences/", views.ConsequencesView.as_view(), name="consequences"),
    path("points/", views.PointsView.as_view(), name="points"),
    path("<int:pk>/", views.SchemeView.as_view(), name="scheme"),
    path("rounds/<int:pk>/", views.RoundView.as_view(), name="round"),
    path("rounds/<int:pk>/score/", views.ScoreSheetView.as_view(), name="score"),
    path("rounds/<int:pk>/results.xlsx", views.results_export, name="export"),
    path("rounds/<int:pk>/notice.pdf", views.notice_pdf, name="notice"),
    path("sheets/<int:pk>/", views.SheetView.as_view(), name="sheet"),
    path("evidence/<int:pk>/", scoped_file_view(Score, "evidence"), name="evidence"),
]
