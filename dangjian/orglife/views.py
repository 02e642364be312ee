"""Pages of organizational life: events and their record, attendance, votes,
attachments, sign-in, compliance with drill-down, drifting members, signals, calendar,
planning and requirements."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action, Role
from dangjian.core import audit
from dangjian.core.forms import ConfirmForm
from dangjian.core.ids import is_pk, pk_or_404
from dangjian.core.rulesets import value
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import (
    ActionFormView,
    ScopedDetailView,
    ScopedListView,
    ScopedMixin,
    apply_errors,
    serve_upload,
)
from dangjian.members.models import Member
from dangjian.orglife import actions, compliance, queries, rules
from dangjian.orglife.choices import AUDIENCE, Audience, EventKind, EventState
from dangjian.orglife.filters import DriftFilter, EventFilter
from dangjian.orglife.forms import (
    AttachmentForm,
    AttendanceForm,
    CancelForm,
    OverrideForm,
    PlanForm,
    SignInForm,
    VoteForm,
    event_form,
)
from dangjian.orglife.models import Attendance, Event, EventAttachment, RequirementOverride, Vote
from dangjian.orglife.tables import DriftTable, EventTable, SignalColumn
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import ancestors, scope_roots


def _today() -> dt.date:
    return timezone.localdate()


def _root_from(request: HttpRequest, param: str = "org") -> Organization:
    """The organization named by ``?org=`` (in scope), else the user's scope root."""
    value = request.GET.get(param, "")
    if value:
        return get_in_scope(request.user, Organization, Action.VIEW, pk=pk_or_404(value))
    root = scope_roots(request.user).first()
    if root is None:
        raise Http404
    return root


def _window_from(request: HttpRequest, default: rules.Span) -> tuple[rules.Span, str]:
    """The period of ``?period=`` (2026, 2026-Q3, 2026-07), or ``default``; with an error
    message when the text was malformed."""
    text = request.GET.get("period", "").strip()
    if not text:
        return default, ""
    try:
        return rules.parse_span(text), ""
    except ValueError:
        return default, _(
            "“%(text)s” is not a period: give a year (2026), a quarter (2026-Q3) or a month (2026-07)."
        ) % {"text": text}


# --- Events -----------------------------------------------------------------------------------


class EventListView(ScopedListView):
    model = Event
    table_class = EventTable
    filterset_class = EventFilter
    export_name = "events"
    title = gettext_lazy("Organizational life")
    template_name = "orglife/list.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = EventKind.choices
        org = self.request.GET.get("org") or self.request.GET.get("within")
        context["new_org"] = org if org and is_pk(org) else ""
        return context


class SignalsView(EventListView):
    """Held events with formalism signals, for the higher organization to look into."""

    title = gettext_lazy("Formalism signals")
    export_name = "signals"

    def get_queryset(self) -> Any:
        return queries.flagged(super().get_queryset(), _today())

    def get_table_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_table_kwargs()
        kwargs["extra_columns"] = [("signals", SignalColumn())]  # from the s_<signal> annotations
        return kwargs


