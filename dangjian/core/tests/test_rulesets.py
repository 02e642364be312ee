"""Regulation figures as versioned data: defaults, official versions, local overrides set
through ``set_figure`` that apply from their effective date only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import rulesets
from dangjian.core.actions import set_figure
from dangjian.core.models import AuditEntry, FigureOverride
from dangjian.core.rulesets import Confidence, Figure, history, register, value
from dangjian.core.testing import Cast
from dangjian.members import rules as member_rules
from dangjian.orgs import rules as org_rules

RECEIPT = member_rules.RECEIPT_DAYS.key  # T3, local, default 30
LETTER = member_rules.LETTER_VALIDITY_DAYS.key  # T4, check, default table
NOTICE = org_rules.RENEWAL_NOTICE_MONTHS.key  # O9, local, default 2
MIN_AGE = member_rules.MIN_AGE.key  # D1, firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def versioned(monkeypatch: pytest.MonkeyPatch) -> Figure:
    """A local figure with two later official versions, registered for the test only."""
    fig = Figure(
        key="TEST.versioned",
        rule="T0",
        default=10,
        description="test figure",
        source="test",
        confidence=Confidence.LOCAL,
        versions=((dt.date(2020, 1, 1), 20), (dt.date(2025, 7, 1), 30)),
    )
    monkeypatch.setitem(rulesets.REGISTRY, fig.key, fig)
    return fig


def put(key: str, new: object, effective_from: dt.date, actor: object = None) -> FigureOverride:
    return set_figure(key=key, value=new, effective_from=effective_from, note="county notice", actor=actor)


# --- Defaults and official versions ---------------------------------------------------------


def test_defaults_of_the_registered_figures() -> None:
    assert value(MIN_AGE, dt.date(2026, 1, 1)) == 18
    assert value(RECEIPT, dt.date(2026, 1, 1)) == 30
    assert value(NOTICE, dt.date(2026, 1, 1)) == 2
    assert value(LETTER, dt.date(2026, 1, 1)) == {"same_city": 10, "elsewhere": 30, "max": 90}


def test_official_versions_apply_from_their_date(versioned: Figure) -> None:
    assert value(versioned.key, dt.date(2019, 12, 31)) == 10
    assert value(versioned.key, dt.date(2020, 1, 1)) == 20
    assert value(versioned.key, dt.date(2025, 6, 30)) == 20
    assert value(versioned.key, dt.date(2025, 7, 1)) == 30
    assert value(versioned.key, dt.date(2099, 1, 1)) == 30


def test_value_without_a_date_is_the_value_in_force_today(versioned: Figure, time_machine) -> None:
    time_machine.move_to(dt.datetime(2025, 6, 30, 23, 0, tzinfo=dt.UTC))  # already 1 July in Shanghai
    assert value(versioned.key) == 30
    time_machine.move_to(dt.datetime(2025, 6, 30, 15, 0, tzinfo=dt.UTC))  # 23:00 on 30 June in Shanghai
    assert value(versioned.key) == 20


def test_history_lists_default_official_and_local_values_in_date_order(versioned: Figure) -> None:
    put(versioned.key, 25, dt.date(2023, 3, 1))
    put(versioned.key, 40, dt.date(2026, 1, 1))
    assert history(versioned.key) == [
        (None, 10, "default"),
        (dt.date(2020, 1, 1), 20, "official"),
        (dt.date(2023, 3, 1), 25, "local"),
        (dt.date(2025, 7, 1), 30, "official"),
        (dt.date(2026, 1, 1), 40, "local"),
    ]
    # A later official version replaces an earlier local value, and the reverse.
    assert value(versioned.key, dt.date(2023, 2, 28)) == 20
    assert value(versioned.key, dt.date(2023, 3, 1)) == 25
    assert value(versioned.key, dt.date(2025, 7, 1)) == 30
    assert value(versioned.key, dt.date(2026, 1, 1)) == 40


def test_register_refuses_a_key_twice_with_different_data(versioned: Figure) -> None:
    register(versioned)  # the same figure again is harmless
    with pytest.raises(ValueError, match=r"TEST\.versioned"):
        register(Figure(key=versioned.key, rule="T0", default=11, description="other", source="test"))
    assert rulesets.REGISTRY[versioned.key] is versioned


def test_only_local_and_check_figures_are_configurable() -> None:
    assert rulesets.REGISTRY[RECEIPT].configurable
    assert rulesets.REGISTRY[LETTER].configurable
    assert rulesets.REGISTRY[NOTICE].configurable
    assert not rulesets.REGISTRY[MIN_AGE].configurable
    assert not rulesets.REGISTRY[org_rules.TERM_YEARS.key].configurable


# --- Local overrides ---------------------------------------------------------------------------


def test_override_applies_from_its_effective_date_only() -> None:
    put(RECEIPT, 20, dt.date(2026, 4, 1))
    assert value(RECEIPT, dt.date(2026, 3, 31)) == 30
    assert value(RECEIPT, dt.date(2026, 4, 1)) == 20
    assert value(RECEIPT, dt.date(2030, 1, 1)) == 20


def test_later_override_replaces_an_earlier_one_from_its_date() -> None:
    put(RECEIPT, 20, dt.date(2026, 4, 1))
    put(RECEIPT, 45, dt.date(2026, 10, 1))
    assert [value(RECEIPT, d) for d in (dt.date(2026, 1, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 1))] == [
        30,
        20,
        45,
    ]


def test_setting_the_same_date_again_replaces_the_value(cast: Cast) -> None:
    first = put(RECEIPT, 20, dt.date(2026, 4, 1), actor=cast.county_admin)
    second = put(RECEIPT, 25, dt.date(2026, 4, 1), actor=cast.county_admin)
    assert first.pk == second.pk
    assert FigureOverride.objects.filter(key=RECEIPT).count() == 1
    assert value(RECEIPT, dt.date(2026, 4, 1)) == 25


def test_set_figure_is_audited(cast: Cast) -> None:
    override = put(NOTICE, 3, dt.date(2026, 1, 1), actor=cast.county_admin)
    entry = AuditEntry.objects.for_object(override).get()
    assert entry.actor == cast.county_admin and entry.action == "update"
    assert entry.changes == {NOTICE: [None, 3]}
    assert entry.note == "county notice"
    assert override.set_by == cast.county_admin


def test_set_figure_takes_effect_at_once_despite_the_cache(django_assert_num_queries) -> None:
    assert value(RECEIPT, dt.date(2026, 6, 1)) == 30  # loads and caches the overrides
    with django_assert_num_queries(0):
        assert value(RECEIPT, dt.date(2026, 6, 1)) == 30  # served from the cache
    put(RECEIPT, 14, dt.date(2026, 1, 1))
    assert value(RECEIPT, dt.date(2026, 6, 1)) == 14


def test_firm_figures_ignore_stray_override_rows() -> None:
    # set_figure refuses firm figures, so the row is written directly: a value left in the
    # table (e.g. from before a figure became firm) must not change a national figure.
    FigureOverride.objects.create(key=MIN_AGE, value=16, effective_from=dt.date(2020, 1, 1), note="stray")
    rulesets.forget_overrides()
    assert value(MIN_AGE, dt.date(2026, 1, 1)) == 18


# --- set_figure validation ---------------------------------------------------------------------


@pytest.mark.parametrize("key", [MIN_AGE, org_rules.TERM_YEARS.key, org_rules.BRANCH_MAX_MEMBERS.key, "NOPE.unknown"])
def test_set_figure_refuses_firm_and_unknown_figures(key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        put(key, 1, dt.date(2026, 1, 1))
    assert "key" in exc.value.message_dict
    assert not FigureOverride.objects.exists()


@pytest.mark.parametrize("bad", [-1, "30", True, None, [30], {"days": 30}])
def test_set_figure_refuses_a_number_figure_given_something_else(bad: object) -> None:
    with pytest.raises(ValidationError) as exc:
        put(RECEIPT, bad, dt.date(2026, 1, 1))
    assert "value" in exc.value.message_dict
    assert value(RECEIPT, dt.date(2026, 6, 1)) == 30


@pytest.mark.parametrize("good", [0, 15, 45])
def test_set_figure_accepts_zero_or_more(good: int) -> None:
    put(RECEIPT, good, dt.date(2026, 1, 1))
    assert value(RECEIPT, dt.date(2026, 6, 1)) == good


@pytest.mark.parametrize(
    "bad",
    [
        {"same_city": 10, "elsewhere": 30},  # a key missing
        {"same_city": 10, "elsewhere": 30, "max": 90, "abroad": 180},  # a key too many
        {"same_city": 10, "other": 30, "max": 90},  # a key renamed
        30,
        [10, 30, 90],
    ],
)
def test_set_figure_refuses_a_table_of_another_shape(bad: object) -> None:
    with pytest.raises(ValidationError) as exc:
        put(LETTER, bad, dt.date(2026, 1, 1))
    assert "same_city" in str(exc.value.message_dict["value"])


def test_set_figure_accepts_a_table_with_the_same_keys() -> None:
    put(LETTER, {"same_city": 15, "elsewhere": 60, "max": 180}, dt.date(2026, 1, 1))
    assert value(LETTER, dt.date(2026, 1, 1))["elsewhere"] == 60
    assert value(LETTER, dt.date(2025, 12, 31))["elsewhere"] == 30


def test_set_figure_checks_the_length_of_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    fig = Figure(key="TEST.range", rule="T0", default=[1, 2], description="t", source="t", confidence=Confidence.CHECK)
    monkeypatch.setitem(rulesets.REGISTRY, fig.key, fig)
    with pytest.raises(ValidationError):
        put(fig.key, [1, 2, 3], dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        put(fig.key, 1, dt.date(2026, 1, 1))
    put(fig.key, [2, 4], dt.date(2026, 1, 1))
    assert value(fig.key, dt.date(2026, 1, 1)) == [2, 4]


def test_set_figure_refuses_a_fractional_number_of_months() -> None:
    with pytest.raises(ValidationError):
        put(NOTICE, 2.5, dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    "bad",
    [
        {"same_city": "ten", "elsewhere": 30, "max": 90},
        {"same_city": -10, "elsewhere": 30, "max": 90},
        {"same_city": None, "elsewhere": 30, "max": 90},
    ],
)
def test_set_figure_refuses_a_table_with_values_that_are_not_numbers(bad: object) -> None:
    with pytest.raises(ValidationError):
        put(LETTER, bad, dt.date(2026, 1, 1))
