"""Background jobs on Redis with a real worker [issue 8]: several app servers put jobs on an RQ queue and
``flask worker`` processes take them.

The test app puts its jobs on the queue (JOBS_BACKEND "rq"); a real ``flask worker --burst`` process on the
same database takes them. Redis is TEST_REDIS_URL (default db 15 on 127.0.0.1:6379, emptied before and after).
Without Redis the tests are skipped with a message; REQUIRE_REDIS=1 (CI) turns that into a failure.
"""

from __future__ import annotations

import base64
import fcntl
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep

import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import Notification, NotificationKind, OutboxStatus, PushOutbox, StaffRole, Step
from citizen_app.services import jobs, meetings, notifications, push, reminders
from tests.support import factories
from tests.unit.test_web_push import Browser, PushService

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def _one_test_run_at_a_time(seconds: int = 300):
    """Test runs on one machine share the Redis test database (and the queue in it): take turns, or one
    run's flush or worker would take another run's jobs."""
    path = os.path.join(tempfile.gettempdir(), "minsip-test-redis.lock")
    with open(path, "w") as lock:
        end = monotonic() + seconds
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if monotonic() > end:
                    pytest.fail(f"another test run held {path} for {seconds} s")
                sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def redis_db():
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as error:
        message = f"Redis at {REDIS_URL} is not reachable ({error})."
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"{message} REQUIRE_REDIS=1: these tests must run. Start redis-server.")
        pytest.skip(f"{message} Start redis-server or set TEST_REDIS_URL; REQUIRE_REDIS=1 makes this fail.")
    with _one_test_run_at_a_time():
        connection.flushdb()
        yield connection
        connection.flushdb()
    connection.close()


@pytest.fixture
def queued(app, redis_db):
    """The test app as an app server with Redis: jobs go on the queue instead of running."""
    app.config.update(JOBS_BACKEND="rq", REDIS_URL=REDIS_URL, PUSH_ALLOW_HTTP_ENDPOINTS=True)
    queue = jobs.rq_queue(app)
    yield queue
    queue.connection.close()


@pytest.fixture
def push_service(app):
    service = PushService()
    yield service
    service.close()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _run_worker(app) -> subprocess.CompletedProcess:
    """A real worker process on the same database and Redis, until the queue is empty."""
    overrides = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "PUSH_ALLOW_HTTP_ENDPOINTS": True,
        "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
        "VAPID_PUBLIC_KEY": app.config["VAPID_PUBLIC_KEY"],
    }
    factory = f"citizen_app:create_app('test', {overrides!r})"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", factory, "worker", "--burst"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    db.session.rollback()  # read what the worker committed
    return result


def _anna_with_a_phone(push_service):
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    anna = factories.person("Anna")
    case = factories.case(anna, social, coordinator=coordinator, step=Step.CONSENT)
    browser = Browser()
    push.subscribe(anna, push_service.endpoint("anna"), browser.p256dh, _b64url(browser.auth))
    db.session.commit()
    return anna, case, coordinator, browser


def test_a_push_is_queued_at_the_commit_and_a_worker_sends_it(app, queued, push_service):
    anna, case, _, browser = _anna_with_a_phone(push_service)
    notifications.notify(anna, NotificationKind.PLAN_READY, case)
    assert queued.count == 0  # nothing before the commit
    db.session.commit()
    assert queued.count == 1  # queued, not sent: the request does not wait for the push service
    assert push_service.received == []
    (row,) = db.session.scalars(select(PushOutbox)).all()
    assert row.status == OutboxStatus.PENDING
    db.session.rollback()

    worker = _run_worker(app)

    assert queued.count == 0, worker.stderr
    (received,) = push_service.received
    assert browser.decrypt(received["body"])["body"] == push.GENERIC_TEXT
    assert db.session.scalar(select(PushOutbox.status)) == OutboxStatus.SENT


def test_the_reminders_job_queued_twice_sends_nothing_twice(app, queued, push_service):
    anna, case, coordinator, browser = _anna_with_a_phone(push_service)
    # The worker reads today from its own clock, so the meeting is tomorrow for real (10:00 in Sweden).
    tomorrow = reminders.today_in_sweden() + timedelta(days=1)
    starts_at = datetime.combine(tomorrow, time(10, 0), tzinfo=meetings.SWEDISH_TIME)
    meetings.set_meeting(
        coordinator, case, starts_at=starts_at, length_minutes=60, mode="phone", phone="010-1"
    )
    db.session.commit()
    runner = app.test_cli_runner()
    for _ in range(2):  # cron ran twice (or two machines run cron)
        result = runner.invoke(args=["run-jobs", "--enqueue"])
        assert result.exit_code == 0, result.output
    assert queued.count == 6  # twice: the reminders, the push retries and the e-mail/SMS outbox
    assert push_service.received == []  # nothing ran in the cron process

    worker = _run_worker(app)

    reminded = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.MEETING_REMINDER)
    ).all()
    assert [m.recipient_person_id for m in reminded] == [anna.id], worker.stderr
    (received,) = push_service.received  # the reminder's push, once
    assert browser.decrypt(received["body"])["id"] == reminded[0].public_id
    assert queued.count == 0


def test_enqueue_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["run-jobs", "--enqueue"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
