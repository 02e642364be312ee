from django.urls import path

from dangjian.core.views import scoped_file_view
from dangjian.evaluation import views
from dangjian.evaluation.models import FollowUp

app_name = "evaluation"

urlpatterns = [
    path("", views.RoundsView.as_view(), name="rounds"),
    path("new/", views.OpenRoundView.as_view(), name="open"),
    path("results.xlsx", views.results_export, name="export"),
    path("<int:pk>/", views.RoundView.as_view(), name="round"),
    path("<int:pk>/tallies/", views.TallyView.as_view(), name="tallies"),
    path("<int:pk>/decision/", views.DecisionView.as_view(), name="decide"),
    path("members/<int:pk>/", views.EntryView.as_view(), name="entry"),
    path("members/<int:pk>/self-evaluation/", views.SelfEvaluationView.as_view(), name="self"),
    path("follow-ups/<int:pk>/", views.FollowUpView.as_view(), name="follow_up"),
    path("follow-ups/<int:pk>/<slug:move>/", views.FollowUpMoveView.as_view(), name="follow_up_move"),
    path("evidence/<int:pk>/", scoped_file_view(FollowUp, "evidence"), name="evidence"),
]
