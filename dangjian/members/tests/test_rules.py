"""Rules of the member registry: GB 11643 ID numbers, masking, status transitions (D19),
admission age (D1), transfers (T3, T4) and mobile members (T5)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dangjian.core.actions import set_figure
from dangjian.members.choices import Gender, Status, Transition
from dangjian.members.rules import (
    PROVINCE_CODES,
    TRANSITIONS,
    IdNumberError,
    admission_problems,
    check_character,
    full_date_problems,
    identity_problems,
    letter_valid_until,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    parse_id_number,
    receipt_due_on,
    transition_problems,
)

# The worked example of GB 11643-1999: born 31 December 1949, female, check character X.
EXAMPLE = "11010519491231002X"
TODAY = dt.date(2026, 11, 23)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def first17s(draw: st.DrawFn) -> str:
    """17 digits with a real province code and a real birth date."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 11, 23)))
    serial = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{province}{region}{birth:%Y%m%d}{serial}"


def problems_for(transition: str, **kwargs: object) -> list[str]:
    args: dict[str, object] = {
        "status": Status.PROBATIONARY,
        "on": TODAY,
        "today": TODAY,
        "joined_on": None,
        "last_change_on": None,
    }
    args.update(kwargs)
    return [str(p) for p in transition_problems(transition, **args)]  # type: ignore[arg-type]


# --- GB 11643 ID numbers ---------------------------------------------------------------------


def test_the_standard_example_parses() -> None:
    parsed = parse_id_number(EXAMPLE)
    assert parsed.number == EXAMPLE
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == Gender.FEMALE  # 17th digit 2 is even


def test_check_character_maps_the_remainder_through_the_table() -> None:
    assert check_character(EXAMPLE[:17]) == "X"  # remainder 2
    assert check_character("00000000000000000") == "1"  # remainder 0
    assert check_character("00000000000000001") == "X"  # weight 2 → remainder 2
    assert check_character("10000000000000000") == "5"  # weight 7 → remainder 7


@given(first17s())
def test_any_17_digits_with_their_check_character_parse(first17: str) -> None:
    number = first17 + check_character(first17)
    parsed = parse_id_number(number)
    assert parsed.number == number
    assert parsed.birth_date == dt.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
    assert parsed.gender == (Gender.MALE if int(first17[16]) % 2 else Gender.FEMALE)


@given(first17s(), st.integers(min_value=0, max_value=16), digits)
def test_any_single_digit_change_is_rejected(first17: str, position: int, digit: str) -> None:
    number = first17 + check_character(first17)
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    with pytest.raises(IdNumberError):
        parse_id_number(changed)


@given(first17s(), st.sampled_from("0123456789X"))
def test_any_other_check_character_is_rejected(first17: str, check: str) -> None:
    assume(check != check_character(first17))
    with pytest.raises(IdNumberError, match="check character"):
        parse_id_number(first17 + check)


@given(first17s(), st.integers(min_value=0, max_value=15))
def test_swapping_adjacent_digits_is_rejected(first17: str, position: int) -> None:
    assume(first17[position] != first17[position + 1])
    number = first17 + check_character(first17)
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    with pytest.raises(IdNumberError):
        parse_id_number(swapped)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", EXAMPLE),
        ("11010519491231002Ｘ", EXAMPLE),  # full-width X
        (" 110105 19491231 002X\t", EXAMPLE),
        ("110105194912310021", "110105194912310021"),
    ],
)
def test_normalize_id_number(raw: str, expected: str) -> None:
    assert normalize_id_number(raw) == expected


