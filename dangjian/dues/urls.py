from django.urls import path

from dangjian.dues import views

app_name = "dues"

urlpatterns = [
    path("", views.ArrearsView.as_view(), name="arrears"),
    path("members/<int:pk>/", views.MemberDuesView.as_view(), name="member"),
    path("members/<int:pk>/standard/", views.StandardView.as_view(), name="standard"),
    path("members/<int:pk>/pay/", views.PaymentView.as_view(), name="pay"),
]
