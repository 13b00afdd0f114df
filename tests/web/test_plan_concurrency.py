"""The plan at the same instant from two app servers [issue 12]: PostgreSQL only.

Each request goes through its own app (own connection pool and sessions), as from two gunicorn servers. The
request that comes first is held open after its change is written but before it commits (an after_request
hook registered after errors.py's: Flask runs them last-registered first, so it runs before the commit);
the other request starts meanwhile and the first is let go once the other waits for a lock (or is done).

- A double click on "Jag har läst planen och håller med": the plan is approved once, everyone is told once,
  and the second click lands calmly on the plan. Without the draft's row lock the second request approved
  the draft it had read too, and the case's version check failed with StaleDataError: a 500.
- The person approves while the coordinator adds a goal, 20 times, either one first: no approved (locked)
  version ever holds a goal that was not on the page the person read. Without the row lock both requests
  succeeded every time and the new goal ended up in the locked version.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import request
from sqlalchemy import func, select, text

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    EventKind,
    Notification,
    NotificationKind,
    PlanVersion,
    StaffRole,
    Step,
    VersionStatus,
)
from citizen_app.services import consent, plans
from tests.support import factories
from tests.support.clients import CheckingClient

REPEATS = 20


class Server:
    """One more app server on the test database, whose POST to ``hold`` waits, written but not committed,
    until ``release`` is set."""

    def __init__(self, url: str) -> None:
        self.app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost"})
        self.app.test_client_class = CheckingClient
        self.hold: str | None = None
        self.written = threading.Event()
        self.release = threading.Event()

        @self.app.after_request
        def hold_open(response):
            if request.method == "POST" and request.path == self.hold:
                self.written.set()
                self.release.wait(20)
            return response

    def client(self, actor) -> CheckingClient:
        client = self.app.test_client()
        client.sign_in_as(actor)
        return client

    def same_browser_as(self, other: CheckingClient) -> CheckingClient:
        """A client of this server with the other's cookies: one browser, its two clicks on two servers."""
        client = self.app.test_client()
        name = self.app.config["SESSION_COOKIE_NAME"]
        cookie = other.get_cookie(name)
        assert cookie is not None, "the other client is not signed in"
        client.set_cookie(name, cookie.value)
        return client

    def hold_next(self, path: str | None) -> None:
        self.hold = path
        self.written.clear()
        self.release.clear()


