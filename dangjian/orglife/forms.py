"""Forms of organizational life: one event form per kind, attendance, votes,
attachments, sign-in, planning and requirement overrides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm, StyledModelForm
from dangjian.members.models import Member
from dangjian.orglife import rules
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState
from dangjian.orglife.models import EventAttachment, RequirementOverride, Vote
from dangjian.orgs.models import Organization, PartyGroup

COMMON = ["state", "held_on", "starts_at", "ends_at", "place", "host", "topic", "agenda"]
RECORD = ["minutes", "resolutions", "guests", "guest_count"]

# The fields each kind's form asks for (only what that kind of event has).
KIND_FIELDS: dict[str, list[str]] = {
    EventKind.GENERAL_MEETING: [*COMMON, *RECORD],
    EventKind.COMMITTEE_MEETING: [*COMMON, *RECORD],
    EventKind.GROUP_MEETING: ["party_group", *COMMON, *RECORD],
    EventKind.PARTY_LESSON: [*COMMON, "lecturer_kind", "lecturer", "lecturer_name", *RECORD],
    EventKind.THEME_DAY: [*COMMON, *RECORD],
    EventKind.LIFE_MEETING: [*COMMON, "includes_evaluation", *RECORD],
    EventKind.DEMOCRATIC_LIFE_MEETING: [*COMMON, *RECORD],
    EventKind.DEMOCRATIC_EVALUATION: [*COMMON, *RECORD],
    EventKind.HEART_TALK: ["state", "held_on", "starts_at", "place", "host", "topic", "minutes"],
}


class MinutesWidget(forms.Textarea):
    """The rich-text editor (Trix): a hidden input the editor writes its HTML into."""

    template_name = "orglife/widgets/minutes.html"


def event_form(kind: str) -> type[StyledModelForm]:
    """The form class for events of ``kind``."""
    from dangjian.orglife.models import Event

    class EventForm(StyledModelForm):
        class Meta:
            model = Event
            fields = KIND_FIELDS[kind]
            widgets = {
                "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                "agenda": forms.Textarea(attrs={"rows": 3}),
                "resolutions": forms.Textarea(attrs={"rows": 3}),
                "guests": forms.Textarea(attrs={"rows": 2}),
                "minutes": MinutesWidget(),
            }

        def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            members = Member.objects.active().filter(organization=organization).order_by("name_pinyin")
            for name in ("host", "lecturer"):
                if name in self.fields:
                    self.fields[name].queryset = members  # type: ignore[attr-defined]
            if "party_group" in self.fields:
                self.fields["party_group"].queryset = PartyGroup.objects.filter(organization=organization)  # type: ignore[attr-defined]
                self.fields["party_group"].required = True
                self.fields["party_group"].error_messages["required"] = _("Choose the party group that met.")
            self.fields["state"].choices = [
                (EventState.PLANNED.value, EventState.PLANNED.label),
                (EventState.HELD.value, EventState.HELD.label),
            ]
            if kind == EventKind.HEART_TALK:
                self.fields["host"].label = _("Talk initiated by")

    EventForm.__name__ = f"{kind.title().replace('_', '')}Form"
    return EventForm


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class AttendanceForm(StyledForm):
    """One status and reason per member due (fields ``att_<id>`` and ``why_<id>``); for a
    talk, a checkbox per member says who took part."""

    def __init__(
        self, *args: Any, members: list[Member], current: dict[int, tuple[str, str]], chosen: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        self.chosen = chosen
        for member in members:
            status, reason = current.get(member.pk, ("", ""))
            if chosen:
                self.fields[f"att_{member.pk}"] = forms.BooleanField(
                    label=member.name, required=False, initial=bool(status)
                )
            else:
                self.fields[f"att_{member.pk}"] = forms.ChoiceField(
                    label=member.name,
                    choices=AttendanceStatus.choices,
                    initial=status or AttendanceStatus.PRESENT,
                    widget=forms.RadioSelect,
                )
                self.fields[f"why_{member.pk}"] = forms.CharField(
                    label=_("Reason"), required=False, max_length=200, initial=reason
                )
                self.fields[f"why_{member.pk}"].widget.attrs.update(
                    {"class": "form-control form-control-sm", "placeholder": _("Reason if excused or not due")}
                )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"member": m, "status": self[f"att_{m.pk}"], "reason": None if self.chosen else self[f"why_{m.pk}"]}
            for m in self.members
        ]

    def entries(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        if self.chosen:
            return {m.pk: (AttendanceStatus.PRESENT, "") for m in self.members if data.get(f"att_{m.pk}")}
        return {m.pk: (data[f"att_{m.pk}"], data.get(f"why_{m.pk}", "")) for m in self.members}


class VoteForm(StyledModelForm):
    class Meta:
        model = Vote
        fields = [
            "subject",
            "title",
            "member",
            "votes_for",
            "votes_against",
            "abstentions",
            "written_for",
            "written_against",
            "secret_ballot",
        ]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(organization=organization).order_by("name_pinyin")  # type: ignore[attr-defined]


class AttachmentForm(StyledModelForm):
    # Photos, scans and documents; kept out of the public media URL (served by a scoped view).
    ALLOWED = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt")
    MAX_BYTES = 20 * 1024 * 1024

    class Meta:
        model = EventAttachment
        fields = ["kind", "file", "description"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(self.ALLOWED):
            raise forms.ValidationError(
                _("Attach a photo, a PDF or an office document (%(types)s).") % {"types": ", ".join(self.ALLOWED)}
            )
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class SignInForm(StyledForm):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "000000"}
        ),
        help_text=_("The six digits the host shows at the meeting."),
    )


class PlanForm(StyledForm):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    quarter = forms.CharField(label=_("Quarter"), help_text=_("For example 2027-Q1."))
    day_of_month = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        initial=1,
        help_text=_("The fixed day for the month's meetings and the theme party day (L6)."),
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_quarter(self) -> rules.Span:
        try:
            span = rules.parse_span(self.cleaned_data["quarter"])
        except ValueError:
            span = None
        if span is None or span.period != "quarter":
            raise forms.ValidationError(_("Give a quarter as YYYY-Qn, for example 2027-Q1."))
        return span


class OverrideForm(StyledModelForm):
    class Meta:
        model = RequirementOverride
        fields = ["key", "organization", "sector", "org_kind", "count", "valid_from", "valid_to", "note"]

    def __init__(self, *args: Any, organizations: Any, can_set_sector: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"] = forms.ChoiceField(
            label=_("Requirement"),
            choices=[(r.key, f"{r.rule} · {r.label}") for r in rules.REQUIREMENTS],
        )
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        if not can_set_sector:
            for name in ("sector", "org_kind"):
                del self.fields[name]
            self.fields["organization"].required = True
