"""What the register's answers do to Min SIP's relations [issue 18] [DA 4.2].

The register decides, for a child it knows, who the guardians with custody are; Min SIP follows at once:

- A guardian the register no longer lists loses custody (their relationship stays, ``has_custody`` false, as
  for a parent without custody): from that moment they do not see the child's SIPs (access.py) and are no
  longer a consent voice (consent.required_voices). Their place among the SIP's participants ends.
- A guardian the register lists gains custody (a relationship is made, or ``has_custody`` set): they see the
  child's SIPs, and their yes is needed for the consent. They are added to the child's open SIPs.
- People the register names and Min SIP does not know yet are created (identity number, name, birth date).
- Each change is audited (``register.custody_gained``/``register.custody_lost``, no identity numbers).
- A child the register does not know (NotInRegister) keeps what Min SIP knew. So does everyone while the
  register is away (RegisterUnavailable): sign-in goes on, the failure is logged, the next sign-in or the
  daily refresh tries again.
- Only children: a guardian's custody ends by law at 18 (services/coming_of_age.py), not by the register.
- Guardians without custody are not the register's answer: their relationships are left as they are.

When: ``refresh_at_sign_in`` (sessions.sign_in, for e-ID and the test identities alike), ``refresh_open_sips``
every day for the children with an open SIP (``flask run-jobs``, beside the reminders), and
``refresh`` by hand (``flask register refresh``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from citizen_app import access
from citizen_app.extensions import db
from citizen_app.models import (
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    RelationKind,
    Relationship,
    SipCase,
    Step,
)
from citizen_app.models.base import utcnow
from citizen_app.services import audit, consent, identity, notifications, people, recipients, relations
from citizen_app.services.meetings import SWEDISH_TIME
from citizen_app.services.population_register import (
    NotInRegister,
    RegisterPerson,
    RegisterUnavailable,
    RelationsSource,
    configured_source,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustodyChange:
    gained: bool  # True: the guardian has custody now; False: they lost it
    guardian: Person
    child: Person

    def describe(self) -> str:
        """For ``flask register refresh``: names and birth dates, never identity numbers."""
        what = "gained custody of" if self.gained else "lost custody of"
        return (
            f"{self.guardian.display_name} ({self.guardian.birth_date}) {what} "
            f"{self.child.display_name} ({self.child.birth_date})"
        )


@dataclass
class RefreshReport:
    """What a refresh did: changes, children asked about, children the register does not know, failures."""

    changes: list[CustodyChange] = field(default_factory=list)
    checked: int = 0
    unknown: int = 0
    people_created: int = 0
    failures: list[str] = field(default_factory=list)


def person_for(entry: RegisterPerson, report: RefreshReport | None = None) -> Person:
    """The person with the register's identity number; created with the register's name and birth date."""
    found = people.find_person_by_identity(entry.identity_number)
    if found is not None:
        return found
    if report is not None:
        report.people_created += 1
    return people.create_person(entry.identity_number, entry.name, birth_date=entry.birth_date)


def apply_custodians(
    child: Person,
    custodians: list[RegisterPerson],
    source_name: str,
    report: RefreshReport | None = None,
) -> list[CustodyChange]:
    """Make ``child``'s guardians with custody exactly ``custodians`` (the register's answer)."""
    rels = list(
        db.session.scalars(
            select(Relationship)
            .where(Relationship.subject_id == child.id, Relationship.kind == RelationKind.GUARDIAN)
            .options(joinedload(Relationship.holder))
            .order_by(Relationship.id)
        )
    )
    # A register that names the child as their own guardian is wrong about that one entry: it is left out.
    wanted = [
        person for person in (person_for(entry, report) for entry in custodians) if person.id != child.id
    ]
    wanted_ids = {person.id for person in wanted}
    changes: list[CustodyChange] = []
    for rel in rels:
        if rel.has_custody and rel.holder_id not in wanted_ids:
            rel.has_custody = False
            changes.append(CustodyChange(False, rel.holder, child))
    by_holder = {rel.holder_id: rel for rel in rels}
    for guardian in wanted:
        known = by_holder.get(guardian.id)
        if known is None:
            made = Relationship(
                kind=RelationKind.GUARDIAN, holder_id=guardian.id, subject_id=child.id, has_custody=True
            )
            db.session.add(made)
            by_holder[guardian.id] = made
            changes.append(CustodyChange(True, guardian, child))
        elif not known.has_custody:
            known.has_custody = True
            changes.append(CustodyChange(True, guardian, child))
    child.register_checked_at = utcnow()
    if changes:
        db.session.flush()
        _follow_in_open_sips(child, changes)
        for change in changes:
            audit.record(
                None,
                "register.custody_gained" if change.gained else "register.custody_lost",
                child=change.child.public_id,
                guardian=change.guardian.public_id,
                source=source_name,
            )
        _forget_cached_ties()
    if report is not None:
        report.changes += changes
    return changes


def _follow_in_open_sips(child: Person, changes: list[CustodyChange]) -> None:
    """A new guardian with custody takes part in the child's open SIPs; one who lost custody does no more."""
    cases = list(
        db.session.scalars(select(SipCase).where(SipCase.subject_id == child.id, SipCase.step != Step.CLOSED))
    )
    if not cases:
        return
    taking_part = list(
        db.session.scalars(
            select(Participant).where(
                Participant.case_id.in_([case.id for case in cases]),
                Participant.role == ParticipantRole.GUARDIAN,
                Participant.removed_at.is_(None),
            )
        )
    )
    now = utcnow()
    for change in changes:
        for case in cases:
            mine = [p for p in taking_part if p.case_id == case.id and p.person_id == change.guardian.id]
            if change.gained and not mine:
                db.session.add(
                    Participant(case_id=case.id, person_id=change.guardian.id, role=ParticipantRole.GUARDIAN)
                )
            elif not change.gained:
                for participant in mine:
                    participant.removed_at = now
    db.session.flush()
    _tell(cases, changes)


