"""Forms of the democratic evaluation: opening a round, a self-evaluation, the steps of a
round, the two sheets for the whole branch (tallies of the democratic rating, the branch's
grades) and the follow-up of a lower grade."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.evaluation.choices import FollowUpMove, Grade
from dangjian.evaluation.models import Evaluation
from dangjian.members.models import Member
from dangjian.orglife.models import Event, Vote


class OpenRoundForm(StyledForm):
    opened_on = forms.DateField(
        label=_("Opened on"),
        initial=timezone.localdate,
        help_text=_("The roster is every full and probationary member of the branch on this day."),
    )


class SelfEvaluationForm(StyledForm):
    """A member's own self-evaluation (``text`` only), or the branch recording one from the
    paper form (with the day it was handed in), or saying why the member is not evaluated."""

    text = forms.CharField(
        label=_("Self-evaluation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Your study, work and conduct this year, shortcomings and what you will improve."),
    )
    on = forms.DateField(label=_("Handed in on"), initial=timezone.localdate)
    excused_reason = forms.CharField(
        label=_("Or: not evaluated because"),
        required=False,
        max_length=200,
        help_text=_("E.g. long illness or away abroad: the member takes no part and gets no grade."),
    )

    def __init__(self, *args: Any, by_member: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if by_member:
            del self.fields["on"], self.fields["excused_reason"]
        else:
            self.fields["text"].help_text = _("As written on the paper form.")


class CloseSelfForm(StyledForm):
    on = forms.DateField(label=_("Self-evaluations closed on"), initial=timezone.localdate)


class MutualForm(StyledForm):
    held_on = forms.DateField(label=_("Held on"), initial=timezone.localdate)
    summary = forms.CharField(
        label=_("Summary of the mutual evaluation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How members commented on each other: the main opinions raised and answered."),
    )


def _number() -> forms.IntegerField:
    field = forms.IntegerField(min_value=0, max_value=9999, required=False)
    field.widget.attrs.update({"class": "form-control form-control-sm text-end", "inputmode": "numeric"})
    return field


class SheetForm(StyledForm):
    """A sheet of the whole branch: one row per member taking part. Errors of an action
    come back by row (``<kind>-<evaluation id>``) and land on the row's fields."""

    row_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, evaluations: list[Evaluation], grades: list[str], **kwargs: Any) -> None:
        self.evaluations = evaluations
        self.grades = grades
        super().__init__(*args, **kwargs)

    def row_errors(self, pk: int) -> list[str]:
        names = [f"{kind}_{pk}" for kind in self.row_fields]
        return [str(e) for name in names for e in self.errors.get(name, [])]

    def apply(self, exc: ValidationError) -> None:
        """Show an action's ``ValidationError``: row errors on the row, the rest on the
        form's own fields or at the top."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.error_dict.items():
            kind, _sep, pk = key.partition("-")
            name = f"{self.row_fields[0] if kind == 'row' else kind}_{pk}" if pk.isdigit() else key
            for error in errors:
                self.add_error(name if name in self.fields else None, error.messages)


class TallyForm(SheetForm):
    """The democratic rating from the paper ballots: the ballots cast, the day, and for
    each member how many rated them at each grade in use (blank counts as 0)."""

    rated_on = forms.DateField(label=_("Democratic rating held on"), initial=timezone.localdate)
    ballots = forms.IntegerField(label=_("Ballots cast"), min_value=1, max_value=9999)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_fields = tuple(self.grades)
        self.fields["ballots"].widget.attrs["inputmode"] = "numeric"
        for e in self.evaluations:
            for grade in self.grades:
                field = _number()
                field.label = f"{e.member.name} · {Grade(grade).label}"
                field.initial = getattr(e, f"rated_{grade}") or None
                self.fields[f"{grade}_{e.pk}"] = field

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"evaluation": e, "cells": [self[f"{g}_{e.pk}"] for g in self.grades], "errors": self.row_errors(e.pk)}
            for e in self.evaluations
        ]

    def tallies(self) -> dict[int, dict[str, int]]:
        data = self.cleaned_data
        return {e.pk: {g: data.get(f"{g}_{e.pk}") or 0 for g in self.grades} for e in self.evaluations}


class DecisionForm(SheetForm):
    """The branch's grade for each member (the suggested one preselected) and the reason
    where it differs, decided at a meeting recorded in organizational life."""

    row_fields = ("grade", "reason")
    meeting = forms.ModelChoiceField(
        label=_("Decided at"),
        queryset=Event.objects.none(),
        help_text=_(
            "A held branch committee meeting, general membership meeting, democratic evaluation or"
            " organizational life meeting of the branch, on or after the rating."
        ),
    )

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        choices = [("", "—"), *((g, Grade(g).label) for g in self.grades)]
        for e in self.evaluations:
            grade = forms.ChoiceField(label=e.member.name, choices=choices, initial=e.grade or e.suggested)
            grade.widget.attrs.update({"class": "form-select form-select-sm", "data-suggested": e.suggested})
            reason = forms.CharField(label=_("Reason"), required=False, max_length=300, initial=e.grade_reason)
            reason.widget.attrs.update(
                {"class": "form-control form-control-sm", "placeholder": _("Reason if not the suggested grade")}
            )
            self.fields[f"grade_{e.pk}"], self.fields[f"reason_{e.pk}"] = grade, reason

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "evaluation": e,
                "grade": self[f"grade_{e.pk}"],
                "reason": self[f"reason_{e.pk}"],
                "errors": self.row_errors(e.pk),
            }
            for e in self.evaluations
        ]

    def grades_given(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {e.pk: (data.get(f"grade_{e.pk}", ""), data.get(f"reason_{e.pk}", "")) for e in self.evaluations}


class PlanForm(StyledForm):
    helper = forms.ModelChoiceField(
        label=_("Helper"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("The member of the branch who helps and keeps in contact."),
    )
    deadline = forms.DateField(label=_("Correct by"))
    plan = forms.CharField(label=_("Plan of correction"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, helpers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers


# What the button of each move says.
VERBS: dict[str, Any] = {
    FollowUpMove.CORRECT: _("Record corrected"),
    FollowUpMove.NOT_CORRECTED: _("Record not corrected"),
    FollowUpMove.PERSUADE: _("Record persuaded to withdraw"),
    FollowUpMove.WITHDRAW: _("Record the withdrawal"),
    FollowUpMove.REMOVE: _("Record the removal"),
}


class MoveForm(StyledForm):
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    text = forms.CharField(label=_("What was done, or why"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, image, Word or Excel file."))
    proposed_on = forms.DateField(label=_("Branch committee proposed the removal on"))
    filed_on = forms.DateField(label=_("Filed with the grassroots committee on"))
    vote = forms.ModelChoiceField(
        label=_("Vote of the branch general meeting"),
        queryset=Vote.objects.none(),
        help_text=_("Recorded in organizational life: subject “Disposal of an unqualified member”, this member."),
    )

    def __init__(self, *args: Any, move: str, votes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if move != FollowUpMove.CORRECT:
            del self.fields["evidence"]
        if move == FollowUpMove.REMOVE:
            self.fields["vote"].queryset = votes if votes is not None else Vote.objects.none()
            self.fields["vote"].label_from_instance = _vote_label
        else:
            del self.fields["proposed_on"], self.fields["filed_on"], self.fields["vote"]


def _vote_label(vote: Vote) -> str:
    state = _("carried") if vote.passed else _("not carried")
    return f"{vote.event.held_on:%Y-%m-%d} {vote.title} ({state})"