@pytest.fixture
def servers(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip(
            "needs PostgreSQL (set TEST_DATABASE_URL): the test lets the first request commit once the"
            " second waits for its row lock, which it sees in pg_stat_activity; SQLite has no such view"
        )
    made = [Server(url), Server(url)]  # made before any thread starts: making apps is not thread-safe
    yield made
    for server in made:
        server.release.set()
        with server.app.app_context():
            db.engine.dispose()


def _post_in_thread(server: Server, client, url: str, data: dict, answers: dict, key: str):
    def run():
        try:
            with server.app.app_context():
                answers[key] = client.post(url, data=data)
        except BaseException as exc:  # reported in the main thread
            answers[key] = exc
            server.written.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _waits_for_a_lock_or_is_done(thread: threading.Thread, seconds: float = 3.0) -> None:
    """Until the second request waits for the first one's lock (or has finished without waiting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and thread.is_alive():
        with db.engine.connect() as conn:  # a new transaction each time: the statistics are per transaction
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        time.sleep(0.02)


def _race(first: tuple, second: tuple) -> dict:
    """POST ``first`` and hold it open, then POST ``second``; let ``first`` commit once ``second`` waits."""
    answers: dict = {}
    server, client, url, data = first
    server.hold_next(url)
    one = _post_in_thread(server, client, url, data, answers, "first")
    assert server.written.wait(15), "the first request never got to its commit"
    two = _post_in_thread(*second, answers, "second")
    _waits_for_a_lock_or_is_done(two)
    server.release.set()
    one.join(20)
    two.join(20)
    server.hold_next(None)
    for key, answer in answers.items():
        assert not isinstance(answer, BaseException), f"{key}: {answer!r}"
    return answers


def _hidden(response, action: str) -> dict[str, str]:
    form = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("form", action=action)
    assert form is not None, f"no form posting to {action}"
    return {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}


def _main_text(response) -> str:
    main = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


def _sip_sent_for_reading(social, kim, name: str):
    """An adult's SIP after the meeting: consent for the social services, a draft with one goal, sent."""
    person = factories.person(name, age=40)
    case = factories.case(person, social, kim, step=Step.CONSENT)
    consent.give(person, case, [social.public_id], ["social"], date.today() + timedelta(days=300))
    case.step = Step.MEETING_HELD
    plan = plans.start_draft(kim, case)
    plans.add_goal(kim, case, plan, "long", "Jag vill bo kvar hemma")
    factories.complete_plan(plan)
    plans.send_for_reading(kim, case, plan)
    db.session.commit()
    return person, case


def test_a_double_click_from_two_app_servers_approves_once_and_lands_calmly(app, servers):
    social = factories.unit("Socialtjänsten")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    anna, case = _sip_sent_for_reading(social, kim, "Anna Lind")
    plan_url = f"/sip/{case.public_id}/plan"
    approve_url = plan_url + "/utkast/godkann"
    one, two = servers
    first_click = one.client(anna)
    form = _hidden(first_click.get(plan_url), approve_url)
    second_click = two.same_browser_as(first_click)

    answers = _race((one, first_click, approve_url, form), (two, second_click, approve_url, form))

    assert [answers[k].status_code for k in ("first", "second")] == [303, 303]
    # A browser shows only the second click's answer. Both requests share one session (kept on the server),
    # so which of the two calm messages it carries depends on which request saved the session last.
    landed = _main_text(second_click.get(answers["second"].headers["Location"]))
    calm = ("Du har redan godkänt planen.", "Tack. Planen är godkänd och gäller nu.")
    assert any(message in landed for message in calm) and "Godkänd den" in landed, landed

    db.session.expire_all()
    assert db.session.scalar(select(PlanVersion.status).where(PlanVersion.case_id == case.id)) == (
        VersionStatus.APPROVED
    )
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "plan.approved")) == 1
    steps = select(func.count()).where(
        CaseEvent.case_id == case.id,
        CaseEvent.kind == EventKind.STEP_CHANGED,
        CaseEvent.step == Step.PLAN_APPROVED,
    )
    assert db.session.scalar(steps) == 1
    told = db.session.execute(
        select(Notification.recipient_person_id, Notification.recipient_staff_id).where(
            Notification.kind == NotificationKind.PLAN_APPROVED
        )
    ).all()
    assert sorted(told, key=str) == sorted({(anna.id, None), (None, kim.id)}, key=str)  # each told once


def test_an_approval_and_a_new_goal_at_the_same_instant_never_lock_a_goal_the_person_did_not_read(
    app, servers
):
    social = factories.unit("Socialtjänsten")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    person_server, staff_server = servers
    coordinator = staff_server.client(kim)
    unseen: list[str] = []
    outcomes: list[tuple[str, str]] = []

    for n in range(REPEATS):
        person, case = _sip_sent_for_reading(social, kim, f"Person {n}")
        plan_url = f"/sip/{case.public_id}/plan"
        approve_url = plan_url + "/utkast/godkann"
        goal_url = f"/personal/sip/{case.public_id}/planen/1/mal"
        reader = person_server.client(person)
        page = reader.get(plan_url)
        read = _main_text(page)
        approval = (person_server, reader, approve_url, _hidden(page, approve_url))
        new_goal = {**_hidden(coordinator.get(goal_url), goal_url), "term": "short", "text": f"Nytt mål {n}"}
        adding = (staff_server, coordinator, goal_url, new_goal)

        person_first = n % 2 == 0
        answers = _race(approval, adding) if person_first else _race(adding, approval)
        assert {a.status_code for a in answers.values()} == {303}, [a.status_code for a in answers.values()]

        db.session.expire_all()
        version = db.session.scalars(select(PlanVersion).where(PlanVersion.case_id == case.id)).one()
        texts = [goal.text for goal in version.goals]
        outcomes.append(("person first" if person_first else "goal first", version.status.value))
        if version.is_locked:
            unseen += [t for t in texts if t not in read]
        else:
            assert f"Nytt mål {n}" in texts  # the goal landed first, so the approval was refused

    assert unseen == [], f"approved versions hold goals the person never saw: {unseen}"
    # Both orders happened, and each ended the one way it may: approved as read, or a draft with the goal.
    assert set(outcomes) == {("person first", "approved"), ("goal first", "draft")}, outcomes
