"""Which unit receives a citizen's request: county configuration, not code [issue 16] [DA 3.5, 4.1].

The county decides, in two tables (set with ``flask intake``, or by the demo):

- ``intake_rule``: a need → the unit that receives requests with that need. The key is what a request records
  about the need in a form a rule can read (the need itself is free text): whether the person is about to
  leave hospital (``discharge``, "utskrivningsklar" [VM] [ST]), and whether the SIP is for a child
  (``child``) or an adult (``adult``). One unit per need.
- ``intake_default``: per principal (kommun, region, ...), the unit that receives its requests when no rule
  matches ("mottagningsfunktion" [DA 3.5]: for the region often the health centre).

The lookup, first match wins:

1. the rules, in the fixed order discharge, then child or adult (a request about someone not yet identified
   has no age: only the discharge rule can match);
2. the defaults of the principals of the units the person chose, municipality first, then region, then
   others, and by the principal's name within a kind;
3. every principal's default, in that same order (the person chose no unit, or none of their principals has
   one);
4. nothing configured: what happened before any configuration existed for a request with no unit chosen: the
   first unit with a coordinator, municipality units first, then by the unit's name; no unit at all (the
   request waits, "Ingen enhet än") when no unit in the county has a coordinator.

A rule or default whose unit has no coordinator is passed over: a request never lands where nobody can take
it. The order never depends on ids, insertion order or the order the person ticked the units (names are
unique). Staff forward a request that still landed wrong (services/intake.forward).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from citizen_app.extensions import db
from citizen_app.models import (
    IntakeDefault,
    IntakeNeed,
    IntakeRule,
    Principal,
    PrincipalKind,
    StaffMembership,
    StaffRole,
    StaffUser,
    Unit,
)
from citizen_app.services import N_, DomainError

# Principals in this order, then by name [issue 16]: social services usually receive requests first.
_PRINCIPAL_ORDER = {PrincipalKind.MUNICIPALITY: 0, PrincipalKind.REGION: 1, PrincipalKind.OTHER: 2}


def needs_of(leaving_hospital: bool, is_child: bool | None) -> list[IntakeNeed]:
    """The request's needs in the order the rules are tried. ``is_child`` None: the age is not known."""
    needs = [IntakeNeed.DISCHARGE] if leaving_hospital else []
    if is_child is not None:
        needs.append(IntakeNeed.CHILD if is_child else IntakeNeed.ADULT)
    return needs


def receiving_unit(needs: list[IntakeNeed], chosen: list[Unit]) -> int | None:
    """The id of the unit that receives the request (see the module's docstring for the order)."""
    staffed = _units_with_coordinators()
    rules = {rule.need: rule.unit_id for rule in db.session.scalars(select(IntakeRule))}
    for need in needs:
        if rules.get(need) in staffed:
            return rules[need]
    defaults = db.session.execute(
        select(IntakeDefault.unit_id, Principal.id, Principal.kind, Principal.name).join(
            Principal, IntakeDefault.principal_id == Principal.id
        )
    ).all()
    ordered = sorted(defaults, key=lambda row: (_PRINCIPAL_ORDER[row.kind], row.name))
    chosen_principals = {unit.principal_id for unit in chosen}
    for row in [r for r in ordered if r.id in chosen_principals] + ordered:
        if row.unit_id in staffed:
            return row.unit_id
    if not staffed:
        return None
    return db.session.scalar(
        select(Unit.id)
        .join(Principal, Unit.principal_id == Principal.id)
        .where(Unit.id.in_(staffed))
        .order_by(_principal_rank(), Unit.name)
    )


