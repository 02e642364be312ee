"""Rules of the member registry: resident ID numbers (GB 11643), status transitions,
transfers (T1-T5) and the figures they use. Pure functions; no database access."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_years, age_on
from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.members.choices import ACTIVE_STATUSES, Gender, Status, Transition

CONSTITUTION = _("Party Constitution (2017/2022)")
DEV_RULES = _("Detailed Rules on Developing Party Members (2014)")
EDU_REGS = _("Regulations on Party Member Education and Management (2019)")

MIN_AGE = Figure(
    key="D1.min_age",
    rule="D1",
    default=18,
    description=_("Minimum age in full years"),
    source=DEV_RULES,
)
PROBATION_YEARS = Figure(
    key="D19.probation_years",
    rule="D19",
    default=1,
    description=_("Probation in years, from the branch general meeting"),
    source=CONSTITUTION,
)
PROBATION_EXTENSION_MAX_MONTHS = Figure(
    key="D20.extension_max_months",
    rule="D20",
    default=12,
    description=_("Longest extension of probation, in months"),
    source=CONSTITUTION,
)
LETTER_VALIDITY_DAYS = Figure(
    key="T4.letter_validity_days",
    rule="T4",
    default={"same_city": 10, "elsewhere": 30, "max": 90},
    description=_("Validity of a transfer introduction letter in days"),
    source=EDU_REGS,
    confidence=Confidence.CHECK,
)
RECEIPT_DAYS = Figure(
    key="T3.receipt_days",
    rule="T3",
    default=30,
    description=_("Days within which the receiving organization returns the receipt"),
    source=EDU_REGS,
    confidence=Confidence.LOCAL,
)
register(
    MIN_AGE,
    PROBATION_YEARS,
    PROBATION_EXTENSION_MAX_MONTHS,
    LETTER_VALIDITY_DAYS,
    RECEIPT_DAYS,
)

# --- Resident ID numbers (GB 11643-1999) --------------------------------------------

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# Province-level codes of GB/T 2260 (first two digits of an ID number).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)


@dataclass(frozen=True)
class ParsedId:
    number: str
    birth_date: dt.date
    gender: str


class IdNumberError(ValueError):
    """An ID number that fails GB 11643; ``message`` says how, for people."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def normalize_id_number(raw: str) -> str:
    """Upper-case, without spaces, full-width digits and Ｘ (Chinese input methods) made
    half-width."""
    return "".join(unicodedata.normalize("NFKC", str(raw)).split()).upper()


def check_character(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: str, today: dt.date | None = None) -> ParsedId:
    """Validate an 18-character resident ID number and read birth date and gender.

    Raises ``IdNumberError`` naming what is wrong: length, characters, region, date,
    or the check character.
    """
    number = normalize_id_number(raw)
    if len(number) != 18:
        raise IdNumberError(_("An ID number has 18 characters; this one has %(n)s.") % {"n": len(number)})
    if not _ID_SHAPE.match(number):
        raise IdNumberError(_("An ID number is 17 digits followed by a digit or X."))
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(_("%(code)s is not a province code; the ID number is mistyped.") % {"code": number[:2]})
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(
            _("Digits 7 to 14 (%(digits)s) are not a valid birth date.") % {"digits": number[6:14]}
        ) from None
    if today and birth > today:
        raise IdNumberError(_("The birth date in the ID number is in the future."))
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            _("The check character is %(given)s but should be %(expected)s: a digit is mistyped.")
            % {"given": number[17], "expected": expected}
        )
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return ParsedId(number=number, birth_date=birth, gender=gender)


def identity_problems(
    id_number: str, birth_date: dt.date | None, gender: str | None, today: dt.date
) -> dict[str, str | Promise]:
    """Field -> message for an ID number that is invalid or disagrees with the birth date
    or gender entered (empty if all agree). Blank birth date or gender are not problems:
    they are taken from the ID number."""
    try:
        parsed = parse_id_number(id_number, today)
    except IdNumberError as exc:
        return {"id_number": exc.message}
    problems: dict[str, str | Promise] = {}
    if birth_date and birth_date != parsed.birth_date:
        problems["birth_date"] = _("The ID number says the birth date is %(date)s.") % {
            "date": parsed.birth_date.isoformat()
        }
    if gender and gender != parsed.gender:
        problems["gender"] = _("The ID number says the gender is %(gender)s.") % {"gender": Gender(parsed.gender).label}
    return problems


def mask_id_number(last4: str) -> str:
    return "*" * 14 + last4 if last4 else ""


