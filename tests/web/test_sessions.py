"""Sessions [QUALITY 4] [issue 12]: signed out after 30 minutes without activity or 12 hours after sign-in, a
new session at sign-in, a cookie scripts cannot read and other sites cannot send along, and a session that
lives on the server: signing out (here or on every device) ends it, and a copied cookie is then worth
nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from flask.sessions import SecureCookieSessionInterface
from flask_login.utils import _create_identifier
from freezegun import freeze_time
from itsdangerous import BadSignature
from sqlalchemy import func, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser, WebSession
from citizen_app.plain_language import main_text_blocks, measure
from tests.support import factories
from tests.support.clients import CheckingClient

SIGNED_OUT_MESSAGE = "Du har loggats ut eftersom det har gått en stund"
COOKIE = "minsip_session"
EVERYWHERE = "/logga-ut/alla-enheter"


@pytest.fixture
def anna(app):
    return factories.person("Anna Test")


def _is_signed_in(client) -> bool:
    response = client.get("/om-min-sip")
    return response.status_code == 200 and "Logga ut" in response.get_data(as_text=True)


def _cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def _device_with_cookie(app, value: str) -> CheckingClient:
    """Another browser (or someone who copied the cookie) that sends ``value`` as its session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value, domain="localhost")
    return other


def _sessions_of(actor) -> int:
    return db.session.scalar(select(func.count()).where(WebSession.actor_id == actor.get_id()))


def _old_style_cookie(app, client, actor) -> str:
    """The cookie Min SIP used to trust: Flask's signed session data, with fresh sign-in times of its own.
    Anyone with the secret key (in demo and test mode it is public, in config.py) can make one."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    from datetime import UTC, datetime

    now = datetime.now(UTC).timestamp()
    data = {
        "_user_id": actor.get_id(),
        "_fresh": True,
        "_id": identifier,
        "_permanent": True,
        "signed_in_at": now,
        "last_seen": now,
    }
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)


# --- The time limits ---------------------------------------------------------------------------------------


def test_thirty_minutes_without_activity_signs_you_out(client, anna):
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        clock.tick(timedelta(minutes=29))
        assert _is_signed_in(client)  # each request restarts the 30 minutes

        clock.tick(timedelta(minutes=30, seconds=1))
        response = client.get("/")

        assert response.status_code == 303
        assert response.headers["Location"] == "/logga-in?next=/"
        html = client.get(response.headers["Location"]).get_data(as_text=True)
        assert SIGNED_OUT_MESSAGE in html
        assert not _is_signed_in(client)


def test_being_active_keeps_you_signed_in_but_never_longer_than_twelve_hours(client, anna):
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        for _ in range(36):  # a request every 20 minutes, up to exactly 12 hours
            clock.tick(timedelta(minutes=20))
            assert _is_signed_in(client)

        clock.tick(timedelta(minutes=1))
        response = client.get("/")

        assert response.status_code == 303
        assert SIGNED_OUT_MESSAGE in client.get(response.headers["Location"]).get_data(as_text=True)
        assert not _is_signed_in(client)


def test_the_times_are_kept_on_the_server_a_cookie_cannot_bring_its_own(app, client, anna):
    """The old cookie carried its own sign-in times, signed with the secret key. A cookie made with that key
    (public in demo mode, or leaked) could sign anyone in, for as long as it liked. Now it is worthless."""
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        clock.tick(timedelta(minutes=31))
        forged = _device_with_cookie(app, _old_style_cookie(app, client, anna))
        assert not _is_signed_in(forged)
        assert not _is_signed_in(client)


def test_a_session_that_ran_out_is_deleted_on_the_server(app, client, anna):
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        copy = _cookie(client)
        assert _sessions_of(anna) == 1
        clock.tick(timedelta(minutes=31))

        client.get("/om-min-sip")

        assert _sessions_of(anna) == 0
        clock.tick(timedelta(minutes=1))
        assert not _is_signed_in(_device_with_cookie(app, copy))


def test_a_form_sent_after_the_session_ran_out_leads_to_sign_in_with_the_reason(client, anna):
    """Not the "page was open too long" error: the form's CSRF token belonged to the session that ended."""
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        token = client.csrf_token("/om-min-sip")
        clock.tick(timedelta(minutes=31))
        response = client.post("/begar-sip", data={"csrf_token": token})
        assert response.status_code == 303
        assert response.headers["Location"] == "/logga-in"
        assert SIGNED_OUT_MESSAGE in client.get("/logga-in").get_data(as_text=True)