class EventDetailView(ScopedDetailView):
    model = Event
    template_name = "orglife/detail.html"

    def get_object(self, queryset: Any = None) -> Event:
        event = super().get_object()
        return Event.objects.select_related("organization", "host", "lecturer", "party_group").get(pk=event.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        event: Event = self.object
        user = self.request.user
        today = _today()
        people = user.role != Role.MEMBER  # type: ignore[union-attr]
        attendance = Attendance.objects.restrict(user).filter(event=event).select_related("member")
        votes = []
        for vote in Vote.objects.restrict(user).filter(event=event).select_related("member"):
            result = rules.vote_result(
                voting_due=vote.voting_due,
                voting_present=vote.voting_present,
                votes_for=vote.votes_for,
                votes_against=vote.votes_against,
                abstentions=vote.abstentions,
                written_for=vote.written_for,
                written_against=vote.written_against,
                on=event.held_on,
            )
            votes.append((vote, result))
        committee_problem = None
        if event.kind == EventKind.COMMITTEE_MEETING and event.is_held:
            committee_problem = rules.committee_quorum_problem(event.expected_count, event.present_count, event.held_on)
        can_change = can(user, Event, Action.CHANGE) and covers_path(user, event.organization.path)
        start, end = actions.sign_in_window(event)
        context.update(
            people=people,
            attendance=attendance if people else attendance.filter(member_id=user.member_id),  # type: ignore[union-attr]
            votes=votes,
            attachments=EventAttachment.objects.restrict(user).filter(event=event),
            signals=queries.signals_of(event, today),
            committee_problem=committee_problem,
            can_change=can_change,
            can_vote=can_change and event.is_held and event.kind == EventKind.GENERAL_MEETING,
            sign_in_open=event.sign_in_code and start <= timezone.now() <= end,
            can_open_sign_in=can_change and event.state != EventState.CANCELLED and event.held_on >= today,
            sign_in_window=(start, end),
            audience=AUDIENCE[event.kind],
            can_print=people and can(user, Event, Action.EXPORT),
            history=audit_entries(user, event) if people else [],
        )
        return context


def audit_entries(user: Any, event: Event) -> Any:
    return audit.entries_about(
        user,
        {
            Event: [event.pk],
            Vote: event.votes.values_list("pk", flat=True),
            EventAttachment: event.attachments.values_list("pk", flat=True),
        },
        limit=20,
    )


class EventCreateView(ActionFormView):
    """A new event of one kind for one organization (``?org=``); without an organization,
    a chooser first."""

    permission = (Event, Action.ADD)
    template_name = "orglife/event_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["kind"] not in EventKind.values:
            raise Http404
        self.kind = kwargs["kind"]
        self.form_class = event_form(self.kind)
        self.title = EventKind(self.kind).label
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_pk(request.GET.get("org") or ""):
            orgs = Organization.objects.restrict(request.user, Action.CHANGE).filter(dissolved_on__isnull=True)
            return render(
                request,
                "orglife/choose_org.html",
                {"title": self.title, "orgs": orgs.order_by("path")[:500], "kind": self.kind},
            )
        return super().get(request, *args, **kwargs)

    def get_target(self) -> Organization:
        org = self.request.GET.get("org") or self.request.POST.get("org") or ""
        return get_in_scope(self.request.user, Organization, Action.VIEW, pk=pk_or_404(org))

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"organization": target}
        if self.request.method == "GET":
            kwargs["initial"] = {"held_on": self.request.GET.get("date") or _today(), "state": EventState.HELD}
        return kwargs

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context["kind"] = self.kind
        context["participants"] = self._participants(target) if self.kind == EventKind.HEART_TALK else None
        context["chosen"] = set(self.request.POST.getlist("participants"))
        return context

    def _participants(self, org: Organization) -> Any:
        return Member.objects.active().filter(organization=org).order_by("name_pinyin")

    def perform(self, form: Any, target: Organization) -> Event:
        event = form.save(commit=False)
        event.organization = target
        event.kind = self.kind
        entries = None
        if self.kind == EventKind.HEART_TALK and event.state == EventState.HELD:
            chosen = {int(pk) for pk in self.request.POST.getlist("participants") if is_pk(pk)}
            entries = {pk: ("present", "") for pk in chosen}
        return actions.create_event(event, actor=self.request.user, attendance=entries)

    def success_url(self, result: Event) -> str:
        if result.is_held and AUDIENCE[result.kind] != Audience.CHOSEN:
            return reverse("orglife:attendance", args=[result.pk])
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return reverse("orglife:list") + f"?org={target.pk}"


class EventUpdateView(ActionFormView):
    template_name = "orglife/event_form.html"
    title = gettext_lazy("Edit the record")

    def get_target(self) -> Event:
        event = get_in_scope(self.request.user, Event, Action.CHANGE, pk=self.kwargs["pk"])
        if event.state == EventState.CANCELLED:
            raise PermissionDenied
        self.form_class = event_form(event.kind)
        self.before = audit.snapshot(event)
        return event

    def get_form_kwargs(self, target: Event) -> dict[str, Any]:
        return {"organization": target.organization, "instance": target}

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context["kind"] = target.kind
        return context

    def perform(self, form: Any, target: Event) -> Event:
        return actions.update_event(form.save(commit=False), actor=self.request.user, before=self.before)

    def success_url(self, result: Event) -> str:
        return result.get_absolute_url()