@pytest.mark.parametrize("raw", ["11010519491231002x", " 110105 1949 1231 002X ", "11010519491231002Ｘ"])
def test_lower_case_spaced_and_full_width_x_are_accepted(raw: str) -> None:
    assert parse_id_number(raw).number == EXAMPLE


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "18 characters"),
        (EXAMPLE[:17], "18 characters; this one has 17"),
        (EXAMPLE + "1", "18 characters; this one has 19"),
        ("1101051949123100XX", "17 digits"),
        ("11010519491231A02X", "17 digits"),
        ("11010519491231002Y", "17 digits"),
        ("00010519491231002X", "00 is not a province code"),
        ("99010519491231002X", "99 is not a province code"),
        ("19010519491231002X", "19 is not a province code"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(raw)
    assert message in str(exc.value.message)


def with_birth(birth: str) -> str:
    first17 = f"110105{birth}001"
    return first17 + check_character(first17)


@pytest.mark.parametrize("birth", ["19000229", "20230229", "20260230", "20261301", "20260000", "20260431"])
def test_impossible_birth_dates_are_rejected(birth: str) -> None:
    with pytest.raises(IdNumberError, match=birth):
        parse_id_number(with_birth(birth))


@pytest.mark.parametrize("birth", ["20000229", "20240229", "19991231", "20260430"])
def test_leap_days_and_month_ends_are_birth_dates(birth: str) -> None:
    assert parse_id_number(with_birth(birth)).birth_date.strftime("%Y%m%d") == birth


def test_birth_date_in_the_future_is_rejected_only_when_today_is_given() -> None:
    number = with_birth("20261124")
    with pytest.raises(IdNumberError, match="future"):
        parse_id_number(number, today=TODAY)
    assert parse_id_number(with_birth("20261123"), today=TODAY).birth_date == TODAY  # born today
    assert parse_id_number(number).birth_date == dt.date(2026, 11, 24)


def test_gender_follows_the_parity_of_the_17th_digit() -> None:
    for digit, gender in [("0", Gender.FEMALE), ("1", Gender.MALE), ("8", Gender.FEMALE), ("9", Gender.MALE)]:
        first17 = "1101051980051700" + digit
        assert parse_id_number(first17 + check_character(first17)).gender == gender


def test_full_width_digits_are_normalized() -> None:
    full_width = EXAMPLE.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert parse_id_number(full_width).number == EXAMPLE


def test_non_ascii_digits_are_an_id_problem_not_a_crash() -> None:
    problems = identity_problems("11²105198005170010", None, None, TODAY)
    assert set(problems) == {"id_number"}


def test_identity_problems_empty_when_all_agree_or_blank() -> None:
    assert identity_problems(EXAMPLE, dt.date(1949, 12, 31), Gender.FEMALE, TODAY) == {}
    assert identity_problems(EXAMPLE, None, None, TODAY) == {}
    assert identity_problems(EXAMPLE, None, "", TODAY) == {}


def test_identity_problems_name_the_field_that_disagrees() -> None:
    problems = identity_problems(EXAMPLE, dt.date(1949, 12, 30), Gender.MALE, TODAY)
    assert set(problems) == {"birth_date", "gender"}
    assert "1949-12-31" in str(problems["birth_date"])
    assert str(Gender.FEMALE.label) in str(problems["gender"])


def test_identity_problems_of_an_invalid_number_are_only_about_the_number() -> None:
    wrong_check = EXAMPLE[:17] + "1"
    problems = identity_problems(wrong_check, dt.date(2000, 1, 1), Gender.MALE, TODAY)
    assert set(problems) == {"id_number"}
    assert "should be X" in str(problems["id_number"])


# --- Masking ---------------------------------------------------------------------------------


def test_mask_id_number_keeps_the_last_four() -> None:
    assert mask_id_number("002X") == "**************002X"
    assert len(mask_id_number("002X")) == 18
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("010-62345678", "********5678"),
        ("5678", "****"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


# --- Status transitions (D19) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined_on", "day_before", "anniversary"),
    [
        (dt.date(2025, 3, 10), dt.date(2026, 3, 9), dt.date(2026, 3, 10)),
        (dt.date(2024, 12, 31), dt.date(2025, 12, 30), dt.date(2025, 12, 31)),  # year end
        (dt.date(2023, 2, 28), dt.date(2024, 2, 27), dt.date(2024, 2, 28)),  # into a leap year
        # Admitted on 29 February: one year later is 28 February in a common year.
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27), dt.date(2025, 2, 28)),
    ],
)
def test_D19_full_membership_not_before_one_year(joined_on: dt.date, day_before: dt.date, anniversary: dt.date) -> None:
    early = problems_for(Transition.MADE_FULL, on=day_before, joined_on=joined_on)
    assert len(early) == 1
    assert "D19" in early[0] and anniversary.isoformat() in early[0] and joined_on.isoformat() in early[0]
    assert problems_for(Transition.MADE_FULL, on=anniversary, joined_on=joined_on) == []
    assert problems_for(Transition.MADE_FULL, on=anniversary + dt.timedelta(days=1), joined_on=joined_on) == []


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2025, 11, 23)))
def test_D19_earliest_full_membership_is_the_first_anniversary(joined_on: dt.date) -> None:
    if (joined_on.month, joined_on.day) == (2, 29):
        anniversary = dt.date(joined_on.year + 1, 2, 28)
    else:
        anniversary = joined_on.replace(year=joined_on.year + 1)
    assert problems_for(Transition.MADE_FULL, on=anniversary, joined_on=joined_on) == []
    assert problems_for(Transition.MADE_FULL, on=anniversary - dt.timedelta(days=1), joined_on=joined_on)


