"""Redis goes away [issue 12, Faults]: the person's request still succeeds, nothing is lost.

A private redis-server (port 6393) is started by the test and killed with SIGKILL. The app servers use it for
the job queue and the sign-in rate limit, as in production with REDIS_URL. While it is away:
- saving a change that queues a push answers as usual (303), and the push waits in its outbox row;
- signing in works: the rate limit is counted in the process's memory instead.
When Redis is back, cron's ``flask run-jobs --enqueue`` and a real ``flask worker`` send the push, once.
"""

from __future__ import annotations

import base64
import logging
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import OutboxStatus, Person, PushOutbox, StaffRole, Step
from citizen_app.services import consent, push
from citizen_app.services.demo import load_demo_data
from tests.conftest import _empty_tables
from tests.support import factories
from tests.support.clients import CheckingClient
from tests.support.private_servers import PrivateRedis
from tests.unit.test_web_push import Browser, PushService

ROOT = Path(__file__).resolve().parents[2]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def redis_server():
    server = PrivateRedis.or_skip(6393)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def app_with_redis(database_url, redis_server):
    """An app server as production runs it with REDIS_URL: jobs on RQ, rate limits counted in Redis."""
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "localhost",
            "JOBS_BACKEND": "rq",
            "REDIS_URL": redis_server.url,
            "RATELIMIT_STORAGE_URI": redis_server.url,
            "PUSH_ALLOW_HTTP_ENDPOINTS": True,
            "PROPAGATE_EXCEPTIONS": False,  # answer as production would, not raise into the test
        },
    )
    app.test_client_class = CheckingClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _sign_in_on_the_test_identity_page(client, name: str):
    token = client.csrf_token("/logga-in/testidentitet")
    person = db.session.scalar(select(Person).where(Person.display_name == name))
    return client.post("/logga-in/testidentitet", data={"identity": person.get_id(), "csrf_token": token})


def _run_worker(app) -> None:
    overrides = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_BACKEND": "rq",
        "REDIS_URL": app.config["REDIS_URL"],
        "PUSH_ALLOW_HTTP_ENDPOINTS": True,
        "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
        "VAPID_PUBLIC_KEY": app.config["VAPID_PUBLIC_KEY"],
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            f"citizen_app:create_app('test', {overrides!r})",
            "worker",
            "--burst",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    db.session.rollback()  # read what the worker committed


def test_with_redis_away_a_change_is_saved_its_push_waits_and_sign_in_works(
    app_with_redis, redis_server, push_service, caplog
):
    app = app_with_redis
    load_demo_data()
    anna = db.session.scalar(select(Person).where(Person.display_name == "Anna Lind"))
    social = factories.unit("Socialtjänsten Exempelby")
    case = factories.case(anna, social, factories.staff(social, StaffRole.COORDINATOR), step=Step.CONSENT)
    consent.give(anna, case, [social.public_id], ["social"], date.today() + timedelta(days=200))
    browser = Browser()
    push.subscribe(anna, push_service.endpoint("anna"), browser.p256dh, _b64url(browser.auth), "Android")
    db.session.commit()
    db.session.execute(PushOutbox.__table__.delete())  # the consent's own push is not what this test is about
    db.session.commit()
    client = app.test_client()
    assert _sign_in_on_the_test_identity_page(client, "Anna Lind").status_code == 303

    redis_server.kill()

    # Withdrawing consent is saved and queues a push to Anna's phone: the answer is the usual 303.
    token = client.csrf_token("/om-min-sip")
    with caplog.at_level(logging.WARNING, logger="citizen_app.services.jobs"):
        response = client.post(f"/sip/{case.public_id}/samtycke/aterkalla", data={"csrf_token": token})
    assert response.status_code == 303, response.status_code
    assert response.headers["Location"].endswith(f"/sip/{case.public_id}")
    db.session.refresh(case)
    assert case.is_closed  # the change is saved
    (waiting,) = db.session.scalars(select(PushOutbox)).all()
    assert waiting.status == OutboxStatus.PENDING and push_service.received == []
    assert any("could not be queued" in r.getMessage() for r in caplog.records), caplog.text
    assert client.get(f"/sip/{case.public_id}").status_code == 200

    # Signing in works: the sign-in limit is counted in this process's memory meanwhile.
    other = app.test_client()
    assert _sign_in_on_the_test_identity_page(other, "Maria Berg").status_code == 303
    assert other.get("/").status_code == 200

    redis_server.start()
    result = app.test_cli_runner().invoke(args=["run-jobs", "--enqueue"])
    assert result.exit_code == 0, result.output
    _run_worker(app)

    (received,) = push_service.received
    assert browser.decrypt(received["body"])["body"] == push.GENERIC_TEXT
    assert db.session.scalar(select(PushOutbox.status)) == OutboxStatus.SENT


def test_with_redis_away_the_sign_in_limit_still_holds(app_with_redis, redis_server):
    app = app_with_redis
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    load_demo_data()
    db.session.commit()
    redis_server.kill()
    client = app.test_client()
    statuses = [_sign_in_on_the_test_identity_page(client, "Anna Lind").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
