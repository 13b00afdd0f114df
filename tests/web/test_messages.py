"""Meddelanden: each status change is a message; unread count in the header; mark read with or without JS."""

import re

import pytest

from citizen_app.extensions import db
from citizen_app.models import Notification, NotificationKind, StaffRole
from citizen_app.services import intake, notifications
from tests.support import factories


def _accepted_case():
    unit = factories.unit("Socialtjänsten")
    kim = factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")
    person = factories.person("Ada")
    case = factories.case(person, unit)
    intake.accept(kim, case)
    return person, case


def test_a_status_change_shows_as_an_unread_message(client, app):
    person, case = _accepted_case()
    client.sign_in_as(person)
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="unread-count"> \(1<span class="visually-hidden"> olästa</span>\)', html)
    page = client.get("/meddelanden").get_data(as_text=True)
    assert "Nu har SIP:en en samordnare: Kim Samordnare." in page
    assert f'href="/sip/{case.public_id}"' in page


def test_mark_as_read_without_javascript(client, app):
    person, _ = _accepted_case()
    message = db.session.query(Notification).filter_by(recipient_person_id=person.id).one()
    client.sign_in_as(person)
    token = client.csrf_token("/meddelanden")
    response = client.post(f"/meddelanden/{message.public_id}/last", data={"csrf_token": token})
    assert response.status_code == 303
    assert db.session.get(Notification, message.id).read_at is not None
    assert 'id="unread-count"></span>' in client.get("/meddelanden").get_data(as_text=True)


def test_mark_as_read_with_htmx_returns_the_message_and_the_new_count(client, app):
    person, _ = _accepted_case()
    message = db.session.query(Notification).filter_by(recipient_person_id=person.id).one()
    client.sign_in_as(person)
    token = client.csrf_token("/meddelanden")
    response = client.post(
        f"/meddelanden/{message.public_id}/last", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and f'id="message-{message.public_id}"' in fragment
    assert 'id="unread-count" hx-swap-oob="true"' in fragment
    assert "HX-Request" in response.headers["Vary"]


def test_someone_elses_message_cannot_be_marked(client, app):
    person, _ = _accepted_case()
    message = db.session.query(Notification).filter_by(recipient_person_id=person.id).one()
    stranger = factories.person("Främling")
    client.sign_in_as(stranger)
    token = client.csrf_token("/meddelanden")
    assert (
        client.post(f"/meddelanden/{message.public_id}/last", data={"csrf_token": token}).status_code == 404
    )
    assert db.session.get(Notification, message.id).read_at is None
    assert "Kim Samordnare" not in client.get("/meddelanden").get_data(as_text=True)


def test_mark_all_read(client, app):
    person, case = _accepted_case()
    notifications.notify(person, NotificationKind.COORDINATOR_CHANGED, case, data={"coordinator": "Alex"})
    client.sign_in_as(person)
    token = client.csrf_token("/meddelanden")
    assert client.post("/meddelanden/alla-lasta", data={"csrf_token": token}).status_code == 303
    assert notifications.unread_count(person) == 0


def test_a_repeated_reminder_key_makes_one_message(app):
    person = factories.person()
    assert notifications.notify(person, NotificationKind.STEP_CHANGED, dedupe_key="k1") is not None
    assert notifications.notify(person, NotificationKind.STEP_CHANGED, dedupe_key="k1") is None
    assert db.session.query(Notification).count() == 1


def test_delivery_channels_get_every_new_message(app):
    seen = []
    notifications.register_channel(seen.append)
    try:
        message = notifications.notify(factories.person(), NotificationKind.STEP_CHANGED)
    finally:
        notifications._channels.remove(seen.append)
    assert seen == [message]


def test_the_empty_message_list_is_plain_swedish(client, app):
    from citizen_app.plain_language import main_text_blocks, measure

    person = factories.person("Ada Berg", age=45)
    db.session.commit()
    client.sign_in_as(person)
    response = client.get("/meddelanden")
    assert "Du har inga meddelanden än." in response.get_data(as_text=True)
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 35, readability


def test_a_message_links_only_to_a_sip_the_reader_may_still_open(client, app):
    """A staff member who has left the unit keeps the message, but not a link that would lead to "Ärendet
    finns inte"."""
    unit = factories.unit("Socialtjänsten")
    kim = factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")
    lo = factories.staff(unit, StaffRole.MEMBER, name="Lo Kollega")
    case = factories.case(factories.person("Ada"), unit)
    notifications.notify(lo, NotificationKind.NEW_REQUEST_FOR_UNIT, case)
    db.session.commit()
    client.sign_in_as(lo)
    assert f'href="/personal/sip/{case.public_id}"' in client.get("/meddelanden").get_data(as_text=True)

    db.session.delete(lo.memberships[0])  # Lo moves to another unit
    db.session.commit()
    page = client.get("/meddelanden").get_data(as_text=True)
    assert "En ny förfrågan om SIP har kommit till din enhet." in page
    assert f"/personal/sip/{case.public_id}" not in page
    client.sign_in_as(kim)  # Kim, still in the unit, keeps the link
    kim_message = notifications.notify(kim, NotificationKind.NEW_REQUEST_FOR_UNIT, case)
    db.session.commit()
    assert kim_message is not None
    assert f'href="/personal/sip/{case.public_id}"' in client.get("/meddelanden").get_data(as_text=True)


@pytest.mark.parametrize("reader", ["person", "staff"])
def test_the_message_list_stays_within_eight_queries_with_a_hundred_messages(
    client, app, count_queries, reader
):
    unit = factories.unit("Socialtjänsten")
    kim = factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")
    ada = factories.person("Ada")
    for n in range(50):
        case = factories.case(
            factories.person(f"Person {n}") if reader == "staff" else ada, unit, coordinator=kim
        )
        for kind in (NotificationKind.STEP_CHANGED, NotificationKind.MEETING_INVITATION):
            notifications.notify(kim if reader == "staff" else ada, kind, case)
    db.session.commit()
    client.sign_in_as(kim if reader == "staff" else ada)
    with count_queries() as q:
        page = client.get("/meddelanden").get_data(as_text=True)
    assert page.count("Gå till SIP:en") == 100
    assert q.count <= 8, q.statements
