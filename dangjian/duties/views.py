"""Pages of the responsibility system: the work lists in one's scope and the items
assigned to one's organizations, a list with its items, an item with its history and the
moves the user's side can make."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action, Role
from dangjian.core import audit
from dangjian.core.ids import pk_or_404
from dangjian.core.inbox import own_q
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import ActionFormView, apply_errors, file_response, year_from
from dangjian.dues.models import FundEntry
from dangjian.duties import actions, queries, reports, rules
from dangjian.duties.choices import ItemState, ListState, Move, ProjectState
from dangjian.duties.forms import (
    VERBS,
    CloseProjectForm,
    CopyForm,
    DecisionForm,
    ItemForm,
    ListForm,
    MilestoneDoneForm,
    MilestoneForm,
    MoveForm,
    ProjectForm,
)
from dangjian.duties.models import Decision, Item, ItemEvent, Milestone, Project, WorkList
from dangjian.duties.rules import Side
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import acting_for, root_from


def _no_members(user: Any) -> None:
    if not can(user, WorkList, Action.VIEW) or user.role == Role.MEMBER:
        raise PermissionDenied


class ListsView(LoginRequiredMixin, TemplateView):
    """The year's work lists issued in the user's scope with their completion, and the
    items assigned to the user's organizations."""

    template_name = "duties/lists.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _no_members(user)
        year = year_from(self.request)
        today = timezone.localdate()
        lists = (
            WorkList.objects.restrict(user)
            .filter(year=year)
            .select_related("organization")
            .annotate(
                total=Count("items"),
                accepted=Count("items", filter=Q(items__state=ItemState.ACCEPTED)),
                overdue=Count(
                    "items",
                    filter=Q(state=ListState.PUBLISHED, items__state__in=rules.OPEN, items__deadline__lt=today),
                ),
                returned=Count("items", filter=Q(items__state=ItemState.RETURNED)),
            )
            .order_by("organization__path", "id")
        )
        assigned = (
            Item.objects.restrict(user)
            .filter(own_q(user, "assignee"), work_list__year=year, work_list__state=ListState.PUBLISHED)
            .select_related("assignee", "issuer")
            .order_by("deadline", "pk")
        )
        root = root_from(self.request)
        context.update(
            by_org=queries.completion_by_child(Item.objects.restrict(user), root, year, today) if root else [],
            title=gettext_lazy("Responsibility lists"),
            year=year,
            lists=lists,
            assigned=assigned[:200],
            today=today,
            root=root,
            can_add=can(user, WorkList, Action.ADD),
        )
        return context


class ListCreateView(ActionFormView):
    form_class = ListForm
    permission = (WorkList, Action.ADD)
    title = gettext_lazy("New work list")
    success_message = gettext_lazy("Work list created: add its items, then publish it.")

    def get_target(self) -> Organization:
        return acting_for(self.request)

    def perform(self, form: ListForm, target: Organization) -> WorkList:
        return actions.create_list(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: WorkList) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return reverse("duties:lists")


