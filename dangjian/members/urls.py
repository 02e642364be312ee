from django.urls import path

from dangjian.members import views

app_name = "members"

urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("add/", views.MemberCreateView.as_view(), name="add"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="edit"),
    path("<int:pk>/status/", views.TransitionView.as_view(), name="transition"),
    path("<int:pk>/transfer/", views.TransferStartView.as_view(), name="transfer"),
    path("posts/add/", views.PostAddView.as_view(), name="post_add"),
    path("posts/<int:pk>/end/", views.PostEndView.as_view(), name="post_end"),
    path("transfers/", views.TransferListView.as_view(), name="transfers"),
    path("transfers/receive/", views.TransferInView.as_view(), name="transfer_in"),
    path("transfers/<int:pk>/accept/", views.TransferAcceptView.as_view(), name="transfer_accept"),
    path("transfers/<int:pk>/cancel/", views.TransferCancelView.as_view(), name="transfer_cancel"),
]
