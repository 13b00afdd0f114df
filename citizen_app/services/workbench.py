"""The coordinator's workbench on the staff start page (issue 16): "Mina SIP:ar", and the SIPs a unit is in.

- Mine: every open SIP the staff member coordinates now (a current ``CoordinatorAssignment``), and for a
  coordinator of a unit also every open SIP the unit owns.
- Ours: open SIPs a unit of theirs takes part in (not owned by it), shown only while the access policy lets
  them see it (``Action.STAFF_VIEW_CASE``: the consent in force must cover their unit). It decides, for
  all the SIPs at once (``access.staff_roles_for_many``), so this module has no rule of its own about it.
- The next deadline (services/deadlines.next_deadline) and what waits on whom: consent from a guardian or the
  person, invited units that have not answered, comments on the draft plan, open problem reports; and,
  first, a coordinator whose account an administrator has closed (the unit's coordinators choose a new one).
- Overdue first, then by deadline; filtered by step, searched by name, 25 a page.

Names: ``Person.display_name`` is a plain column (only the personal identity number is hashed and encrypted),
so the search is a case-insensitive LIKE on it. On SQLite that ignores case only for a–z (not å, ä, ö);
PostgreSQL lowers every letter. A relative's suggestion not yet linked to a person has no name to search.

Query cost, whatever the number of SIPs: one query lists every matching SIP with what its deadline needs
(sorting by a deadline counted in working days must see them all); then, for the 25 shown only, the consent
of those waiting for it (two queries) and one aggregate query (GROUP BY case) for invitations, comments and
problem reports. Units taking part add the policy's bulk look-up (five queries) only when there are such SIPs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CoordinatorAssignment,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Person,
    PlanComment,
    PlanVersion,
    ProblemReport,
    ProblemStatus,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    VersionStatus,
)
from citizen_app.services import consent, coordination_move, intake
from citizen_app.services.deadlines import Deadline, next_deadline

PAGE_SIZE = 25
MAX_SEARCH = 100
SWEDEN = ZoneInfo("Europe/Stockholm")
# The steps one may filter by: every open step, in order.
STEPS = tuple(step for step in Step if step != Step.CLOSED)


class WaitKind(enum.StrEnum):
    COORDINATOR_GONE = "coordinator_gone"  # the coordinator's account is closed: the unit chooses a new one
    GUARDIAN_CONSENT = "guardian_consent"  # count: guardians with custody who have not said yes
    PERSON_CONSENT = "person_consent"  # the person has not said yes
    UNIT_INVITATIONS = "unit_invitations"  # count: invited units that have not answered
    PLAN_COMMENTS = "plan_comments"  # count: comments on the draft plan
    PROBLEM_REPORTS = "problem_reports"  # count: problem reports not answered yet


@dataclass(frozen=True)
class Wait:
    kind: WaitKind
    count: int = 1


@dataclass(frozen=True)
class Filters:
    step: Step | None = None
    name: str = ""
    page: int = 1
    their_page: int = 1  # the page of "SIP:ar som er enhet är med i"

    @property
    def narrowed(self) -> bool:
        return self.step is not None or bool(self.name)

    @classmethod
    def parse(cls, step: str | None, name: str | None, page: str | None, their_page: str | None) -> Filters:
        """Read the GET form leniently: an unknown step or page number is ignored, not an error."""
        chosen = next((s for s in STEPS if s.value == step), None)
        return cls(chosen, (name or "").strip()[:MAX_SEARCH], _page_number(page), _page_number(their_page))


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@dataclass(frozen=True)
class Row:
    case: SipCase
    deadline: Deadline | None
    waits: tuple[Wait, ...] = ()


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    total: int  # how many match the filter and search
    page: int
    pages: int


@dataclass(frozen=True)
class Workbench:
    mine: Listing
    theirs: Listing  # SIPs a unit of theirs takes part in
    filters: Filters


def units_of(staff: StaffUser) -> list[tuple[Unit, StaffRole]]:
    """The staff member's units and role in each, by name, in one query that also fills
    ``staff.memberships`` (which intake.waiting_count and the access policy read) so they need no query."""
    db.session.scalars(
        select(StaffUser)
        .where(StaffUser.id == staff.id)
        .options(joinedload(StaffUser.memberships).joinedload(StaffMembership.unit))
        .execution_options(populate_existing=True)
    ).unique().all()
    return sorted(((m.unit, m.role) for m in staff.memberships), key=lambda pair: pair[0].name)


@dataclass(frozen=True)
class Waiting:
    """What waits for a coordinator outside their SIPs: new requests, proposals to take over coordination."""

    requests: int = 0
    proposals: int = 0


def waiting_for(staff: StaffUser) -> Waiting:
    """The requests in the staff member's queue (``intake.waiting_count``) and the proposals to their units
    to take over coordination (``coordination_move.incoming_for``), in one query. Only a unit's coordinators
    take either, so others get zeros without a query."""
    unit_ids = intake.coordinator_unit_ids(staff)
    if not unit_ids:
        return Waiting()
    requests = intake.waiting_count_query(unit_ids).scalar_subquery()
    proposals = coordination_move.incoming_count_query(unit_ids).scalar_subquery()
    row = db.session.execute(select(requests, proposals)).one()
    return Waiting(row[0] or 0, row[1] or 0)


def workbench_for(
    staff: StaffUser, unit_roles: dict[int, StaffRole], filters: Filters, today: date | None = None
) -> Workbench:
    """Both lists of the start page. ``unit_roles``: the staff member's units and role in each."""
    day = today or date.today()
    candidates = _open_cases(staff, unit_roles, filters, day)
    mine = [(c, d) for c, d, is_mine in candidates if is_mine]
    others = [c for c, _, is_mine in candidates if not is_mine]
    theirs: list[tuple[SipCase, Deadline | None]] = []
    if others:
        access.staff_roles_for_many(staff, others, day)
        deadlines = {c.id: d for c, d, _ in candidates}
        theirs = [(c, deadlines[c.id]) for c in others if access.can(staff, Action.STAFF_VIEW_CASE, c)]
    mine_page = _page(_ordered(mine), filters.page)
    shown = [c for c, _ in mine_page.rows]
    waits = waits_for(shown, day)
    return Workbench(
        mine=Listing(
            [Row(c, d, waits.get(c.id, ())) for c, d in mine_page.rows],
            mine_page.total,
            mine_page.page,
            mine_page.pages,
        ),
        theirs=_as_listing(_page(_ordered(theirs), filters.their_page)),
        filters=filters,
    )


