"""Party dues of the province-size dataset, for the collection benchmark
(``manage.py seed_province_dues``, bench/dues.sh).

Every current member gets one dues standard, from January of the year of the payments (or
the month of admission, F8, if later): the category follows the member's occupation
(retired members F4, farmers F5 at the amount their branch set, students and the
unemployed F6, everyone else on salary F1, a few on annual salary F2 or self-employed F3)
with a monthly income base; the amount, rule, rate and bracket are computed in SQL from
the same figures as ``rules.monthly_dues`` (the brackets in force in each month, the
rounding unit), and a sample is checked against ``rules.monthly_dues``. About 1% are
exempted and 0.3% pay half (F7). Members who left have no standard (``set_standard``
gives standards to current members only), so they owe nothing here.

Then the regular payments of each month from January to the month before ``today``, at the
amount payable, collected by the member's branch. Members keep habits: most pay every
month within the month or early in the next, some pay a quarter at once after it ended,
some one to three months late, some irregularly, and some stopped paying at some month
(about half of them six months or more ago, the S1 case). Mobile members are less regular.
Nothing is paid after ``today``. A few members made a voluntary payment (F10).

Everything is generated in SQL on PostgreSQL (``INSERT … SELECT`` over
``generate_series``; random draws are ``hashint8extended`` of the member, the month and
the seed, so the same seed and ``today`` give the same rows, and the same ids in empty
tables), in one transaction, with the two tables' indexes and key constraints dropped
during the load and built again after it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.dues import rules
from dangjian.dues.choices import RATED
from dangjian.dues.models import DuesStandard, Payment
from dangjian.dues.queries import months_between
from dangjian.members.choices import ACTIVE_STATUSES

STANDARDS = DuesStandard._meta.db_table
PAYMENTS = Payment._meta.db_table
EXEMPTION_REASON = "生活困难，经上级党委批准免交党费（F7）"
REDUCTION_REASON = "生活困难，经上级党委批准减半交纳党费（F7）"
VOLUNTARY_NOTE = "自愿多交党费"

# How members pay: (habit, share of members who are not mobile, share of mobile members).
HABITS = (
    ("monthly", 0.81, 0.45),  # within the month (88%) or in the first days of the next
    ("quarterly", 0.07, 0.20),  # a quarter at once, in the first weeks after it ended
    ("late", 0.06, 0.10),  # every month, one to three months late
    ("irregular", 0.035, 0.10),  # 60% of the months, up to six weeks late
    ("lapsed", 0.025, 0.15),  # stopped paying at some month of the year
)


def _u(expr: str, salt: int, seed: int) -> str:
    """SQL of a uniform draw in [0, 1) fixed by ``expr`` (a bigint), ``salt`` and ``seed``."""
    return f"((hashint8extended(({expr})::bigint, {int(seed) * 1000 + salt}) & 2147483647)::float8 / 2147483648.0)"


class DuesBuilder:
    """Writes the standards and payments; see the module docstring."""

    def __init__(self, *, seed: int, today: dt.date, log: Callable[[str], Any]) -> None:
        self.seed = seed
        self.today = today
        self.log = log
        self.last = add_months(today.replace(day=1), -1)  # the last month paid for
        self.first = self.last.replace(month=1)
        # Standards start in a month of the year up to today's (admitted this month).
        self.standard_months = months_between(self.first, today)

    def build(self) -> dict[str, Any]:
        if connection.vendor != "postgresql":
            raise RuntimeError("seed_province_dues generates the rows in PostgreSQL SQL.")
        result: dict[str, Any] = {"first_month": self.first, "last_month": self.last}
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            step = time.monotonic()
            cursor.execute(self.seed_table_sql(), self.figure_params())
            self.log(f"Drew the members' categories, bases and habits in {time.monotonic() - step:.0f} s.")
            step = time.monotonic()
            with _keys_dropped(cursor, STANDARDS):
                cursor.execute(self.standards_sql())
                result["standards"] = cursor.rowcount
                self.log(f"  {cursor.rowcount:,} standards inserted in {time.monotonic() - step:.0f} s; indexing...")
            self.log(f"Wrote {result['standards']:,} dues standards in {time.monotonic() - step:.0f} s.")
            result["checked"] = self.check_sample()
            self.log(f"Checked {result['checked']:,} standards against rules.monthly_dues: same amounts.")
            step = time.monotonic()
            with _keys_dropped(cursor, PAYMENTS):
                cursor.execute(self.payments_sql(), {"last": self.last, "today": self.today})
                result["regular"] = cursor.rowcount
                cursor.execute(self.voluntary_sql(), {"first": self.first, "today": self.today})
                result["voluntary"] = cursor.rowcount
                self.log(
                    f"  {result['regular']:,} regular and {result['voluntary']:,} voluntary payments inserted "
                    f"in {time.monotonic() - step:.0f} s; indexing and checking the keys..."
                )
            self.log(f"Wrote the payments in {time.monotonic() - step:.0f} s.")
            cursor.execute(
                "SELECT category, COUNT(*), COUNT(*) FILTER (WHERE reduced_amount = 0),"
                " COUNT(*) FILTER (WHERE reduced_amount > 0) FROM dues_seed GROUP BY 1 ORDER BY 2 DESC"
            )
            rows = cursor.fetchall()
            result["categories"] = {cat: n for cat, n, _ex, _red in rows}
            result["exempted"] = sum(row[2] for row in rows)
            result["reduced"] = sum(row[3] for row in rows)
            cursor.execute("SELECT habit, COUNT(*) FROM dues_seed WHERE payable > 0 GROUP BY 1 ORDER BY 2 DESC")
            result["habits"] = dict(cursor.fetchall())
        step = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STANDARDS}, {PAYMENTS}")
        self.log(f"Analyzed in {time.monotonic() - step:.0f} s.")
        result["seconds"] = round(time.monotonic() - started)
        return result

    # --- the SQL ----------------------------------------------------------------------------

    def figure_params(self) -> dict[str, Any]:
        """The figures of each month a standard may start in, as arrays for ``unnest``:
        the rate brackets of the rated categories (F1-F4) with the rounding digits, the
        F6 amount and the F5 range."""
        months, cats, lowers, uppers, rates, labels, digits = [], [], [], [], [], [], []
        flat_months, low_income, farmer_min, farmer_max = [], [], [], []
        for month in self.standard_months:
            unit = Decimal(str(value(rules.ROUNDING.key, month)))
            places = -unit.as_tuple().exponent
            if not isinstance(places, int) or places > 2:
                # round_amount rounds to the unit, then to cents with the context's rounding:
                # the SQL below rounds once, which is the same for units of a cent or more.
                raise RuntimeError(f"Rounding unit {unit} is finer than a cent: not generated in SQL.")
            for category in sorted(RATED):
                for bracket in rules.brackets(category, month):
                    months.append(month)
                    cats.append(str(category))
                    lowers.append(bracket.lower)
                    uppers.append(bracket.upper)
                    rates.append(bracket.rate)
                    labels.append(str(bracket))
                    digits.append(places)
            limits = value(rules.FARMER_RANGE.key, month)
            flat_months.append(month)
            low_income.append(Decimal(str(value(rules.LOW_INCOME_AMOUNT.key, month))))
            farmer_min.append(Decimal(str(limits["min"])))
            farmer_max.append(Decimal(str(limits["max"])))
        return {
            "first": self.first,
            "statuses": sorted(ACTIVE_STATUSES),
            "b_month": months,
            "b_category": cats,
            "b_lower": lowers,
            "b_upper": uppers,
            "b_rate": rates,
            "b_label": labels,
            "b_digits": digits,
            "f_month": flat_months,
            "f_low_income": low_income,
            "f_farmer_min": farmer_min,
            "f_farmer_max": farmer_max,
        }

    def seed_table_sql(self) -> str:
        """A temporary table of every current member's standard and paying habit, in
        member order (the standards and payments are inserted in that order)."""
        u = self.u
        rules_of = " ".join(f"WHEN '{cat}' THEN '{rule}'" for cat, rule in rules.RULE_OF.items())
        habit_cases = []
        plain = mobile = 0.0
        for habit, share, mobile_share in HABITS[:-1]:
            plain += share
            mobile += mobile_share
            habit_cases.append(
                f"WHEN u_habit < CASE WHEN is_mobile THEN {mobile:.4f} ELSE {plain:.4f} END THEN '{habit}'"
            )
        n_months = len(months_between(self.first, self.last))
        return f"""
