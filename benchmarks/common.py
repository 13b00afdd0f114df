"""What both benchmarks share [QUALITY 3] [issue 17]: Min SIP served as the README's production section says
(gunicorn with gunicorn.conf.py, 2 workers, ``MINSIP_ENV=production``, PostgreSQL migrated with
``flask upgrade-db``), with throw-away keys, a database of its own and the large data; and signed-in cookies
for it.

Signing in: production signs in through OIDC (the county's e-ID broker), which a load test cannot drive. The
benchmark instead signs each user in with the app's own code, in a request context of the production app:
``citizen_app.sessions.sign_in`` (what the OIDC callback calls after the broker has answered) and the app's
session interface, which writes the server-side row (``services/web_sessions.py``) and gives the cookie. The
row is the same as after a real sign-in, so every page reads it as it would in production (one query). The
session is bound (flask-login "strong" protection) to the client's address and User-Agent, so every client
of the benchmark sends ``USER_AGENT`` from 127.0.0.1.

Run ``python -m benchmarks.common load`` only through ``prepare()``: it needs the production environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "minsip-benchmark/1"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GUNICORN_WORKERS = 2  # QUALITY.md 3: "gunicorn with 2 workers"
ACCESS_FORMAT = "%(U)s %(s)s %(B)s"  # path, status, body bytes as sent
# What a browser sends: with compression in the production setup (issue 17) pages are measured compressed.
ACCEPT_ENCODING = "gzip, deflate, br"


@dataclass
class Prepared:
    env: dict[str, str]
    urls: dict[str, str]  # page name -> path
    cookies: dict[str, str]  # page name -> session cookie value (empty: not signed in)
    cookie_name: str = "minsip_session"


def throw_away_keys() -> dict[str, str]:
    """Keys that pass production's checks (config.py), new for every run, never stored."""
    from cryptography.fernet import Fernet

    return {
        "MINSIP_SECRET_KEY": secrets.token_urlsafe(48),
        "MINSIP_IDENTITY_HASH_KEY": secrets.token_urlsafe(48),
        "MINSIP_IDENTITY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }


def recreate_database(admin_url: str, name: str) -> str:
    """Drop and create the benchmark's own PostgreSQL database; returns its SQLAlchemy URL."""
    from sqlalchemy import create_engine, make_url, text

    if not name.replace("_", "").isalnum():
        raise SystemExit(f"Bad database name: {name!r}")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def production_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINSIP_")}
    env.update(throw_away_keys())
    env.update({"MINSIP_ENV": "production", "MINSIP_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)})
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def prepare(admin_url: str, database: str, redis_url: str | None) -> Prepared:
    """A fresh database, migrated as the README says, with the large data and signed-in cookies."""
    url = recreate_database(admin_url, database)
    env = production_env(url, redis_url)
    subprocess.run([_bin("flask"), "--app", "citizen_app", "upgrade-db"], env=env, cwd=ROOT, check=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.common", "load"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    return Prepared(env, loaded["urls"], loaded["cookies"], loaded["cookie_name"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    app_spec: str,
    env: dict[str, str],
    port: int,
    workers: int = GUNICORN_WORKERS,
    access_log: str | None = None,
):
    """gunicorn as the README's production section runs it (``-c gunicorn.conf.py``: gthread workers with
    4 threads each), ``workers`` processes, on 127.0.0.1:port. With ``access_log``, every request's path,
    status and body bytes are written there (``ACCESS_FORMAT``).

    One setting differs from production, for the app and the hello page alike: workers are not replaced
    after 2,000 requests (``MINSIP_MAX_REQUESTS=0``). That guard against slow leaks would restart the hello
    page's workers every half second at its rate, so the comparison would measure restarts."""
    env = dict(env, MINSIP_MAX_REQUESTS="0", WEB_CONCURRENCY=str(workers))
    command = [_bin("gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning"]
    if access_log:
        command += ["--access-logfile", access_log, "--access-logformat", ACCESS_FORMAT]
    proc = subprocess.Popen(  # noqa: S603
        [*command, app_spec],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {app_spec} stopped (exit {proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello-or-404", timeout=2):  # noqa: S310
                pass
            return proc
        except OSError as error:  # HTTPError (a 404) is an answer too
            if hasattr(error, "code"):
                return proc
            time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"gunicorn {app_spec} did not answer on port {port}")


def stop(proc) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


# --- The large data (runs inside the production environment: ``python -m benchmarks.common load``) --------


def _load() -> dict:
    from datetime import date, timedelta

    from citizen_app import create_app
    from citizen_app.extensions import db
    from citizen_app.models import ParticipantRole, StaffRole, Step, UnitKind
    from citizen_app.services import consent, plans
    from tests.support import factories

    app = create_app()
    follow_up = date.today() + timedelta(days=90)
    with app.app_context():
        social = factories.unit("Socialtjänsten Ekby")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
        elsa = factories.child("Elsa Ek", age=14)
        maria = factories.guardian_of(elsa, name="Maria Ek")
        johan = factories.guardian_of(elsa, name="Johan Ek")
        case = factories.case(elsa, social, kim, step=Step.MEETING_HELD)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        for guardian in (maria, johan):
            units = [social.public_id, school.public_id]
            consent.give(guardian, case, units, ["social", "school"], follow_up)
        case.step = Step.MEETING_HELD
        db.session.commit()

        # The plan: 20 goals with 3 actions each, in 5 versions (4 approved, the 5th a draft being read, with
        # a comment), as tests/web/test_plan_pages.py's query-budget test builds it.
        def write_plan():
            plan = plans.start_draft(kim, case)
            for n in range(20):
                goal = plans.add_goal(kim, case, plan, "short", f"Mål nummer {n}: jag vill gå till skolan.")
                for m in range(3):
                    plans.add_action(
                        kim,
                        case,
                        plan,
                        goal.public_id,
                        what=f"Ekskolan ger stöd i klassen, del {m + 1}.",
                        responsible="municipality",
                        responsible_unit_id=(school if m % 2 else social).id,
                        starts_on=date.today() + timedelta(days=7),
                        how_often="varje vecka",
                    )
            plans.update_details(
                kim,
                case,
                plan,
                if_worse="Ring Kim. På natten kan du ringa 1177.",
                principal_in_charge="Socialtjänsten Ekby",
                follow_up_on=follow_up,
                follow_up_by="Kim Berg",
                attendees="Elsa, Maria, Johan, Kim och en lärare.",
            )
            factories.complete_plan(plan)
            return plan

        first = write_plan()
        plans.send_for_reading(kim, case, first)
        plans.approve_at_meeting(kim, case, first)
        db.session.commit()
        for _ in range(3):
            plans.approve_at_meeting(kim, case, factories.complete_plan(plans.start_draft(kim, case)))
            db.session.commit()
        draft = factories.complete_plan(plans.start_draft(kim, case))
        plans.send_for_reading(kim, case, draft)
        plans.comment(maria, case, draft, "Jag vill ändra en sak.")
        db.session.commit()

        # The coordinator's workbench: about 40 SIPs of their own in every step, and a queue of 10 requests.
        steps = [Step.REQUESTED, Step.CONSENT, Step.PREPARATION, Step.INVITED, Step.MEETING_HELD]
        for n in range(39):
            factories.case(factories.person(f"Person {n}", age=30 + n % 40), social, kim, step=steps[n % 5])
        for n in range(10):
            factories.case(factories.person(f"Väntar {n}", age=50), social, None, step=Step.REQUESTED)
        db.session.commit()

        sip = f"/sip/{case.public_id}"
        urls = {
            "start": "/",
            "sip": sip,
            "plan": f"{sip}/plan",
            "consent": f"{sip}/samtycke",
            "staff_start": "/personal/",
            "staff_queue": "/personal/forfragningar",
        }
        maria_cookie, kim_cookie = _cookie_for(app, maria), _cookie_for(app, kim)
        cookies = {name: (kim_cookie if name.startswith("staff") else maria_cookie) for name in urls}
        db.session.remove()
        db.engine.dispose()
    return {"urls": urls, "cookies": cookies, "cookie_name": app.config["SESSION_COOKIE_NAME"]}


def _cookie_for(app, user) -> str:
    """Sign ``user`` in with the app's own sign-in code and session store (see the module's doc)."""
    from flask import session

    from citizen_app import sessions

    with app.test_request_context(
        "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        sessions.sign_in(user)
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
        name = app.config["SESSION_COOKIE_NAME"]
        for header in response.headers.getlist("Set-Cookie"):
            if header.startswith(name + "="):
                return header.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit("The app made no session cookie at sign-in")


if __name__ == "__main__" and sys.argv[1:] == ["load"]:
    print(json.dumps(_load()))
