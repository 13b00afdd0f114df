"""Background jobs in-process, the embedded default [issue 8]: a job runs after the request's commit, in the
app's small thread pool, with its own app context and session; a rollback drops it.

The thread test uses a second app on the same database with JOBS_BACKEND "thread" (the test app runs jobs
"sync"). It is made before any thread starts, and only ids cross between threads, never session objects.
"""

from __future__ import annotations

import base64
import threading
import time
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import (
    Notification,
    NotificationKind,
    OutboxStatus,
    Person,
    PushOutbox,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.services import jobs, meetings, notifications, push, recipients
from tests.support import factories
from tests.unit.test_web_push import Browser, PushService

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _anna_with_a_sip() -> tuple[Person, SipCase]:
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    anna = factories.person("Anna")
    return anna, factories.case(anna, social, coordinator=coordinator, step=Step.CONSENT)


def _app_server_with_threads(app):
    """Another app server on the same database, with the embedded job runner."""
    return create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JOBS_BACKEND": "thread",
            "PUSH_ALLOW_HTTP_ENDPOINTS": True,
            "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
            "VAPID_PUBLIC_KEY": app.config["VAPID_PUBLIC_KEY"],
        },
    )


def _status_within(outbox_id: int, wanted: OutboxStatus, seconds: float = 5.0) -> OutboxStatus | None:
    """Poll the outbox row from this thread's own session until it has ``wanted`` (or time is up)."""
    end = time.monotonic() + seconds
    while True:
        status = db.session.scalar(select(PushOutbox.status).where(PushOutbox.id == outbox_id))
        db.session.rollback()  # a fresh read next time, seeing what the job committed
        if status == wanted or time.monotonic() > end:
            return status
        time.sleep(0.05)


def test_in_process_a_push_goes_out_from_the_pool_after_the_commit(app):
    anna, sip = _anna_with_a_sip()
    db.session.commit()
    ids = {"anna": anna.id, "sip": sip.id}
    server = _app_server_with_threads(app)  # before any thread starts: apps are not made in parallel
    service = PushService()
    browser = Browser()
    try:
        with server.app_context():
            person = db.session.get(Person, ids["anna"])
            push.subscribe(person, service.endpoint("phone"), browser.p256dh, _b64url(browser.auth))
            db.session.commit()
            notifications.notify(person, NotificationKind.PLAN_READY, db.session.get(SipCase, ids["sip"]))
            (outbox_id,) = db.session.scalars(select(PushOutbox.id)).all()
            # Not yet committed: the job waits on the session, nothing went to the pool or the push service.
            assert db.session.info[jobs._PENDING] == [("citizen_app.services.push.deliver", (outbox_id,), 0)]
            db.session.commit()
            assert jobs._PENDING not in db.session.info
            db.session.remove()
        assert _status_within(outbox_id, OutboxStatus.SENT) == OutboxStatus.SENT
        (received,) = service.received
        assert browser.decrypt(received["body"])["body"] == push.GENERIC_TEXT
    finally:
        service.close()
        with server.app_context():
            db.engine.dispose()


def test_the_embedded_runner_uses_the_pool_not_the_callers_thread(app, monkeypatch):
    server = _app_server_with_threads(app)
    ran_in: list[str] = []
    done = threading.Event()

    def record_thread(name, args):
        ran_in.append(threading.current_thread().name)
        done.set()

    monkeypatch.setattr(jobs, "run_job", record_thread)  # what the pool thread calls, by this name
    try:
        jobs.submit(server, "citizen_app.services.push.run_due", ())
        assert done.wait(5)
    finally:
        with server.app_context():
            db.engine.dispose()
    assert ran_in[0].startswith("minsip-job") and ran_in[0] != threading.current_thread().name


def test_a_rolled_back_change_sends_nothing(app, monkeypatch):
    anna, sip = _anna_with_a_sip()
    browser = Browser()
    push.subscribe(anna, "https://push.example/anna", browser.p256dh, _b64url(browser.auth))
    db.session.commit()
    started: list[tuple] = []
    monkeypatch.setattr(jobs, "submit", lambda app_, name, args, delay=0: started.append((name, args)))
    notifications.notify(anna, NotificationKind.PLAN_READY, sip)
    db.session.rollback()  # the change failed: its push must not go out
    db.session.commit()
    assert started == [] and db.session.scalars(select(PushOutbox)).all() == []
    notifications.notify(anna, NotificationKind.PLAN_READY, sip)
    db.session.commit()
    (outbox_id,) = db.session.scalars(select(PushOutbox.id)).all()
    assert started == [("citizen_app.services.push.deliver", (outbox_id,))]


def test_only_min_sip_functions_run_as_jobs(app):
    with pytest.raises(ValueError):
        jobs.run_job("os.system", ["echo hej"])


def test_cron_runs_the_reminders_inline_and_twice_sends_nothing_twice(app):
    anna, sip = _anna_with_a_sip()
    coordinator = recipients.current_coordinator(sip)
    tomorrow_10 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    meetings.set_meeting(
        coordinator, sip, starts_at=tomorrow_10, length_minutes=60, mode="phone", phone="010-1", now=MONDAY
    )
    db.session.commit()
    runner = app.test_cli_runner()
    with freeze_time(MONDAY):
        first = runner.invoke(args=["run-jobs"])
        second = runner.invoke(args=["run-jobs"])
    assert first.exit_code == 0 and "Reminders: 1." in first.output, first.output
    assert "Reminders: 0." in second.output
    db.session.remove()
    assert db.session.query(Notification).filter_by(kind=NotificationKind.MEETING_REMINDER).count() == 1
