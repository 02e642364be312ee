from django.contrib.auth import views as auth_views
from django.urls import path

from dangjian.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.ProfileView.as_view(), name="profile"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserUpdateView.as_view(), name="user_edit"),
]
