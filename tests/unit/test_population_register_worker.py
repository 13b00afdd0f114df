"""The daily register refresh as a queued job [issue 18]: cron's ``flask run-jobs --enqueue`` puts it on Redis
and a real ``flask worker`` process asks the real register server (tests/support) and follows its answer.

Redis is TEST_REDIS_URL, shared with tests/unit/test_jobs_redis.py (the same lock, so runs take turns).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import Person, Step
from citizen_app.services import jobs, people
from tests.support import factories
from tests.support.register_server import RegisterServer
from tests.unit.test_jobs_redis import REDIS_URL, ROOT, _one_test_run_at_a_time

TOKEN = "register-token-for-tests"


@pytest.fixture
def queue(app):
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable ({error}); REQUIRE_REDIS=1")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({error})")
    with _one_test_run_at_a_time():
        connection.flushdb()
        app.config.update(JOBS_BACKEND="rq", REDIS_URL=REDIS_URL)
        yield jobs.rq_queue(app)
        connection.flushdb()
    connection.close()


@pytest.fixture
def register(app):
    server = RegisterServer(token=TOKEN)
    server.start()
    app.config.update(REGISTER_URL=server.url, REGISTER_TOKEN=TOKEN)
    yield server
    server.stop()


def _entry(person: Person) -> tuple[str, str, str]:
    return (people.identity_number_of(person), person.display_name, person.birth_date.isoformat())


def test_cron_queues_the_register_refresh_and_a_worker_makes_the_custody_change(app, queue, register):
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    sip = factories.case(kid, factories.unit("Socialtjänsten"), step=Step.CONSENT)
    db.session.commit()
    register.set_custodians(_entry(kid), [_entry(mum)])

    result = app.test_cli_runner().invoke(args=["run-jobs", "--enqueue"])
    assert result.exit_code == 0, result.output
    assert "population register" in result.output
    assert register.requests == []  # nothing asked in the cron process

    overrides = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "REGISTER_URL": register.url,
        "REGISTER_TOKEN": TOKEN,
    }
    worker = subprocess.run(
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
    assert worker.returncode == 0, worker.stdout + worker.stderr
    db.session.rollback()  # read what the worker committed

    assert len(register.requests) == 1, worker.stderr
    dad = db.session.scalars(select(Person).where(Person.id == dad.id)).one()
    assert not access.can(dad, Action.VIEW_CASE, sip)
    assert queue.count == 0
