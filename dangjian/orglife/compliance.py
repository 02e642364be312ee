"""The compliance engine: for every organization of a subtree and every period of a
window, how many events each requirement (L1-L9) asks for, how many were held on time or
late, and how many are missing or still pending; summed over any grouping in SQL.

One query, whatever the subtree's size: the requirement/period template is a small
VALUES table built here from the figures in force in each period; the organizations are
one prefix range on the materialized path; overrides are three indexed joins; events are
counted per slot and capped at the slot's requirement before summing, so an extra
meeting in one month does not make up for a missing one in another. Live: it reads the
records, nothing is precomputed, so an edit shows at once (decision 0009).

Definitions (docs/user-guide.md, "Compliance"):
- an organization owes a period's events if it existed on the period's middle day;
- an event counts on time if it was recorded as held by the end of its period (plus
  ``orglife.record_grace_days``), late otherwise;
- missing = required − held for periods that have ended; pending = the same for the
  period still running (not yet a failure);
- completion rate = on time / (required − pending).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from dangjian.core.rulesets import value
from dangjian.orglife import rules
from dangjian.orglife.choices import Period, Status
from dangjian.orglife.models import RequirementOverride
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.rules import COMMITTEE_MIN_SIZE


@dataclass
class Tally:
    """Required, held on time, late, missing and pending events of one group."""

    required: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    @property
    def held(self) -> int:
        return self.on_time + self.late

    @property
    def due(self) -> int:
        """Events whose period has ended, plus those already held in the running one."""
        return self.required - self.pending

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def status(self, on: dt.date | None = None) -> Status:
        return rules.status_of(self.rate, on)

    def add(self, other: Tally) -> None:
        self.required += other.required
        self.on_time += other.on_time
        self.late += other.late
        self.missing += other.missing
        self.pending += other.pending


def _template(window: rules.Span, today: dt.date, keys: Iterable[str] | None) -> list[tuple[Any, ...]]:
    """One row per (requirement, kind of organization, period in the window)."""
    extra_kinds: dict[str, set[str]] = {}
    # Overrides may require an event of a kind of organization the regulation does not
    # name; only then does the template carry rows for that kind.
    for key, org_kind, own_kind in RequirementOverride.objects.filter(count__gt=0).values_list(
        "key", "org_kind", "organization__kind"
    ):
        extra_kinds.setdefault(key, set()).add(org_kind or own_kind or "*")
    adapt = connection.ops.adapt_datefield_value
    rows = []
    wanted = set(keys) if keys is not None else None
    for req in rules.REQUIREMENTS:
        if wanted is not None and req.key not in wanted:
            continue
        kinds = set(req.org_kinds) | extra_kinds.get(req.key, set())
        if "*" in kinds:  # a sector-wide override for every kind
            kinds = set(OrgKind.values)
        for index, span in enumerate(rules.spans_in(window, req.period)):
            count = int(value(req.figure.key, span.start))
            for kind in sorted(kinds):
                rows.append(
                    (
                        req.key,
                        kind,
                        req.event_kind,
                        req.lecturer_kind,
                        req.combined_kind or "-",
                        req.condition,
                        1 if req.per_group else 0,
                        index,
                        adapt(span.start),
                        adapt(span.end),
                        adapt(span.mid),
                        adapt(rules.late_after(span)),
                        1 if span.end < today else 0,
                        count if kind in req.org_kinds else 0,
                    )
                )
    return rows


_VALID = "{a}.valid_from <= t.start_on AND ({a}.valid_to IS NULL OR {a}.valid_to >= t.start_on)"

# Events are matched to their spans by equality, so the database hashes instead of testing
# date ranges: ``days`` gives the index of the month, quarter and year of each day of the
# window, and the subtree's held events of the window are read once and summed with the
# slots, rather than every slot looking up its organization's events by date (which took
# 80 s for a county of the province; bench/bench_orglife.py, docs/benchmarks.md).
# ``orgs`` is materialized so party groups are counted once per organization, not per slot.
# ``events`` reaches the subtree through orgs_organization, not ``orgs``, whose size the
# planner cannot estimate. The planner misjudges joins of VALUES lists, so fences (OFFSET 0
# on PostgreSQL) fix the order: the subtree's events first (by the organization index for a
# county), then their span indexes, then the requirements. Slots and events meet in one
# GROUP BY over a UNION ALL, not a join, which the planner made a nested loop re-running the
# event count once per slot. (A slot is unique per organization, requirement and span:
# overrides of one target may not overlap, ``actions.set_override``.)
_FENCE = {"postgresql": "OFFSET 0"}

_SQL = """
WITH tpl(rkey, org_kind, event_kind, lecturer_kind, combined_kind, cond, per_group, idx,
         start_on, end_on, mid_on, late_after, ended, base_count) AS (VALUES {values}),
