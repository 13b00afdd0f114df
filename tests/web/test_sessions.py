"""Sessions [QUALITY 4]: signed out after 30 minutes without activity or 12 hours after sign-in, a new
session at sign-in, and a cookie scripts cannot read and other sites cannot send along."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser
from tests.support import factories

SIGNED_OUT_MESSAGE = "Du har loggats ut eftersom det har gått en stund"


@pytest.fixture
def anna(app):
    return factories.person("Anna Test")


def _is_signed_in(client) -> bool:
    response = client.get("/om-min-sip")
    return response.status_code == 200 and "Logga ut" in response.get_data(as_text=True)


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


def test_an_expired_session_is_judged_by_the_server_not_the_cookie(client, anna):
    """A browser that keeps the cookie longer (or an attacker replaying it) is still signed out."""
    client.sign_in_as(anna)
    with client.session_transaction() as session:
        session["signed_in_at"] -= 12 * 3600 + 1
    assert not _is_signed_in(client)


def test_a_session_without_timestamps_is_not_accepted(client, anna):
    client.sign_in_as(anna)
    with client.session_transaction() as session:
        del session["last_seen"]
    assert not _is_signed_in(client)


def test_expired_staff_are_sent_to_the_staff_sign_in(client, app):
    kim = factories.staff(name="Kim Personal")
    client.sign_in_as(kim)
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60
    response = client.get("/personal/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/personal/logga-in?next=/personal/"


def test_a_static_file_is_still_served_when_the_session_runs_out(client, anna):
    client.sign_in_as(anna)
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
    html = client.get("/om-min-sip").get_data(as_text=True)
    assert SIGNED_OUT_MESSAGE in html
    assert "Logga ut" not in html


def test_sign_in_starts_a_new_session(client, demo_data):
    """Session fixation: nothing put in the session before sign-in survives it."""
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["_user_id"] = "p:someone-else"
    maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
    client.sign_in_with_demo_page(maria)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == maria.get_id()
        assert session["signed_in_at"] == session["last_seen"]


def test_the_chosen_language_survives_sign_in(client, demo_data):
    client.get("/sprak/en?next=/")
    maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
    client.sign_in_with_demo_page(maria)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_sign_out_empties_the_session(client, demo_data):
    staff = db.session.scalar(select(StaffUser).where(StaffUser.display_name == "Kent Olofsson"))
    client.sign_in_with_demo_page(staff)
    client.post("/logga-ut", data={"csrf_token": client.csrf_token("/personal/")})
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "signed_in_at" not in session
    assert client.get("/personal/").status_code == 303


def test_the_session_cookie_is_httponly_and_samesite_lax(client, anna):
    response = client.get("/logga-in")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("minsip_session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    # Secure is on in production (tests/unit/test_config.py); this test app runs on plain http.
