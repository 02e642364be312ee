"""Forms of member development. Each step's form asks only what that step records; the
rules (``rules.step_problems``) and the actions validate it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledModelForm
from dangjian.development import queries, rules
from dangjian.development.choices import StepKind
from dangjian.development.models import Candidate, Plan, Step, StepDocument
from dangjian.members.forms import PERSONAL_FIELDS, OrgChoiceField, visible_branches
from dangjian.members.models import Member
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization


class CandidateForm(StyledModelForm):
    """A person applying for membership; on registration also the branch and the date
    of the application letter (step 1)."""

    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=20,
        help_text=_("18 characters; birth date and gender are read from it."),
    )
    applied_on = forms.DateField(label=_("Application letter dated"), initial=timezone.localdate)
    application_scan = forms.FileField(
        label=_("Scanned application letter"), required=False, help_text=_("Kept in the archive (D24).")
    )

    class Meta:
        model = Candidate
        fields = ["organization", *[f for f in PERSONAL_FIELDS if f != "id_number"], "leaving_on", "note"]
        field_classes = {"organization": OrgChoiceField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["organization", *PERSONAL_FIELDS, "applied_on", "application_scan"])
        if self.instance.pk is None:
            self.fields["organization"].queryset = visible_branches(user)
            only = list(self.fields["organization"].queryset[:2])
            if len(only) == 1 and not self.initial.get("organization"):
                self.initial["organization"] = only[0].pk
        else:
            for name in ("organization", "applied_on", "application_scan"):
                del self.fields[name]
            self.fields["id_number"].initial = self.instance.id_number

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.instance.id_number = data.get("id_number", "")
        return data


class MemberChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.get_status_display()})"


class EventChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Event) -> str:
        return f"{obj.held_on} · {obj.topic}"


# Fields of each step beyond date, body and notes.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    StepKind.TALK: ("people", "other_people"),
    StepKind.ACTIVIST: ("recommendation",),
    StepKind.CONTACTS: ("people",),
    StepKind.INTRODUCERS: ("people",),
    StepKind.POLITICAL_REVIEW: ("conclusion",),
    StepKind.TRAINING: ("training_days", "training_hours"),
    StepKind.NOTICE: ("until",),
    StepKind.ADMISSION_VOTE: ("event", "votes_for", "votes_against", "abstentions", "written_for", "written_against"),
    StepKind.APPROVAL_TALK: ("people", "other_people"),
    StepKind.ADMISSION_APPROVAL: ("decided_by", "special_extension"),
    StepKind.FULL_VOTE: ("event", "votes_for", "votes_against", "abstentions", "written_for", "written_against"),
    StepKind.EXTENSION: ("months",),
    StepKind.FULL_APPROVAL: ("decided_by",),
    StepKind.ENDED: ("end_reason",),
}
VOTE_FIELDS = ("votes_for", "votes_against", "abstentions", "written_for", "written_against")


class StepForm(StyledModelForm):
    """One step of ``kind`` for ``candidate``. An administrator may fill in the override
    reason to record a step the rules would block; it is kept with the step."""

    votes_for = forms.IntegerField(label=_("Votes for (present)"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against (present)"), min_value=0, required=False, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False, initial=0)
    written_for = forms.IntegerField(
        label=_("Written opinions for"),
        min_value=0,
        required=False,
        initial=0,
        help_text=_("Written opinions of absent voting members (D14)."),
    )
    written_against = forms.IntegerField(label=_("Written opinions against"), min_value=0, required=False, initial=0)
    document = forms.FileField(label=_("Scanned document"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Administrators only: record the step although a rule forbids it. The reason is reported."),
    )

    class Meta:
        model = Step
        fields = [
            "on",
            "body",
            "people",
            "other_people",
            "recommendation",
            "conclusion",
            "training_days",
            "training_hours",
            "until",
            "event",
            "decided_by",
            "special_extension",
            "months",
            "end_reason",
            "notes",
        ]
        field_classes = {"people": MemberChoices, "event": EventChoice, "decided_by": OrgChoiceField}
        widgets = {
            "people": forms.CheckboxSelectMultiple,
            "conclusion": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, candidate: Candidate, kind: str, can_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"on", "body", "notes", "document", *STEP_FIELDS.get(kind, ())}
        if can_override:
            keep.add("override_reason")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["on"].label = _("Date")
        if kind == StepKind.NOTICE:
            self.fields["on"].label = _("Notice from")
            self.fields["until"].required = True
        if "body" in self.fields:
            allowed = rules.BODIES.get(kind)
            if allowed:
                self.fields["body"].choices = [(b, label) for b, label in self.fields["body"].choices if b in allowed]
                has_committee = queries.candidate_fact(candidate, timezone.localdate()).has_committee
                self.fields["body"].initial = rules.default_body(kind, has_committee)
                self.fields["body"].required = True
            else:
                del self.fields["body"]
        if "people" in self.fields:
            self.fields["people"].queryset = queries.people_for(candidate)
            self.fields["people"].required = False
        if "event" in self.fields:
            self.fields["event"].queryset = queries.general_meetings(candidate)
            self.fields["event"].required = True
            self.fields["event"].help_text = _(
                "The vote is counted against the meeting's attendance."
                " Record the meeting under organizational life first."
            )
            self.fields["votes_for"].required = True
            del self.fields["on"]
        if "decided_by" in self.fields:
            org = candidate.organization
            above = org.ancestor_paths()
            self.fields["decided_by"].queryset = Organization.objects.filter(path__in=above).order_by("-depth")
            default = queries.approving_committee(org)
            self.fields["decided_by"].initial = default.pk if default else None
        if "end_reason" in self.fields:
            self.fields["end_reason"].required = True
        if "recommendation" in self.fields:
            self.fields["recommendation"].required = True  # D3: by members or a mass organization
        if kind in rules.ARCHIVE_DOCUMENTS:
            self.fields["document"].help_text = _("Kept in the archive (D24): %(what)s.") % {
                "what": rules.ARCHIVE_DOCUMENTS[kind]
            }

    def vote_counts(self) -> dict[str, int] | None:
        if "votes_for" not in self.fields:
            return None
        return {name: self.cleaned_data.get(name) or 0 for name in VOTE_FIELDS}


class DocumentForm(StyledModelForm):
    class Meta:
        model = StepDocument
        fields = ["file", "description"]


class PlanForm(StyledModelForm):
    """A committee's plan for a year; one quota field per organization under it."""

    class Meta:
        model = Plan
        fields = ["organization", "year", "note"]
        field_classes = {"organization": OrgChoiceField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, committees: Any, children: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children = children
        if self.instance.pk:
            del self.fields["organization"]
            del self.fields["year"]
        else:
            self.fields["organization"].queryset = committees
            self.fields["year"].initial = timezone.localdate().year
        current = {q.organization_id: q.admissions for q in self.instance.quotas.all()} if self.instance.pk else {}
        for org in children:
            self.fields[f"quota_{org.pk}"] = forms.IntegerField(
                label=f"{org.name} ({org.code})",
                min_value=0,
                required=False,
                initial=current.get(org.pk, 0),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )

    def quotas(self) -> dict[Organization, int]:
        return {org: self.cleaned_data.get(f"quota_{org.pk}") or 0 for org in self.children}