def default_units() -> dict[PrincipalKind, Unit]:
    """Each kind of principal's configured default intake unit that has a coordinator (step 2-3 above).

    With several principals of one kind, the first by the principal's name; a default whose unit has no
    coordinator is passed over, as for requests. A kind with nothing configured is missing from the result.
    """
    staffed = _units_with_coordinators()
    rows = db.session.execute(
        select(IntakeDefault.unit_id, Principal.kind, Principal.name).join(
            Principal, IntakeDefault.principal_id == Principal.id
        )
    ).all()
    chosen: dict[PrincipalKind, int] = {}
    for row in sorted(rows, key=lambda r: (_PRINCIPAL_ORDER[r.kind], r.name)):
        if row.unit_id in staffed:
            chosen.setdefault(row.kind, row.unit_id)
    if not chosen:
        return {}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(chosen.values())))}
    return {kind: units[unit_id] for kind, unit_id in chosen.items()}


def _principal_rank():
    return sql_case(
        *((Principal.kind == kind, rank) for kind, rank in _PRINCIPAL_ORDER.items()),
        else_=len(_PRINCIPAL_ORDER),
    )


def _units_with_coordinators() -> set[int]:
    """Units with a coordinator who can sign in (a deactivated one takes no requests [issue 18])."""
    return set(
        db.session.scalars(
            select(StaffMembership.unit_id)
            .join(StaffUser, StaffUser.id == StaffMembership.staff_id)
            .where(StaffMembership.role == StaffRole.COORDINATOR, StaffUser.deactivated_at.is_(None))
        )
    )


# ---- configuring (flask intake ..., the demo) -------------------------------------------------------------


@dataclass(frozen=True)
class Configuration:
    rules: list[IntakeRule]
    defaults: list[IntakeDefault]
    fixed_care_contacts: list[Unit]


def configuration() -> Configuration:
    """What is configured now, in a fixed order (for ``flask intake show``)."""
    rules = sorted(
        db.session.scalars(select(IntakeRule).options(joinedload(IntakeRule.unit))),
        key=lambda r: list(IntakeNeed).index(r.need),
    )
    defaults = sorted(
        db.session.scalars(
            select(IntakeDefault).options(joinedload(IntakeDefault.principal), joinedload(IntakeDefault.unit))
        ),
        key=lambda d: (_PRINCIPAL_ORDER[d.principal.kind], d.principal.name),
    )
    contacts = list(db.session.scalars(select(Unit).where(Unit.is_fixed_care_contact).order_by(Unit.name)))
    return Configuration(rules, defaults, contacts)


def _unit_named(name: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        raise DomainError(N_("Enheten finns inte."))
    return unit


def set_rule(need: IntakeNeed, unit_name: str) -> IntakeRule:
    """Requests with ``need`` go to the unit named ``unit_name`` (replaces the need's earlier rule)."""
    unit = _unit_named(unit_name)
    rule = db.session.scalar(select(IntakeRule).where(IntakeRule.need == need))
    if rule is None:
        rule = IntakeRule(need=need, unit_id=unit.id)
        db.session.add(rule)
    else:
        rule.unit_id = unit.id
    db.session.flush()
    return rule


def remove_rule(need: IntakeNeed) -> None:
    rule = db.session.scalar(select(IntakeRule).where(IntakeRule.need == need))
    if rule is not None:
        db.session.delete(rule)
        db.session.flush()


def set_default(unit_name: str) -> IntakeDefault:
    """The unit named ``unit_name`` receives its principal's requests when no rule matches."""
    unit = _unit_named(unit_name)
    default = db.session.scalar(select(IntakeDefault).where(IntakeDefault.principal_id == unit.principal_id))
    if default is None:
        default = IntakeDefault(principal_id=unit.principal_id, unit_id=unit.id)
        db.session.add(default)
    else:
        default.unit_id = unit.id
    db.session.flush()
    return default


def remove_default(principal_id: int) -> None:
    """The principal has no default intake unit any more (its requests follow steps 3-4 of the lookup)."""
    default = db.session.scalar(select(IntakeDefault).where(IntakeDefault.principal_id == principal_id))
    if default is not None:
        db.session.delete(default)
        db.session.flush()


def set_fixed_care_contact(unit_name: str, on: bool = True) -> Unit:
    """Mark a unit as "fast vårdkontakt" (region outpatient care): it may coordinate a discharge SIP."""
    unit = _unit_named(unit_name)
    unit.is_fixed_care_contact = on
    db.session.flush()
    return unit
