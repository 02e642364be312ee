"""Forms of the responsibility system."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.forms import StyledForm
from dangjian.duties.choices import DecisionKind, Measure, Move, ProjectGrade
from dangjian.duties.rules import NEEDS_TEXT
from dangjian.members.choices import PartyPost
from dangjian.orgs.models import Organization


class ListForm(StyledForm):
    year = forms.IntegerField(
        label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, initial=lambda: timezone.localdate().year
    )
    title = forms.CharField(label=_("List title"), max_length=200)


class CopyForm(StyledForm):
    year = forms.IntegerField(label=_("For the year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)


class ItemForm(StyledForm):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(label=_("Responsible organization"), queryset=Organization.objects.none())
    post = forms.ChoiceField(label=_("Responsible post"), choices=PartyPost.choices, initial=PartyPost.SECRETARY)
    deadline = forms.DateField(label=_("Deadline"))
    requirements = forms.CharField(
        label=_("Work requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quality_standard = forms.CharField(
        label=_("Quality standard"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    max_score = forms.DecimalField(label=_("Full score"), min_value=0, max_digits=5, decimal_places=1, initial=10)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = organizations


# What the button of each move says.
VERBS: dict[str, Any] = {
    Move.ACKNOWLEDGE: _("Acknowledge"),
    Move.PROGRESS: _("Report progress"),
    Move.REPORT: _("Report done"),
    Move.ACCEPT: _("Accept"),
    Move.RETURN: _("Return for rework"),
    Move.FAIL: _("Find it failed"),
    Move.PURSUE: _("Record accountability"),
}

# The fields each move asks for (the rest of MoveForm's fields are dropped).
MOVE_FIELDS: dict[str, tuple[str, ...]] = {
    Move.ACKNOWLEDGE: ("text",),
    Move.PROGRESS: ("percent", "text", "evidence"),
    Move.REPORT: ("text", "evidence"),
    Move.ACCEPT: ("score", "text"),
    Move.RETURN: ("text",),
    Move.FAIL: ("text",),
    Move.PURSUE: ("measure", "decided_by", "text"),
}


class MoveForm(StyledForm):
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=99)
    score = forms.DecimalField(label=_("Score"), min_value=Decimal(0), max_digits=5, decimal_places=1)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    decided_by = forms.CharField(label=_("Decided by"), max_length=100, help_text=_("The body or leader who decided."))
    text = forms.CharField(label=_("What was done, or why"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, image, Word or Excel file."))

    def __init__(self, *args: Any, move: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"on", *MOVE_FIELDS[move]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "text" in self.fields:
            self.fields["text"].required = move in NEEDS_TEXT

    def clean_on(self) -> dt.date:
        return self.cleaned_data["on"]


class ProjectForm(StyledForm):
    title = forms.CharField(label=_("Project"), max_length=200)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}))
    post = forms.ChoiceField(label=_("Responsible post"), choices=PartyPost.choices, initial=PartyPost.SECRETARY)
    starts_on = forms.DateField(label=_("Starts on"), initial=timezone.localdate)
    ends_on = forms.DateField(label=_("Ends on"))
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=Decimal(0), max_digits=14, decimal_places=2, initial=0
    )


class MilestoneForm(StyledForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"))


class MilestoneDoneForm(StyledForm):
    done_on = forms.DateField(label=_("Done on"), initial=timezone.localdate)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, image, Word or Excel file."))


class CloseProjectForm(StyledForm):
    closed_on = forms.DateField(label=_("Closed on"), initial=timezone.localdate)
    grade = forms.ChoiceField(label=_("Evaluation"), choices=ProjectGrade.choices)
    evaluation = forms.CharField(label=_("Closing evaluation"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DecisionKind.choices)
    title = forms.CharField(label=_("Matter decided"), max_length=200)
    decided_on = forms.DateField(label=_("Decided on"))
    meeting = forms.CharField(label=_("Meeting where it was taken"), max_length=200)
    prior_discussion = forms.ModelChoiceField(
        label=_("Discussed first by the party organization at"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("A committee meeting or general meeting recorded in organizational life. Leave empty if none."),
    )
    participants = forms.CharField(label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    votes_for = forms.IntegerField(label=_("For"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, required=False)
    votes_abstained = forms.IntegerField(label=_("Abstained"), min_value=0, required=False)
    document = forms.FileField(label=_("Document"), required=False, help_text=_("PDF, image, Word or Excel file."))

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prior_discussion"].queryset = meetings
        self.fields["prior_discussion"].label_from_instance = lambda e: (
            f"{e.held_on:%Y-%m-%d} {e.get_kind_display()} {e.topic}"
        )