def test_D19_not_checked_without_an_admission_date() -> None:
    assert problems_for(Transition.MADE_FULL, on=TODAY, joined_on=None) == []


def test_only_probationary_members_are_made_full() -> None:
    problems = problems_for(Transition.MADE_FULL, status=Status.FULL, joined_on=dt.date(2020, 1, 1))
    assert len(problems) == 1 and str(Status.FULL.label) in problems[0]


@pytest.mark.parametrize("transition", list(TRANSITIONS))
@pytest.mark.parametrize("status", list(Status))
def test_transitions_start_only_from_their_statuses(transition: str, status: str) -> None:
    allowed = TRANSITIONS[transition][0]
    problems = problems_for(transition, status=status)
    assert (problems == []) == (status in allowed)


def test_end_states_allow_no_transition_but_transferred_out_may_come_back() -> None:
    for status in (Status.DECEASED, Status.EXPELLED, Status.WITHDRAWN, Status.REMOVED):
        assert all(problems_for(t, status=status) for t in TRANSITIONS)
    assert problems_for(Transition.TRANSFERRED_IN, status=Status.TRANSFERRED_OUT) == []
    assert problems_for(Transition.DECEASED, status=Status.TRANSFERRED_OUT)


def test_transition_date_not_in_the_future() -> None:
    assert problems_for(Transition.DECEASED, on=TODAY) == []
    assert problems_for(Transition.DECEASED, on=TODAY + dt.timedelta(days=1)) == ["The date is in the future."]


def test_transition_not_before_the_last_recorded_change() -> None:
    last = dt.date(2026, 5, 1)
    assert problems_for(Transition.DECEASED, on=last, last_change_on=last) == []
    problems = problems_for(Transition.DECEASED, on=last - dt.timedelta(days=1), last_change_on=last)
    assert len(problems) == 1 and "2026-05-01" in problems[0]


def test_all_problems_are_reported_together() -> None:
    problems = problems_for(
        Transition.MADE_FULL,
        status=Status.FULL,
        on=TODAY + dt.timedelta(days=1),
        joined_on=TODAY,
        last_change_on=TODAY + dt.timedelta(days=5),
    )
    assert len(problems) == 4


# --- Admission (D1) and full-membership dates ----------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "too_young", "old_enough"),
    [
        (dt.date(2000, 6, 15), dt.date(2018, 6, 14), dt.date(2018, 6, 15)),
        (dt.date(2000, 1, 1), dt.date(2017, 12, 31), dt.date(2018, 1, 1)),
        # Born on 29 February: 18 on 1 March of a common year.
        (dt.date(2004, 2, 29), dt.date(2022, 2, 28), dt.date(2022, 3, 1)),
        # Born on 28 February, admitted in a leap year.
        (dt.date(2006, 2, 28), dt.date(2024, 2, 27), dt.date(2024, 2, 28)),
    ],
)
def test_D1_minimum_age_18_on_the_admission_date(birth: dt.date, too_young: dt.date, old_enough: dt.date) -> None:
    problems = admission_problems(birth, too_young, TODAY)
    assert set(problems) == {"joined_on"}
    message = str(problems["joined_on"])
    assert "D1" in message and "was 17" in message and "minimum age is 18" in message
    assert admission_problems(birth, old_enough, TODAY) == {}