class EventFormView(ActionFormView):
    """A form acting on one event the user may change; back to the event afterwards
    (at ``anchor``)."""

    anchor = ""

    def get_target(self) -> Event:
        return get_in_scope(self.request.user, Event, Action.CHANGE, pk=self.kwargs["pk"])

    def success_url(self, result: Event) -> str:
        return result.get_absolute_url() + self.anchor


class EventCancelView(EventFormView):
    form_class = CancelForm
    title = gettext_lazy("Cancel the event")

    def perform(self, form: CancelForm, target: Event) -> Event:
        return actions.cancel_event(target, reason=form.cleaned_data["reason"], actor=self.request.user)


class AttendanceView(EventFormView):
    """Everyone due at the event with present / excused / absent / not due (D15), or
    for a talk the participants."""

    form_class = AttendanceForm
    template_name = "orglife/attendance.html"
    title = gettext_lazy("Attendance")
    success_message = gettext_lazy("Attendance saved.")

    def get_target(self) -> Event:
        event = super().get_target()
        if event.state != EventState.HELD:
            raise PermissionDenied
        return event

    def get_form_kwargs(self, target: Event) -> dict[str, Any]:
        current = {a.member_id: (a.status, a.reason) for a in target.attendances.all()}
        return {
            "members": list(queries.expected_members(target)),
            "current": current,
            "chosen": AUDIENCE[target.kind] == Audience.CHOSEN,
        }

    def perform(self, form: AttendanceForm, target: Event) -> Event:
        return actions.record_attendance(target, form.entries(), actor=self.request.user)


class VoteCreateView(EventFormView):
    form_class = VoteForm
    anchor = "#votes"
    title = gettext_lazy("Record a vote")

    def get_form_kwargs(self, target: Event) -> dict[str, Any]:
        return {"organization": target.organization}

    def perform(self, form: VoteForm, target: Event) -> Event:
        vote = form.save(commit=False)
        vote.event = target
        result = actions.record_vote(vote, actor=self.request.user)
        if not result.valid:
            messages.warning(self.request, " ".join(str(p) for p in result.problems))
        return target


class AttachmentAddView(EventFormView):
    form_class = AttachmentForm
    anchor = "#attachments"
    title = gettext_lazy("Attach a file")

    def perform(self, form: AttachmentForm, target: Event) -> Event:
        attachment = form.save(commit=False)
        attachment.event = target
        actions.add_attachment(attachment, actor=self.request.user)
        return target


class AttachmentRemoveView(ActionFormView):
    form_class = ConfirmForm
    title = gettext_lazy("Remove the attachment")

    def get_target(self) -> EventAttachment:
        return get_in_scope(self.request.user, EventAttachment, Action.CHANGE, pk=self.kwargs["pk"])

    def perform(self, form: Any, target: EventAttachment) -> Event:
        event = target.event
        actions.remove_attachment(target, actor=self.request.user)
        return event

    def success_url(self, result: Event) -> str:
        return result.get_absolute_url() + "#attachments"

    def cancel_url(self, target: EventAttachment) -> str:
        return target.event.get_absolute_url()


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment's file, only for users who may see the event's record."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:login") + f"?next={request.path}")
    attachment = get_in_scope(request.user, EventAttachment, Action.VIEW, pk=pk)
    return serve_upload(attachment.file)


class OpenSignInView(EventFormView):
    form_class = ConfirmForm
    anchor = "#sign-in"
    title = gettext_lazy("Open sign-in")
    success_message = gettext_lazy("Sign-in is open: show the code or the QR code to the members.")

    def perform(self, form: Any, target: Event) -> Event:
        return actions.open_sign_in(target, actor=self.request.user)


def sign_in_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the event's sign-in page (SVG), for the host to show."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    event = get_in_scope(request.user, Event, Action.CHANGE, pk=pk)
    if not event.sign_in_code:
        raise Http404
    url = request.build_absolute_uri(reverse("orglife:sign_in") + f"?code={event.sign_in_code}")
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return HttpResponse(svg, content_type="image/svg+xml")


# --- Members' own pages -------------------------------------------------------------------