spans(rkey, idx, period, late_after, event_kind, lecturer_kind, evaluation, not_lecturer)
    AS (VALUES {span_values}),
periods(event_kind, period) AS (VALUES {period_values}),
days(day, month_idx, quarter_idx, year_idx) AS (VALUES {day_values}),
orgs AS MATERIALIZED (
    SELECT o.id, o.path, o.kind, o.sector, o.committee_size, o.established_on, o.dissolved_on,
           (SELECT COUNT(*) FROM orgs_partygroup g WHERE g.organization_id = o.id) AS groups
    FROM orgs_organization o
    WHERE o.path LIKE %s {org_filter}
),
slots AS (
    SELECT o.id AS org_id, o.path, t.rkey, t.idx, t.event_kind, t.lecturer_kind, t.combined_kind,
           t.start_on, t.end_on, t.late_after, t.ended,
           COALESCE(ovo.count, ovk.count, ovs.count, t.base_count)
             * CASE WHEN t.cond = 'has_committee' AND o.committee_size < %s THEN 0
                    WHEN t.cond = 'has_groups' AND o.groups = 0 THEN 0 ELSE 1 END
             * CASE WHEN t.per_group = 1 THEN o.groups ELSE 1 END AS required
    FROM orgs o
    JOIN tpl t ON t.org_kind = o.kind
    LEFT JOIN orglife_requirementoverride ovo
           ON ovo.organization_id = o.id AND ovo.key = t.rkey AND {valid_ovo}
    LEFT JOIN orglife_requirementoverride ovk
           ON ovk.organization_id IS NULL AND ovk.sector = o.sector AND ovk.org_kind = o.kind
          AND ovk.key = t.rkey AND {valid_ovk}
    LEFT JOIN orglife_requirementoverride ovs
           ON ovs.organization_id IS NULL AND ovs.sector = o.sector AND ovs.org_kind = ''
          AND ovs.key = t.rkey AND {valid_ovs}
    WHERE (o.established_on IS NULL OR o.established_on <= t.mid_on)
      AND (o.dissolved_on IS NULL OR o.dissolved_on > t.mid_on)
),
due AS (SELECT * FROM slots WHERE required > 0),
events AS (
    SELECT e.organization_id AS org_id, eo.path, e.kind, e.lecturer_kind, e.includes_evaluation, e.held_on,
           COALESCE(e.recorded_on, e.held_on) AS recorded_on
    FROM orglife_event e
    JOIN orgs_organization eo ON eo.id = e.organization_id
    WHERE eo.path LIKE %s {event_filter} AND e.state = 'held' AND e.held_on >= %s AND e.held_on <= %s
    {fence}
),
held AS (
    SELECT e.org_id, e.path, e.kind, e.lecturer_kind, e.includes_evaluation, e.recorded_on, p.period,
           CASE p.period WHEN 'month' THEN d.month_idx WHEN 'quarter' THEN d.quarter_idx ELSE d.year_idx END AS idx
    FROM events e
    JOIN days d ON d.day = e.held_on
    JOIN periods p ON p.event_kind = e.kind
    {fence}
),
tally AS (
    SELECT org_id, path, rkey, idx, ended, required, 0 AS on_time, 0 AS held FROM due
    UNION ALL
    SELECT h.org_id, h.path, sp.rkey, sp.idx, 0, 0,
           CASE WHEN h.recorded_on <= sp.late_after THEN 1 ELSE 0 END, 1
    FROM held h
    JOIN spans sp ON sp.event_kind = h.kind AND sp.period = h.period AND sp.idx = h.idx
    WHERE (sp.lecturer_kind = '' OR h.lecturer_kind = sp.lecturer_kind)
      AND (sp.evaluation = 0 OR h.includes_evaluation)
      AND (sp.not_lecturer = '' OR h.lecturer_kind <> sp.not_lecturer)
),
counted AS (
    SELECT org_id, MAX(path) AS path, rkey, idx, MAX(ended) AS ended, SUM(required) AS required,
           SUM(on_time) AS on_time, SUM(held) AS held
    FROM tally
    GROUP BY org_id, rkey, idx
    HAVING SUM(required) > 0
),
capped AS (
    SELECT org_id, path, rkey, idx, ended, required,
           CASE WHEN on_time < required THEN on_time ELSE required END AS on_time,
           CASE WHEN held < required THEN held ELSE required END AS held
    FROM counted
)
SELECT {group_cols}
       SUM(required), SUM(on_time), SUM(held - on_time),
       SUM(CASE WHEN ended = 1 THEN required - held ELSE 0 END),
       SUM(CASE WHEN ended = 0 THEN required - held ELSE 0 END)
