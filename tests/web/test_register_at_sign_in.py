"""At sign-in Min SIP asks the population register who is whose guardian with custody [issue 18]; the register
being away never stops the sign-in. Through the real test-identity page, against the real register server in
tests/support (e-ID sign-in: tests/web/test_sign_in_oidc.py)."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import Person, SipCase
from citizen_app.services import people
from tests.support.register_server import RegisterServer


def _person(name: str) -> Person:
    return db.session.scalars(select(Person).where(Person.display_name == name)).one()


def _entry(person: Person) -> tuple[str, str, str]:
    return (people.identity_number_of(person), person.display_name, person.birth_date.isoformat())


@pytest.fixture
def register(app, demo_data):
    """The register server, saying what the demo says: Elsa has Maria and Johan, Oskar has Sara."""
    server = RegisterServer(token="register-token-for-tests")
    server.start()
    server.set_custodians(
        _entry(_person("Elsa Berg")), [_entry(_person("Maria Berg")), _entry(_person("Johan Berg"))]
    )
    server.set_custodians(_entry(_person("Oskar Holm")), [_entry(_person("Sara Holm"))])
    server.know(_entry(_person("Peter Holm")))
    app.config.update(REGISTER_URL=server.url, REGISTER_TOKEN="register-token-for-tests", REGISTER_TIMEOUT=2)
    yield server
    server.stop()


def _elsas_sip() -> str:
    return db.session.scalars(
        select(SipCase.public_id).where(SipCase.subject_id == _person("Elsa Berg").id)
    ).first()


def test_a_guardian_who_lost_custody_no_longer_sees_the_childs_sip_once_signed_in(client, register):
    register.set_custodians(_entry(_person("Elsa Berg")), [_entry(_person("Maria Berg"))])
    sip = _elsas_sip()
    client.sign_in_with_demo_page(_person("Johan Berg"))
    start = client.get("/").get_data(as_text=True)
    assert "inte vårdnaden" in start  # told why, like any parent without custody
    assert client.get(f"/sip/{sip}").status_code == 404


def test_a_parent_who_gained_custody_sees_the_child_as_their_own_once_signed_in(client, register):
    register.set_custodians(
        _entry(_person("Oskar Holm")), [_entry(_person("Sara Holm")), _entry(_person("Peter Holm"))]
    )
    client.sign_in_with_demo_page(_person("Peter Holm"))
    start = client.get("/").get_data(as_text=True)
    assert "Oskar Holm" in start and "inte vårdnaden" not in start


def test_the_register_being_away_does_not_stop_sign_in_and_the_known_relations_stay(client, register, caplog):
    register.set_custodians(_entry(_person("Elsa Berg")), [_entry(_person("Maria Berg"))])
    register.failing = 503
    sip = _elsas_sip()
    with caplog.at_level(logging.WARNING):
        client.sign_in_with_demo_page(_person("Johan Berg"))
    assert client.get(f"/sip/{sip}").status_code == 200  # what Min SIP knew before
    start = client.get("/").get_data(as_text=True)
    assert "folkbokför" not in start.lower()  # nothing alarming for the person
    assert "population register not asked at sign-in" in caplog.text
    assert people.identity_number_of(_person("Johan Berg")) not in caplog.text


def test_a_register_too_slow_to_answer_does_not_hold_up_sign_in_for_long(client, app, register):
    app.config.update(REGISTER_TIMEOUT=0.3)
    register.delay = 2.0
    started = time.monotonic()
    client.sign_in_with_demo_page(_person("Johan Berg"))
    assert time.monotonic() - started < 1.8
    assert client.get(f"/sip/{_elsas_sip()}").status_code == 200