def _tell(cases: list[SipCase], changes: list[CustodyChange]) -> None:
    """Each new guardian with custody is told they now take part in the child's SIP, and whether their answer
    about consent is needed (the consent then waits for it, consent.required_voices); the coordinator of each
    SIP is told that the guardians changed. Nobody is told about a guardian who lost custody: that parent no
    longer sees the SIP, and the child's other guardians learn it from the court or the Tax Agency, not here.
    No names in the messages (they are rendered from their kind)."""
    access.forget_roles()  # the roles cached before the change would answer required_voices wrongly
    relations.forget_subject_ties()
    today = date.today()
    gained = [change.guardian for change in changes if change.gained]
    for case in cases:
        voices = consent.required_voices(case, today) if gained else []
        for guardian in gained:
            notifications.notify(
                guardian,
                NotificationKind.CUSTODY_GAINED,
                case,
                data={"consent_needed": guardian in voices},
                # A sign-in and the daily refresh finding the same change at once tell once a day.
                dedupe_key=f"custody-gained:{case.public_id}:{guardian.public_id}:{today.isoformat()}",
            )
        coordinator = recipients.current_coordinator(case)
        if coordinator is not None:
            notifications.notify(
                coordinator,
                NotificationKind.STAFF_CUSTODY_CHANGED,
                case,
                data={"gained": bool(gained)},
                dedupe_key=f"custody-changed:{case.public_id}:{int(bool(gained))}:{today.isoformat()}",
            )


def _forget_cached_ties() -> None:
    """The request's cached roles and guardians were read before the change (relations.subject_guardians)."""
    access.forget_roles()
    relations.forget_subject_ties()


def refresh_child(
    source: RelationsSource, child: Person, today: date, report: RefreshReport | None = None
) -> list[CustodyChange]:
    """Ask the register about the child's guardians with custody and follow the answer. An adult, or a child
    the register does not know, is left as it is. Raises RegisterUnavailable."""
    if not child.is_child_on(today):
        return []
    if report is not None:
        report.checked += 1
    try:
        custodians = source.custodians_of(people.identity_number_of(child))
    except NotInRegister:
        child.register_checked_at = utcnow()
        if report is not None:
            report.unknown += 1
        return []
    return apply_custodians(child, custodians, source.name, report)


