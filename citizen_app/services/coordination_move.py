"""Moving coordination to another unit or principal, after the first meeting [VN] [issue 16].

Before a coordinator has accepted the request, the request is *forwarded* (services/intake.py ``forward``).
Once the first meeting is held, the coordination can move, e.g. from the region's health centre to the
municipality, when both coordinators agree:

- the current coordinator proposes a target unit and a reason; the target unit's coordinators are told;
- a coordinator of the target unit accepts (they become the coordinator and the SIP's unit changes) or
  declines with a reason (the proposer is told);
- the proposer (or another coordinator of the SIP) may withdraw a proposal still open;
- one open proposal per SIP at a time (a partial unique index holds it even for two at the same instant);
- two accepts at once: the proposal row is changed with a conditional UPDATE, so one wins and the other is
  told it was answered already;
- the person, guardians and representatives are told who coordinates now; the history keeps every step
  (the proposal rows, the events, the coordinator assignments).

Every step is written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    CoordinationMove,
    EventKind,
    MoveStatus,
    NotificationKind,
    Participant,
    ParticipantRole,
    SipCase,
    StaffMembership,
    StaffRole,
    StaffUser,
    Step,
    Unit,
    utcnow,
)
from citizen_app.services import (
    N_,
    DomainError,
    InvalidInput,
    NotFound,
    audit,
    intake,
    notifications,
    recipients,
    timeline,
)

MAX_REASON = 1000
ONE_AT_A_TIME = N_("Det finns redan ett förslag om att flytta samordningen. Ta tillbaka det först.")


class InvalidMove(InvalidInput):
    pass


class AlreadyAnswered(DomainError):
    """The proposal was answered or withdrawn already (a second click, the colleague at the same instant)."""

    def __init__(self) -> None:
        super().__init__(N_("Förslaget är redan besvarat eller taget tillbaka."))


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\x00", "").strip() if isinstance(text, str) else ""


def first_meeting_held(case: SipCase) -> bool:
    """The first meeting is held once the SIP has reached "meeting held" (and is not closed)."""
    return not case.is_closed and case.step.position >= Step.MEETING_HELD.position


def pending(case: SipCase) -> CoordinationMove | None:
    """The open proposal of the SIP, with its units and proposer."""
    return db.session.scalar(
        select(CoordinationMove)
        .where(CoordinationMove.case_id == case.id, CoordinationMove.status == MoveStatus.PENDING)
        .options(
            joinedload(CoordinationMove.to_unit),
            joinedload(CoordinationMove.from_unit),
            joinedload(CoordinationMove.proposed_by),
        )
    )


def history(case: SipCase) -> list[CoordinationMove]:
    """Every proposal of the SIP, oldest first."""
    return list(
        db.session.scalars(
            select(CoordinationMove)
            .where(CoordinationMove.case_id == case.id)
            .options(joinedload(CoordinationMove.to_unit), joinedload(CoordinationMove.answered_by))
            .order_by(CoordinationMove.created_at, CoordinationMove.id)
        )
    )


def may_propose(staff: StaffUser, case: SipCase) -> bool:
    return access.can(staff, Action.STAFF_MOVE_COORDINATION, case) and first_meeting_held(case)


def target_units(case: SipCase) -> list[Unit]:
    """Units that could take over: any other unit with a coordinator in Min SIP, with its principal."""
    has_coordinator = exists().where(
        StaffMembership.unit_id == Unit.id, StaffMembership.role == StaffRole.COORDINATOR
    )
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.id != case.owning_unit_id, has_coordinator)
            .options(joinedload(Unit.principal))
            .order_by(Unit.name)
        )
    )


def propose(staff: StaffUser, case: SipCase, unit_public_id: str, reason: str) -> CoordinationMove:
    access.require(staff, Action.STAFF_MOVE_COORDINATION, case)
    if not first_meeting_held(case):
        raise DomainError(
            N_(
                "Samordningen kan flyttas först när det första mötet är hållet. "
                "Innan dess skickar du förfrågan vidare."
            )
        )
    reason = _clean(reason)
    target = next((u for u in target_units(case) if u.public_id == unit_public_id), None)
    errors: dict[str, str] = {}
    if target is None:
        errors["unit"] = N_("Välj en annan enhet som har en samordnare")
    if not reason:
        errors["reason"] = N_("Skriv varför samordningen ska flyttas")
    elif len(reason) > MAX_REASON:
        errors["reason"] = N_("Skriv högst 1000 tecken")
    if errors:
        raise InvalidMove(errors)
    assert target is not None
    if pending(case) is not None:
        raise DomainError(ONE_AT_A_TIME)
    move = CoordinationMove(
        case_id=case.id,
        from_unit_id=case.owning_unit_id,
        to_unit_id=target.id,
        proposed_by_id=staff.id,
        reason=reason,
    )
    try:
        with db.session.begin_nested():  # the unique index: a proposal sent at the same instant won
            db.session.add(move)
    except IntegrityError:
        raise DomainError(ONE_AT_A_TIME) from None
    from_name = case.owning_unit.name if case.owning_unit else None
    told = {"from": from_name, "to": target.name, "reason": reason}
    _staff_event(case, EventKind.MOVE_PROPOSED, staff, told)
    db.session.flush()
    audit.record(staff, "coordination.move_proposed", case, move=move.public_id, to=target.public_id)
    for coordinator in recipients.unit_coordinators(target.id):
        notifications.notify(coordinator, NotificationKind.MOVE_PROPOSED, case, data={"unit": target.name})
    return move


def _staff_event(case: SipCase, kind: EventKind, staff: StaffUser, data: dict) -> None:
    """A step between the coordinators: in the staff history, not on the person's page."""
    event = timeline.record(case, kind, staff, data=data)
    event.visible_to_person = False


