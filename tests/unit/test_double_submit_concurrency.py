"""A double click's two POSTs reach two app servers at the same instant: one report [issue 12] [QUALITY 5].

Each server is its own app (own connection pool, own session), each request runs in its own thread, as a
browser's two POSTs behind a load balancer would. Both carry the same form: the same session cookie, CSRF
token and ``submission_id``. Without the claim on the form (services/submissions.py) both would create a
report. With it, the second insert of (actor, token) waits for the first transaction on the unique index, then
fails, and the second request is sent to the first one's report. Run it on PostgreSQL with TEST_DATABASE_URL
(as CI does); on SQLite the database lock serialises the two the same way.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from bs4 import BeautifulSoup
from flask import request
from sqlalchemy import func, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, ProblemReport, StaffRole, Step
from tests.support import factories
from tests.support.clients import CheckingClient

REPORT = {"kind": "invited_did_not_come", "text": "Skolan kom inte till mötet."}
RECEIVED = "Vi har redan tagit emot det här."


@pytest.fixture
def servers(app):
    """Two more apps on the same database, like two app servers; their connections are closed after."""
    made = []
    for _ in range(2):
        server = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        server.test_client_class = CheckingClient
        made.append(server)
    yield made
    for server in made:
        with server.app_context():
            db.engine.dispose()


def _scene():
    social = factories.unit("Socialtjänsten")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    elsa = factories.child("Elsa", age=14)
    maria = factories.guardian_of(elsa, name="Maria")
    case = factories.case(elsa, social, coordinator=coordinator, step=Step.PREPARATION)
    factories.participant(case, ParticipantRole.GUARDIAN, person_=maria)
    db.session.commit()
    return maria, case


class Browser:
    """One person's browser, whose two POSTs go to two servers: both clients share the session cookie."""

    def __init__(self, first, second, person) -> None:
        self.servers = (first, second)
        self.clients = (first.test_client(), second.test_client())
        person.get_id()  # read on the test's own connection, not inside the server's app context
        with first.app_context():
            self.clients[0].sign_in_as(person)

    def _in(self, n: int, method: str, *args, **kwargs):
        with self.servers[n].app_context():
            response = getattr(self.clients[n], method)(*args, **kwargs)
            db.session.remove()
        return response

    def form(self, url: str) -> dict[str, str]:
        """Open the form on the first server, and give the second one the same cookie (the same browser)."""
        page = self._in(0, "get", url)
        assert page.status_code == 200, page.status_code
        form = BeautifulSoup(page.get_data(as_text=True), "html.parser").find("form", action=url)
        name = self.servers[0].config["SESSION_COOKIE_NAME"]
        cookie = self.clients[0].get_cookie(name)
        self.clients[1].set_cookie(name, cookie.value, domain=cookie.domain)
        return {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}

    def post(self, n: int, url: str, data: dict, results: dict, errors: list) -> None:
        try:
            results[n] = self._in(n, "post", url, data=data)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    def text_of(self, n: int, url: str) -> str:
        return " ".join(
            BeautifulSoup(self._in(n, "get", url).get_data(as_text=True), "html.parser").text.split()
        )


def _reports() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ProblemReport))


def test_the_second_click_waits_for_the_first_and_is_sent_to_its_report(servers):
    """The first POST is held open after its report is written; the second arrives meanwhile."""
    maria, case = _scene()
    first, second = servers
    written, release = threading.Event(), threading.Event()

    @first.after_request  # runs before the commit (after_request hooks run last registered first)
    def hold_the_transaction_open(response):
        if request.method == "POST":
            written.set()
            release.wait(10)
        return response

    browser = Browser(first, second, maria)
    url = f"/sip/{case.public_id}/rapportera"
    for attempt in range(5):
        written.clear()
        release.clear()
        hidden = browser.form(url)
        results: dict = {}
        errors: list = []
        one = threading.Thread(target=browser.post, args=(0, url, {**hidden, **REPORT}, results, errors))
        one.start()
        assert written.wait(10)
        two = threading.Thread(target=browser.post, args=(1, url, {**hidden, **REPORT}, results, errors))
        two.start()
        time.sleep(0.5)  # the second is now waiting for the first (or, without the claim, already done)
        assert 1 not in results, "the second click did not wait for the first"
        release.set()
        one.join(15)
        two.join(15)
        assert not errors, errors
        assert results[0].status_code == results[1].status_code == 303
        assert results[1].headers["Location"] == results[0].headers["Location"]
        assert _reports() == attempt + 1
    assert RECEIVED in browser.text_of(1, results[1].headers["Location"])


def _click(start: threading.Barrier, browser: Browser, n: int, url: str, data, results, errors) -> None:
    start.wait(10)
    browser.post(n, url, data, results, errors)


def test_two_clicks_at_the_same_instant_make_one_report_every_time(servers):
    maria, case = _scene()
    browser = Browser(*servers, maria)
    url = f"/sip/{case.public_id}/rapportera"
    repeats = 20
    for _ in range(repeats):
        hidden = browser.form(url)
        results: dict = {}
        errors: list = []
        start = threading.Barrier(2)
        data = {**hidden, **REPORT}
        clicks = [
            threading.Thread(target=_click, args=(start, browser, n, url, data, results, errors))
            for n in (0, 1)
        ]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join(15)
        assert not errors, errors
        assert {r.status_code for r in results.values()} == {303}
        assert results[0].headers["Location"] == results[1].headers["Location"]
        assert re.search(r"/rapporter/[\w-]{22}$", results[0].headers["Location"])
    assert _reports() == repeats