class MyEventsView(LoginRequiredMixin, TemplateView):
    """Phone-sized: a member's upcoming events, their attendance, and the sign-in box."""

    template_name = "orglife/mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        member = getattr(user, "member", None)
        today = _today()
        context["member"] = member
        if member is not None:
            events = Event.objects.filter(organization_id=member.organization_id).exclude(state=EventState.CANCELLED)
            context["upcoming"] = events.filter(held_on__gte=today).order_by("held_on", "starts_at")[:20]
            context["recent"] = (
                Attendance.objects.filter(member=member, event__state=EventState.HELD)
                .select_related("event")
                .order_by("-event__held_on")[:10]
            )
            context["summary"] = queries.attendance_summary(member, today)
        context["form"] = SignInForm()
        context["title"] = _("My organizational life")
        return context


class SignInView(LoginRequiredMixin, TemplateView):
    """A member signs in at an event with the host's code (or by scanning its QR code)."""

    template_name = "orglife/sign_in.html"

    def member(self) -> Member:
        member = getattr(self.request.user, "member", None)
        if member is None:
            raise PermissionDenied(_("This account is not linked to a member record."))
        return member

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.member()
        form = SignInForm(initial={"code": request.GET.get("code", "")})
        return render(request, self.template_name, {"form": form, "title": _("Sign in")})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = self.member()
        form = SignInForm(request.POST)
        if form.is_valid():
            try:
                row = actions.sign_in(member, form.cleaned_data["code"], actor=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Signed in at %(event)s.") % {"event": row.event})
                return HttpResponseRedirect(reverse("orglife:mine"))
        return render(request, self.template_name, {"form": form, "title": _("Sign in")}, status=400)


# --- Compliance ----------------------------------------------------------------------------------


class ComplianceView(ScopedMixin, TemplateView):
    """Compliance of a subtree for a period: the organization's own events and each child
    subtree as rows, requirements as columns; every figure links to what is behind it."""

    model = Organization
    template_name = "orglife/compliance.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = _today()
        root = _root_from(self.request)
        window, error = _window_from(self.request, compliance.current_window(today))
        if error:
            messages.error(self.request, error)
        rows = compliance.rollup(root, window, today=today, group="child", by_requirement=True)
        children = list(Organization.objects.restrict(user).filter(path__startswith=root.path, depth=root.depth + 1))
        lines = []
        for org, path in [(root, root.path), *[(c, c.path) for c in children]]:
            cells = {req.key: rows.get((path, req.key)) for req in rules.REQUIREMENTS}
            tally = compliance.Tally()
            for cell in cells.values():
                if cell:
                    tally.add(cell)
            lines.append(
                {"org": org, "own": org is root, "cells": cells, "total": tally, "status": tally.status(today)}
            )
        grand = compliance.Tally()
        for line in lines:
            grand.add(line["total"])
        context.update(
            root=root,
            window=window,
            requirements=rules.REQUIREMENTS,
            lines=[line for line in lines if line["total"].required or not line["own"]],
            grand=grand,
            grand_status=grand.status(today),
            today=today,
            periods=_period_choices(today),
            title=_("Compliance"),
            breadcrumbs=ancestors(user, root),
        )
        return context


def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    """The periods offered in the selector: this and last year, their quarters, the last
    twelve months."""
    choices = []
    for year in (today.year, today.year - 1):
        choices.append((str(year), str(year)))
        choices += [(f"{year}-Q{q}", f"{year}-Q{q}") for q in range(4, 0, -1) if dt.date(year, 3 * q - 2, 1) <= today]
    month = today.replace(day=1)
    for _n in range(12):
        choices.append((f"{month:%Y-%m}", f"{month:%Y-%m}"))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return choices


class OrgComplianceView(ScopedMixin, TemplateView):
    """One organization's own requirements period by period, each cell linking to the
    events that count for it."""

    model = Organization
    template_name = "orglife/org_compliance.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = _today()
        org = get_in_scope(self.request.user, Organization, Action.VIEW, pk=self.kwargs["pk"])
        window, error = _window_from(self.request, compliance.current_window(today))
        if error:
            messages.error(self.request, error)
        slots = compliance.rollup(
            org, window, today=today, group="org", only_org=True, by_requirement=True, by_span=True
        )
        table = []
        total = compliance.Tally()
        for req in rules.REQUIREMENTS:
            spans = rules.spans_in(window, req.period)
            cells = [(span, slots.get((org.pk, req.key, index))) for index, span in enumerate(spans)]
            if not any(tally for _span, tally in cells):
                continue
            for _span, tally in cells:
                if tally:
                    total.add(tally)
            table.append({"req": req, "cells": cells})
        context.update(
            org=org,
            window=window,
            table=table,
            total=total,
            status=total.status(today),
            today=today,
            periods=_period_choices(today),
            title=_("Compliance of %(org)s") % {"org": org.name},
            can_plan=can(self.request.user, Event, Action.ADD) and covers_path(self.request.user, org.path),
        )
        return context


class DriftingView(ScopedListView):
    """Members who drift away (S1: no organizational life for 6 months without an excused
    reason; S2: lost contact for 6 months)."""

    model = Member
    table_class = DriftTable
    filterset_class = DriftFilter
    export_name = "drifting-members"
    title = gettext_lazy("Drifting members")
    template_name = "orglife/drifting.html"

    def get_queryset(self) -> Any:
        return queries.drifting(super().get_queryset(), _today()).select_related("organization")


# --- Calendar and planning --------------------------------------------------------------------


class CalendarView(ScopedMixin, TemplateView):
    """A month of planned and held events in a subtree (``?org=``, ``?month=2026-11``)."""

    model = Event
    template_name = "orglife/calendar.html"
    PER_DAY = 4

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = _today()
        root = _root_from(self.request)
        try:
            span = rules.parse_span(self.request.GET.get("month", ""))
            # The first and last years have no previous / next month to link to.
            if span.period != "month" or not dt.MINYEAR < span.start.year < dt.MAXYEAR:
                raise ValueError
        except ValueError:
            span = rules.span_of(today, "month")
        events = (
            self.get_queryset()
            .filter(organization__path__startswith=root.path, held_on__range=(span.start, span.end))
            .exclude(state=EventState.CANCELLED)
            .select_related("organization")
            .order_by("held_on", "starts_at", "id")
        )
        by_day: dict[dt.date, list[Event]] = {}
        for event in events[:2000]:
            by_day.setdefault(event.held_on, []).append(event)
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(span.start.year, span.start.month):
            weeks.append(
                [
                    {
                        "day": day,
                        "in_month": day.month == span.start.month,
                        "events": by_day.get(day, [])[: self.PER_DAY],
                        "more": max(len(by_day.get(day, [])) - self.PER_DAY, 0),
                    }
                    for day in week
                ]
            )
        prev_month = (span.start - dt.timedelta(days=1)).replace(day=1)
        next_month = span.end + dt.timedelta(days=1)
        context.update(
            root=root,
            span=span,
            weeks=weeks,
            today=today,
            prev=f"{prev_month:%Y-%m}",
            next=f"{next_month:%Y-%m}",
            weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            can_plan=can(self.request.user, Event, Action.ADD),
            title=_("Calendar"),
        )
        return context


class PlanView(ActionFormView):
    """Plan a quarter's meetings for an organization from its requirements."""

    form_class = PlanForm
    permission = (Event, Action.ADD)
    title = gettext_lazy("Plan a quarter")
    success_message = gettext_lazy("The quarter's meetings are planned; adjust dates and topics on each.")

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        orgs = Organization.objects.restrict(self.request.user, Action.CHANGE).filter(dissolved_on__isnull=True)
        kwargs: dict[str, Any] = {"organizations": orgs.order_by("path")}
        if self.request.method == "GET":
            today = _today()
            next_quarter = rules.span_of(rules.span_of(today, "quarter").end + dt.timedelta(days=1), "quarter")
            kwargs["initial"] = {"quarter": next_quarter.label, "organization": self.request.GET.get("org")}
        return kwargs

    def perform(self, form: PlanForm, target: Any) -> Any:
        org = form.cleaned_data["organization"]
        created = actions.plan_period(
            org, form.cleaned_data["quarter"], day_of_month=form.cleaned_data["day_of_month"], actor=self.request.user
        )
        if not created:
            messages.info(self.request, _("Nothing to plan: every required meeting is planned or held."))
        return (org, form.cleaned_data["quarter"])

    def success_url(self, result: Any) -> str:
        org, span = result
        return reverse("orglife:calendar") + f"?org={org.pk}&month={span.start:%Y-%m}"

    def cancel_url(self, target: Any) -> str:
        return reverse("orglife:calendar")


# --- Requirements -----------------------------------------------------------------------------


class RequirementsView(LoginRequiredMixin, TemplateView):
    """The requirements L1-L9 with the figures in force, and the overrides: organization
    overrides in the user's scope and every sector override (general settings)."""

    template_name = "orglife/requirements.html"

    def can_set_sector(self) -> bool:
        return bool(getattr(self.request.user, "sees_everything", False))

    def form(self, data: Any = None) -> OverrideForm | None:
        user = self.request.user
        # Requirements are set by administrators of the higher organization: a branch
        # secretary, who may record events, must not lower their own requirements.
        if not (can(user, RequirementOverride, Action.ADD) and can(user, Organization, Action.ADD)):
            return None
        orgs = Organization.objects.restrict(user, Action.CHANGE).order_by("path")
        return OverrideForm(data, organizations=orgs, can_set_sector=self.can_set_sector())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = _today()
        context.update(
            requirements=[
                (req, value(req.figure.key, today), [OrgKind(k).label for k in sorted(req.org_kinds)])
                for req in rules.REQUIREMENTS
            ],
            org_overrides=RequirementOverride.objects.restrict(user).select_related("organization", "set_by"),
            sector_overrides=RequirementOverride.objects.filter(organization__isnull=True).select_related("set_by"),
            labels={req.key: req.label for req in rules.REQUIREMENTS},
            can_remove=can(user, RequirementOverride, Action.DELETE),
            can_set_sector=self.can_set_sector(),
            title=_("Requirements"),
        )
        context.setdefault("form", self.form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            override = form.save(commit=False)
            try:
                actions.set_override(override, actor=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The override is saved."))
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OverrideRemoveView(ActionFormView):
    form_class = ConfirmForm
    title = gettext_lazy("Remove the override")

    def get_target(self) -> RequirementOverride:
        user = self.request.user
        if getattr(user, "sees_everything", False):
            obj = RequirementOverride.objects.filter(pk=self.kwargs["pk"]).first()
            if obj is None:
                raise Http404
            return obj
        return get_in_scope(user, RequirementOverride, Action.DELETE, pk=self.kwargs["pk"])

    def perform(self, form: Any, target: RequirementOverride) -> None:
        actions.remove_override(target, actor=self.request.user)

    def success_url(self, result: Any) -> str:
        return reverse("orglife:requirements")

    def cancel_url(self, target: Any) -> str:
        return reverse("orglife:requirements")


# --- Partials for the tree and the dashboard (loaded after the page, so those pages stay
# as fast as before; one rollup query per call) --------------------------------------------


def tree_status(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX partial: a red/yellow/green badge for each child of organization ``pk`` (or
    for each scope root when ``pk`` is 0), swapped into the tree out of band."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    today = _today()
    if pk == 0:
        orgs = list(scope_roots(request.user))
    else:
        parent = get_in_scope(request.user, Organization, Action.VIEW, pk=pk)
        orgs = list(
            Organization.objects.restrict(request.user).filter(path__startswith=parent.path, depth=parent.depth + 1)
        )
    if not can(request.user, Event, Action.VIEW):
        orgs = []
    tallies = compliance.statuses(orgs, compliance.current_window(today), today=today)
    return render(
        request, "orglife/partials/tree_status.html", {"rows": [(o, tallies[o.pk]) for o in orgs], "today": today}
    )


def dashboard_card(request: HttpRequest) -> HttpResponse:
    """HTMX partial: compliance of each scope root this year and this quarter."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    today = _today()
    year = compliance.current_window(today)
    quarter = rules.span_of(today, "quarter")
    rows = []
    if can(request.user, Event, Action.VIEW) and request.user.role != Role.MEMBER:  # type: ignore[union-attr]
        for root in scope_roots(request.user)[:5]:
            rows.append(
                (
                    root,
                    compliance.total(root, year, today=today),
                    compliance.total(root, quarter, today=today),
                )
            )
    return render(
        request,
        "orglife/partials/dashboard_card.html",
        {"rows": rows, "today": today, "year": year, "quarter": quarter},
    )
