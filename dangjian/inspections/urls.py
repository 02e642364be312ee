from django.urls import path

from dangjian.core.views import scoped_file_view
from dangjian.inspections import views
from dangjian.inspections.models import RectificationEvent

app_name = "inspections"

urlpatterns = [
    path("", views.PlansView.as_view(), name="plans"),
    path("new/", views.PlanCreateView.as_view(), name="plan_add"),
    path("rectifications.xlsx", views.rectifications_export, name="export"),
    path("<int:pk>/", views.PlanView.as_view(), name="plan"),
    path("visits/<int:pk>/", views.VisitView.as_view(), name="visit"),
    path("rectifications/<int:pk>/", views.RectificationView.as_view(), name="rectification"),
    path("rectifications/<int:pk>/<slug:move>/", views.MoveView.as_view(), name="move"),
    path("evidence/<int:pk>/", scoped_file_view(RectificationEvent, "evidence"), name="evidence"),
]