CREATE TEMPORARY TABLE dues_seed ON COMMIT DROP AS
WITH member AS (
    SELECT m.id AS member_id, m.organization_id, m.is_mobile, m.occupation,
           GREATEST(date_trunc('month', m.joined_on)::date, %(first)s::date) AS valid_from,
           {u("m.id", 1)} AS u_category, {u("m.id", 2)} AS u_base, {u("m.id", 3)} AS u_round,
           {u("m.id", 4)} AS u_relief, {u("m.organization_id", 5)} AS u_branch,
           {u("m.id", 6)} AS u_habit, {u("m.id", 7)} AS u_stop, {u("m.id", 8)} AS u_method
    FROM members_member m
    WHERE m.status = ANY (%(statuses)s)
),
categorized AS (
    SELECT member.*,
        CASE
            WHEN occupation = 'retired' THEN 'retired'
            WHEN occupation = 'farmer' THEN CASE WHEN u_category < 0.05 THEN 'self_employed' ELSE 'farmer' END
            WHEN occupation IN ('student', 'unemployed') THEN 'low_income'
            WHEN occupation = 'self_employed' THEN 'self_employed'
            WHEN occupation = 'enterprise_manager' THEN
                CASE WHEN u_category < 0.3 THEN 'annual_salary' ELSE 'salary' END
            WHEN occupation IN ('other', '') THEN
                CASE WHEN u_category < 0.4 THEN 'low_income' WHEN u_category < 0.6 THEN 'self_employed'
                     ELSE 'salary' END
            ELSE CASE WHEN u_category < 0.02 THEN 'annual_salary' ELSE 'salary' END
        END AS category
    FROM member
),
based AS (
    -- Monthly income bases in yuan (F1-F4), one in twelve a round hundred.
    SELECT categorized.*,
        CASE WHEN raw IS NULL THEN NULL WHEN u_round < 0.08 THEN round(raw::numeric, -2)
             ELSE round(raw::numeric, 2) END AS base
    FROM categorized, LATERAL (SELECT CASE category
        WHEN 'salary' THEN 2000 + 13000 * power(u_base, 2)
        WHEN 'annual_salary' THEN 8000 + 22000 * power(u_base, 1.5)
        WHEN 'self_employed' THEN 1500 + 13500 * power(u_base, 2)
        WHEN 'retired' THEN 1800 + 7200 * power(u_base, 1.5)
    END AS raw) r
),
bracket AS (
    SELECT * FROM unnest(%(b_month)s::date[], %(b_category)s::text[], %(b_lower)s::numeric[],
                         %(b_upper)s::numeric[], %(b_rate)s::numeric[], %(b_label)s::text[], %(b_digits)s::int[])
        AS b(month, category, lower_bound, upper_bound, rate, label, digits)
),
flat AS (
    SELECT * FROM unnest(%(f_month)s::date[], %(f_low_income)s::numeric[], %(f_farmer_min)s::numeric[],
                         %(f_farmer_max)s::numeric[]) AS f(month, low_income, farmer_min, farmer_max)
),
computed AS (
    SELECT based.*, b.rate, COALESCE(b.label, '') AS bracket, b.digits,
        -- The amount a farmer's branch set: most 1 yuan, some 0.5 or 0.2, within F5's range.
        CASE WHEN based.category = 'farmer' THEN LEAST(GREATEST(
            CASE WHEN u_branch < 0.5 THEN 1.00 WHEN u_branch < 0.8 THEN 0.50 ELSE 0.20 END,
            f.farmer_min), f.farmer_max) END AS farmer_amount,
        CASE WHEN based.category = 'low_income' THEN f.low_income END AS flat_amount
    FROM based
    JOIN flat f ON f.month = based.valid_from
    LEFT JOIN bracket b ON b.month = based.valid_from AND b.category = based.category
        AND (b.lower_bound IS NULL OR based.base > b.lower_bound)
        AND (b.upper_bound IS NULL OR based.base <= b.upper_bound)
),
amounted AS (
    SELECT computed.*,
        CASE WHEN rate IS NOT NULL THEN round(round(base * rate, digits), 2)
             WHEN category = 'farmer' THEN round(farmer_amount, 2)
             ELSE round(flat_amount, 2) END AS amount
    FROM computed
),
relieved AS (
    -- F7: about one in a hundred exempted, three in a thousand of the rated pay half.
    SELECT amounted.*,
        CASE WHEN u_relief < 0.01 THEN 0.00
             WHEN u_relief < 0.013 AND rate IS NOT NULL THEN round(amount / 2, 2) END AS reduced_amount
    FROM amounted
)
SELECT member_id, organization_id, is_mobile, valid_from, category, base, farmer_amount, amount,
       CASE category {rules_of} END AS rule, rate, bracket, reduced_amount,
       CASE WHEN reduced_amount = 0 THEN '{EXEMPTION_REASON}'
            WHEN reduced_amount IS NOT NULL THEN '{REDUCTION_REASON}' ELSE '' END AS reduction_reason,
       COALESCE(reduced_amount, amount) AS payable,
       CASE {" ".join(habit_cases)} ELSE 'lapsed' END AS habit,
       -- lapsed: nothing paid from this month on; late: months of delay; quarterly: day paid after the quarter
       (%(first)s::date + floor(u_stop * {n_months})::int * interval '1 month')::date AS stop_month,
       1 + floor(u_stop * 3)::int AS delay,
       floor(u_stop * 20)::int AS quarter_day,
       u_method
