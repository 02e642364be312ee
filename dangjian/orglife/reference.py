"""A deliberately simple, slow reference implementation of the compliance engine.

``compliance.rollup`` computes compliance in one SQL query; this module computes the
same numbers with a plain Python loop over the organizations of a subtree, a few ORM
queries per organization and no clever SQL. It is the oracle of the engine's tests
(``tests/test_compliance.py``) and the "per-organization loop" baseline of the
benchmark. Keep it readable rather than fast: every definition below is written once,
the obvious way, from the docstring of ``compliance.py`` and rules.md L1-L9.

Definitions:
- an organization owes a period's events if it existed on the period's middle day
  (established on or before it, not dissolved on or before it);
- the number owed per slot (organization, requirement, period) is, in order of
  precedence, the count of an organization override, of a sector override for the
  organization's kind, of a sector override for every kind, else the regulation figure
  in force at the start of the period (for the kinds of organization it names, 0 for the
  others); an override is in force if ``valid_from <= period start <= valid_to``;
- L3 is owed only with a committee (``committee_size >= O3.committee_min_size``), L4
  only with at least one party group, and L4 is owed once per party group;
- an event counts if it is held, in the period, of the requirement's kind (and given by
  the right kind of lecturer for L5), or an organizational life meeting that included
  the democratic evaluation (L8 with L7); it counts on time if recorded (or, without a
  record date, held) by ``rules.late_after(period)``, late otherwise;
- per slot, on time and held are capped at the number owed; the rest is missing if the
  period has ended (its last day is before ``today``), pending otherwise.
"""

from __future__ import annotations

import datetime as dt

from dangjian.core.rulesets import value
from dangjian.orglife import rules
from dangjian.orglife.compliance import Tally
from dangjian.orglife.models import Event, RequirementOverride
from dangjian.orgs.models import Organization, PartyGroup
from dangjian.orgs.rules import COMMITTEE_MIN_SIZE

SlotKey = tuple[int, str, int]  # (organization id, requirement key, index of the span in the window)


def _override_in_force(overrides: list[RequirementOverride], span: rules.Span) -> RequirementOverride | None:
    for override in overrides:
        if override.valid_from <= span.start and (override.valid_to is None or span.start <= override.valid_to):
            return override
    return None


def _owed(org: Organization, req: rules.Requirement, span: rules.Span, groups: int, min_committee: int) -> int:
    """How many events of ``req`` ``org`` owes in ``span`` (before counting any event)."""
    established, dissolved = org.established_on, org.dissolved_on
    if established is not None and established > span.mid:
        return 0
    if dissolved is not None and dissolved <= span.mid:
        return 0
    by_org = RequirementOverride.objects.filter(key=req.key, organization=org)
    by_kind = RequirementOverride.objects.filter(
        key=req.key, organization__isnull=True, sector=org.sector, org_kind=org.kind
    )
    by_sector = RequirementOverride.objects.filter(
        key=req.key, organization__isnull=True, sector=org.sector, org_kind=""
    )
    count = None
    for candidates in (by_org, by_kind, by_sector):
        override = _override_in_force(list(candidates), span)
        if override is not None:
            count = override.count
            break
    if count is None:
        count = int(value(req.figure.key, span.start)) if org.kind in req.org_kinds else 0
    if req.condition == rules.HAS_COMMITTEE and org.committee_size < min_committee:
        count = 0
    if req.condition == rules.HAS_GROUPS and groups == 0:
        count = 0
    if req.per_group:
        count *= groups
    return count


def _events(org: Organization, req: rules.Requirement, span: rules.Span) -> list[Event]:
    """The held events of ``org`` in ``span`` that count towards ``req``."""
    events = Event.objects.filter(organization=org, state="held", held_on__gte=span.start, held_on__lte=span.end)
    counted = []
    for event in events:
        own_kind = event.kind == req.event_kind and (not req.lecturer_kind or event.lecturer_kind == req.lecturer_kind)
        combined = bool(req.combined_kind) and event.kind == req.combined_kind and event.includes_evaluation
        if own_kind or combined:
            counted.append(event)
    return counted


def slots_by_loop(root: Organization, window: rules.Span, *, today: dt.date) -> dict[SlotKey, Tally]:
    """One tally per slot owed (organization, requirement, span index) in ``root``'s
    subtree over ``window``, as of ``today``. Slots owing nothing are left out."""
    min_committee = int(value(COMMITTEE_MIN_SIZE.key, today))
    result: dict[SlotKey, Tally] = {}
    for org in Organization.objects.filter(path__startswith=root.path).order_by("path"):
        groups = PartyGroup.objects.filter(organization=org).count()
        for req in rules.REQUIREMENTS:
            for index, span in enumerate(rules.spans_in(window, req.period)):
                required = _owed(org, req, span, groups, min_committee)
                if required <= 0:
                    continue
                events = _events(org, req, span)
                deadline = rules.late_after(span)
                on_time = sum(1 for e in events if (e.recorded_on or e.held_on) <= deadline)
                on_time = min(on_time, required)
                held = min(len(events), required)
                ended = span.end < today
                result[(org.pk, req.key, index)] = Tally(
                    required=required,
                    on_time=on_time,
                    late=held - on_time,
                    missing=required - held if ended else 0,
                    pending=0 if ended else required - held,
                )
    return result


def compliance_by_loop(root: Organization, window: rules.Span, *, today: dt.date) -> dict[int, Tally]:
    """The compliance of every organization of ``root``'s subtree over ``window`` as of
    ``today``, keyed by organization id: what ``compliance.rollup(root, window,
    today=today, group="org")`` returns (organizations that owe nothing are left out)."""
    result: dict[int, Tally] = {}
    for (org_id, _key, _index), tally in slots_by_loop(root, window, today=today).items():
        result.setdefault(org_id, Tally()).add(tally)
    return result
