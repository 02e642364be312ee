"""Pages of the organization tree."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.forms import ConfirmForm
from dangjian.core.ids import is_pk
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import can, get_in_scope
from dangjian.core.views import ActionFormView, ScopedDetailView, ScopedListView, ScopedMixin
from dangjian.members.models import Member, Post
from dangjian.members.queries import committee_of
from dangjian.orgs import actions, queries
from dangjian.orgs.choices import KINDS_WITH_TERMS, OrgKind, StructureWarning
from dangjian.orgs.filters import OrganizationFilter
from dangjian.orgs.forms import ElectionForm, OrganizationForm, PartyGroupForm, PostponeForm, UnitForm
from dangjian.orgs.models import Organization, PartyGroup, Term, Unit
from dangjian.orgs.tables import OrganizationTable


def _tree_rows(user: Any, parent: Organization) -> list[dict[str, Any]]:
    children = queries.with_structure(
        Organization.objects.restrict(user).filter(depth=parent.depth + 1, path__startswith=parent.path)
    )
    counts = queries.children_counts(parent)
    return [
        {"org": child, "counts": counts.get(child.path, queries.MemberCounts()), "warnings": queries.warnings_of(child)}
        for child in children
    ]


class TreeView(ScopedMixin, TemplateView):
    """The organization tree from the user's scope root; deeper levels load on demand."""

    model = Organization
    template_name = "orgs/tree.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        roots = queries.with_structure(queries.scope_roots(user))
        context["roots"] = [
            {
                "org": root,
                "counts": queries.subtree_counts(root),
                "warnings": queries.warnings_of(root),
                "children": _tree_rows(user, root),
            }
            for root in roots
        ]
        context["title"] = _("Organization tree")
        return context


def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX partial: the children of one organization in the tree."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    parent = get_in_scope(request.user, Organization, Action.VIEW, pk=pk)
    return render(
        request, "orgs/partials/tree_children.html", {"rows": _tree_rows(request.user, parent), "parent": parent}
    )


class OrganizationListView(ScopedListView):
    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilter
    export_name = "organizations"
    title = _("Organizations")

    def get_queryset(self) -> Any:
        return queries.with_structure(super().get_queryset()).order_by("path")


class WarningsView(ScopedMixin, TemplateView):
    """Totals of each structure warning in the scope (or in the subtree of ``?within=``),
    each linking to the organizations behind it."""

    model = Organization
    template_name = "orgs/warnings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        orgs = self.get_queryset()
        within = self.request.GET.get("within", "")
        root = orgs.filter(pk=within).first() if is_pk(within) else None
        if root is not None:
            orgs = orgs.filter(path__startswith=root.path)
        totals = queries.warning_totals(orgs)
        context["warnings"] = [(w, w.label, totals[str(w)]) for w in StructureWarning]
        context["root"] = root
        context["title"] = _("Structure warnings")
        return context


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    template_name = "orgs/detail.html"

    def get_object(self, queryset: Any = None) -> Organization:
        org = super().get_object()
        return queries.with_structure(Organization.objects.filter(pk=org.pk)).get()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        org: Organization = self.object
        user = self.request.user
        context.update(
            breadcrumbs=queries.ancestors(user, org),
            warnings=queries.warnings_of(org),
            own=queries.own_counts(org),
            subtree=queries.subtree_counts(org),
            children=_tree_rows(user, org),
            committee=committee_of(Post.objects.restrict(user), org),
            terms=Term.objects.restrict(user).filter(organization=org).order_by("-elected_on"),
            units=Unit.objects.restrict(user).filter(organization=org),
            groups=PartyGroup.objects.restrict(user).filter(organization=org).select_related("leader"),
            has_terms=org.kind in KINDS_WITH_TERMS,
            can_change=can(user, Organization, Action.CHANGE),
            can_add=can(user, Organization, Action.ADD) and org.kind != OrgKind.BRANCH,
            can_add_member=can(user, Member, Action.ADD) and org.kind == OrgKind.BRANCH,
            history=AuditEntry.objects.restrict(user)
            .filter(organization=org)
            .exclude(content_type=ContentType.objects.get_for_model(Member))[:15],
            can_view_audit=can(user, AuditEntry, Action.VIEW),
            members_url=reverse("members:list"),
        )
        context["current_term"] = next((t for t in context["terms"] if t.ended_on is None), None)
        return context