FROM relieved
ORDER BY member_id
"""

    def standards_sql(self) -> str:
        return f"""
INSERT INTO {STANDARDS} (created_at, updated_at, valid_from, category, base, farmer_amount, amount, rule,
                         rate, bracket, reduced_amount, reduction_reason, note, member_id)
SELECT (valid_from + time '09:00') AT TIME ZONE 'Asia/Shanghai',
       (valid_from + time '09:00') AT TIME ZONE 'Asia/Shanghai',
       valid_from, category, base, farmer_amount, amount, rule, rate, bracket, reduced_amount, reduction_reason,
       '', member_id
FROM dues_seed
"""

    def payments_sql(self) -> str:
        u = self.u
        month_key = "s.member_id * 16 + extract(month FROM g.at)::int"
        return f"""
INSERT INTO {PAYMENTS} (created_at, updated_at, kind, month, amount, method, paid_on, receipt_no, note,
                        member_id, organization_id)
SELECT (x.paid_on + time '10:00') AT TIME ZONE 'Asia/Shanghai',
       (x.paid_on + time '10:00') AT TIME ZONE 'Asia/Shanghai',
       'regular', x.month, s.payable, s.method, x.paid_on,
       CASE WHEN s.method = 'payroll' THEN ''
            ELSE 'DJ' || to_char(x.paid_on, 'YYYYMMDD') || lpad(s.member_id::text, 8, '0') END,
       '', s.member_id, s.organization_id