def _as_listing(paged: _Paged) -> Listing:
    return Listing([Row(c, d) for c, d in paged.rows], paged.total, paged.page, paged.pages)


def _open_cases(
    staff: StaffUser, unit_roles: dict[int, StaffRole], filters: Filters, today: date
) -> list[tuple[SipCase, Deadline | None, bool]]:
    """Every open SIP that is the staff member's, or that a unit of theirs takes part in, with its next
    deadline and whether it is theirs to coordinate; in one query."""
    coordinator_units = [unit_id for unit_id, role in unit_roles.items() if role == StaffRole.COORDINATOR]
    coordinates = SipCase.id.in_(
        select(CoordinatorAssignment.case_id).where(
            CoordinatorAssignment.staff_id == staff.id, CoordinatorAssignment.ended_at.is_(None)
        )
    )
    is_mine = (
        or_(coordinates, SipCase.owning_unit_id.in_(coordinator_units)) if coordinator_units else coordinates
    )
    takes_part = (
        exists().where(
            Participant.case_id == SipCase.id,
            Participant.role == ParticipantRole.UNIT,
            Participant.unit_id.in_(list(unit_roles)),
            Participant.removed_at.is_(None),
        )
        if unit_roles
        else literal(False)
    )
    held = (
        select(func.max(func.coalesce(Meeting.held_at, Meeting.starts_at)))
        .where(Meeting.case_id == SipCase.id, Meeting.status == MeetingStatus.HELD)
        .correlate(SipCase)
        .scalar_subquery()
    )
    follow_up = (
        select(func.max(PlanVersion.follow_up_on))
        .where(PlanVersion.case_id == SipCase.id, PlanVersion.status == VersionStatus.APPROVED)
        .correlate(SipCase)
        .scalar_subquery()
    )
    stmt = (
        select(SipCase, held, follow_up, case((is_mine, True), else_=False))
        .outerjoin(Person, SipCase.subject_id == Person.id)
        .options(contains_eager(SipCase.subject))
        .where(SipCase.step != Step.CLOSED, or_(is_mine, takes_part))
    )
    if filters.step is not None:
        stmt = stmt.where(SipCase.step == filters.step)
    if filters.name:
        stmt = stmt.where(Person.display_name.ilike(f"%{_escape_like(filters.name)}%", escape="\\"))
    found = []
    for sip, held_at, follow_up_on, mine in db.session.execute(stmt):
        deadline = next_deadline(
            sip.step,
            _swedish_day(sip.requested_at),
            today,
            discharge_date=sip.discharge_date,
            meeting_held_on=_swedish_day(_as_datetime(held_at)) if held_at is not None else None,
            follow_up_on=_as_date(follow_up_on),
        )
        found.append((sip, deadline, bool(mine)))
    return found


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_datetime(value: datetime | str) -> datetime:
    """An aggregate of a datetime column: SQLite gives it back as text, without the column's type."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _swedish_day(moment: datetime) -> date:
    return moment.astimezone(SWEDEN).date()


def _ordered(rows: list[tuple[SipCase, Deadline | None]]) -> list[tuple[SipCase, Deadline | None]]:
    """Overdue first (the most overdue at the top), then by deadline; SIPs without a deadline last."""

    def key(row: tuple[SipCase, Deadline | None]) -> tuple:
        sip, deadline = row
        name = sip.subject.display_name if sip.subject else ""
        if deadline is None:
            return (2, date.max, name, sip.id)
        return (0 if deadline.overdue else 1, deadline.due, name, sip.id)

    return sorted(rows, key=key)


@dataclass(frozen=True)
class _Paged:
    rows: list[tuple[SipCase, Deadline | None]]
    total: int
    page: int
    pages: int


def _page(rows: list[tuple[SipCase, Deadline | None]], page: int) -> _Paged:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return _Paged(rows[start : start + PAGE_SIZE], len(rows), page, pages)


def waits_for(cases: list[SipCase], today: date) -> dict[int, tuple[Wait, ...]]:
    """What each SIP waits for, and on whom, for the (at most 25) SIPs shown: consent (two queries, only when
    a SIP waits for it) and one aggregate query for the rest."""
    if not cases:
        return {}
    found: dict[int, list[Wait]] = {c.id: [] for c in cases}
    waiting_for_consent = [c for c in cases if c.step == Step.CONSENT]
    if waiting_for_consent:
        states = consent.states_for_many(waiting_for_consent, today)
        for sip in waiting_for_consent:
            missing = states[sip.id].missing
            if any(person.id == sip.subject_id for person in missing):
                found[sip.id].append(Wait(WaitKind.PERSON_CONSENT))
            elif missing:
                found[sip.id].append(Wait(WaitKind.GUARDIAN_CONSENT, len(missing)))
    for case_id, kind, count in db.session.execute(_counts([c.id for c in cases])):
        if count:
            found[case_id].append(Wait(WaitKind(kind), int(count)))
    order = list(WaitKind)
    return {
        case_id: tuple(sorted(waits, key=lambda w: order.index(w.kind))) for case_id, waits in found.items()
    }


def _counts(case_ids: list[int]):
    """One statement: per SIP, a coordinator whose account is closed, invited units without an answer
    (planned meetings), comments on the draft plan, and problem reports not yet answered."""
    gone = (
        select(
            CoordinatorAssignment.case_id,
            literal(WaitKind.COORDINATOR_GONE.value),
            func.count(CoordinatorAssignment.id),
        )
        .join(StaffUser, StaffUser.id == CoordinatorAssignment.staff_id)
        .where(
            CoordinatorAssignment.case_id.in_(case_ids),
            CoordinatorAssignment.ended_at.is_(None),
            StaffUser.deactivated_at.is_not(None),
        )
        .group_by(CoordinatorAssignment.case_id)
    )
    invitations = (
        select(Meeting.case_id, literal(WaitKind.UNIT_INVITATIONS.value), func.count(Invitation.id))
        .join(Invitation, Invitation.meeting_id == Meeting.id)
        .join(Participant, Participant.id == Invitation.participant_id)
        .where(
            Meeting.case_id.in_(case_ids),
            Meeting.status == MeetingStatus.PLANNED,
            Invitation.status == InvitationStatus.SENT,
            Participant.role == ParticipantRole.UNIT,
        )
        .group_by(Meeting.case_id)
    )
    comments = (
        select(PlanVersion.case_id, literal(WaitKind.PLAN_COMMENTS.value), func.count(PlanComment.id))
        .join(PlanComment, PlanComment.version_id == PlanVersion.id)
        .where(and_(PlanVersion.case_id.in_(case_ids), PlanVersion.status == VersionStatus.DRAFT))
        .group_by(PlanVersion.case_id)
    )
    problems = (
        select(ProblemReport.case_id, literal(WaitKind.PROBLEM_REPORTS.value), func.count(ProblemReport.id))
        .where(ProblemReport.case_id.in_(case_ids), ProblemReport.status != ProblemStatus.ANSWERED)
        .group_by(ProblemReport.case_id)
    )
    return union_all(gone, invitations, comments, problems)


__all__ = [
    "PAGE_SIZE",
    "STEPS",
    "Filters",
    "Listing",
    "Row",
    "Wait",
    "WaitKind",
    "Workbench",
    "waits_for",
    "units_of",
    "workbench_for",
]
