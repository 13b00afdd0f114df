"""Pushes are delivered at least once, and no two senders send the same push at the same time [issue 12].

- A ``flask worker`` killed (SIGKILL) in the middle of a push leaves the push claimed: cron's
  ``flask run-jobs`` does not send it while the claim holds, and sends it once more when the claim has run
  out.
- Two cron runs at once send a waiting push once.
The device drops the second copy of a push that went out twice (tests/browser/test_pwa.py).

Real processes on the test database, a private redis-server (port 6393) for the worker, and a local HTTP
server as the push service that holds each request until the test lets it go.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import NotificationKind, OutboxStatus, PushOutbox, StaffRole, Step, utcnow
from citizen_app.services import notifications, push
from tests.support import factories
from tests.support.private_servers import PrivateRedis
from tests.unit.test_web_push import Browser

ROOT = Path(__file__).resolve().parents[2]
CLAIM_SECONDS = 5


class SlowPushService:
    """A push service that takes each push and answers only when ``answer`` is set (or after ``hold``)."""

    def __init__(self, hold: float = 30.0) -> None:
        self.received: list[bytes] = []
        self.answer = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                service.received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                service.answer.wait(hold)
                try:
                    self.send_response(201)
                    self.end_headers()
                except OSError:
                    pass  # the sender was killed meanwhile

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/phone"

    def wait_for(self, count: int, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < end, f"the push service got {len(self.received)} of {count} pushes"
            time.sleep(0.05)

    def close(self) -> None:
        self.answer.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service(app):
    app.config.update(PUSH_ALLOW_HTTP_ENDPOINTS=True, PUSH_CLAIM_SECONDS=CLAIM_SECONDS)
    service = SlowPushService()
    yield service
    service.close()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _anna_with_a_sip():
    social = factories.unit("Socialtjänsten")
    anna = factories.person("Anna")
    return anna, factories.case(
        anna, social, factories.staff(social, StaffRole.COORDINATOR), step=Step.CONSENT
    )


def _a_phone_of(person, push_service) -> Browser:
    browser = Browser()
    push.subscribe(person, push_service.endpoint(), browser.p256dh, _b64url(browser.auth))
    db.session.commit()
    return browser


def _flask(app, *args: str) -> list[str]:
    """The command line of another process on the same database (and Redis, if the app has one)."""
    overrides = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_BACKEND": app.config["JOBS_BACKEND"],
        "REDIS_URL": app.config["REDIS_URL"],
        "PUSH_ALLOW_HTTP_ENDPOINTS": True,
        "PUSH_CLAIM_SECONDS": CLAIM_SECONDS,
        "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
        "VAPID_PUBLIC_KEY": app.config["VAPID_PUBLIC_KEY"],
    }
    return [sys.executable, "-m", "flask", "--app", f"citizen_app:create_app('test', {overrides!r})", *args]


def _outbox_row() -> PushOutbox:
    db.session.rollback()  # see what the other processes committed
    (row,) = db.session.scalars(select(PushOutbox)).all()
    return row


def _cron(app) -> str:
    """Cron's `flask run-jobs` (inline: the push retries are sent from this process)."""
    result = app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_push_whose_worker_was_killed_is_sent_again_once_its_claim_has_run_out(app, push_service):
    redis_server = PrivateRedis.or_skip(6393)
    redis_server.start()
    try:
        app.config.update(JOBS_BACKEND="rq", REDIS_URL=redis_server.url)
        anna, case = _anna_with_a_sip()
        browser = _a_phone_of(anna, push_service)
        notifications.notify(anna, NotificationKind.PLAN_READY, case)
        db.session.commit()  # the push is queued on Redis

        worker = subprocess.Popen(
            _flask(app, "worker", "--burst"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            push_service.wait_for(1)  # the worker has claimed the push and is sending it
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.communicate(timeout=30)
        push_service.answer.set()  # too late: nobody hears the answer

        assert "Pushes retried: 0." in _cron(app)  # the claim still holds: cron leaves it
        assert len(push_service.received) == 1
        row = _outbox_row()
        assert row.status == OutboxStatus.PENDING and row.attempts == 1
        assert row.claimed_until is not None and row.claimed_until > utcnow()

        time.sleep(max(0.0, (row.claimed_until - utcnow()).total_seconds()) + 0.2)
        assert "Pushes retried: 1." in _cron(app)  # the claim has run out: sent once more
        assert "Pushes retried: 0." in _cron(app)

        first, second = (browser.decrypt(body) for body in push_service.received)
        assert first == second  # the same message id: the device shows it once
        row = _outbox_row()
        assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.claimed_until is None
    finally:
        redis_server.kill()


def test_two_cron_runs_at_once_send_a_waiting_push_once(app, push_service):
    anna, case = _anna_with_a_sip()
    message = notifications.notify(anna, NotificationKind.PLAN_READY, case)
    _a_phone_of(anna, push_service)
    # A push that is waiting in the outbox (its job was lost with a queue that went away, say).
    db.session.add(PushOutbox(subscription_id=push.devices_of(anna)[0].id, payload=push.payload_for(message)))
    db.session.commit()

    # Each run holds the push service's answer for 3 s: the two runs overlap whatever their start-up times.
    threading.Timer(3.0, push_service.answer.set).start()
    runs = [
        subprocess.Popen(_flask(app, "run-jobs"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted("Pushes retried: 1." in output for output in outputs) == [False, True], outputs
    assert len(push_service.received) == 1
    row = _outbox_row()
    assert row.status == OutboxStatus.SENT and row.attempts == 1