class OrgFormView(ActionFormView):
    """Base of the forms acting on one organization (loaded for CHANGE)."""

    action = Action.CHANGE

    def get_target(self) -> Organization:
        return get_in_scope(self.request.user, Organization, self.action, pk=self.kwargs["pk"])

    def success_url(self, result: Any) -> str:
        return reverse("orgs:detail", args=[self.kwargs["pk"]])


class OrganizationCreateView(OrgFormView):
    form_class = OrganizationForm
    action = Action.ADD
    title = _("Add an organization under")

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        return {"parent": target}

    def perform(self, form: OrganizationForm, target: Organization) -> Organization:
        org = form.instance
        if not org.code:
            org.code = _next_code(target)
        return actions.create_organization(org, parent=target, actor=self.request.user)

    def success_url(self, result: Organization) -> str:
        return reverse("orgs:detail", args=[result.pk])


def _next_code(parent: Organization) -> str:
    """The parent's code with the next free two-digit suffix (codes are unique)."""
    taken = set(Organization.objects.filter(code__startswith=parent.code + "-").values_list("code", flat=True))
    number = parent.numchild + 1
    while f"{parent.code}-{number:02d}" in taken:
        number += 1
    return f"{parent.code}-{number:02d}"


class OrganizationUpdateView(OrgFormView):
    form_class = OrganizationForm
    title = _("Edit organization")

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        self._before = audit.snapshot(target)
        return {"instance": target, "parent": Organization.objects.get_parent(target)}

    def perform(self, form: OrganizationForm, target: Organization) -> Organization:
        if not form.instance.code:
            form.instance.code = target.code
        return actions.update_organization(form.instance, actor=self.request.user, before=self._before)


class ElectionView(OrgFormView):
    form_class = ElectionForm
    title = _("Record an election (new term)")
    success_message = _("The new term is recorded.")

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        return {"org": target}

    def perform(self, form: ElectionForm, target: Organization) -> Term:
        data = form.cleaned_data
        return actions.record_election(
            target, elected_on=data["elected_on"], years=data["years"], note=data["note"], actor=self.request.user
        )


class PostponeView(OrgFormView):
    form_class = PostponeForm
    title = _("Postpone the renewal")
    success_message = _("The approved delay is recorded.")

    def perform(self, form: PostponeForm, target: Organization) -> Term:
        term = (
            Term.objects.restrict(self.request.user, Action.CHANGE)
            .filter(organization=target, ended_on__isnull=True)
            .first()
        )
        if term is None:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("Record the current term first."))
        data = form.cleaned_data
        return actions.postpone_renewal(
            term, postponed_to=data["postponed_to"], approval=data["approval"], actor=self.request.user
        )


class UnitAddView(OrgFormView):
    form_class = UnitForm
    title = _("Add a unit covered")

    def perform(self, form: UnitForm, target: Organization) -> Unit:
        form.instance.organization = target
        return actions.add_unit(form.instance, actor=self.request.user)


class UnitRemoveView(ActionFormView):
    form_class = ConfirmForm
    title = _("Remove unit")
    success_message = _("The unit is removed.")

    def get_target(self) -> Unit:
        return get_in_scope(self.request.user, Unit, Action.CHANGE, pk=self.kwargs["pk"])

    def perform(self, form: Any, target: Unit) -> Organization:
        org = target.organization
        actions.remove_unit(target, actor=self.request.user)
        return org

    def success_url(self, result: Organization) -> str:
        return reverse("orgs:detail", args=[result.pk])

    def cancel_url(self, target: Unit) -> str:
        return reverse("orgs:detail", args=[target.organization_id])


class PartyGroupAddView(OrgFormView):
    form_class = PartyGroupForm
    title = _("Add a party group")

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        return {"org": target}

    def perform(self, form: PartyGroupForm, target: Organization) -> PartyGroup:
        form.instance.organization = target
        return actions.add_party_group(form.instance, actor=self.request.user)
