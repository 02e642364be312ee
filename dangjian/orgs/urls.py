from django.urls import path

from dangjian.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.TreeView.as_view(), name="tree"),
    path("list/", views.OrganizationListView.as_view(), name="list"),
    path("warnings/", views.WarningsView.as_view(), name="warnings"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/children/", views.tree_children, name="tree_children"),
    path("<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="edit"),
    path("<int:pk>/add/", views.OrganizationCreateView.as_view(), name="add_child"),
    path("<int:pk>/elect/", views.ElectionView.as_view(), name="elect"),
    path("<int:pk>/postpone/", views.PostponeView.as_view(), name="postpone"),
    path("<int:pk>/units/add/", views.UnitAddView.as_view(), name="unit_add"),
    path("units/<int:pk>/remove/", views.UnitRemoveView.as_view(), name="unit_remove"),
    path("<int:pk>/groups/add/", views.PartyGroupAddView.as_view(), name="group_add"),
]
