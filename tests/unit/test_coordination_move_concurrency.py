"""Two coordinators of the target unit press "Ta över samordningen" at the same moment, on two app servers:
one wins, the other is told the proposal was answered, and the SIP has one coordinator [issue 16].

Run it on PostgreSQL with TEST_DATABASE_URL. Coordinator A's transaction is held open after its accept;
B's accept starts meanwhile and waits on the proposal's row (the conditional UPDATE in
services/coordination_move.py), then finds it accepted.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    CoordinationMove,
    CoordinatorAssignment,
    EventKind,
    MoveStatus,
    Notification,
    NotificationKind,
    PrincipalKind,
    SipCase,
    StaffRole,
    StaffUser,
    Step,
    UnitKind,
)
from citizen_app.services import coordination_move
from tests.support import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _server(app):
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_two_accepts_at_the_same_moment_one_wins(app):
    health = factories.unit("Vårdcentralen", UnitKind.PRIMARY_CARE, PrincipalKind.REGION)
    social = factories.unit("Socialtjänsten")
    vera = factories.staff(health, StaffRole.COORDINATOR, name="Vera Nilsson")
    kent = factories.staff(social, StaffRole.COORDINATOR, name="Kent Olofsson")
    lisa = factories.staff(social, StaffRole.COORDINATOR, name="Lisa Ek")
    anna = factories.person("Anna Lind", age=45)
    case = factories.case(anna, health, vera, step=Step.MEETING_HELD)
    move = coordination_move.propose(vera, case, social.public_id, "Boende")
    db.session.commit()
    ids = {"kent": kent.id, "lisa": lisa.id, "move": move.id, "case": case.id}
    written = threading.Event()
    release = threading.Event()
    outcome: dict[str, str] = {}
    errors: list[BaseException] = []
    timings: dict[str, float] = {}
    servers = {"kent": _server(app), "lisa": _server(app)}

    def coordinator(name: str, hold_open: bool) -> None:
        try:
            with servers[name].app_context():
                staff = db.session.get(StaffUser, ids[name])
                found = db.session.get(CoordinationMove, ids["move"])
                try:
                    coordination_move.accept(staff, found)
                    outcome[name] = "won"
                except coordination_move.AlreadyAnswered:
                    outcome[name] = "already answered"
                    db.session.rollback()
                if hold_open:
                    written.set()
                    release.wait(10)
                timings[name] = time.monotonic()
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
            written.set()

    first = threading.Thread(target=coordinator, args=("kent", True))
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=coordinator, args=("lisa", False))
    second.start()
    time.sleep(0.5)  # Lisa now waits for Kent's row lock
    released = time.monotonic()
    release.set()
    first.join(15)
    second.join(15)
    assert not errors, errors
    assert outcome == {"kent": "won", "lisa": "already answered"}
    assert timings["lisa"] >= released

    db.session.expire_all()
    sip = db.session.get(SipCase, ids["case"])
    assert sip.owning_unit_id == social.id
    current = db.session.scalars(
        select(CoordinatorAssignment.staff_id).where(
            CoordinatorAssignment.case_id == sip.id, CoordinatorAssignment.ended_at.is_(None)
        )
    ).all()
    assert current == [ids["kent"]]
    assert db.session.get(CoordinationMove, ids["move"]).status == MoveStatus.ACCEPTED
    moved = select(func.count()).where(CaseEvent.kind == EventKind.COORDINATION_MOVED)
    assert db.session.scalar(moved) == 1
    told = select(func.count()).where(Notification.kind == NotificationKind.COORDINATION_MOVED)
    assert db.session.scalar(told) == 2  # the person once, the proposer once