def incoming_for(staff: StaffUser) -> list[CoordinationMove]:
    """Open proposals to the units where the staff user is a coordinator, oldest first."""
    unit_ids = intake.coordinator_unit_ids(staff)
    if not unit_ids:
        return []
    return list(
        db.session.scalars(
            select(CoordinationMove)
            .where(CoordinationMove.to_unit_id.in_(unit_ids), CoordinationMove.status == MoveStatus.PENDING)
            .options(
                joinedload(CoordinationMove.case).joinedload(SipCase.subject),
                joinedload(CoordinationMove.from_unit),
                joinedload(CoordinationMove.to_unit),
                joinedload(CoordinationMove.proposed_by),
            )
            .order_by(CoordinationMove.created_at)
        )
    )


def incoming_count_query(unit_ids: list[int]):
    """The statement counting the open proposals to these units (``incoming_for``'s, to combine)."""
    return select(func.count(CoordinationMove.id)).where(
        CoordinationMove.to_unit_id.in_(unit_ids), CoordinationMove.status == MoveStatus.PENDING
    )


def _is_target_coordinator(staff: StaffUser, move: CoordinationMove) -> bool:
    return move.to_unit_id in intake.coordinator_unit_ids(staff)


def get_move(staff: StaffUser, public_id: str) -> CoordinationMove:
    """A proposal the staff user may see: they coordinate the SIP's side or the target unit. Audited."""
    move = db.session.scalar(
        select(CoordinationMove)
        .where(CoordinationMove.public_id == public_id)
        .options(
            joinedload(CoordinationMove.case).joinedload(SipCase.subject),
            joinedload(CoordinationMove.from_unit),
            joinedload(CoordinationMove.to_unit),
            joinedload(CoordinationMove.proposed_by),
        )
    )
    if move is None or not (
        _is_target_coordinator(staff, move) or access.can(staff, Action.STAFF_MOVE_COORDINATION, move.case)
    ):
        raise NotFound(N_("Sidan finns inte."))
    audit.record(staff, "coordination.move_read", move.case, move=move.public_id)
    return move


def may_answer(staff: StaffUser, move: CoordinationMove) -> bool:
    return move.status == MoveStatus.PENDING and _is_target_coordinator(staff, move)