def tree_rows(user: Any, work_list: WorkList) -> list[tuple[Item, int]]:
    """The items of ``work_list`` the user may see, each after its parent, with its depth."""
    items = (
        Item.objects.restrict(user).filter(work_list=work_list).select_related("assignee").order_by("deadline", "pk")
    )
    children: dict[int | None, list[Item]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    rows: list[tuple[Item, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for item in children.get(parent, []):
            rows.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return rows


@login_required
def list_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The list as PDF or .xlsx (the items the user may see)."""
    work_list = get_in_scope(request.user, WorkList, Action.VIEW, pk=pk)
    if fmt not in ("pdf", "xlsx") or not can(request.user, WorkList, Action.EXPORT):
        raise Http404
    rows = tree_rows(request.user, work_list)
    name = f"duties-{work_list.organization.code or work_list.organization_id}-{work_list.year}"
    if fmt == "pdf":
        return file_response(reports.list_pdf(work_list, rows), f"{name}.pdf", as_attachment=False)
    return file_response(reports.list_xlsx(work_list, rows), f"{name}.xlsx", as_attachment=True)


class ListView(LoginRequiredMixin, TemplateView):
    template_name = "duties/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        work_list = get_in_scope(user, WorkList, Action.VIEW, pk=self.kwargs["pk"])  # members: none (404)
        rows = tree_rows(user, work_list)
        items = [item for item, _depth in rows]
        editable = covers_path(user, work_list.organization.path) and can(user, WorkList, Action.CHANGE)
        context.update(
            title=work_list.title,
            work_list=work_list,
            rows=rows,
            today=timezone.localdate(),
            can_edit=editable and work_list.state == ListState.DRAFT,
            can_publish=editable and work_list.state == ListState.DRAFT and bool(items),
            can_copy=can(user, WorkList, Action.ADD),
            copy_form=CopyForm(initial={"year": work_list.year + 1}),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Publish (``publish``) or copy to another year (``year``)."""
        work_list = get_in_scope(request.user, WorkList, Action.VIEW, pk=pk)
        try:
            if "publish" in request.POST:
                actions.publish(work_list, actor=request.user)
                messages.success(request, _("Published: the items are assigned."))
                return HttpResponseRedirect(work_list.get_absolute_url())
            form = CopyForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["year"])
            org = root_from(request) or work_list.organization
            copy = actions.copy_list(work_list, organization=org, year=form.cleaned_data["year"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(work_list.get_absolute_url())
        messages.success(request, _("Copied into a new draft."))
        return HttpResponseRedirect(copy.get_absolute_url())


class ItemCreateView(ActionFormView):
    form_class = ItemForm
    title = gettext_lazy("Add a work item")
    success_message = gettext_lazy("Item added.")

    def get_target(self) -> WorkList:
        user = self.request.user
        parent_pk = self.request.GET.get("parent", "")
        self.parent = get_in_scope(user, Item, Action.CHANGE, pk=pk_or_404(parent_pk)) if parent_pk else None
        if self.parent is not None:  # the owner splits its item: it need not see the issuer's list
            if self.parent.work_list_id != self.kwargs["pk"]:
                raise Http404
            work_list = self.parent.work_list
        else:
            work_list = get_in_scope(user, WorkList, Action.VIEW, pk=self.kwargs["pk"])
        self.issuer = self.parent.assignee if self.parent else work_list.organization
        if not covers_path(user, self.issuer.path) or not can(user, Item, Action.ADD):
            raise Http404
        return work_list

    def get_form_kwargs(self, target: WorkList) -> dict[str, Any]:
        below = Organization.objects.filter(path__startswith=self.issuer.path).order_by("path")
        return {"organizations": below}

    def perform(self, form: ItemForm, target: WorkList) -> Item:
        return actions.add_item(target, parent=self.parent, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Item) -> str:
        return result.parent.get_absolute_url() if result.parent else result.work_list.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return self.parent.get_absolute_url() if self.parent else target.get_absolute_url()


class ItemView(LoginRequiredMixin, TemplateView):
    template_name = "duties/item.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        item = get_in_scope(user, Item, Action.VIEW, pk=self.kwargs["pk"])  # members: none (404)
        sides = []
        if can(user, Item, Action.CHANGE):
            sides = [
                s for s, org in ((Side.OWNER, item.assignee), (Side.ISSUER, item.issuer)) if covers_path(user, org.path)
            ]
        moves = [m for s in sides for m in rules.moves_for(item.state, s)]
        events = item.events.select_related("by").order_by("on", "id")
        context.update(
            title=item.title,
            item=item,
            events=events,
            children=Item.objects.restrict(user).filter(parent=item).select_related("assignee"),
            moves=[(m, VERBS[m], MoveForm(move=m)) for m in moves],
            can_split=Side.OWNER in sides and item.state in (ItemState.ACKNOWLEDGED, ItemState.RETURNED),
            overdue=rules.is_open(item.state) and item.deadline < timezone.localdate(),
            today=timezone.localdate(),
            history=audit.entries_about(user, {Item: [item.pk], ItemEvent: [e.pk for e in events]}),
        )
        return context


class MoveView(ActionFormView):
    form_class = MoveForm
    template_name = "core/form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["move"] not in rules.TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_target(self) -> Item:
        item = get_in_scope(self.request.user, Item, Action.CHANGE, pk=self.kwargs["pk"])
        self.title = f"{VERBS[self.kwargs['move']]}: {item.title}"
        return item

    def get_form_kwargs(self, target: Item) -> dict[str, Any]:
        return {"move": self.kwargs["move"]}

    def perform(self, form: MoveForm, target: Item) -> ItemEvent:
        return actions.make_move(target, Move(self.kwargs["move"]), actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: ItemEvent) -> str:
        return result.item.get_absolute_url()


# --- party-building projects ---------------------------------------------------------


class ProjectsView(LoginRequiredMixin, TemplateView):
    """The projects of a subtree with budget and spending from the funds ledger."""

    template_name = "duties/projects.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _no_members(user)
        root = root_from(self.request)
        projects = Project.objects.restrict(user).select_related("organization")
        if root is not None:
            projects = projects.filter(organization__path__startswith=root.path)
        projects = (
            queries.with_spending(projects, user)
            .annotate(
                milestones_total=Count("milestones", distinct=True),
                milestones_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
            )
            .order_by("-starts_on", "pk")
        )
        context.update(
            title=gettext_lazy("Party-building projects"),
            root=root,
            projects=projects[:200],
            can_add=root is not None and covers_path(user, root.path) and can(user, Project, Action.ADD),
        )
        return context


class ProjectCreateView(ActionFormView):
    form_class = ProjectForm
    permission = (Project, Action.ADD)
    title = gettext_lazy("New party-building project")
    success_message = gettext_lazy("Project created: add its milestones.")

    def get_target(self) -> Organization:
        return acting_for(self.request)

    def perform(self, form: ProjectForm, target: Organization) -> Project:
        return actions.create_project(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Project) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return reverse("duties:projects")


class ProjectView(LoginRequiredMixin, TemplateView):
    """A project: goals, milestones with evidence, budget and the ledger entries spent
    from it, and the forms for its organization (milestones) and the one above (closing)."""

    template_name = "duties/project.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        project = get_in_scope(user, Project, Action.VIEW, pk=self.kwargs["pk"])
        entries = FundEntry.objects.restrict(user).filter(project=project).order_by("on", "pk")
        spent = sum((e.amount for e in entries if e.counts), Decimal(0))
        parent = Organization.objects.get_parent(project.organization)
        running = project.state == ProjectState.RUNNING
        own = running and covers_path(user, project.organization.path) and can(user, Project, Action.CHANGE)
        forms = kwargs.get("forms", {})
        context.update(
            title=project.title,
            project=project,
            milestones=project.milestones.all(),
            entries=entries,
            spent=spent,
            left=project.budget - spent,
            can_edit=own,
            can_close=running
            and covers_path(user, (parent or project.organization).path)
            and can(user, Project, Action.CHANGE),
            milestone_form=forms.get("milestone") or MilestoneForm(),
            done_form=forms.get("done") or MilestoneDoneForm(),
            close_form=forms.get("close") or CloseProjectForm(),
            failed_milestone=kwargs.get("failed_milestone"),
            today=timezone.localdate(),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """``add`` a milestone, mark milestone ``done`` (``milestone`` id), or ``close``."""
        project = get_in_scope(request.user, Project, Action.CHANGE, pk=pk)
        what = request.POST.get("what", "")
        if what == "add":
            form: Any = MilestoneForm(request.POST)
            perform = lambda data: actions.add_milestone(project, actor=request.user, **data)  # noqa: E731
        elif what == "done":
            milestone = get_in_scope(
                request.user, Milestone, Action.CHANGE, pk=pk_or_404(request.POST.get("milestone", ""))
            )
            if milestone.project_id != project.pk:
                raise Http404
            form = MilestoneDoneForm(request.POST, request.FILES)
            perform = lambda data: actions.complete_milestone(milestone, actor=request.user, **data)  # noqa: E731
        elif what == "close":
            form = CloseProjectForm(request.POST)
            perform = lambda data: actions.close_project(project, actor=request.user, **data)  # noqa: E731
        else:
            raise Http404
        if form.is_valid():
            try:
                perform(form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(project.get_absolute_url())
        key = {"add": "milestone", "done": "done", "close": "close"}[what]
        return self.render_to_response(self.get_context_data(pk=pk, forms={key: form}), status=400)


# --- "three majors and one big" decisions --------------------------------------------


class DecisionsView(LoginRequiredMixin, TemplateView):
    """The decisions register of a subtree; ``?without=1`` lists those taken without a
    prior discussion by the party organization."""

    template_name = "duties/decisions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _no_members(user)
        root = root_from(self.request)
        decisions = Decision.objects.restrict(user).select_related("organization", "prior_discussion")
        if root is not None:
            decisions = decisions.filter(organization__path__startswith=root.path)
        without = self.request.GET.get("without") == "1"
        counts = decisions.aggregate(total=Count("pk"), without=Count("pk", filter=Q(prior_discussion__isnull=True)))
        if without:
            decisions = decisions.filter(prior_discussion__isnull=True)
        context.update(
            title=gettext_lazy("Decisions register"),
            root=root,
            decisions=decisions.order_by("-decided_on", "-pk")[:300],
            counts=counts,
            without=without,
            can_add=root is not None and covers_path(user, root.path) and can(user, Decision, Action.ADD),
        )
        return context


class DecisionCreateView(ActionFormView):
    form_class = DecisionForm
    permission = (Decision, Action.ADD)
    title = gettext_lazy("Record a decision")
    success_message = gettext_lazy("Decision recorded.")

    def get_target(self) -> Organization:
        return acting_for(self.request)

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        from dangjian.orglife.models import Event

        meetings = Event.objects.filter(organization=target, kind__in=actions.DISCUSSING_KINDS, state="held").order_by(
            "-held_on"
        )[:100]
        return {"meetings": Event.objects.filter(pk__in=[e.pk for e in meetings]).order_by("-held_on")}

    def perform(self, form: DecisionForm, target: Organization) -> Decision:
        return actions.record_decision(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Decision) -> str:
        return f"{reverse('duties:decisions')}?org={result.organization_id}"

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('duties:decisions')}?org={target.pk}"
