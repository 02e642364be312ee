"""Pages of assessment: the schemes in scope and one's own results; a scheme with its
indicators, group, grades, consequence rules and rounds; a round's ranking (live draft or
published) with scoring sheets, bonus and deduction items, appeals and publication; one
organization's breakdown with its trend; the consequences and their follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action, Role
from dangjian.assessment import actions, engine, points, queries, reports, sources
from dangjian.assessment.choices import FollowUp, Method, RoundKind, RoundState
from dangjian.assessment.forms import (
    AdjustmentForm,
    AppealForm,
    ConsequenceRuleForm,
    CopyForm,
    DecideForm,
    DimensionForm,
    FollowUpForm,
    GradeForm,
    GroupForm,
    IndicatorForm,
    PointsRulesForm,
    ReviewForm,
    RoundForm,
    SchemeForm,
)
from dangjian.assessment.models import (
    Appeal,
    Assessed,
    Consequence,
    ConsequenceRule,
    Dimension,
    GradeBand,
    Indicator,
    PointsRule,
    Result,
    Round,
    Scheme,
    Score,
)
from dangjian.core import audit
from dangjian.core.ids import pk_or_404
from dangjian.core.inbox import own_q
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import ActionFormView, apply_errors, file_response, year_from
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import acting_for, root_from


def _no_members(user: Any) -> None:
    if user.role == Role.MEMBER or not can(user, Scheme, Action.VIEW):
        raise PermissionDenied


def _assessing(user: Any, scheme: Scheme) -> bool:
    return covers_path(user, scheme.organization.path) and can(user, Scheme, Action.CHANGE)


class SchemesView(LoginRequiredMixin, TemplateView):
    """The year's schemes in scope, and the results and drafts of one's organizations."""

    template_name = "assessment/schemes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _no_members(user)
        year = year_from(self.request)
        root = root_from(self.request)
        schemes = Scheme.objects.restrict(user).filter(year=year).select_related("organization")
        if root is not None:
            schemes = schemes.filter(organization__path__startswith=root.path)
        schemes = schemes.annotate(group=Count("assessed", distinct=True)).order_by("organization__path", "pk")
        own = (
            (
                Assessed.objects.restrict(user)
                .filter(own_q(user, "organization"), scheme__year=year)
                .exclude(
                    scheme__in=Scheme.objects.restrict(user).filter(organization__path__startswith=user.scope_path)
                )
                .select_related("organization", "scheme")
                .order_by("organization__path")
            )
            if user.scope_path
            else Assessed.objects.none()
        )
        context.update(
            title=gettext_lazy("Assessment"),
            year=year,
            root=root,
            schemes=schemes[:200],
            own=own[:200],
            can_add=root is not None and covers_path(user, root.path) and can(user, Scheme, Action.ADD),
        )
        return context


class SchemeCreateView(ActionFormView):
    form_class = SchemeForm
    permission = (Scheme, Action.ADD)
    title = gettext_lazy("New assessment scheme")
    success_message = gettext_lazy("Scheme created with the default indicators: adjust them and add the group.")

    def get_target(self) -> Organization:
        return acting_for(self.request)

    def perform(self, form: SchemeForm, target: Organization) -> Scheme:
        return actions.create_scheme(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Scheme) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('assessment:schemes')}?org={target.pk}"


class SchemeView(LoginRequiredMixin, TemplateView):
    """A scheme: indicators by dimension with the shares, the group, grades, consequence
    rules and rounds; the assessing side edits it while it is a draft and opens rounds."""

    template_name = "assessment/scheme.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scheme = get_in_scope(user, Scheme, Action.VIEW, pk=self.kwargs["pk"])
        dimensions = list(scheme.dimensions.prefetch_related("indicators"))
        for dimension in dimensions:
            for indicator in dimension.indicators.all():
                found = sources.SOURCES.get(indicator.source)
                indicator.source_label = found.label if found else ""  # type: ignore[attr-defined]
        editing = _assessing(user, scheme) and scheme.state == "draft"
        forms = kwargs.get("forms", {})
        context.update(
            title=scheme.title,
            scheme=scheme,
            business_share=100 - scheme.party_share,
            dimensions=dimensions,
            assessed=scheme.assessed.select_related("organization").order_by("organization__path"),
            grades=scheme.grades.all(),
            consequence_rules=scheme.consequence_rules.all(),
            rounds=scheme.rounds.all(),
            can_open=scheme.rounds.count() < len(RoundKind),
            problems=actions.problems(scheme),
            assessing=_assessing(user, scheme),
            editing=editing,
            dimension_form=forms.get("dimension") or DimensionForm(),
            indicator_form=forms.get("indicator") or IndicatorForm(),
            group_form=forms.get("group") or GroupForm(organizations=self._below(scheme)),
            round_form=forms.get("round") or RoundForm(initial=self._round_initial(scheme)),
            copy_form=forms.get("copy") or CopyForm(initial={"year": scheme.year + 1}),
            rule_form=forms.get("rule") or ConsequenceRuleForm(),
            grade_form=forms.get("grade"),
            failed=kwargs.get("failed", ""),
            history=audit.entries_about(user, {Scheme: [scheme.pk]}),
        )
        return context

    @staticmethod
    def _below(scheme: Scheme) -> Any:
        return (
            Organization.objects.filter(path__startswith=scheme.organization.path, dissolved_on__isnull=True)
            .exclude(pk=scheme.organization_id)
            .order_by("path")
        )

    @staticmethod
    def _round_initial(scheme: Scheme) -> dict[str, Any]:
        if scheme.rounds.filter(kind=RoundKind.MID_YEAR).exists():
            return {
                "kind": RoundKind.YEAR_END,
                "starts_on": dt.date(scheme.year, 1, 1),
                "ends_on": dt.date(scheme.year, 12, 31),
            }
        return {
            "kind": RoundKind.MID_YEAR,
            "starts_on": dt.date(scheme.year, 1, 1),
            "ends_on": dt.date(scheme.year, 6, 30),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """``dimension``, ``indicator`` (into ``dimension``), ``remove`` (``indicator``),
        ``group`` (add), ``ungroup`` (``assessed``), ``round``, ``copy``."""
        user = request.user
        scheme = get_in_scope(user, Scheme, Action.CHANGE, pk=pk)
        if not _assessing(user, scheme):
            raise PermissionDenied
        what = request.POST.get("what", "")
        done: Any = None
        form: Any = None
        try:
            if what == "remove":
                indicator = get_in_scope(
                    user, Indicator, Action.CHANGE, pk=pk_or_404(request.POST.get("indicator", ""))
                )
                if indicator.dimension.scheme_id != scheme.pk:
                    raise Http404
                actions.remove_indicator(indicator, actor=user)
                done = True
            elif what == "ungroup":
                assessed = get_in_scope(user, Assessed, Action.CHANGE, pk=pk_or_404(request.POST.get("assessed", "")))
                if assessed.scheme_id != scheme.pk:
                    raise Http404
                actions.remove_assessed(assessed, actor=user)
                done = True
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(scheme.get_absolute_url())
        if done:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(scheme.get_absolute_url())
        forms = {
            "dimension": lambda: DimensionForm(request.POST),
            "indicator": lambda: IndicatorForm(request.POST),
            "group": lambda: GroupForm(request.POST, organizations=self._below(scheme)),
            "round": lambda: RoundForm(request.POST),
            "copy": lambda: CopyForm(request.POST),
            "rule": lambda: ConsequenceRuleForm(request.POST),
            "grade": lambda: GradeForm(request.POST),
        }
        if what not in forms:
            raise Http404
        form = forms[what]()
        if form.is_valid():
            data = form.cleaned_data
            try:
                target = self._perform(what, scheme, data, request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(target)
        return self.render_to_response(self.get_context_data(pk=pk, forms={what: form}, failed=what), status=400)

    def _perform(self, what: str, scheme: Scheme, data: dict[str, Any], request: HttpRequest) -> str:
        user = request.user
        if what == "dimension":
            actions.add_dimension(scheme, actor=user, **data)
        elif what == "indicator":
            dimension = get_in_scope(user, Dimension, Action.CHANGE, pk=pk_or_404(request.POST.get("dimension", "")))
            if dimension.scheme_id != scheme.pk:
                raise Http404
            actions.add_indicator(dimension, actor=user, **data)
        elif what == "group":
            if data.get("organization"):
                chosen = [data["organization"]]
            else:
                chosen = list(self._below(scheme).filter(**{k: data[k] for k in ("kind", "sector") if data.get(k)}))
                if not chosen:
                    raise ValidationError(
                        _("No organization of that kind under %(org)s.") % {"org": scheme.organization.name}
                    )
            added = actions.add_assessed(scheme, chosen, actor=user)
            messages.info(request, _("%(n)d organizations added.") % {"n": added})
        elif what == "round":
            return actions.open_round(scheme, actor=user, **data).get_absolute_url()
        elif what == "copy":
            return actions.copy_scheme(scheme, actor=user, **data).get_absolute_url()
        elif what == "rule":
            chosen = request.POST.get("rule", "")
            rule = get_in_scope(user, ConsequenceRule, Action.CHANGE, pk=pk_or_404(chosen)) if chosen else None
            actions.save_consequence_rule(scheme, rule=rule, actor=user, **data)
        elif what == "grade":
            band = get_in_scope(user, GradeBand, Action.CHANGE, pk=pk_or_404(request.POST.get("grade", "")))
            if band.scheme_id != scheme.pk:
                raise Http404
            actions.save_grade(band, actor=user, **data)
        return scheme.get_absolute_url()


class RoundView(LoginRequiredMixin, TemplateView):
    """A round's ranking: the live draft while scoring and in review, the stored results
    once published; scoring progress, bonus and deduction items, appeals, consequences."""

    template_name = "assessment/round.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        round_ = get_in_scope(user, Round, Action.VIEW, pk=self.kwargs["pk"])
        scheme = round_.scheme
        today = timezone.localdate()
        assessing = _assessing(user, scheme)
        published = round_.state == RoundState.PUBLISHED
        if published:
            rows = list(
                Result.objects.filter(round=round_)
                .select_related("organization")
                .order_by("place", "organization__path")
            )
        else:
            sheets = engine.compute(round_, today)
            rows = sorted(sheets.values(), key=lambda s: (s.place, s.organization.path))
        manual = [i for i in engine.indicators_of(round_) if i.method == Method.MANUAL]
        scored = {
            row["indicator"]: row["n"]
            for row in Score.objects.filter(round=round_)
            .values("indicator")
            .annotate(n=Count("organization", distinct=True))
        }
        labels = dict(scheme.grades.values_list("grade", "label"))
        assessed_pks = dict(scheme.assessed.values_list("organization_id", "pk"))
        for row in rows:
            row.grade_label = labels.get(row.grade, row.grade)  # type: ignore[union-attr]
            row.assessed_pk = assessed_pks.get(row.organization.pk)  # type: ignore[union-attr]
        forms = kwargs.get("forms", {})
        orgs = Organization.objects.filter(pk__in=scheme.assessed.values("organization")).order_by("path")
        items = Indicator.objects.filter(dimension__scheme=scheme, method__in=(Method.BONUS, Method.DEDUCTION))
        context.update(
            title=str(round_),
            round=round_,
            scheme=scheme,
            rows=rows,
            published=published,
            assessing=assessing,
            group=orgs.count(),
            progress=[(i, scored.get(i.pk, 0)) for i in manual],
            appeals=Appeal.objects.filter(round=round_).select_related("organization", "indicator"),
            adjustments=round_.adjustments.select_related("organization", "indicator", "by").order_by("-pk")[:100],
            consequences=Consequence.objects.filter(round=round_).select_related("organization"),
            adjustment_form=forms.get("adjust") or AdjustmentForm(organizations=orgs, items=items),
            review_form=forms.get("review")
            or ReviewForm(initial={"appeal_until": today + dt.timedelta(days=scheme.appeal_days)}),
            decide_form=DecideForm(),
            failed_appeal=kwargs.get("failed_appeal"),
            decide_failed=forms.get("decide"),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """``adjust``, ``review``, ``publish``, ``decide`` (``appeal``)."""
        user = request.user
        round_ = get_in_scope(user, Round, Action.CHANGE, pk=pk)
        if not _assessing(user, round_.scheme):
            raise PermissionDenied
        what = request.POST.get("what", "")
        form: Any
        if what == "publish":
            try:
                actions.publish(round_, actor=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Results published."))
            return HttpResponseRedirect(round_.get_absolute_url())
        appeal = None
        if what == "adjust":
            scheme = round_.scheme
            form = AdjustmentForm(
                request.POST,
                request.FILES,
                organizations=Organization.objects.filter(pk__in=scheme.assessed.values("organization")),
                items=Indicator.objects.filter(dimension__scheme=scheme, method__in=(Method.BONUS, Method.DEDUCTION)),
            )
        elif what == "review":
            form = ReviewForm(request.POST)
        elif what == "decide":
            appeal = get_in_scope(user, Appeal, Action.CHANGE, pk=pk_or_404(request.POST.get("appeal", "")))
            if appeal.round_id != round_.pk:
                raise Http404
            form = DecideForm(request.POST)
        else:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if what == "adjust":
                    actions.record_adjustment(round_, actor=user, **data)
                elif what == "review":
                    actions.open_review(round_, actor=user, **data)
                elif appeal is not None:
                    actions.decide_appeal(appeal, actor=user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(round_.get_absolute_url())
        context = self.get_context_data(pk=pk, forms={what: form}, failed_appeal=appeal)
        return self.render_to_response(context, status=400)


class ScoreSheetView(LoginRequiredMixin, TemplateView):
    """One manual indicator for the whole group: the assessor's own score of each
    organization, entered at once; all or nothing, each row's error shown."""

    template_name = "assessment/score.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.round = get_in_scope(request.user, Round, Action.CHANGE, pk=kwargs["pk"])
            if not _assessing(request.user, self.round.scheme):
                raise PermissionDenied
            chosen = pk_or_404(request.GET.get("indicator", ""))
            self.indicator = get_in_scope(request.user, Indicator, Action.VIEW, pk=chosen)
            if self.indicator.dimension.scheme_id != self.round.scheme_id or self.indicator.method != Method.MANUAL:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        orgs = list(
            Organization.objects.filter(pk__in=self.round.scheme.assessed.values("organization")).order_by("path")
        )
        mine = {
            s.organization_id: s
            for s in Score.objects.filter(round=self.round, indicator=self.indicator, assessor=user)
        }
        typed = kwargs.get("typed", {})
        errors = kwargs.get("errors", {})
        context.update(
            title=f"{self.indicator.title} · {self.round}",
            round=self.round,
            indicator=self.indicator,
            rows=[
                {
                    "organization": org,
                    "value": typed.get(org.pk, mine[org.pk].value if org.pk in mine else ""),
                    "note": typed.get(f"note-{org.pk}", mine[org.pk].note if org.pk in mine else ""),
                    "has_evidence": org.pk in mine and bool(mine[org.pk].evidence),
                    "error": errors.get(org.pk, ""),
                }
                for org in orgs
            ],
            open=self.round.state != RoundState.PUBLISHED,
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        orgs = list(Organization.objects.filter(pk__in=self.round.scheme.assessed.values("organization")))
        typed: dict[Any, Any] = {}
        errors: dict[int, str] = {}
        entries = []
        for org in orgs:
            raw = request.POST.get(f"value-{org.pk}", "").strip()
            note = request.POST.get(f"note-{org.pk}", "").strip()
            typed[org.pk], typed[f"note-{org.pk}"] = raw, note
            if not raw:
                continue
            try:
                value = Decimal(raw)
            except InvalidOperation:
                errors[org.pk] = _("Enter a number.")
                continue
            entries.append((org, value, note, request.FILES.get(f"evidence-{org.pk}")))
        if not entries and not errors:
            errors[0] = _("Enter at least one score.")
        if not errors:
            try:
                with transaction.atomic():
                    for org, value, note, evidence in entries:
                        try:
                            actions.record_score(
                                self.round,
                                organization=org,
                                indicator=self.indicator,
                                value=value,
                                note=note,
                                evidence=evidence,
                                actor=user,
                            )
                        except ValidationError as exc:
                            errors[org.pk] = " ".join(exc.messages)
                    if errors:
                        raise ValidationError("rows")
            except ValidationError:
                pass
            else:
                messages.success(request, _("%(n)d scores saved.") % {"n": len(entries)})
                return HttpResponseRedirect(self.round.get_absolute_url())
        context = self.get_context_data(typed=typed, errors=errors)
        context["form_error"] = errors.get(0, "")
        return self.render_to_response(context, status=400)


class SheetView(LoginRequiredMixin, TemplateView):
    """One organization of a scheme's group: its breakdown in each round (live draft or
    published) with the figures automatic scores came from, its appeals and the form to
    appeal while the window is open, and its trend over the series."""

    template_name = "assessment/sheet.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assessed = get_in_scope(user, Assessed, Action.VIEW, pk=self.kwargs["pk"])
        scheme, org = assessed.scheme, assessed.organization
        today = timezone.localdate()
        rounds = []
        labels = dict(scheme.grades.values_list("grade", "label"))
        for round_ in scheme.rounds.order_by("starts_on", "kind"):
            result = Result.objects.filter(round=round_, organization=org).first()
            sheet = None if result is not None else engine.compute(round_, today, only=org).get(org.pk)
            for row in (result, sheet):
                if row is not None:
                    row.grade_label = labels.get(row.grade, row.grade)  # type: ignore[union-attr]
            rounds.append(
                {
                    "round": round_,
                    "result": result,
                    "sheet": sheet,
                    "appeals": Appeal.objects.filter(round=round_, organization=org).select_related("indicator"),
                    "can_appeal": round_.state == RoundState.REVIEW
                    and round_.appeal_until is not None
                    and today <= round_.appeal_until
                    and covers_path(user, org.path)
                    and can(user, Appeal, Action.ADD),
                }
            )
        trend = list(
            queries.year_end_results(scheme)
            .filter(organization=org)
            .values_list("round__scheme__year", "total", "place", "group_size")
        )
        forms = kwargs.get("forms", {})
        context.update(
            title=f"{org.name} · {scheme.title}",
            assessed=assessed,
            scheme=scheme,
            organization=org,
            rounds=rounds,
            scheme_visible=Scheme.objects.restrict(user).filter(pk=scheme.pk).exists(),
            appeal_form=forms.get("appeal")
            or AppealForm(
                indicators=Indicator.objects.filter(dimension__scheme=scheme).order_by(
                    "dimension__position", "position"
                )
            ),
            trend={
                "years": [str(y) for y, *_rest in trend],
                "totals": [float(t) for _y, t, *_rest in trend],
                "places": [p for _y, _t, p, _n in trend],
                "total_label": str(gettext_lazy("Total")),
                "place_label": str(pgettext_lazy("ranking", "Place")),
            },
            consequences=Consequence.objects.restrict(user)
            .filter(organization=org, round__scheme__organization=scheme.organization)
            .select_related("round__scheme"),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """An appeal against a round in review (``round``)."""
        user = request.user
        assessed = get_in_scope(user, Assessed, Action.VIEW, pk=pk)
        round_ = Round.objects.filter(scheme=assessed.scheme, pk=pk_or_404(request.POST.get("round", ""))).first()
        if round_ is None or not covers_path(user, assessed.organization.path) or not can(user, Appeal, Action.ADD):
            raise Http404
        form = AppealForm(request.POST, indicators=Indicator.objects.filter(dimension__scheme=assessed.scheme))
        if form.is_valid():
            try:
                actions.file_appeal(round_, organization=assessed.organization, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Appeal filed."))
                return HttpResponseRedirect(reverse("assessment:sheet", args=[pk]))
        return self.render_to_response(self.get_context_data(pk=pk, forms={"appeal": form}), status=400)


class ConsequencesView(LoginRequiredMixin, TemplateView):
    """The consequences given in scope, with their follow-up."""

    template_name = "assessment/consequences.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _no_members(user)
        root = root_from(self.request)
        rows = Consequence.objects.restrict(user).select_related("organization", "round__scheme__organization")
        if root is not None:
            rows = rows.filter(organization__path__startswith=root.path)
        state = self.request.GET.get("state", "")
        if state in FollowUp.values:
            rows = rows.filter(state=state)
        context.update(
            title=gettext_lazy("Consequences of the assessment"),
            root=root,
            rows=[
                (c, _assessing(user, c.round.scheme))
                for c in rows.order_by("-round__scheme__year", "state", "organization__path")[:300]
            ],
            state=state,
            form=kwargs.get("form") or FollowUpForm(),
            failed=kwargs.get("failed"),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        consequence = get_in_scope(
            request.user, Consequence, Action.CHANGE, pk=pk_or_404(request.POST.get("consequence", ""))
        )
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                actions.follow_up(consequence, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("assessment:consequences"))
        return self.render_to_response(self.get_context_data(form=form, failed=consequence.pk), status=400)


def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's ranking as .xlsx (stored results, or the draft while not published)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    round_ = get_in_scope(request.user, Round, Action.EXPORT, pk=pk)
    return file_response(
        reports.results_xlsx(round_, timezone.localdate()), f"assessment-{round_.pk}.xlsx", as_attachment=True
    )


def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable notice of a published round's results."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    round_ = get_in_scope(request.user, Round, Action.EXPORT, pk=pk)
    if round_.state != RoundState.PUBLISHED:
        raise Http404
    return file_response(reports.notice_pdf(round_), f"assessment-notice-{round_.pk}.pdf", as_attachment=False)


def _sets_points(user: Any, org: Organization) -> bool:
    """Administrators and secretaries set their organization's points rules; inspectors,
    who score rounds, do not (``PointsRule.scope_area``)."""
    return covers_path(user, org.path) and can(user, PointsRule, Action.CHANGE)


class PointsView(LoginRequiredMixin, TemplateView):
    """Member points: a member sees their own breakdown; others the league table of an
    organization's members (``?org=``, one's own by default) and the rules in use, which
    the organization's administrators set for the year (``post``)."""

    template_name = "assessment/points.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = year_from(self.request)
        labels = points.labels()
        context.update(title=gettext_lazy("Member points"), year=year, labels=labels)
        if user.role == Role.MEMBER:
            member = getattr(user, "member", None)
            if member is None or "org" in self.request.GET:  # their own points, no league table
                raise Http404
            point_rules, tally = points.of_member(member, year)
            context.update(own=True, rows=self._lines(point_rules, tally, labels), tally=tally)
            return context
        _no_members(user)
        org = root_from(self.request)
        if org is None:
            raise Http404
        owner, point_rules, tallies = points.league(org, year, Member.objects.restrict(user))
        context.update(
            own=False,
            organization=org,
            owner=owner,
            rules=[(r, labels.get(r.source, r.source)) for r in point_rules],
            tallies=tallies,
            sources=[r.source for r in point_rules],
            can_set=_sets_points(user, org),
            form=kwargs.get("form")
            or PointsRulesForm(
                initial={r.source: r.points for r in point_rules}, caps={r.source: r.cap for r in point_rules}
            ),
        )
        return context

    @staticmethod
    def _form(point_rules: list[Any]) -> PointsRulesForm:
        initial = {r.source: r.points for r in point_rules}
        return PointsRulesForm(initial=initial, caps={r.source: r.cap for r in point_rules})

    @staticmethod
    def _lines(point_rules: list[Any], tally: points.Tally, labels: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "label": labels.get(r.source, r.source),
                "count": tally.counts.get(r.source, 0),
                "each": r.points,
                "cap": r.cap,
                "points": tally.points.get(r.source, Decimal(0)),
            }
            for r in point_rules
        ]

    def post(self, request: HttpRequest) -> HttpResponse:
        """Set the organization's points rules for the year."""
        user = request.user
        _no_members(user)
        org = root_from(request)
        if org is None or not _sets_points(user, org):
            raise Http404
        year = year_from(request)
        form = PointsRulesForm(request.POST)
        if form.is_valid():
            actions.set_points_rules(org, year=year, rules=form.rules(), actor=user)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(f"{reverse('assessment:points')}?org={org.pk}&year={year}")
        return self.render_to_response(self.get_context_data(form=form), status=400)