def test_expired_staff_are_sent_to_the_staff_sign_in(client, app):
    kim = factories.staff(name="Kim Personal")
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(kim)
        clock.tick(timedelta(minutes=31))
        response = client.get("/personal/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/personal/logga-in?next=/personal/"


def test_a_static_file_is_still_served_when_the_session_runs_out(client, anna):
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        clock.tick(timedelta(minutes=31))
        with client.get("/static/css/app.css") as response:
            assert response.status_code == 200
        html = client.get("/om-min-sip").get_data(as_text=True)
    assert SIGNED_OUT_MESSAGE in html
    assert "Logga ut" not in html


def test_an_unknown_session_id_signs_nobody_in(app, anna):
    stranger = _device_with_cookie(app, "x" * 43)
    assert not _is_signed_in(stranger)


# --- A new session at sign-in, and the cookie -------------------------------------------------------------


def test_sign_in_starts_a_new_session(app, client, demo_data):
    """Session fixation: nothing put in the session before sign-in survives it, and its id is not reused."""
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["_user_id"] = "p:someone-else"
    planted_id = _cookie(client)
    maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
    client.sign_in_with_demo_page(maria)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == maria.get_id()
    assert _cookie(client) != planted_id
    assert not _is_signed_in(_device_with_cookie(app, planted_id))  # whoever planted it is not signed in


def test_the_chosen_language_survives_sign_in(client, demo_data):
    client.get("/sprak/en?next=/")
    maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
    client.sign_in_with_demo_page(maria)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_the_cookie_holds_only_an_opaque_id(app, client, anna):
    client.sign_in_as(anna)
    value = _cookie(client)
    with pytest.raises(BadSignature):
        SecureCookieSessionInterface().get_signing_serializer(app).loads(value)
    assert anna.public_id not in value
    assert len(value) >= 43  # 256 random bits
    # The database keeps only a hash of it: a copy of the table cannot be turned into a cookie.
    stored = db.session.scalars(select(WebSession.id_hash)).all()
    assert stored == [hashlib.sha256(value.encode()).hexdigest()]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, anna):
    response = client.get("/logga-in")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("minsip_session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    # Secure is on in production (tests/unit/test_config.py); this test app runs on plain http.


# --- Signing out --------------------------------------------------------------------------------------------


def test_sign_out_empties_the_session(client, demo_data):
    staff = db.session.scalar(select(StaffUser).where(StaffUser.display_name == "Kent Olofsson"))
    client.sign_in_with_demo_page(staff)
    client.post("/logga-ut", data={"csrf_token": client.csrf_token("/personal/")})
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/personal/").status_code == 303


def test_a_copied_cookie_does_not_work_after_signing_out(app, client, demo_data):
    anna = db.session.scalar(select(Person).where(Person.display_name == "Anna Lind"))
    client.sign_in_with_demo_page(anna)
    copy = _device_with_cookie(app, _cookie(client))
    assert _is_signed_in(copy)

    response = client.post("/logga-ut", data={"csrf_token": client.csrf_token("/")})

    assert response.status_code == 303
    assert '"cookies"' in response.headers["Clear-Site-Data"]
    assert not _is_signed_in(copy)
    assert _sessions_of(anna) == 0


def test_a_copied_cookie_does_not_work_on_another_app_server_after_signing_out(app, client, anna):
    """Several app servers share the database, so they share the sessions: sign-out on one ends it on all."""
    other_server = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other_server.test_client_class = CheckingClient
    client.sign_in_as(anna)
    copy = _cookie(client)
    with other_server.app_context():
        on_other = other_server.test_client()
        on_other.set_cookie(COOKIE, copy, domain="localhost")
        assert _is_signed_in(on_other)
    client.post("/logga-ut", data={"csrf_token": client.csrf_token("/")})
    with other_server.app_context():
        assert not _is_signed_in(on_other)
        db.engine.dispose()


# --- Signing out on every device --------------------------------------------------------------------------


@pytest.fixture
def kim(app):
    return factories.staff(name="Kim Personal")


@pytest.mark.parametrize("who", ["anna", "kim"])
def test_signing_out_on_all_devices_ends_the_session_on_the_other_device(app, request, who):
    actor = request.getfixturevalue(who)
    phone, computer = app.test_client(), app.test_client()
    phone.sign_in_as(actor)
    computer.sign_in_as(actor)
    assert _cookie(phone) != _cookie(computer)

    page = computer.get(EVERYWHERE)
    assert page.status_code == 200
    response = computer.post(EVERYWHERE, data={"csrf_token": computer.csrf_token(EVERYWHERE)})

    assert response.status_code == 303
    assert response.headers["Location"] == "/utloggad"
    assert '"cookies"' in response.headers["Clear-Site-Data"]
    assert not _is_signed_in(phone)
    assert not _is_signed_in(computer)
    assert _sessions_of(actor) == 0


def test_signing_out_on_all_devices_leaves_other_people_signed_in(app, anna):
    bengt = factories.person("Bengt Test")
    annas, bengts = app.test_client(), app.test_client()
    annas.sign_in_as(anna)
    bengts.sign_in_as(bengt)
    annas.post(EVERYWHERE, data={"csrf_token": annas.csrf_token(EVERYWHERE)})
    assert _is_signed_in(bengts)


@pytest.mark.parametrize("who,start", [("anna", "/"), ("kim", "/personal/")])
def test_signing_out_on_all_devices_is_offered_beside_sign_out(client, request, who, start):
    client.sign_in_as(request.getfixturevalue(who))
    html = client.get(start).get_data(as_text=True)
    assert f'href="{EVERYWHERE}"' in html
    page = client.get(EVERYWHERE)
    text = " ".join(main_text_blocks(page.get_data(as_text=True)))
    assert f'action="{EVERYWHERE}"' in page.get_data(as_text=True)
    assert "Logga ut på alla enheter" in text
    readability = measure(main_text_blocks(page.get_data(as_text=True)))
    assert readability.lix <= 35 and readability.longest_sentence_words <= 20


def test_signing_out_on_all_devices_needs_a_signed_in_user_and_a_csrf_token(client, anna):
    assert client.get(EVERYWHERE).status_code == 303  # to the sign-in page
    client.sign_in_as(anna)
    assert client.post(EVERYWHERE).status_code == 400
    assert _is_signed_in(client)


# --- Writing the session only when needed [issue 17] --------------------------------------------------------


def _session_writes(queries) -> list[str]:
    return [
        s
        for s in queries.statements
        if "web_session" in s and s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_the_session_is_written_only_when_it_changed_and_the_last_visit_once_a_minute(
    client, anna, count_queries
):
    with freeze_time("2026-11-23 08:00:00") as clock:
        client.sign_in_as(anna)
        client.get("/")  # the first page stores the CSRF token
        with count_queries() as pages:
            for _ in range(3):
                clock.tick(timedelta(seconds=15))
                assert client.get("/").status_code == 200
        assert _session_writes(pages) == []

        clock.tick(timedelta(seconds=20))  # more than a minute after the last write
        with count_queries() as later:
            client.get("/")
        assert len(_session_writes(later)) == 1


def test_a_visitor_who_stores_nothing_gets_no_session(client):
    for path in ("/manifest.webmanifest", "/sw.js", "/static/css/app.css"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert not any(c.startswith(COOKIE) for c in response.headers.getlist("Set-Cookie")), path
    assert db.session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_sessions_past_their_twelve_hours_are_deleted_by_the_cron_job(app, anna):
    bengt = factories.person("Bengt Test")
    with freeze_time("2026-11-23 08:00:00") as clock:
        app.test_client().sign_in_as(anna)
        clock.tick(timedelta(hours=11))
        app.test_client().sign_in_as(bengt)
        clock.tick(timedelta(hours=1, minutes=1))
        result = app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert "Expired sessions deleted: 1." in result.output
    assert _sessions_of(anna) == 0
    assert _sessions_of(bengt) == 1  # ran out after 30 idle minutes: deleted when read, or at 12 hours


# --- When the database is away ------------------------------------------------------------------------------


@pytest.mark.parametrize("has_cookie", [True, False], ids=["returning visitor", "new visitor"])
def test_a_page_that_needs_no_database_still_opens_when_the_database_is_away(tmp_path, caplog, has_cookie):
    """Sessions live in the database. When it cannot be reached, a visitor without a session still gets a
    page that needs no data; someone with a session gets the 503 page (never the site as if signed out).
    Either way nothing is written and the cookie is left alone for when the database is back."""
    unreachable = "sqlite:///" + str(tmp_path / "no-such-folder" / "minsip.sqlite")
    # As in production: an error outside the view is answered by the error pages, not raised to the test.
    away = create_app("test", {"SQLALCHEMY_DATABASE_URI": unreachable, "PROPAGATE_EXCEPTIONS": False})
    away.test_client_class = CheckingClient
    with away.app_context():
        client = away.test_client()
        if has_cookie:
            client.set_cookie(COOKIE, "x" * 43, domain="localhost")
        response = client.get("/om-min-sip")
        assert response.status_code == (503 if has_cookie else 200)
        assert "Logga ut" not in response.get_data(as_text=True)
        assert not any(c.startswith(COOKIE) for c in response.headers.getlist("Set-Cookie"))
        db.engine.dispose()
    expected = "could not be read" if has_cookie else "could not be saved"
    assert expected in caplog.text