FROM (
    SELECT dues_seed.*,
        CASE
            WHEN category IN ('salary', 'annual_salary') AND habit = 'monthly' AND u_method < 0.4 THEN 'payroll'
            WHEN category = 'farmer' THEN CASE WHEN u_method < 0.55 THEN 'cash' ELSE 'transfer' END
            WHEN category = 'retired' THEN CASE WHEN u_method < 0.6 THEN 'transfer' ELSE 'cash' END
            ELSE CASE WHEN u_method < 0.8 THEN 'transfer' ELSE 'cash' END
        END AS method
    FROM dues_seed WHERE payable > 0
) s
CROSS JOIN LATERAL generate_series(s.valid_from, %(last)s::date, interval '1 month') AS g(at)
CROSS JOIN LATERAL (SELECT g.at::date AS month, {u(month_key, 20)} AS v, {u(month_key, 21)} AS w) r
CROSS JOIN LATERAL (SELECT r.month, CASE s.habit
    WHEN 'monthly' THEN CASE WHEN r.w < 0.005 THEN NULL
                             WHEN r.w < 0.125 THEN (r.month + interval '1 month')::date + floor(r.v * 10)::int
                             ELSE r.month + floor(r.v * 28)::int END
    WHEN 'quarterly' THEN (date_trunc('quarter', r.month) + interval '3 months')::date + s.quarter_day
    WHEN 'late' THEN (r.month + s.delay * interval '1 month')::date + floor(r.v * 28)::int
    WHEN 'irregular' THEN CASE WHEN r.w < 0.4 THEN NULL ELSE r.month + floor(r.v * 45)::int END
    WHEN 'lapsed' THEN CASE WHEN r.month >= s.stop_month THEN NULL ELSE r.month + floor(r.v * 28)::int END
    END AS paid_on) x
