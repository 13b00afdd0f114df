"""The county's organisation, as an administrator keeps it [issue 18]: principals (kommun, region, other),
their units, the staff, and each staff member's role per unit. Who is an administrator: administrators.py.

Rules:
- Names and HSA-ids are unique: a principal's name among principals, a unit's name among all units (the
  request form lists units by name), an HSA-id among principals, units and staff each. HSA-ids are kept in
  capitals (``SE2321000032-1001``); the form is checked, not the catalogue.
- A unit's intake (which needs it receives, whether it receives its principal's other requests) is written
  through intake_rules.py, the one place that knows those tables: one unit per need, so marking a unit for a
  need moves that need from the unit that had it.
- A staff member signs in with e-ID: by identity number (stored only as a keyed hash, as people.create_staff
  does) or, when the e-ID broker sends an HSA-id, by that (people.staff_for_sign_in links the two at the
  first sign-in). So a new staff member needs at least one of them.
- There is always an administrator: the last active one cannot be removed or deactivated, unless the
  configuration (MINSIP_ADMIN_HSA_IDS) names an active one.
- Deactivating a staff member ends every session of theirs at once (their rows in ``web_session`` go, in this
  request's transaction); they cannot sign in again until reactivated. Their roles stay, for a reactivation.
  The open SIPs they coordinate are not left without anyone knowing: each SIP's unit coordinators are told,
  and their workbench marks the SIP until one of them chooses a new coordinator (intake.change_coordinator).
  The administrator sees beforehand how many SIPs that is, and which of those units has no other coordinator.
- Every change is written to the audit log (``organisation.*``, no case); ``latest_changes`` reads it back
  for the administration's start page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CoordinatorAssignment,
    IntakeDefault,
    IntakeNeed,
    IntakeRule,
    Principal,
    PrincipalKind,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    UnitKind,
)
from citizen_app.models.base import utcnow
from citizen_app.models.notifications import NotificationKind
from citizen_app.services import (
    N_,
    InvalidInput,
    NotFound,
    administrators,
    audit,
    identity,
    intake_rules,
    notifications,
    recipients,
    web_sessions,
)

STAFF_PAGE_SIZE = 25
LATEST_CHANGES = 20
AUDIT_PREFIX = "organisation."

# SE, the organisation's 10-digit number, a dash, then letters or digits (SE2321000032-1001).
_HSA_ID = re.compile(r"^SE\d{10}-[A-Z0-9]{1,40}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME_LIMIT = 200
_ADDRESS_LIMIT = 300
_PHONE_LIMIT = 40
_EMAIL_LIMIT = 200

# Messages (Swedish msgids), named so the tests can say which one they expect.
NAME_MISSING = N_("Skriv ett namn")
NAME_TOO_LONG = N_("Namnet får vara högst 200 tecken")
PRINCIPAL_NAME_TAKEN = N_("Det finns redan en huvudman med det namnet")
UNIT_NAME_TAKEN = N_("Det finns redan en enhet med det namnet")
KIND_UNKNOWN = N_("Välj en av sorterna i listan")
HSA_ID_MALFORMED = N_("Skriv HSA-id som SE, tio siffror, bindestreck och sedan bokstäver eller siffror")
PRINCIPAL_HSA_ID_TAKEN = N_("En annan huvudman har redan det HSA-id:t")
UNIT_HSA_ID_TAKEN = N_("En annan enhet har redan det HSA-id:t")
STAFF_HSA_ID_TAKEN = N_("En annan person i personalen har redan det HSA-id:t")
ADDRESS_TOO_LONG = N_("Adressen får vara högst 300 tecken")
PHONE_MALFORMED = N_("Skriv telefonnumret med siffror, högst 40 tecken")
EMAIL_MALFORMED = N_("Skriv e-postadressen som namn@exempel.se")
NEED_UNKNOWN = N_("Välj bland behoven i listan")
IDENTITY_MALFORMED = N_("Skriv personnumret med 12 siffror, till exempel 19800101-1234")
IDENTITY_TAKEN = N_("En annan person i personalen har redan det personnumret")
NO_WAY_TO_SIGN_IN = N_("Skriv HSA-id eller personnummer. Annars kan personen inte logga in.")
TITLE_TOO_LONG = N_("Titeln får vara högst 200 tecken")
UNIT_UNKNOWN = N_("Välj en enhet i listan")
ROLE_UNKNOWN = N_("Välj samordnare eller medarbetare")
LAST_ADMINISTRATOR = N_("Det måste alltid finnas minst en administratör. Utse en till först.")
ADMIN_BY_CONFIGURATION = N_(
    "Personen är administratör genom inställningarna för Min SIP. Det ändras i inställningarna."
)
NOT_YOURSELF = N_("Du kan inte stänga av dig själv. Be en annan administratör.")
SAVED_BY_SOMEONE_ELSE = N_(
    "Någon annan sparade nyss samma namn, HSA-id eller personnummer. "
    "Läs sidan igen och ändra det som krockar."
)


class InvalidOrganisation(InvalidInput):
    """An answer on an administration page broke a rule (field name → Swedish msgid)."""


def _flush_unique(field: str) -> None:
    """Flush a new or changed principal, unit or staff member. The checks above read the database first; two
    administrators saving the same name or HSA-id at the same moment both pass them, and the database's
    unique constraint stops the second. That is a message for the second, not a server error: the whole
    request is rolled back (nothing of it was meant to stay) and the form is shown again."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidOrganisation({field: SAVED_BY_SOMEONE_ELSE}) from None


