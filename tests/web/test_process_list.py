"""The process list as production runs it [issue 18]: ``honcho start`` with the project's Procfile, on
PostgreSQL and Redis, with TWO web processes (gunicorn, gunicorn.conf.py), a worker and two schedulers.

What must hold when a county runs several app servers:
- a session made through web.1 works on web.2 (sessions live in the database);
- the sign-in rate limit counts across both (Redis): attempts split over the two hit the configured total;
- a job queued through one web process (a push to Anna's phone, here a local push service) is done once, by
  the worker;
- of two schedulers, one takes a round (a lock in Redis) and the other waits;
- every line the web processes write is JSON, and the request id a response carries is on its access line.

Its own PostgreSQL database (derived from TEST_DATABASE_URL, created and dropped) and Redis db
(TEST_REDIS_URL, emptied before and after, one test run at a time as in test_jobs_redis.py); ports from
``_own_port`` so pytest-xdist workers never collide. Skipped with a message without PostgreSQL or Redis;
REQUIRE_REDIS=1 (CI) makes a missing Redis a failure.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, make_url, select, text

from citizen_app import create_app, database
from citizen_app.extensions import db
from citizen_app.models import OutboxStatus, Person, PushOutbox, StaffRole, Step
from citizen_app.services import consent, push
from citizen_app.services.demo import load_demo_data
from tests.support import factories
from tests.support.private_servers import _own_port
from tests.unit.test_jobs_redis import REDIS_URL, redis_db  # noqa: F401  (the fixture: Redis or skip)
from tests.unit.test_web_push import Browser, PushService

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SIGN_IN_LIMIT = 6  # per minute and address, counted by both web processes together
STARTUP_SECONDS = 45


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def own_database():
    """A PostgreSQL database of this test's own, migrated; dropped afterwards."""
    shared = os.environ.get("TEST_DATABASE_URL", "")
    if not shared.startswith("postgresql"):
        pytest.skip(
            "the process list needs PostgreSQL (several processes share one database): "
            "set TEST_DATABASE_URL=postgresql+psycopg://..."
        )
    base = make_url(shared)
    name = f"{base.database}_processes"
    admin = create_engine(shared, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    database.upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


class Processes:
    """``honcho start`` in its own session; its output (every process's lines, prefixed) goes to a file."""

    def __init__(self, env: dict, output: Path, base_port: int) -> None:
        self.output = output
        no_env_file = output.with_name("empty.env")  # not a developer's .env beside the Procfile
        no_env_file.write_text("")
        self.web = [f"http://127.0.0.1:{base_port}", f"http://127.0.0.1:{base_port + 1}"]
        with open(output, "w") as out:
            self.honcho = subprocess.Popen(
                [
                    str(BIN / "honcho"),
                    "start",
                    "--no-colour",
                    "-e",
                    str(no_env_file),
                    "-f",
                    str(ROOT / "Procfile"),
                    "-d",
                    str(ROOT),
                    "-p",
                    str(base_port),
                    "-c",
                    "web=2,worker=1,scheduler=2",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def lines_of(self, process: str) -> list[str]:
        """What ``process`` (``web.1``, ``scheduler.2`` …) wrote, without honcho's prefix."""
        found = []
        for line in self.text().splitlines():
            match = re.match(r"^\S+ (\S+)\s*\| ?(.*)$", line)
            if match and match.group(1) == process:
                found.append(match.group(2))
        return found

    def wait_until_ready(self) -> None:
        end = time.monotonic() + STARTUP_SECONDS
        waiting = list(self.web)
        while waiting:
            if self.honcho.poll() is not None:
                pytest.fail(f"honcho stopped (exit {self.honcho.returncode}):\n{self.text()[-4000:]}")
            if time.monotonic() > end:
                pytest.fail(f"{waiting} not ready within {STARTUP_SECONDS} s:\n{self.text()[-4000:]}")
            try:
                if requests.get(waiting[0] + "/readyz", timeout=5).status_code == 200:
                    waiting.pop(0)
                    continue
            except requests.RequestException:  # not listening yet, or still starting
                pass
            time.sleep(0.2)

    def wait_for(self, check, seconds: float, what: str) -> None:
        end = time.monotonic() + seconds
        while not check():
            if time.monotonic() > end:
                pytest.fail(f"{what} did not happen within {seconds} s:\n{self.text()[-4000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM to honcho, which stops every process (and kills what is left after 5 s)."""
        if self.honcho.poll() is None:
            self.honcho.send_signal(signal.SIGTERM)
            try:
                self.honcho.wait(30)
            except subprocess.TimeoutExpired:
                self.honcho.kill()
                self.honcho.wait(10)
                for pid in re.findall(r"started \(pid=(\d+)\)", self.text()):  # what honcho left behind
                    try:
                        os.killpg(int(pid), signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass


@pytest.fixture
def county(own_database, redis_db, push_service):  # noqa: F811 (redis_db is the imported fixture)
    """The demo people on the test's own database, and Anna's SIP in consent with her phone subscribed."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": own_database, "PUSH_ALLOW_HTTP_ENDPOINTS": True})
    with app.app_context():
        load_demo_data()
        anna = db.session.scalar(select(Person).where(Person.display_name == "Anna Lind"))
        social = factories.unit("Socialtjänsten Processby")
        coordinator = factories.staff(social, StaffRole.COORDINATOR)
        case = factories.case(anna, social, coordinator, step=Step.CONSENT)
        consent.give(anna, case, [social.public_id], ["social"], date.today() + timedelta(days=200))
        browser = Browser()
        push.subscribe(anna, push_service.endpoint("anna"), browser.p256dh, _b64url(browser.auth), "Android")
        db.session.commit()
        db.session.execute(PushOutbox.__table__.delete())  # the consent's own push is not this test's
        db.session.commit()
        yield app, anna.get_id(), case.public_id, browser
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def processes(county, own_database, tmp_path):
    app = county[0]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MINSIP_", "TEST_"))}
    env.pop("PORT", None)  # honcho gives each web process its own
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        # demo mode: production's configuration from the environment, plus the test-identity sign-in page
        MINSIP_ENV="demo",
        MINSIP_DATABASE_URL=own_database,
        REDIS_URL=REDIS_URL,
        MINSIP_INSTANCE_PATH=str(tmp_path),
        MINSIP_VAPID_PRIVATE_KEY=app.config["VAPID_PRIVATE_KEY"],
        MINSIP_VAPID_PUBLIC_KEY=app.config["VAPID_PUBLIC_KEY"],
        MINSIP_SIGN_IN_RATE_LIMIT=f"{SIGN_IN_LIMIT} per minute",
        MINSIP_HOST="127.0.0.1",
        WEB_CONCURRENCY="1",
        MINSIP_THREADS="2",
        MINSIP_LOG_LEVEL="INFO",
    )
    running = Processes(env, tmp_path / "honcho.log", _own_port(5710))
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop()


def _token(session: requests.Session, url: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', session.get(url, timeout=10).text)
    assert match, f"no csrf token on {url}"
    return match.group(1)


def _sign_in(session: requests.Session, web: str, identity: str) -> requests.Response:
    token = _token(session, web + "/logga-in/testidentitet")
    return session.post(
        web + "/logga-in/testidentitet",
        data={"identity": identity, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )


def test_two_web_processes_a_worker_and_two_schedulers_share_sessions_limits_and_jobs(
    county, processes, push_service
):
    app, anna, case_id, browser = county
    web1, web2 = processes.web

    # A session made through web.1 works on web.2.
    anna_phone = requests.Session()
    signed_in = _sign_in(anna_phone, web1, anna)
    assert signed_in.status_code == 303, signed_in.text[:500]
    start = anna_phone.get(web2 + "/", timeout=10)
    assert start.status_code == 200
    assert "Anna Lind" in start.text and "Inloggad:" in start.text

    # A job queued through web.2 (withdrawing consent pushes to Anna's phone) is done once, by the worker.
    token = _token(anna_phone, web2 + "/om-min-sip")
    withdrawn = anna_phone.post(
        f"{web2}/sip/{case_id}/samtycke/aterkalla",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert withdrawn.status_code == 303, withdrawn.text[:500]
    processes.wait_for(lambda: push_service.received, 20, "the push reaching Anna's phone")
    time.sleep(1.5)  # time for a second copy, were the job done twice
    (received,) = push_service.received
    assert browser.decrypt(received["body"])["body"] == push.GENERIC_TEXT
    db.session.rollback()
    assert db.session.scalar(select(PushOutbox.status)) == OutboxStatus.SENT
    assert "citizen_app.services.push.deliver" in "\n".join(processes.lines_of("worker.1"))

    # The sign-in limit counts across both web processes: Anna's sign-in above was the first attempt.
    statuses = []
    for attempt in range(2 * SIGN_IN_LIMIT):
        web = (web1, web2)[attempt % 2]
        status = _sign_in(requests.Session(), web, anna).status_code
        statuses.append((web, status))
        if status == 429:
            break
    assert [status for _, status in statuses] == [303] * (SIGN_IN_LIMIT - 1) + [429], statuses
    assert _sign_in(requests.Session(), web1, anna).status_code == 429
    assert _sign_in(requests.Session(), web2, anna).status_code == 429

    # Two schedulers: one took the first round and queued the jobs, the other saw it taken.
    def scheduler_lines() -> list[dict]:
        lines = processes.lines_of("scheduler.1") + processes.lines_of("scheduler.2")
        return [json.loads(line) for line in lines if line.startswith("{")]

    processes.wait_for(
        lambda: sum("taken this round" in line["message"] for line in scheduler_lines()) == 1,
        20,
        "the second scheduler waiting",
    )
    messages = [line["message"] for line in scheduler_lines()]
    assert messages.count("Queued: reminders, push retries, e-mail and SMS retries.") == 1, messages

    # Every line a web process wrote is JSON; the sign-in's request id is on its access line.
    request_id = signed_in.headers["X-Request-ID"]
    web1_lines = [json.loads(line) for line in processes.lines_of("web.1") if line.strip()]
    assert web1_lines and all(isinstance(line, dict) for line in web1_lines)
    (access,) = [line for line in web1_lines if line.get("request_id") == request_id]
    assert (access["route"], access["status"], access["method"]) == ("/logga-in/testidentitet", 303, "POST")
    assert all(json.loads(line) for line in processes.lines_of("web.2") if line.strip())