def refresh_person(
    source: RelationsSource, person: Person, today: date, report: RefreshReport | None = None
) -> list[CustodyChange]:
    """Everything the register says about ``person``: their own guardians (a child), and the children they
    are guardian with custody of. Each such child, and each child Min SIP has them as custodian of, is asked
    about in full: the child's answer is the one that decides. Raises RegisterUnavailable."""
    changes = refresh_child(source, person, today, report)
    number = people.identity_number_of(person)
    try:
        listed = source.children_in_custody_of(number)
    except NotInRegister:
        listed = []
    children = [person_for(entry, report) for entry in listed]
    known = db.session.scalars(
        select(Person)
        .join(Relationship, Relationship.subject_id == Person.id)
        .where(
            Relationship.holder_id == person.id,
            Relationship.kind == RelationKind.GUARDIAN,
            Relationship.has_custody.is_(True),
        )
    ).all()
    seen: set[int] = {person.id}
    for child in [*children, *known]:
        if child.id in seen:
            continue
        seen.add(child.id)
        changes += refresh_child(source, child, today, report)
    person.register_checked_at = utcnow()
    return changes


def refresh_at_sign_in(person: Person, today: date | None = None) -> None:
    """At a citizen's sign-in: follow the register, if there is one. The register being away never stops
    the sign-in: the relations Min SIP knew are kept, and the failure is logged (without who it was)."""
    source = configured_source()
    if source is None:
        return
    try:
        with db.session.begin_nested():
            refresh_person(source, person, today or date.today())
    except RegisterUnavailable as away:
        log.warning("population register not asked at sign-in, the known relations are kept: %s", away)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SWEDISH_TIME)


def children_with_open_sips(today: date, not_checked_since: datetime | None = None) -> list[Person]:
    """The subjects of open SIPs who are children on ``today`` (bounded by birth date in SQL)."""
    query = (
        select(Person)
        .where(
            Person.id.in_(select(SipCase.subject_id).where(SipCase.step != Step.CLOSED)),
            Person.birth_date > date(today.year - 19, 1, 1),  # a loose bound; is_child_on decides
        )
        .order_by(Person.id)
    )
    if not_checked_since is not None:
        query = query.where(
            or_(Person.register_checked_at.is_(None), Person.register_checked_at < not_checked_since)
        )
    return [child for child in db.session.scalars(query) if child.is_child_on(today)]


def refresh_open_sips(today: date) -> int:
    """Every day (``flask run-jobs``, from cron, or its job with ``--enqueue``): ask the register about each
    child with an open SIP not asked yet today. How many custody changes it made. The register being away
    stops the run (logged); the next run of the jobs asks the children not yet asked."""
    source = configured_source()
    if source is None:
        return 0
    changed = 0
    for child in children_with_open_sips(today, not_checked_since=_start_of(today)):
        try:
            with db.session.begin_nested():
                changed += len(refresh_child(source, child, today))
        except RegisterUnavailable as away:
            log.warning(
                "population register away during the daily refresh, tried again at the next run: %s", away
            )
            break
    return changed


JOB = "citizen_app.services.population_register.reconcile.refresh_open_sips_job"  # `flask run-jobs --enqueue`


def refresh_open_sips_job() -> int:
    """The job form of ``refresh_open_sips``: today is read when the job runs. The job runner commits."""
    from citizen_app.services.reminders import today_in_sweden

    return refresh_open_sips(today_in_sweden())


def refresh(
    source: RelationsSource,
    today: date,
    numbers: list[str] | None = None,
    everyone_in_extract: bool = True,
) -> RefreshReport:
    """``flask register refresh``: the people named (as at their sign-in), or every child with an open SIP
    and, from a file, every child of the extract. The caller commits (or rolls back for a dry run)."""
    report = RefreshReport()
    if numbers:
        for raw in numbers:
            number = identity.normalise(raw)
            person = people.find_person_by_identity(number)
            if person is not None:
                refresh_person(source, person, today, report)
                continue
            # Not in Min SIP yet: as a guardian, they come with their children (a child comes with theirs).
            try:
                listed = source.children_in_custody_of(number)
            except NotInRegister:
                listed = []
            if not listed:
                report.unknown += 1
            for entry in listed:
                refresh_child(source, person_for(entry, report), today, report)
        return report
    children = children_with_open_sips(today)
    all_children = getattr(source, "all_children", None)
    if everyone_in_extract and all_children is not None:
        seen = {child.id for child in children}
        for entry in all_children():
            child = person_for(entry, report)
            if child.id not in seen:
                seen.add(child.id)
                children.append(child)
    for child in children:
        refresh_child(source, child, today, report)
    return report
