"""The database goes away [issue 12, Faults]: a calm 503 page in Swedish and English, and back by itself.

The test starts a private PostgreSQL cluster (initdb, port 5443), migrates it and loads the demo people, then
stops and starts it under a running app, as a database restart or outage would. While it is away, every
page, for a signed-in person and for a visitor, answers 503 "Min SIP fungerar inte just nu" with
``Retry-After`` (never the server's bare "Internal Server Error"), and sets no cookie. When the database is
back, the same browser session carries on without signing in again.

Skipped with a message where the PostgreSQL server binaries are missing.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from citizen_app import create_app, database, errors
from citizen_app.extensions import db
from citizen_app.models import Person
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services.demo import load_demo_data
from tests.support.clients import CheckingClient
from tests.support.private_servers import PrivatePostgres

TITLE = "Min SIP fungerar inte just nu"
ENGLISH_TITLE = "Min SIP is not working right now"


@pytest.fixture(scope="module")
def private_postgres():
    server = PrivatePostgres.or_skip(5443)
    try:
        server.create()
        server.start()
        database.upgrade(server.url)
        yield server
    finally:
        server.remove()


@pytest.fixture
def app(private_postgres):
    """An app as production runs it (errors are answered, not raised into the test) on the private cluster."""
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": private_postgres.url,
            "SERVER_NAME": "localhost",
            "PROPAGATE_EXCEPTIONS": False,
        },
    )
    app.test_client_class = CheckingClient
    with app.app_context():
        load_demo_data()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def database_away(app, private_postgres):
    """Stops the database (after the test's own session has let go of its connection); starts it again."""

    class Outage:
        def __enter__(self):
            db.session.remove()
            private_postgres.stop()

        def __exit__(self, *exc):
            private_postgres.start()

    return Outage()


def _sign_in(client, name: str) -> None:
    token = client.csrf_token("/logga-in/testidentitet")
    person = db.session.scalar(select(Person).where(Person.display_name == name))
    identity = person.get_id()
    db.session.remove()
    response = client.post("/logga-in/testidentitet", data={"identity": identity, "csrf_token": token})
    assert response.status_code == 303, response.status_code


def _the_away_page(response) -> BeautifulSoup:
    assert response.status_code == 503, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Retry-After"] == "30"
    assert "Set-Cookie" not in response.headers  # no session was written
    assert response.headers["Cache-Control"] == "no-store"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.find("html")["lang"] == "sv"
    assert page.find("h1").get_text(strip=True) == TITLE
    english = page.find(attrs={"lang": "en"})
    assert english.find("h2").get_text(strip=True) == ENGLISH_TITLE
    assert "Internal Server Error" not in page.get_text()
    swedish = BeautifulSoup(str(page), "html.parser")
    swedish.find(attrs={"lang": "en"}).decompose()
    readability = measure(main_text_blocks(str(swedish)))
    assert readability.lix <= 35 and readability.longest_sentence_words <= 20, readability
    return page


def test_a_signed_in_person_gets_the_503_page_while_the_database_is_away_and_carries_on_after(
    app, database_away
):
    client = app.test_client()
    _sign_in(client, "Maria Berg")
    assert "Maria Berg" in client.get("/").get_data(as_text=True)
    token = client.csrf_token("/om-min-sip")

    with database_away:
        for path in ("/", "/meddelanden", "/sidan-finns-inte"):
            page = _the_away_page(client.get(path))
            assert page.find("a", string="Försök igen")["href"] == path  # try the same page again
            assert "Maria Berg" not in page.get_text()  # nothing was read about the person
        sent = _the_away_page(client.post("/logga-ut", data={"csrf_token": token}))
        assert "Det du skickade sparades inte." in sent.get_text()

    start = client.get("/")
    assert start.status_code == 200 and "Maria Berg" in start.get_data(as_text=True)  # still signed in


def test_a_visitor_gets_the_503_page_while_the_database_is_away(app, database_away):
    client = app.test_client()
    with database_away:
        _the_away_page(client.get("/logga-in/testidentitet"))
        assert client.get("/om-min-sip").status_code == 200  # pages without data still work
    assert client.get("/logga-in/testidentitet").status_code == 200
    _sign_in(client, "Anna Lind")


class _SessionsInTheDatabase(SecureCookieSessionInterface):
    """A session store that reads and writes the database on every request, as a server-side store does."""

    def __init__(self) -> None:
        self.saved_while_away = 0

    def open_session(self, app, request):
        db.session.execute(text("SELECT 1"))  # raises while the database is away
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        try:
            db.session.execute(text("SELECT 1"))
        except OperationalError:
            self.saved_while_away += 1
            raise
        return super().save_session(app, session, response)


def test_with_sessions_kept_in_the_database_the_503_page_still_shows_and_saves_no_session(app, database_away):
    store = _SessionsInTheDatabase()
    # As create_app does: the session store is set up before the error pages, which guard its saving.
    app.session_interface = errors.NoSessionSaveWhileDatabaseAway(store)
    client = app.test_client()
    _sign_in(client, "Maria Berg")
    with database_away:
        _the_away_page(client.get("/"))  # the error came while the session was being opened
    assert store.saved_while_away == 0
    assert "Maria Berg" in client.get("/").get_data(as_text=True)
