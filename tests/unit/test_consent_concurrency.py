"""Two guardians say yes at the same moment, from two app servers: nothing is lost, the state is consistent.

Each guardian's request runs in its own app (own connection pool, own session) in its own thread, as two
browsers hitting two servers would. Guardian A's transaction is held open after its consent is written;
guardian B's consent starts meanwhile. Without the per-case lock in services/consent.py, B would not wait: on
PostgreSQL both transactions would see only their own yes, both would decide "the other guardian has not
answered", and the SIP would stay in the consent step with both consents given. With the lock B waits for
A's commit, then sees it.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from sqlalchemy import func, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import (
    ConsentEvent,
    Notification,
    NotificationKind,
    Person,
    PrincipalKind,
    SipCase,
    Step,
    UnitKind,
)
from citizen_app.services import consent
from tests.support import factories

TODAY = date(2026, 11, 23)
YEAR = TODAY + timedelta(days=365)


def _server(app):
    """A second app on the same database, like another app server."""
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_two_guardians_consenting_at_the_same_moment_lose_nothing(app):
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    social = factories.unit("Socialtjänsten")
    bup = factories.unit("BUP", kind=UnitKind.CHILD_PSYCHIATRY, principal_kind=PrincipalKind.REGION)
    case = factories.case(kid, social, step=Step.CONSENT)
    db.session.commit()
    ids = {"case": case.id, "mum": mum.id, "dad": dad.id}
    units = [social.public_id, bup.public_id]
    written = threading.Event()  # A has written its consent but not committed
    release = threading.Event()  # let A commit
    errors: list[BaseException] = []
    timings: dict[str, float] = {}

    # Made before the threads start: making apps is not meant to run in parallel.
    servers = {"mum": _server(app), "dad": _server(app)}

    def guardian(name: str, hold_open: bool) -> None:
        server = servers[name]
        try:
            with server.app_context():
                actor = db.session.get(Person, ids[name])
                sip = db.session.get(SipCase, ids["case"])
                consent.give(actor, sip, units, ["health", "social"], YEAR, today=TODAY)
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

    first = threading.Thread(target=guardian, args=("mum", True))
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=guardian, args=("dad", False))
    second.start()
    time.sleep(0.5)  # B is now waiting for A's lock (or, without the lock, already done)
    a_released = time.monotonic()
    release.set()
    first.join(15)
    second.join(15)
    assert not errors, errors
    # B could only commit after A let go of the case.
    assert timings["dad"] >= a_released

    db.session.expire_all()
    sip = db.session.get(SipCase, ids["case"])
    assert db.session.scalar(select(func.count()).where(ConsentEvent.case_id == sip.id)) == 2
    assert sip.step == Step.PREPARATION
    assert consent.in_force(sip, TODAY) is not None
    in_force_messages = db.session.scalar(
        select(func.count()).where(Notification.kind == NotificationKind.CONSENT_IN_FORCE)
    )
    assert in_force_messages == 2  # each guardian is told once: the SIP can go on
