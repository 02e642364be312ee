from django.urls import path

from dangjian.core.views import scoped_file_view
from dangjian.duties import views
from dangjian.duties.models import Decision, ItemEvent, Milestone

app_name = "duties"

urlpatterns = [
    path("", views.ListsView.as_view(), name="lists"),
    path("new/", views.ListCreateView.as_view(), name="list_add"),
    path("<int:pk>/", views.ListView.as_view(), name="list"),
    path("<int:pk>/list.<str:fmt>", views.list_export, name="list_export"),
    path("<int:pk>/items/new/", views.ItemCreateView.as_view(), name="item_add"),
    path("items/<int:pk>/", views.ItemView.as_view(), name="item"),
    path("items/<int:pk>/<slug:move>/", views.MoveView.as_view(), name="move"),
    path("evidence/<int:pk>/", scoped_file_view(ItemEvent, "evidence"), name="evidence"),
    path("projects/", views.ProjectsView.as_view(), name="projects"),
    path("decisions/", views.DecisionsView.as_view(), name="decisions"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="decision_add"),
    path("decisions/<int:pk>/document/", scoped_file_view(Decision, "document"), name="decision_document"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_add"),
    path("projects/<int:pk>/", views.ProjectView.as_view(), name="project"),
    path("projects/milestones/<int:pk>/evidence/", scoped_file_view(Milestone, "evidence"), name="milestone_evidence"),
]