# ---- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipalRow:
    principal: Principal
    unit_count: int


def principals() -> list[PrincipalRow]:
    """Every principal by name, with how many units it has. One query."""
    counts = (
        select(Unit.principal_id, func.count(Unit.id).label("units")).group_by(Unit.principal_id).subquery()
    )
    rows = db.session.execute(
        select(Principal, func.coalesce(counts.c.units, 0))
        .outerjoin(counts, counts.c.principal_id == Principal.id)
        .order_by(Principal.name)
    ).all()
    return [PrincipalRow(principal, count) for principal, count in rows]


def principal(public_id: str) -> Principal:
    found = db.session.scalar(select(Principal).where(Principal.public_id == public_id))
    if found is None:
        raise NotFound()
    return found


def units_of(owner: Principal) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.principal_id == owner.id).order_by(Unit.name)))


def all_units() -> list[Unit]:
    """Every unit with its principal, by principal and then unit name (for choosing a unit)."""
    return list(
        db.session.scalars(
            select(Unit)
            .join(Principal, Unit.principal_id == Principal.id)
            .options(joinedload(Unit.principal))
            .order_by(Principal.name, Unit.name)
        )
    )


def unit(public_id: str) -> Unit:
    found = db.session.scalar(
        select(Unit).where(Unit.public_id == public_id).options(joinedload(Unit.principal))
    )
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class UnitIntake:
    """What the unit receives: the needs whose rule names it, and whether it is its principal's default."""

    needs: frozenset[IntakeNeed]
    is_default: bool
    has_coordinator: bool


def intake_of(target: Unit) -> UnitIntake:
    needs = frozenset(db.session.scalars(select(IntakeRule.need).where(IntakeRule.unit_id == target.id)))
    is_default = (
        db.session.scalar(select(IntakeDefault.id).where(IntakeDefault.unit_id == target.id)) is not None
    )
    return UnitIntake(needs, is_default, bool(coordinators_of(target)))


def coordinators_of(target: Unit) -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(StaffMembership, StaffMembership.staff_id == StaffUser.id)
            .where(
                StaffMembership.unit_id == target.id,
                StaffMembership.role == StaffRole.COORDINATOR,
                StaffUser.deactivated_at.is_(None),
            )
            .order_by(StaffUser.display_name)
        )
    )