FROM capped
{group_by}
"""


def _spans(template: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One row per (requirement, span) and kind of event that counts for it: the
    requirement's own kind (with its lecturer, if any) and, for L8, the combined kind when
    the event includes the evaluation. ``not_lecturer`` keeps an event that matches both
    rows from counting twice (possible only were the combined kind the requirement's own)."""
    rows: dict[tuple[Any, ...], None] = {}
    for row in template:
        rkey, event_kind, lecturer_kind, idx, late_after = row[0], row[2], row[3], row[7], row[11]
        req = rules.REQUIREMENT_BY_KEY[rkey]
        rows[(rkey, idx, req.period, late_after, event_kind, lecturer_kind, 0, "")] = None
        if req.combined_kind and (req.combined_kind != event_kind or lecturer_kind):
            not_lecturer = lecturer_kind if req.combined_kind == event_kind else ""
            rows[(rkey, idx, req.period, late_after, req.combined_kind, "", 1, not_lecturer)] = None
    return list(rows)


def _days(window: rules.Span) -> list[tuple[Any, ...]]:
    """(day, index of its month, of its quarter, of its year) for every day of ``window``:
    the spans of ``_template`` by index (-1 for a period longer than the window)."""
    index: dict[str, dict[dt.date, int]] = {}
    for period in (Period.MONTH, Period.QUARTER, Period.YEAR):
        index[period] = {}
        for i, span in enumerate(rules.spans_in(window, period)):
            for n in range((span.end - span.start).days + 1):
                index[period][span.start + dt.timedelta(days=n)] = i
    adapt = connection.ops.adapt_datefield_value
    rows = []
    day = window.start
    while day <= window.end:
        rows.append((adapt(day), *(index[p].get(day, -1) for p in (Period.MONTH, Period.QUARTER, Period.YEAR))))
        day += dt.timedelta(days=1)
    return rows


def _placeholders(rows: Sequence[tuple[Any, ...]]) -> str:
    """``(%s, %s), (%s, %s)``: the placeholders of a VALUES list."""
    return ", ".join(["(" + ", ".join(["%s"] * len(rows[0])) + ")"] * len(rows))


GROUPS = {
    # name: (columns selected, GROUP BY clause); {n} is the child path length.
    "all": ("", ""),
    "child": ("SUBSTR(path, 1, {n}) AS grp,", "GROUP BY SUBSTR(path, 1, {n})"),
    "org": ("org_id AS grp,", "GROUP BY org_id"),
}