def _settle(move: CoordinationMove, status: MoveStatus, staff: StaffUser, reason: str | None = None) -> None:
    """Change an open proposal, once: on PostgreSQL a second transaction waits for the first, then finds
    the row answered and changes nothing (AlreadyAnswered)."""
    done = db.session.execute(
        update(CoordinationMove)
        .where(CoordinationMove.id == move.id, CoordinationMove.status == MoveStatus.PENDING)
        .values(status=status, answered_by_id=staff.id, answer_reason=reason, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.session.expire(move)
        raise AlreadyAnswered()
    db.session.expire(move)


def accept(staff: StaffUser, move: CoordinationMove) -> SipCase:
    """The target unit takes over: the staff user becomes coordinator and the SIP moves to their unit."""
    if not _is_target_coordinator(staff, move):
        raise NotFound(N_("Sidan finns inte."))
    case = move.case
    if case.is_closed:  # checked before the proposal changes: a refused accept writes nothing
        raise DomainError(N_("SIP:en är avslutad."))
    _settle(move, MoveStatus.ACCEPTED, staff)
    previous = recipients.current_coordinator(case)
    old_unit_id, target = case.owning_unit_id, move.to_unit
    intake._assign(case, staff, staff)
    case.owning_unit_id = target.id
    # The unit that coordinated stays in the SIP as a unit taking part.
    if old_unit_id is not None and not db.session.scalar(
        select(Participant.id).where(
            Participant.case_id == case.id,
            Participant.unit_id == old_unit_id,
            Participant.role == ParticipantRole.UNIT,
            Participant.removed_at.is_(None),
        )
    ):
        db.session.add(Participant(case_id=case.id, unit_id=old_unit_id, role=ParticipantRole.UNIT))
    timeline.record(
        case,
        EventKind.COORDINATION_MOVED,
        staff,
        data={
            "coordinator": staff.display_name,
            "to": target.name,
            "from": move.from_unit.name if move.from_unit else None,
        },
    )
    db.session.flush()
    access.forget_roles()
    audit.record(staff, "coordination.move_accepted", case, move=move.public_id, to=target.public_id)
    told = {"coordinator": staff.display_name, "unit": target.name}
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.COORDINATION_MOVED, case, data=told)
    for colleague in {s.id: s for s in (previous, move.proposed_by) if s is not None}.values():
        if colleague.id != staff.id:
            notifications.notify(colleague, NotificationKind.COORDINATION_MOVED, case, data=told)
    return case


def decline(staff: StaffUser, move: CoordinationMove, reason: str) -> None:
    """The target unit says no, with a reason the proposer reads."""
    if not _is_target_coordinator(staff, move):
        raise NotFound(N_("Sidan finns inte."))
    reason = _clean(reason)
    if not reason:
        raise InvalidMove({"reason": N_("Skriv varför ni inte kan ta över samordningen")})
    if len(reason) > MAX_REASON:
        raise InvalidMove({"reason": N_("Skriv högst 1000 tecken")})
    _settle(move, MoveStatus.DECLINED, staff, reason)
    case = move.case
    _staff_event(case, EventKind.MOVE_DECLINED, staff, {"to": move.to_unit.name, "reason": reason})
    db.session.flush()
    audit.record(staff, "coordination.move_declined", case, move=move.public_id)
    unit = {"unit": move.to_unit.name}
    notifications.notify(move.proposed_by, NotificationKind.MOVE_DECLINED, case, data=unit)


def may_withdraw(staff: StaffUser, move: CoordinationMove) -> bool:
    return move.status == MoveStatus.PENDING and access.can(staff, Action.STAFF_MOVE_COORDINATION, move.case)


def withdraw(staff: StaffUser, move: CoordinationMove) -> None:
    """The SIP's coordinator takes the proposal back while it is open."""
    access.require(staff, Action.STAFF_MOVE_COORDINATION, move.case)
    _settle(move, MoveStatus.WITHDRAWN, staff)
    case = move.case
    _staff_event(case, EventKind.MOVE_WITHDRAWN, staff, {"to": move.to_unit.name})
    db.session.flush()
    audit.record(staff, "coordination.move_withdrawn", case, move=move.public_id)