def mask_phone(phone: str) -> str:
    """138****5678 for an 11-digit mobile number; other numbers keep their last 4."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 4) + digits[-4:]


# --- Status transitions -----------------------------------------------------------------

# transition -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Transition.MADE_FULL: (frozenset({Status.PROBATIONARY}), Status.FULL),
    Transition.TRANSFERRED_OUT: (ACTIVE_STATUSES, Status.TRANSFERRED_OUT),
    Transition.TRANSFERRED_IN: (ACTIVE_STATUSES | {Status.TRANSFERRED_OUT}, None),
    Transition.DECEASED: (ACTIVE_STATUSES, Status.DECEASED),
    Transition.EXPELLED: (ACTIVE_STATUSES, Status.EXPELLED),
    Transition.WITHDRAWN: (ACTIVE_STATUSES, Status.WITHDRAWN),
    Transition.REMOVED: (ACTIVE_STATUSES, Status.REMOVED),
    Transition.PROBATION_CANCELLED: (frozenset({Status.PROBATIONARY}), Status.PROBATION_CANCELLED),
}

# Transitions a user records directly on a member's page (transfers have their own flow).
MANUAL_TRANSITIONS = (
    Transition.MADE_FULL,
    Transition.DECEASED,
    Transition.EXPELLED,
    Transition.WITHDRAWN,
    Transition.REMOVED,
    Transition.PROBATION_CANCELLED,
)


def transition_problems(
    transition: str,
    *,
    status: str,
    on: dt.date,
    today: dt.date,
    joined_on: dt.date | None,
    last_change_on: dt.date | None,
) -> list[str | Promise]:
    """Why ``transition`` cannot be recorded for a member in ``status`` on ``on``."""
    problems: list[str | Promise] = []
    allowed_from, _target = TRANSITIONS[transition]
    if status not in allowed_from:
        problems.append(
            _("A member who is “%(status)s” cannot be “%(transition)s”.")
            % {"status": Status(status).label, "transition": Transition(transition).label}
        )
    if on > today:
        problems.append(_("The date is in the future."))
    if last_change_on and on < last_change_on:
        problems.append(
            _("The member's last recorded change was on %(date)s; this one cannot be earlier.")
            % {"date": last_change_on.isoformat()}
        )
    if transition == Transition.MADE_FULL and joined_on:
        earliest = add_years(joined_on, value(PROBATION_YEARS.key, joined_on))
        if on < earliest:
            problems.append(
                _(
                    "Probation lasts %(years)s year(s) from admission on %(joined)s (D19): "
                    "full membership is possible from %(earliest)s."
                )
                % {
                    "years": value(PROBATION_YEARS.key, joined_on),
                    "joined": joined_on.isoformat(),
                    "earliest": earliest.isoformat(),
                }
            )
    return problems


def admission_problems(birth_date: dt.date, joined_on: dt.date, today: dt.date) -> dict[str, str | Promise]:
    """Problems with an admission date: in the future, or before the minimum age (D1)."""
    problems: dict[str, str | Promise] = {}
    min_age = value(MIN_AGE.key, joined_on)
    if joined_on > today:
        problems["joined_on"] = _("The admission date is in the future.")
    elif age_on(birth_date, joined_on) < min_age:
        problems["joined_on"] = _("On %(date)s the member was %(age)s; the minimum age is %(min)s (D1).") % {
            "date": joined_on.isoformat(),
            "age": age_on(birth_date, joined_on),
            "min": min_age,
        }
    return problems


def full_date_problems(joined_on: dt.date, full_on: dt.date | None, today: dt.date) -> dict[str, str | Promise]:
    """Problems with a full-membership date entered with an existing member's record."""
    if full_on is None:
        return {}
    if full_on > today:
        return {"full_on": _("The full-membership date is in the future.")}
    earliest = add_years(joined_on, value(PROBATION_YEARS.key, joined_on))
    if full_on < earliest:
        return {
            "full_on": _(
                "Full membership comes at the earliest %(years)s year(s) after admission (D19), on %(earliest)s."
            )
            % {"years": value(PROBATION_YEARS.key, joined_on), "earliest": earliest.isoformat()}
        }
    return {}


def letter_valid_until(issued_on: dt.date, same_city: bool) -> dt.date:
    """Last day an introduction letter issued on ``issued_on`` is valid (T4)."""
    table = value(LETTER_VALIDITY_DAYS.key, issued_on)
    days = min(table["same_city" if same_city else "elsewhere"], table["max"])
    return issued_on + dt.timedelta(days=days)


def receipt_due_on(issued_on: dt.date) -> dt.date:
    """Date by which the receiving organization should accept (T3)."""
    return issued_on + dt.timedelta(days=value(RECEIPT_DAYS.key, issued_on))