@dataclass(frozen=True)
class StaffPage:
    staff: list[StaffUser]
    page: int
    pages: int
    total: int
    query: str


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_staff(query: str, page: int = 1) -> StaffPage:
    """Staff whose name or HSA-id holds ``query`` (any case), by name, ``STAFF_PAGE_SIZE`` a page."""
    query = (query or "").strip()[:_NAME_LIMIT]
    where = []
    if query:
        pattern = _like(query.lower())
        where.append(
            or_(
                func.lower(StaffUser.display_name).like(pattern, escape="\\"),
                func.lower(StaffUser.hsa_id).like(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count(StaffUser.id)).where(*where)) or 0
    pages = max(1, -(-total // STAFF_PAGE_SIZE))
    page = min(max(1, page), pages)
    found = list(
        db.session.scalars(
            select(StaffUser)
            .where(*where)
            .order_by(StaffUser.display_name, StaffUser.id)
            .offset((page - 1) * STAFF_PAGE_SIZE)
            .limit(STAFF_PAGE_SIZE)
        )
    )
    return StaffPage(found, page, pages, total, query)


def staff_member(public_id: str) -> StaffUser:
    found = db.session.scalar(select(StaffUser).where(StaffUser.public_id == public_id))
    if found is None:
        raise NotFound()
    return found


def memberships_of(member: StaffUser) -> list[StaffMembership]:
    """The staff member's roles, by principal and unit name, with the units (one query)."""
    return list(
        db.session.scalars(
            select(StaffMembership)
            .join(Unit, StaffMembership.unit_id == Unit.id)
            .join(Principal, Unit.principal_id == Principal.id)
            .where(StaffMembership.staff_id == member.id)
            .options(joinedload(StaffMembership.unit).joinedload(Unit.principal))
            .order_by(Principal.name, Unit.name)
        )
    )


def is_admin_by_configuration(member: StaffUser) -> bool:
    return member.hsa_id is not None and member.hsa_id.upper() in administrators.configured_hsa_ids()


# ---- checking answers ------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _check_name(errors: dict[str, str], name: str) -> None:
    if not name:
        errors["name"] = NAME_MISSING
    elif len(name) > _NAME_LIMIT:
        errors["name"] = NAME_TOO_LONG


def normalise_hsa_id(raw: str | None) -> str | None:
    cleaned = _clean(raw).upper().replace(" ", "")
    return cleaned or None


def _check_hsa_id(errors: dict[str, str], hsa_id: str | None, model, own_id: int | None, taken: str) -> None:
    if hsa_id is None:
        return
    if not _HSA_ID.match(hsa_id):
        errors["hsa_id"] = HSA_ID_MALFORMED
        return
    other = db.session.scalar(select(model.id).where(model.hsa_id == hsa_id))
    if other is not None and other != own_id:
        errors["hsa_id"] = taken


def _check_contact(errors: dict[str, str], phone: str, email: str) -> None:
    if phone and (len(phone) > _PHONE_LIMIT or not re.fullmatch(r"[0-9 +\-()]+", phone)):
        errors["phone"] = PHONE_MALFORMED
    if email and (len(email) > _EMAIL_LIMIT or not _EMAIL.match(email)):
        errors["email"] = EMAIL_MALFORMED


def _kind(enum_type, value: str, errors: dict[str, str]):
    try:
        return enum_type(value)
    except ValueError:
        errors["kind"] = KIND_UNKNOWN
        return None


# ---- principals ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipalAnswers:
    name: str
    kind: str
    hsa_id: str = ""


def _checked_principal(
    answers: PrincipalAnswers, own_id: int | None
) -> tuple[str, PrincipalKind, str | None]:
    errors: dict[str, str] = {}
    name = _clean(answers.name)
    _check_name(errors, name)
    if "name" not in errors:
        other = db.session.scalar(select(Principal.id).where(Principal.name == name))
        if other is not None and other != own_id:
            errors["name"] = PRINCIPAL_NAME_TAKEN
    kind = _kind(PrincipalKind, answers.kind, errors)
    hsa_id = normalise_hsa_id(answers.hsa_id)
    _check_hsa_id(errors, hsa_id, Principal, own_id, PRINCIPAL_HSA_ID_TAKEN)
    if errors or kind is None:
        raise InvalidOrganisation(errors)
    return name, kind, hsa_id


def add_principal(admin: StaffUser, answers: PrincipalAnswers) -> Principal:
    name, kind, hsa_id = _checked_principal(answers, None)
    added = Principal(name=name, kind=kind, hsa_id=hsa_id)
    db.session.add(added)
    _flush_unique("name")
    audit.record(admin, "organisation.principal_added", name=name)
    return added


def change_principal(admin: StaffUser, target: Principal, answers: PrincipalAnswers) -> None:
    target.name, target.kind, target.hsa_id = _checked_principal(answers, target.id)
    _flush_unique("name")
    audit.record(admin, "organisation.principal_changed", name=target.name)


# ---- units -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitAnswers:
    name: str
    kind: str
    hsa_id: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    fixed_care_contact: bool = False
    intake_needs: tuple[str, ...] = ()
    default_intake: bool = False


@dataclass(frozen=True)
class _CheckedUnit:
    name: str
    kind: UnitKind
    hsa_id: str | None
    address: str | None
    phone: str | None
    email: str | None
    needs: list[IntakeNeed]


def _checked_unit(answers: UnitAnswers, own_id: int | None) -> _CheckedUnit:
    errors: dict[str, str] = {}
    name = _clean(answers.name)
    _check_name(errors, name)
    if "name" not in errors:
        other = db.session.scalar(select(Unit.id).where(Unit.name == name))
        if other is not None and other != own_id:
            errors["name"] = UNIT_NAME_TAKEN
    kind = _kind(UnitKind, answers.kind, errors)
    hsa_id = normalise_hsa_id(answers.hsa_id)
    _check_hsa_id(errors, hsa_id, Unit, own_id, UNIT_HSA_ID_TAKEN)
    address = _clean(answers.address)
    if len(address) > _ADDRESS_LIMIT:
        errors["address"] = ADDRESS_TOO_LONG
    phone, email = _clean(answers.phone), _clean(answers.email)
    _check_contact(errors, phone, email)
    needs = []
    for value in answers.intake_needs:
        try:
            needs.append(IntakeNeed(value))
        except ValueError:
            errors["intake_needs"] = NEED_UNKNOWN
    if errors or kind is None:
        raise InvalidOrganisation(errors)
    return _CheckedUnit(name, kind, hsa_id, address or None, phone or None, email or None, needs)


def _write_intake(target: Unit, needs: list[IntakeNeed], default_intake: bool) -> None:
    """The unit's intake, through intake_rules (one unit per need: a need marked here moves here)."""
    current = intake_of(target)
    for need in IntakeNeed:
        if need in needs:
            intake_rules.set_rule(need, target.name)
        elif need in current.needs:
            intake_rules.remove_rule(need)
    if default_intake:
        intake_rules.set_default(target.name)
    elif current.is_default:
        intake_rules.remove_default(target.principal_id)


def add_unit(admin: StaffUser, owner: Principal, answers: UnitAnswers) -> Unit:
    checked = _checked_unit(answers, None)
    added = Unit(
        principal_id=owner.id,
        name=checked.name,
        kind=checked.kind,
        hsa_id=checked.hsa_id,
        address=checked.address,
        phone=checked.phone,
        email=checked.email,
        is_fixed_care_contact=answers.fixed_care_contact,
    )
    db.session.add(added)
    _flush_unique("name")
    _write_intake(added, checked.needs, answers.default_intake)
    audit.record(admin, "organisation.unit_added", name=added.name)
    return added


def change_unit(admin: StaffUser, target: Unit, answers: UnitAnswers) -> None:
    checked = _checked_unit(answers, target.id)
    target.name = checked.name
    target.kind = checked.kind
    target.hsa_id = checked.hsa_id
    target.address = checked.address
    target.phone = checked.phone
    target.email = checked.email
    target.is_fixed_care_contact = answers.fixed_care_contact
    _flush_unique("name")
    _write_intake(target, checked.needs, answers.default_intake)
    audit.record(admin, "organisation.unit_changed", name=target.name)


# ---- staff -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAnswers:
    display_name: str
    hsa_id: str = ""
    identity_number: str = ""  # empty on a change: the one stored stays
    title: str = ""
    phone: str = ""
    email: str = ""


def _checked_staff(answers: StaffAnswers, target: StaffUser | None) -> dict:
    errors: dict[str, str] = {}
    name = _clean(answers.display_name)
    _check_name(errors, name)
    if "name" in errors:
        errors["display_name"] = errors.pop("name")
    own_id = target.id if target is not None else None
    hsa_id = normalise_hsa_id(answers.hsa_id)
    _check_hsa_id(errors, hsa_id, StaffUser, own_id, STAFF_HSA_ID_TAKEN)
    identity_hash = target.identity_hash if target is not None else None
    raw_number = _clean(answers.identity_number)
    if raw_number:
        try:
            identity_hash = identity.identity_hash(identity.normalise(raw_number))
        except identity.InvalidIdentityNumber:
            errors["identity_number"] = IDENTITY_MALFORMED
        else:
            other = db.session.scalar(select(StaffUser.id).where(StaffUser.identity_hash == identity_hash))
            if other is not None and other != own_id:
                errors["identity_number"] = IDENTITY_TAKEN
    if hsa_id is None and identity_hash is None and "identity_number" not in errors:
        errors.setdefault("hsa_id", NO_WAY_TO_SIGN_IN)
    title = _clean(answers.title)
    if len(title) > _NAME_LIMIT:
        errors["title"] = TITLE_TOO_LONG
    phone, email = _clean(answers.phone), _clean(answers.email)
    _check_contact(errors, phone, email)
    if errors:
        raise InvalidOrganisation(errors)
    return {
        "display_name": name,
        "hsa_id": hsa_id,
        "identity_hash": identity_hash,
        "title": title or None,
        "phone": phone or None,
        "email": email or None,
    }


def add_staff(admin: StaffUser, answers: StaffAnswers) -> StaffUser:
    added = StaffUser(**_checked_staff(answers, None))
    db.session.add(added)
    _flush_unique("display_name")
    audit.record(admin, "organisation.staff_added", name=added.display_name)
    return added


def change_staff(admin: StaffUser, target: StaffUser, answers: StaffAnswers) -> None:
    for key, value in _checked_staff(answers, target).items():
        setattr(target, key, value)
    _flush_unique("display_name")
    audit.record(admin, "organisation.staff_changed", name=target.display_name)


def give_role(admin: StaffUser, target: StaffUser, unit_public_id: str, role: str) -> StaffMembership:
    """Make ``target`` coordinator or member of the unit; a role they already have there is changed."""
    errors: dict[str, str] = {}
    chosen = db.session.scalar(select(Unit).where(Unit.public_id == (unit_public_id or "")))
    if chosen is None:
        errors["unit"] = UNIT_UNKNOWN
    try:
        staff_role = StaffRole(role)
    except ValueError:
        errors["role"] = ROLE_UNKNOWN
    if errors or chosen is None:
        raise InvalidOrganisation(errors)
    membership = db.session.scalar(
        select(StaffMembership).where(
            StaffMembership.staff_id == target.id, StaffMembership.unit_id == chosen.id
        )
    )
    if membership is None:
        membership = StaffMembership(staff_id=target.id, unit_id=chosen.id, role=staff_role)
        db.session.add(membership)
    else:
        membership.role = staff_role
    db.session.flush()
    audit.record(
        admin, "organisation.role_given", name=target.display_name, unit=chosen.name, role=staff_role.value
    )
    return membership


def remove_role(admin: StaffUser, target: StaffUser, unit_public_id: str) -> None:
    chosen = db.session.scalar(select(Unit).where(Unit.public_id == (unit_public_id or "")))
    if chosen is None:
        raise NotFound()
    db.session.execute(
        delete(StaffMembership).where(
            StaffMembership.staff_id == target.id, StaffMembership.unit_id == chosen.id
        )
    )
    audit.record(admin, "organisation.role_removed", name=target.display_name, unit=chosen.name)


def _active_administrators() -> list[StaffUser]:
    """Every active staff member who is an administrator, marked or by configuration."""
    configured = administrators.configured_hsa_ids()
    candidates = db.session.scalars(
        select(StaffUser).where(
            StaffUser.deactivated_at.is_(None),
            or_(StaffUser.is_admin, func.upper(StaffUser.hsa_id).in_(configured) if configured else false()),
        )
    )
    return [member for member in candidates if administrators.is_admin(member)]


def _refuse_losing_the_last_administrator(target: StaffUser) -> None:
    if administrators.is_admin(target) and not any(m.id != target.id for m in _active_administrators()):
        raise InvalidOrganisation({"administrator": LAST_ADMINISTRATOR})


def appoint_administrator(admin: StaffUser, target: StaffUser) -> None:
    if target.is_admin:
        return
    target.is_admin = True
    db.session.flush()
    audit.record(admin, "organisation.admin_appointed", name=target.display_name)


def remove_administrator(admin: StaffUser, target: StaffUser) -> None:
    if not target.is_admin:
        if is_admin_by_configuration(target):
            raise InvalidOrganisation({"administrator": ADMIN_BY_CONFIGURATION})
        return
    if not is_admin_by_configuration(target):
        _refuse_losing_the_last_administrator(target)
    target.is_admin = False
    db.session.flush()
    audit.record(admin, "organisation.admin_removed", name=target.display_name)


def deactivate(admin: StaffUser, target: StaffUser, now: datetime | None = None) -> int:
    """The staff member can no longer sign in, and every session of theirs ends now. Returns how many."""
    if target.deactivated_at is not None:
        return 0
    if target.id == admin.id:
        raise InvalidOrganisation({"active": NOT_YOURSELF})
    _refuse_losing_the_last_administrator(target)
    # Closed only if still open, in the one statement: two administrators closing the same account at the
    # same instant both passed the check above, and the second now changes nothing (PostgreSQL makes it wait
    # for the first's commit, then finds the account closed), so the unit is told once, not twice.
    closed = db.session.scalar(
        update(StaffUser)
        .where(StaffUser.id == target.id, StaffUser.deactivated_at.is_(None))
        .values(deactivated_at=now or utcnow())
        .returning(StaffUser.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(target)
    if closed is None:
        return 0
    ended = web_sessions.end_all_for(target.get_id())
    db.session.flush()
    audit.record(admin, "organisation.staff_deactivated", name=target.display_name)
    for sip in open_sips_coordinated_by(target):
        if sip.owning_unit_id is None:
            continue
        for coordinator in recipients.unit_coordinators(sip.owning_unit_id):  # closed accounts are not told
            notifications.notify(
                coordinator,
                NotificationKind.STAFF_COORDINATOR_GONE,
                sip,
                data={"name": target.display_name},
            )
    return ended


def open_sips_coordinated_by(member: StaffUser) -> list[SipCase]:
    """The open SIPs the staff member coordinates now (one query)."""
    return list(
        db.session.scalars(
            select(SipCase)
            .join(CoordinatorAssignment, CoordinatorAssignment.case_id == SipCase.id)
            .where(
                CoordinatorAssignment.staff_id == member.id,
                CoordinatorAssignment.ended_at.is_(None),
                SipCase.step != Step.CLOSED,
            )
            .options(joinedload(SipCase.owning_unit))
            .order_by(SipCase.id)
        )
    )


@dataclass(frozen=True)
class Handover:
    """What closing a coordinator's account leaves to others: how many open SIPs, and the units among theirs
    with no other coordinator who could choose a new one (by name)."""

    open_sips: int
    units_without_coordinator: list[str]


def handover_of(member: StaffUser) -> Handover:
    sips = open_sips_coordinated_by(member)
    units = {sip.owning_unit for sip in sips if sip.owning_unit is not None}
    alone = [unit.name for unit in units if all(c.id == member.id for c in coordinators_of(unit))]
    return Handover(len(sips), sorted(alone))


def reactivate(admin: StaffUser, target: StaffUser) -> None:
    if target.deactivated_at is None:
        return
    target.deactivated_at = None
    db.session.flush()
    audit.record(admin, "organisation.staff_reactivated", name=target.display_name)


# ---- what has changed ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    at: datetime
    action: str
    who: str
    what: str
    unit: str | None


def latest_changes(limit: int = LATEST_CHANGES) -> list[Change]:
    """The latest changes to the organisation, newest first, with who made them (one query). Changes made
    without a person (a command, an import) have no name."""
    doer = aliased(StaffUser)
    rows = db.session.execute(
        select(AuditEntry.at, AuditEntry.action, AuditEntry.detail, doer.display_name)
        .outerjoin(doer, doer.id == AuditEntry.actor_staff_id)
        .where(AuditEntry.case_id.is_(None), AuditEntry.action.startswith(AUDIT_PREFIX))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return [
        Change(
            at,
            action,
            name or "",
            str((detail or {}).get("name", "")),
            (detail or {}).get("unit"),
        )
        for at, action, detail, name in rows
    ]