def rollup(
    root: Organization,
    window: rules.Span,
    *,
    today: dt.date,
    group: str = "all",
    by_requirement: bool = False,
    by_span: bool = False,
    only_org: bool = False,
    keys: Iterable[str] | None = None,
) -> dict[Any, Tally]:
    """Compliance of ``root``'s subtree over ``window``, as of ``today``, in one query.

    ``group``: "all" (one tally keyed ``None``), "child" (keyed by the path of each child
    of ``root``, or ``root.path`` for root's own events) or "org" (keyed by organization
    id). ``by_requirement`` / ``by_span`` add the requirement key and the span index (the
    position in the window of the requirement's month, quarter or year: use it together
    with ``by_requirement``) to the key (a tuple then). ``only_org`` restricts to ``root`` itself.
    """
    template = _template(window, today, keys)
    if not template:
        return {}
    spans = _spans(template)
    periods = sorted({(row[4], row[2]) for row in spans})
    days = _days(window)
    columns, group_by = GROUPS[group]
    extra = []
    if by_requirement:
        extra.append("rkey")
    if by_span:
        extra.append("idx")
    if extra:
        columns += " " + ", ".join(extra) + ","
        group_by = (group_by + ", " if group_by else "GROUP BY ") + ", ".join(extra)
    child_len = (root.depth + 1) * Organization.steplen
    sql = _SQL.format(
        values=_placeholders(template),
        span_values=_placeholders(spans),
        period_values=_placeholders(periods),
        day_values=_placeholders(days),
        event_filter="AND e.organization_id = %s" if only_org else "",
        fence=_FENCE.get(connection.vendor, ""),
        org_filter="AND o.id = %s" if only_org else "",
        valid_ovo=_VALID.format(a="ovo"),
        valid_ovk=_VALID.format(a="ovk"),
        valid_ovs=_VALID.format(a="ovs"),
        group_cols=columns.format(n=child_len),
        group_by=group_by.format(n=child_len),
    )
    params: list[Any] = [cell for rows in (template, spans, periods, days) for row in rows for cell in row]
    params.append(root.path + "%")
    if only_org:
        params.append(root.pk)
    params.append(int(value(COMMITTEE_MIN_SIZE.key, today)))
    # Only events inside the window's spans can count (a range of the held_on index).
    params.append(root.path + "%")
    if only_org:
        params.append(root.pk)
    params += [min(row[8] for row in template), max(row[9] for row in template)]
    result: dict[Any, Tally] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            keyparts = row[: len(row) - 5]
            required, on_time, late, missing, pending = (int(x or 0) for x in row[len(row) - 5 :])
            key: Any = keyparts[0] if len(keyparts) == 1 else (tuple(keyparts) if keyparts else None)
            result[key] = Tally(required, on_time, late, missing, pending)
    return result


def total(root: Organization, window: rules.Span, *, today: dt.date) -> Tally:
    """The compliance of ``root``'s whole subtree over ``window``."""
    return rollup(root, window, today=today).get(None, Tally())


def children(root: Organization, window: rules.Span, *, today: dt.date) -> dict[str, Tally]:
    """The compliance of each child subtree of ``root`` (keyed by the child's path)."""
    return rollup(root, window, today=today, group="child")


def statuses(orgs: Sequence[Organization], window: rules.Span, *, today: dt.date) -> dict[int, Tally]:
    """Subtree compliance of each organization in ``orgs`` (siblings under one parent or
    roots), keyed by id, in one query per distinct parent."""
    out: dict[int, Tally] = {}
    by_parent: dict[str, list[Organization]] = {}
    for org in orgs:
        by_parent.setdefault(org.path[: -Organization.steplen], []).append(org)
    for parent_path, group in by_parent.items():
        if not parent_path:
            for org in group:  # roots: one query each (there are few)
                out[org.pk] = total(org, window, today=today)
            continue
        parent = Organization(path=parent_path, depth=len(parent_path) // Organization.steplen)
        rows = children(parent, window, today=today)
        for org in group:
            out[org.pk] = rows.get(org.path, Tally())
    return out


def current_window(today: dt.date) -> rules.Span:
    """The window the tree and the dashboard show: the year so far."""
    return rules.span_of(today, "year")
