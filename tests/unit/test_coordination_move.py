"""Moving the coordination to another unit after the first meeting [VN] [issue 16]: both coordinators agree,
the person is told who coordinates now, and the history keeps every step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    CoordinatorAssignment,
    EventKind,
    MoveStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantRole,
    PrincipalKind,
    StaffRole,
    StaffUser,
    Step,
    UnitKind,
)
from citizen_app.services import DomainError, NotAllowed, NotFound, coordination_move, intake
from tests.support import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def sip(app):
    with freeze_time(NOW):
        health = factories.unit("Vårdcentralen Norra", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
        social = factories.unit("Socialtjänsten")
        vera = factories.staff(health, StaffRole.COORDINATOR, name="Vera Nilsson")
        kent = factories.staff(social, StaffRole.COORDINATOR, name="Kent Olofsson")
        lisa = factories.staff(social, StaffRole.COORDINATOR, name="Lisa Ek")
        member = factories.staff(social, StaffRole.MEMBER, name="Mia Medarbetare")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, health, vera, step=Step.MEETING_HELD)
        db.session.commit()
        return {
            "case": case,
            "health": health,
            "social": social,
            "vera": vera,
            "kent": kent,
            "lisa": lisa,
            "member": member,
            "anna": anna,
        }


def _told(recipient, kind: NotificationKind) -> list[Notification]:
    column = (
        Notification.recipient_staff_id
        if isinstance(recipient, StaffUser)
        else Notification.recipient_person_id
    )
    return list(
        db.session.scalars(select(Notification).where(column == recipient.id, Notification.kind == kind))
    )


def _events(case) -> list[CaseEvent]:
    return list(
        db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    )


def _propose(sip, reason: str = "Behoven gäller mest boende och ekonomi nu."):
    return coordination_move.propose(sip["vera"], sip["case"], sip["social"].public_id, reason)


@freeze_time(NOW)
def test_coordination_can_move_only_after_the_first_meeting(sip):
    for step in (Step.REQUESTED, Step.CONSENT, Step.PREPARATION, Step.INVITED):
        sip["case"].step = step
        with pytest.raises(DomainError) as refused:
            _propose(sip)
        assert "första mötet" in refused.value.message
    sip["case"].step = Step.CLOSED
    with pytest.raises(DomainError):
        _propose(sip)
    sip["case"].step = Step.MEETING_HELD
    assert _propose(sip).status == MoveStatus.PENDING


@freeze_time(NOW)
def test_only_the_current_coordinator_proposes(sip):
    with pytest.raises(NotAllowed):
        coordination_move.propose(sip["kent"], sip["case"], sip["social"].public_id, "Vi tar den")


@freeze_time(NOW)
def test_a_proposal_needs_another_unit_with_a_coordinator_and_a_reason(sip):
    with pytest.raises(coordination_move.InvalidMove) as invalid:
        coordination_move.propose(sip["vera"], sip["case"], sip["health"].public_id, "  ")
    assert set(invalid.value.errors) == {"unit", "reason"}
    no_coordinator = factories.unit("Hemtjänsten", UnitKind.HOME_CARE)
    with pytest.raises(coordination_move.InvalidMove) as invalid:
        coordination_move.propose(sip["vera"], sip["case"], no_coordinator.public_id, "Hemtjänst")
    assert set(invalid.value.errors) == {"unit"}


@freeze_time(NOW)
def test_both_coordinators_agree_and_the_person_is_told_who_coordinates_now(sip):
    move = _propose(sip)
    # The target unit's coordinators are asked; the person is told nothing yet, and the SIP has not moved.
    assert len(_told(sip["kent"], NotificationKind.MOVE_PROPOSED)) == 1
    assert len(_told(sip["lisa"], NotificationKind.MOVE_PROPOSED)) == 1
    assert _told(sip["anna"], NotificationKind.COORDINATION_MOVED) == []
    assert sip["case"].owning_unit_id == sip["health"].id

    coordination_move.accept(sip["kent"], move)
    case = sip["case"]
    assert case.owning_unit_id == sip["social"].id
    assignments = db.session.scalars(
        select(CoordinatorAssignment)
        .where(CoordinatorAssignment.case_id == case.id)
        .order_by(CoordinatorAssignment.id)
    ).all()
    assert [a.staff_id for a in assignments] == [sip["vera"].id, sip["kent"].id]  # the history is kept
    assert assignments[0].ended_at is not None and assignments[1].ended_at is None
    told = _told(sip["anna"], NotificationKind.COORDINATION_MOVED)
    assert [m.data for m in told] == [{"coordinator": "Kent Olofsson", "unit": "Socialtjänsten"}]
    assert len(_told(sip["vera"], NotificationKind.COORDINATION_MOVED)) == 1
    # The unit that coordinated stays in the SIP as a unit taking part.
    assert db.session.scalar(
        select(Participant.id).where(
            Participant.case_id == case.id,
            Participant.unit_id == sip["health"].id,
            Participant.role == ParticipantRole.UNIT,
        )
    )
    kinds = [(e.kind, e.visible_to_person) for e in _events(case)]
    assert kinds == [(EventKind.MOVE_PROPOSED, False), (EventKind.COORDINATION_MOVED, True)]
    assert move.status == MoveStatus.ACCEPTED and move.answered_by_id == sip["kent"].id


@freeze_time(NOW)
def test_a_member_or_another_unit_cannot_accept(sip):
    move = _propose(sip)
    with pytest.raises(NotFound):
        coordination_move.accept(sip["member"], move)
    with pytest.raises(NotFound):
        coordination_move.accept(sip["vera"], move)  # the proposer is not the other side
    assert move.status == MoveStatus.PENDING


@freeze_time(NOW)
def test_the_target_unit_declines_with_a_reason_and_the_proposer_is_told(sip):
    move = _propose(sip)
    with pytest.raises(coordination_move.InvalidMove):
        coordination_move.decline(sip["kent"], move, " ")
    coordination_move.decline(sip["kent"], move, "Vi har ingen kontakt med Anna.")
    assert move.status == MoveStatus.DECLINED and move.answer_reason == "Vi har ingen kontakt med Anna."
    assert [m.data for m in _told(sip["vera"], NotificationKind.MOVE_DECLINED)] == [
        {"unit": "Socialtjänsten"}
    ]
    assert sip["case"].owning_unit_id == sip["health"].id
    assert _told(sip["anna"], NotificationKind.COORDINATION_MOVED) == []
    with pytest.raises(coordination_move.AlreadyAnswered):
        coordination_move.accept(sip["lisa"], move)


@freeze_time(NOW)
def test_the_proposer_can_withdraw_an_open_proposal(sip):
    move = _propose(sip)
    with pytest.raises(NotAllowed):
        coordination_move.withdraw(sip["kent"], move)
    coordination_move.withdraw(sip["vera"], move)
    assert move.status == MoveStatus.WITHDRAWN
    with pytest.raises(coordination_move.AlreadyAnswered):
        coordination_move.accept(sip["kent"], move)
    assert coordination_move.pending(sip["case"]) is None
    assert _events(sip["case"])[-1].kind == EventKind.MOVE_WITHDRAWN


@freeze_time(NOW)
def test_only_one_proposal_at_a_time(sip):
    first = _propose(sip)
    with pytest.raises(DomainError) as refused:
        _propose(sip)
    assert refused.value.message == coordination_move.ONE_AT_A_TIME
    coordination_move.withdraw(sip["vera"], first)
    assert _propose(sip).status == MoveStatus.PENDING  # after the withdrawal a new one may be made
    assert len(coordination_move.history(sip["case"])) == 2


@freeze_time(NOW)
def test_every_step_is_audited(sip):
    move = _propose(sip)
    coordination_move.get_move(sip["kent"], move.public_id)
    coordination_move.accept(sip["kent"], move)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.case_id == sip["case"].id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["coordination.move_proposed", "coordination.move_read", "coordination.move_accepted"]


@freeze_time(NOW)
def test_forwarding_before_acceptance_stays_as_it_is(sip):
    sip["case"].step = Step.REQUESTED
    intake.forward(sip["vera"], sip["case"], sip["social"].public_id, "Det gäller boende.")
    assert sip["case"].owning_unit_id == sip["social"].id