def test_D1_only_one_problem_per_field_and_future_wins_over_age() -> None:
    """Underage on a future date: one message for the field, the date being in the future
    (the age check only means something for a date that has happened)."""
    problems = admission_problems(dt.date(2010, 1, 1), TODAY + dt.timedelta(days=1), TODAY)
    assert set(problems) == {"joined_on"} and "future" in str(problems["joined_on"])
    problems = admission_problems(dt.date(2010, 1, 1), TODAY - dt.timedelta(days=1), TODAY)
    assert "D1" in str(problems["joined_on"])


def test_admission_date_not_in_the_future() -> None:
    birth = dt.date(1990, 1, 1)
    assert admission_problems(birth, TODAY, TODAY) == {}
    problems = admission_problems(birth, TODAY + dt.timedelta(days=1), TODAY)
    assert "future" in str(problems["joined_on"])


def test_D19_full_date_entered_with_a_record() -> None:
    joined = dt.date(2024, 2, 29)
    assert full_date_problems(joined, None, TODAY) == {}
    assert full_date_problems(joined, dt.date(2025, 2, 28), TODAY) == {}
    early = full_date_problems(joined, dt.date(2025, 2, 27), TODAY)
    assert set(early) == {"full_on"} and "2025-02-28" in str(early["full_on"]) and "D19" in str(early["full_on"])
    future = full_date_problems(dt.date(2025, 1, 1), TODAY + dt.timedelta(days=1), TODAY)
    assert "future" in str(future["full_on"])


# --- Transfers (T3, T4) and mobile members (T5) --------------------------------------------------


@pytest.mark.django_db
def test_T4_letter_validity_default() -> None:
    issued = dt.date(2026, 1, 25)
    assert letter_valid_until(issued, same_city=True) == dt.date(2026, 2, 4)
    assert letter_valid_until(issued, same_city=False) == dt.date(2026, 2, 24)
    assert letter_valid_until(dt.date(2024, 2, 20), same_city=True) == dt.date(2024, 3, 1)  # leap February


@pytest.mark.django_db
def test_T4_override_changes_letters_issued_from_its_date_only() -> None:
    set_figure(
        key="T4.letter_validity_days",
        value={"same_city": 15, "elsewhere": 60, "max": 180},
        effective_from=dt.date(2026, 4, 1),
        note="provincial notice",
        actor=None,
    )
    assert letter_valid_until(dt.date(2026, 3, 31), same_city=True) == dt.date(2026, 4, 10)
    assert letter_valid_until(dt.date(2026, 3, 31), same_city=False) == dt.date(2026, 4, 30)
    assert letter_valid_until(dt.date(2026, 4, 1), same_city=True) == dt.date(2026, 4, 16)
    assert letter_valid_until(dt.date(2026, 4, 1), same_city=False) == dt.date(2026, 5, 31)


@pytest.mark.django_db
def test_T4_letter_never_valid_longer_than_the_maximum() -> None:
    set_figure(
        key="T4.letter_validity_days",
        value={"same_city": 10, "elsewhere": 120, "max": 90},
        effective_from=dt.date(2026, 1, 1),
        note="typo in the local notice",
        actor=None,
    )
    issued = dt.date(2026, 3, 1)
    assert letter_valid_until(issued, same_city=False) <= issued + dt.timedelta(days=90)


@pytest.mark.django_db
def test_T3_receipt_due_default_and_override_from_its_date() -> None:
    assert receipt_due_on(dt.date(2026, 1, 31)) == dt.date(2026, 3, 2)
    assert receipt_due_on(dt.date(2024, 1, 31)) == dt.date(2024, 3, 1)  # leap year
    set_figure(key="T3.receipt_days", value=15, effective_from=dt.date(2026, 6, 1), note="local rule", actor=None)
    assert receipt_due_on(dt.date(2026, 5, 31)) == dt.date(2026, 6, 30)
    assert receipt_due_on(dt.date(2026, 6, 1)) == dt.date(2026, 6, 16)