WHERE x.paid_on <= %(today)s
"""

    def voluntary_sql(self) -> str:
        """A voluntary payment by 0.2% of the paying members, one in ten of them large (F10)."""
        u = self.u
        days = (self.today - self.first).days + 1
        return f"""
INSERT INTO {PAYMENTS} (created_at, updated_at, kind, month, amount, method, paid_on, receipt_no, note,
                        member_id, organization_id)
SELECT (paid_on + time '15:00') AT TIME ZONE 'Asia/Shanghai',
       (paid_on + time '15:00') AT TIME ZONE 'Asia/Shanghai',
       'voluntary', date_trunc('month', paid_on)::date,
       CASE WHEN {u("member_id", 31)} < 0.1 THEN 1000 + 100 * floor({u("member_id", 32)} * 91)
            ELSE 100 + 100 * floor({u("member_id", 32)} * 9) END,
       'transfer', paid_on, 'ZY' || to_char(paid_on, 'YYYYMMDD') || lpad(member_id::text, 8, '0'),
       '{VOLUNTARY_NOTE}', member_id, organization_id
FROM (
    SELECT member_id, organization_id,
           GREATEST(valid_from, %(first)s::date + floor({u("member_id", 33)} * {days})::int) AS paid_on
    FROM dues_seed WHERE payable > 0 AND {u("member_id", 30)} < 0.002
) v
WHERE paid_on <= %(today)s
"""

    def u(self, expr: str, salt: int) -> str:
        return _u(expr, salt, self.seed)

    # --- the check -------------------------------------------------------------------------

    def check_sample(self) -> int:
        """Compare a sample of the standards with ``rules.monthly_dues``: a random 0.1% and
        every base on a bracket bound (up to 20 each). Raises on the first difference."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT id FROM {STANDARDS} TABLESAMPLE BERNOULLI (0.1) REPEATABLE (%s)
                UNION SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY category, base, valid_from ORDER BY id) AS n
                    FROM {STANDARDS} WHERE base = ANY (%s)) bounds WHERE n <= 20
                UNION SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY category, bracket, valid_from ORDER BY id) AS n
                    FROM {STANDARDS}) kinds WHERE n <= 5""",
                [self.seed, sorted(self.bounds())],
            )
            ids = [row[0] for row in cursor.fetchall()]
        checked = 0
        for standard in DuesStandard.objects.filter(pk__in=ids).iterator(chunk_size=2000):
            expected = rules.monthly_dues(
                standard.category, on=standard.valid_from, base=standard.base, farmer_amount=standard.farmer_amount
            )
            got = (standard.amount, standard.rule, standard.rate, standard.bracket)
            want = (expected.amount, expected.rule, expected.rate, str(expected.bracket) if expected.bracket else "")
            if got != want:
                raise RuntimeError(f"Standard {standard.pk} differs from rules.monthly_dues: {got} != {want}")
            if standard.reduced_amount is not None and not 0 <= standard.reduced_amount <= standard.amount:
                raise RuntimeError(f"Standard {standard.pk}: reduction {standard.reduced_amount} out of range (F7)")
            checked += 1
        return checked

    def bounds(self) -> set[Decimal]:
        """The upper bounds of the brackets (bases there are in the lower bracket, F1)."""
        return {
            b.upper
            for month in self.standard_months
            for category in RATED
            for b in rules.brackets(category, month)
            if b.upper is not None
        }


@contextmanager
def _keys_dropped(cursor: Any, table: str) -> Iterator[None]:
    """Drop ``table``'s indexes, primary, unique and foreign keys for a bulk load, and build
    them again from their definitions (checking the keys) when the block ends. The table
    must be empty: loading into an indexed table with deferred foreign-key checks would
    queue a trigger event per row."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    if cursor.fetchone()[0]:
        raise RuntimeError(f"{table} is not empty.")
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')"
        " ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in reversed(constraints):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def build_dues(*, seed: int, today: dt.date, log: Callable[[str], Any]) -> dict[str, Any]:
    """Write every current member's dues standard and the payments of the year up to the
    month before ``today``; returns the counts (see ``DuesBuilder.build``)."""
    return DuesBuilder(seed=seed, today=today, log=log).build()
