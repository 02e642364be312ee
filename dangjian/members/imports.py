"""Importing a member roster (.xlsx or .csv): every row is checked by the same rules as
the member form, then all rows are written in one transaction, or none."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.imports import (
    CheckResult,
    Column,
    Importer,
    RowError,
    choice_parser,
    parse_bool,
    parse_date,
    parse_text,
    register,
)
from dangjian.members.choices import Education, Gender, Occupation, Status, Transition
from dangjian.members.ethnicities import Ethnicity
from dangjian.members.models import Member, StatusChange
from dangjian.orgs import figures
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization, PartyGroup

# Short forms people write in rosters.
GENDER_ALIASES = {"男": Gender.MALE, "女": Gender.FEMALE, "male": Gender.MALE, "female": Gender.FEMALE}
STATUS_ALIASES = {
    "正式": Status.FULL,
    "预备": Status.PROBATIONARY,
    "正式党员": Status.FULL,
    "预备党员": Status.PROBATIONARY,
}


def _ethnicity_aliases() -> dict[str, str]:
    """汉族 and 汉 both mean Han: accept the Chinese name without the 族 suffix."""
    from django.utils import translation

    aliases = {}
    for code, label in Ethnicity.choices:
        with translation.override("zh-hans"):
            chinese = str(label)
        if chinese.endswith("族") and len(chinese) >= 2:
            aliases[chinese[:-1]] = code
    return aliases


class MemberImporter(Importer):
    kind = "members"
    title = gettext_lazy("Member roster")
    area = "members"
    done_url = "members:list"
    done_label = gettext_lazy("See the members")
    instructions = [
        gettext_lazy("One member per row; the first row holds the column headers (Chinese, English or both)."),
        gettext_lazy("Birth date and gender may be left blank: they are read from the ID number."),
        gettext_lazy("The organization is given by its organization code and must be a branch in your scope."),
        gettext_lazy(
            "If any row has an error, nothing is imported: fix the rows listed in the report and upload again."
        ),
    ]
    columns = [
        Column(
            "organization",
            gettext_lazy("Organization code"),
            required=True,
            parse=parse_text,
            help=gettext_lazy("The code shown on the organization's page."),
        ),
        Column("name", gettext_lazy("Name"), required=True, parse=parse_text),
        Column(
            "id_number",
            gettext_lazy("Resident ID number"),
            required=True,
            parse=parse_text,
            help=gettext_lazy("18 characters; format the column as text in Excel."),
        ),
        Column("gender", gettext_lazy("Gender"), parse=choice_parser(Gender.choices, GENDER_ALIASES)),
        Column("birth_date", gettext_lazy("Birth date"), parse=parse_date),
        Column("ethnicity", gettext_lazy("Ethnicity"), parse=choice_parser(Ethnicity.choices, _ethnicity_aliases)),
        Column("education", gettext_lazy("Education"), parse=choice_parser(Education.choices)),
        Column("occupation", gettext_lazy("Occupation category"), parse=choice_parser(Occupation.choices)),
        Column("workplace", gettext_lazy("Workplace"), parse=parse_text),
        Column("phone", gettext_lazy("Phone"), parse=parse_text),
        Column(
            "status",
            gettext_lazy("Party status"),
            required=True,
            parse=choice_parser([(s.value, s.label) for s in (Status.PROBATIONARY, Status.FULL)], STATUS_ALIASES),
            help=gettext_lazy("Full member or probationary member."),
        ),
        Column(
            "joined_on",
            gettext_lazy("Admitted on"),
            required=True,
            parse=parse_date,
            help=gettext_lazy("Date of the branch general meeting that admitted the member."),
        ),
        Column("full_on", gettext_lazy("Full member since"), parse=parse_date),
        Column(
            "party_group",
            gettext_lazy("Party group"),
            parse=parse_text,
            help=gettext_lazy("Name of an existing party group of the branch."),
        ),
        Column("is_mobile", gettext_lazy("Mobile member"), parse=parse_bool, help=gettext_lazy("是/否 (yes/no)")),
        Column("mobile_location", gettext_lazy("Where the member is"), parse=parse_text),
    ]

    def check_rows(self, rows: list[tuple[int, dict[str, Any]]], user: Any, today: dt.date) -> CheckResult:
        result = CheckResult()
        codes = {values["organization"] for _row, values in rows}
        orgs = {org.code: org for org in Organization.objects.restrict(user).filter(code__in=codes)}
        groups = {
            (group.organization_id, group.name): group
            for group in PartyGroup.objects.filter(organization__in=[o.pk for o in orgs.values()])
        }
        members: list[tuple[int, Member]] = []
        for row, values in rows:
            errors: list[RowError] = []
            org = orgs.get(values["organization"].upper())
            if org is None:
                errors.append(
                    RowError(
                        row,
                        _("Organization code"),
                        values["organization"],
                        _("No organization with this code in your scope."),
                    )
                )
            elif org.kind != OrgKind.BRANCH:
                errors.append(
                    RowError(
                        row,
                        _("Organization code"),
                        values["organization"],
                        _("%(org)s is not a branch; members belong to branches.") % {"org": org.name},
                    )
                )
            member = Member(
                organization=org if org and org.kind == OrgKind.BRANCH else None,
                gender=values.get("gender") or "",
                birth_date=values.get("birth_date"),
                ethnicity=values.get("ethnicity") or Ethnicity.HAN,
                education=values.get("education") or "",
                occupation=values.get("occupation") or "",
                workplace=values.get("workplace") or "",
                phone=values.get("phone") or "",
                status=values["status"],
                joined_on=values["joined_on"],
                full_on=values.get("full_on"),
                is_mobile=bool(values.get("is_mobile")),
                mobile_location=values.get("mobile_location") or "",
            )
            member.set_name(values["name"])
            member.id_number = values["id_number"]
            if values.get("party_group") and member.organization is not None:
                group = groups.get((member.organization.pk, values["party_group"]))
                if group is None:
                    errors.append(
                        RowError(
                            row,
                            _("Party group"),
                            values["party_group"],
                            _("The branch has no party group of this name."),
                        )
                    )
                member.party_group = group
            for field, message in member.rule_problems(today).items():
                errors.append(RowError(row, _label(field), _cell(values, field), str(message)))
            result.errors += errors
            if not errors:
                members.append((row, member))
        result.errors += self._duplicates(members)
        result.items = [m for _row, m in members]
        result.preview = [_preview(m) for _row, m in members[:20]]
        return result

    @staticmethod
    def _duplicates(members: list[tuple[int, Member]]) -> list[RowError]:
        """ID numbers repeated within the file or already registered: two queries at most
        per 1000 rows, never one per row."""
        errors: list[RowError] = []
        counts = Counter(m.id_number_digest for _row, m in members)
        digests = list(counts)
        existing: set[str] = set()
        for start in range(0, len(digests), 1000):
            existing |= set(
                Member.objects.filter(id_number_digest__in=digests[start : start + 1000]).values_list(
                    "id_number_digest", flat=True
                )
            )
        first_row: dict[str, int] = {}
        for row, member in members:
            digest = member.id_number_digest
            label = _("Resident ID number")
            if digest in existing:
                errors.append(
                    RowError(
                        row, label, member.id_number_masked, _("A member with this ID number is already registered.")
                    )
                )
            elif counts[digest] > 1:
                if digest in first_row:
                    errors.append(
                        RowError(
                            row,
                            label,
                            member.id_number_masked,
                            _("The same ID number is already on row %(row)s.") % {"row": first_row[digest]},
                        )
                    )
                else:
                    first_row[digest] = row
        return errors

    def write(self, items: list[Member], user: Any, progress: Callable[[int], None]) -> int:
        batch_size = settings.IMPORT_BATCH_SIZE
        written = 0
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            saved = Member.objects.bulk_create(chunk, batch_size=batch_size)
            if any(m.pk is None for m in saved):  # databases that do not return keys
                saved = list(Member.objects.filter(id_number_digest__in=[m.id_number_digest for m in chunk]))
            StatusChange.objects.bulk_create(
                [
                    StatusChange(
                        member=m,
                        transition=Transition.REGISTERED,
                        on=m.joined_on,
                        reason=_("Imported from a roster"),
                        to_status=m.status,
                        organization_id=m.organization_id,
                    )
                    for m in saved
                ],
                batch_size=batch_size,
            )
            audit.record_many(user, "create", saved, note=_("Imported from a roster"))
            written += len(chunk)
            progress(written)
        figures.refresh({m.organization_id for m in items})
        _check_scope(user, items)
        return written


def _check_scope(user: Any, items: list[Member]) -> None:
    """Every imported member must be inside the importer's scope (re-checked after the
    writes, inside the transaction, like every action)."""
    digests = [m.id_number_digest for m in items]
    in_scope = 0
    for start in range(0, len(digests), 1000):
        in_scope += (
            Member.objects.restrict(user, Action.ADD).filter(id_number_digest__in=digests[start : start + 1000]).count()
        )
    if in_scope != len(items):
        from dangjian.core.scoping import OutOfScope

        raise OutOfScope


def _label(field: str) -> str:
    labels = {c.key: str(c.label) for c in MemberImporter.columns}
    return labels.get(field, field)


def _cell(values: dict[str, Any], field: str) -> str:
    value = values.get(field)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _preview(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "organization": member.organization.name if member.organization else "",
        "gender": str(Gender(member.gender).label) if member.gender else "",
        "birth_date": member.birth_date.isoformat() if member.birth_date else "",
        "id_number": member.id_number_masked,
        "status": str(Status(member.status).label),
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
    }


register(MemberImporter())
