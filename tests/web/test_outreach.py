"""E-mail and SMS [issue 18], against a real SMTP server (aiosmtpd) and a local server speaking the SMS
gateway's API (46elks): the person chooses on "Aviseringar"; a message says only "Du har ett nytt meddelande
i Min SIP" and the app's address; a person who chose nothing gets nothing; a message goes once even when its
job runs twice, and not more often than once per quiet time; a relative's link arrives by e-mail and opens the
invitation; "send again" makes a new link and closes the old one; a child's code arrives by SMS. Without
e-mail or SMS set up (the demo) the pages say so and show the link or code as before."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    AgendaList,
    AuditEntry,
    ContactChoice,
    MessageOutbox,
    NotificationKind,
    OutreachStatus,
    ParticipantRole,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import consent, meetings, notifications, outreach, preparation
from tests.support import factories
from tests.support.mail_server import MailServer
from tests.support.sms_gateway import SmsGateway

PUBLIC_URL = "https://minsip.exempel.se/"
GENERIC = "Du har ett nytt meddelande i Min SIP."
SETTINGS = "/aviseringar"
CHOOSE = "/aviseringar/sms-och-e-post"

# The health details and names of Anna's SIP. None of them may ever be in an e-mail or SMS.
NEED = "Anna har svår ångest och sover dåligt"
PRIVATE = "Pappas sjukdom"
ANSWER = "Att jag får bo kvar hemma"
TOPIC = "Hennes medicin"
PLACE = "Psykiatrimottagningen, rum 3"
SECRETS_OF_THE_CASE = (
    NEED,
    PRIVATE,
    ANSWER,
    TOPIC,
    PLACE,
    "Anna",
    "Lind",
    "Psykiatri",
    "Socialtjänsten",
    "Ekskolan",
    "Kim",
)


@pytest.fixture(scope="module")
def mail():
    with MailServer() as server:
        yield server


@pytest.fixture(scope="module")
def gateway():
    with SmsGateway() as server:
        yield server


@pytest.fixture
def sending(app, mail, gateway):
    """This Min SIP sends e-mail to the test SMTP server and SMS through the test gateway."""
    mail.clear()
    gateway.received.clear()
    app.config.update(mail.app_settings(), **gateway.app_settings(), PUBLIC_URL=PUBLIC_URL)
    return app


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ").split())


def _has_nothing_of_the_case(text: str) -> None:
    for secret in SECRETS_OF_THE_CASE:
        assert secret not in text, f"the message names {secret!r}"


def _outbox() -> list[MessageOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(MessageOutbox).order_by(MessageOutbox.id)))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def anna_case(app):
    """Anna (45) has a SIP at Socialtjänsten and the psychiatry with a need that is her health."""
    social = factories.unit("Socialtjänsten Norr")
    psych = factories.unit("Psykiatrimottagningen", kind=UnitKind.PSYCHIATRY)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    anna = factories.person("Anna Lind", age=45)
    case = factories.case(anna, social, kim, step=Step.CONSENT, need_description=NEED)
    factories.participant(case, ParticipantRole.UNIT, unit_=psych)
    db.session.commit()
    return {"anna": anna, "kim": kim, "case": case, "social": social, "psych": psych}


def _chooses(person, *, email: str = "", phone: str = "", by_email=False, by_sms=False) -> None:
    outreach.choose(person, email=email, phone=phone, by_email=by_email, by_sms=by_sms)
    db.session.commit()


# ---- The person's choice on "Aviseringar" ------------------------------------------------------------------


def test_the_person_chooses_e_mail_and_sms_with_clear_messages_for_a_bad_address_or_number(
    sending, client, anna_case
):
    anna = anna_case["anna"]
    client.sign_in_as(anna)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    text = _text(page)
    assert "E-post och sms" in text and "Du har ett nytt meddelande i Min SIP." in text
    assert "Just nu skickar Min SIP inte" not in text  # both are set up here
    form = _soup(page).find("form", action=CHOOSE)
    assert form.find("label", attrs={"for": "email"}) and form.find("label", attrs={"for": "phone"})
    token = client.csrf_token(SETTINGS)

    refused = client.post(
        CHOOSE,
        data={
            "csrf_token": token,
            "email": "anna@",
            "phone": "08-123 45 67",
            "by_email": "yes",
            "by_sms": "yes",
        },
    )
    assert refused.status_code == 422
    text = _text(refused)
    assert "Skriv en e-postadress som namn@exempel.se." in text
    assert "Skriv ett mobilnummer som 070-123 45 67." in text  # a landline gets no SMS
    summary = _soup(refused).select(".error-summary a, [role=alert] a")
    assert {a["href"] for a in summary} >= {"#email", "#phone"}

    missing = client.post(CHOOSE, data={"csrf_token": token, "email": "", "phone": "", "by_sms": "yes"})
    assert missing.status_code == 422
    assert "Skriv ditt mobilnummer om du vill ha sms." in _text(missing)
    assert db.session.get(ContactChoice, anna.id) is None, "nothing is saved from a refused form"

    saved = client.post(
        CHOOSE,
        data={
            "csrf_token": token,
            "email": " anna.lind@exempel.se ",
            "phone": "+46 70-111 22 33",
            "by_email": "yes",
            "by_sms": "yes",
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert (anna.email, anna.phone) == ("anna.lind@exempel.se", "+46701112233")
    chosen = db.session.get(ContactChoice, anna.id)
    assert (chosen.email, chosen.sms) == (True, True)
    assert "outreach.chosen" in _actions()
    again = _soup(client.get(SETTINGS))
    assert again.find("input", id="phone")["value"] == "070-111 22 33"
    assert again.find("input", id="by_email").has_attr("checked")
    assert measure(main_text_blocks(str(again))).lix <= 35


def test_the_page_says_so_when_this_min_sip_cannot_send(client, app, anna_case):
    client.sign_in_as(anna_case["anna"])
    text = _text(client.get(SETTINGS))
    assert "Just nu skickar Min SIP inte e-post eller sms. Det du väljer gäller när det är påslaget." in text


# ---- New messages ------------------------------------------------------------------------------------------


def test_a_person_who_chose_nothing_gets_nothing(sending, mail, gateway, anna_case):
    anna = anna_case["anna"]
    anna.email, anna.phone = "anna.lind@exempel.se", "+46701112233"  # known, but not chosen
    notifications.notify(anna, NotificationKind.MEETING_INVITATION, anna_case["case"])
    db.session.commit()
    assert _outbox() == []
    assert mail.messages == [] and gateway.messages == []


def test_a_new_message_goes_by_e_mail_and_sms_with_no_health_information(sending, mail, gateway, anna_case):
    anna = anna_case["anna"]
    _chooses(anna, email="anna.lind@exempel.se", phone="070-111 22 33", by_email=True, by_sms=True)
    notifications.notify(anna, NotificationKind.MEETING_INVITATION, anna_case["case"], data={"place": PLACE})
    db.session.commit()

    (message,) = mail.wait_for(1)
    assert message["To"] == "anna.lind@exempel.se"
    assert message["From"] == "Min SIP <no-reply@minsip.test>"
    assert message["Subject"] == "Nytt meddelande i Min SIP"
    body = MailServer.text_of(message)
    assert GENERIC in body and PUBLIC_URL in body
    _has_nothing_of_the_case(body + message["Subject"])

    (sms,) = gateway.wait_for(1)
    assert sms == {
        "from": "MinSIP",
        "to": "+46701112233",
        "message": f"{GENERIC} Logga in och läs det: {PUBLIC_URL}",
    }
    rows = _outbox()
    assert [row.status for row in rows] == [OutreachStatus.SENT, OutreachStatus.SENT]
    assert all(row.body == "" for row in rows), "the text is erased once sent"


def test_staff_get_no_e_mail(sending, mail, anna_case):
    kim = anna_case["kim"]
    kim_email = "kim@exempel.se"
    notifications.notify(kim, NotificationKind.NEW_REQUEST_FOR_UNIT, anna_case["case"])
    db.session.commit()
    assert _outbox() == [] and all(m["To"] != kim_email for m in mail.messages)


def test_not_flooding_one_e_mail_per_quiet_time_while_messages_wait(sending, mail, anna_case):
    anna = anna_case["anna"]
    _chooses(anna, email="anna.lind@exempel.se", by_email=True)
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with freeze_time(start):
        notifications.notify(anna, NotificationKind.MEETING_INVITATION, anna_case["case"])
        db.session.commit()
    with freeze_time(start + timedelta(minutes=59)):
        notifications.notify(anna, NotificationKind.MEETING_CHANGED, anna_case["case"])
        notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
        db.session.commit()
    assert len(mail.wait_for(1)) == 1
    assert len(_outbox()) == 1, "the later messages wait in the app"
    with freeze_time(start + timedelta(minutes=61)):
        notifications.notify(anna, NotificationKind.MEETING_REMINDER, anna_case["case"])
        db.session.commit()
    assert len(mail.wait_for(2)) == 2


def test_the_kinds_the_person_chose_for_notifications_count_for_e_mail_too(sending, mail, anna_case):
    from citizen_app.services import push

    anna = anna_case["anna"]
    _chooses(anna, email="anna.lind@exempel.se", by_email=True)
    push.choose_kinds(anna, ["plan"])
    db.session.commit()
    notifications.notify(anna, NotificationKind.MEETING_INVITATION, anna_case["case"])
    db.session.commit()
    assert _outbox() == []
    notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
    db.session.commit()
    assert len(mail.wait_for(1)) == 1


def test_a_message_is_sent_once_even_when_its_job_runs_twice(app, mail, gateway, anna_case):
    app.config.update(mail.app_settings(), **gateway.app_settings())
    mail.clear()
    gateway.received.clear()
    anna = anna_case["anna"]
    _chooses(anna, email="anna.lind@exempel.se", phone="0701112233", by_email=True, by_sms=True)
    # The job ran after the commit; run it again, as a second worker or cron would.
    notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
    db.session.commit()
    mail.wait_for(1)
    gateway.wait_for(1)
    for row in _outbox():
        assert outreach.deliver(row.id) == "skipped"
    assert outreach.run_due() == 0
    assert len(mail.messages) == 1 and len(gateway.messages) == 1
    # The same notification offered to the channel again is not queued twice (its dedupe key).
    from citizen_app.models import Notification

    message = db.session.scalars(select(Notification)).one()
    app.config["OUTREACH_QUIET_MINUTES"] = 0
    outreach.on_new_message(message)
    db.session.commit()
    assert len(_outbox()) == 2 and len(mail.messages) == 1


def test_a_gateway_that_is_down_gets_the_sms_later_once(sending, gateway, anna_case):
    anna = anna_case["anna"]
    _chooses(anna, phone="070-111 22 33", by_sms=True)
    gateway.answer_next(503)
    notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
    db.session.commit()
    (row,) = _outbox()
    assert row.status == OutreachStatus.PENDING and row.attempts == 1 and row.body != ""
    assert gateway.messages == []
    assert outreach.run_due(now=row.next_attempt_at + timedelta(seconds=1)) == 1
    db.session.commit()
    assert len(gateway.wait_for(1)) == 1
    (row,) = _outbox()
    assert row.status == OutreachStatus.SENT and row.body == ""
    assert outreach.run_due(now=row.next_attempt_at + timedelta(hours=1)) == 0


def test_a_number_the_gateway_refuses_is_given_up_and_its_text_erased(sending, gateway, anna_case):
    anna = anna_case["anna"]
    _chooses(anna, phone="070-111 22 33", by_sms=True)
    gateway.answer_next(403)
    notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
    db.session.commit()
    (row,) = _outbox()
    assert row.status == OutreachStatus.FAILED and row.body == "" and "403" in row.last_error
    assert outreach.run_due(now=row.next_attempt_at + timedelta(hours=1)) == 0


def test_smtp_login_is_used_when_a_user_is_set(app, anna_case):
    with MailServer(username="minsip", password="smtp-test-password") as guarded:
        app.config.update(guarded.app_settings(), PUBLIC_URL=PUBLIC_URL)
        anna = anna_case["anna"]
        _chooses(anna, email="anna.lind@exempel.se", by_email=True)
        notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
        db.session.commit()
        assert len(guarded.wait_for(1)) == 1
        # A wrong password: the server refuses the login, nothing is sent, the row waits to be tried again.
        app.config["SMTP_PASSWORD"] = "wrong"  # noqa: S105 (a test server's password)
        app.config["OUTREACH_QUIET_MINUTES"] = 0
        notifications.notify(anna, NotificationKind.PLAN_APPROVED, anna_case["case"])
        db.session.commit()
        assert [row.status for row in _outbox()] == [OutreachStatus.SENT, OutreachStatus.PENDING]
        assert len(guarded.messages) == 1


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_e_mail_goes_over_tls_with_the_servers_certificate_checked(app, anna_case, tls):
    """STARTTLS (port 587, the default) and implicit TLS (MINSIP_SMTP_SSL=1, port 465), each against a real
    TLS server whose certificate the app checks: trusted through MINSIP_SMTP_CA_FILE it is sent; with the
    system's CAs only, the self-signed certificate is refused and nothing is sent (the row waits)."""
    with MailServer(username="minsip", password="smtp-test-password", tls=tls) as secure:
        app.config.update(secure.app_settings(), PUBLIC_URL=PUBLIC_URL, OUTREACH_QUIET_MINUTES=0)
        anna = anna_case["anna"]
        _chooses(anna, email="anna.lind@exempel.se", by_email=True)
        notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
        db.session.commit()
        (message,) = secure.wait_for(1)
        assert message["To"] == "anna.lind@exempel.se"

        app.config["SMTP_CA_FILE"] = None  # the system's CAs do not know the test server's certificate
        notifications.notify(anna, NotificationKind.PLAN_APPROVED, anna_case["case"])
        db.session.commit()
        rows = _outbox()
        assert [row.status for row in rows] == [OutreachStatus.SENT, OutreachStatus.PENDING]
        assert "CERTIFICATE_VERIFY_FAILED" in rows[1].last_error
        assert len(secure.messages) == 1


def test_a_server_that_requires_starttls_gets_nothing_from_a_client_that_skips_it(app, anna_case):
    with MailServer(tls="starttls") as secure:
        app.config.update(secure.app_settings(), SMTP_STARTTLS=False, PUBLIC_URL=PUBLIC_URL)
        anna = anna_case["anna"]
        _chooses(anna, email="anna.lind@exempel.se", by_email=True)
        notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
        db.session.commit()
        assert secure.messages == []
        assert _outbox()[0].status != OutreachStatus.SENT


def test_an_smtp_server_that_is_away_leaves_the_e_mail_waiting(app, anna_case, mail):
    app.config.update(mail.app_settings(), SMTP_PORT=1)  # nothing listens there
    anna = anna_case["anna"]
    _chooses(anna, email="anna.lind@exempel.se", by_email=True)
    notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
    db.session.commit()
    (row,) = _outbox()
    assert row.status == OutreachStatus.PENDING and "connect" in row.last_error


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("070-123 45 67", "+46701234567"),
        ("0701234567", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("(073) 123 45 67", "+46731234567"),
        ("+45 12 34 56 78", "+4512345678"),
        ("08-123 45 67", None),  # a landline
        ("070-123 45", None),
        ("hej", None),
        ("", None),
    ],
)
def test_mobile_numbers_are_read_the_ways_people_write_them(typed, number):
    assert outreach.mobile_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("eva@exempel.se", True),
        ("eva.holm+sip@post.exempel.se", True),
        ("eva@", False),
        ("eva@x", False),
        ("eva @exempel.se", False),
        ("eva@@exempel.se", False),
        ("eva..holm@exempel.se", False),
    ],
)
def test_e_mail_addresses(typed, ok):
    assert (outreach.email_address(typed) is not None) is ok


# ---- A relative's invitation link --------------------------------------------------------------------------


@pytest.fixture
def meeting_with_guests(app, anna_case):
    """Anna's meeting is planned in a week; her brother Bengt (e-mail) and her friend Eva (mobile) are her
    guests. (The clock is the real one: a signed-in session follows it.)"""
    anna, kim, case = anna_case["anna"], anna_case["kim"], anna_case["case"]
    now = datetime.now(UTC).replace(microsecond=0)
    consent.give(
        anna,
        case,
        [anna_case["social"].public_id, anna_case["psych"].public_id],
        ["social"],
        date(2027, 6, 1),
    )
    preparation.save_answer(anna, case, "important", ANSWER)
    preparation.add_item(anna, case, AgendaList.TALK_ABOUT, TOPIC)
    preparation.add_item(anna, case, AgendaList.NOT_TALK_ABOUT, PRIVATE)
    bengt = preparation.add_guest(anna, case, "Bengt Lind", "bengt.lind@exempel.se", support_person=False)
    eva = preparation.add_guest(anna, case, "Eva Berg", "070-222 33 44", support_person=True)
    meetings.set_meeting(
        kim,
        case,
        starts_at=now + timedelta(days=7, hours=4),
        length_minutes=60,
        mode="in_person",
        place=PLACE,
        interpreter_language="",
        other_needs="",
        now=now,
    )
    db.session.commit()
    return {**anna_case, "bengt": bengt, "eva": eva}


def _invite(client, case, *parties) -> object:
    page = f"/personal/sip/{case.public_id}/motet/bjud-in"
    token = client.csrf_token(page)
    return client.post(page, data={"csrf_token": token, "parties": [p.public_id for p in parties]})


def test_a_relatives_link_arrives_by_e_mail_and_opens_the_invitation(
    sending, mail, gateway, client, meeting_with_guests
):
    kim, case = meeting_with_guests["kim"], meeting_with_guests["case"]
    client.sign_in_as(kim)
    answer = _invite(client, case, meeting_with_guests["bengt"], meeting_with_guests["eva"])
    assert answer.status_code == 303, "both links were sent: no link to copy is shown"
    meeting_page = client.get(answer.headers["Location"])
    text = _text(meeting_page)
    assert "Länken till Bengt Lind är skickad till bengt.lind@exempel.se." in text
    assert "Länken till Eva Berg är skickad till 070-222 33 44." in text

    (message,) = mail.wait_for(1)
    assert message["To"] == "bengt.lind@exempel.se"
    assert message["Subject"] == "Inbjudan till ett möte i Min SIP"
    body = MailServer.text_of(message)
    assert "Du är inbjuden till ett möte i Min SIP." in body
    _has_nothing_of_the_case(body)
    (link,) = MailServer.links_in(message)
    assert urlsplit(link).path.startswith("/inbjudan/")
    (sms,) = gateway.wait_for(1)
    assert sms["to"] == "+46702223344" and sms["message"].startswith(
        "Du är inbjuden till ett möte i Min SIP."
    )
    _has_nothing_of_the_case(sms["message"])

    relative = client.application.test_client()
    opened = relative.get(urlsplit(link).path)
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/inbjudan")
    invitation = relative.get("/inbjudan")
    assert invitation.status_code == 200
    assert "Du är inbjuden till ett möte" in _text(invitation)
    assert _actions().count("invitation.link_sent") == 2
    # The secret is in the outbox only until it is sent.
    assert all(urlsplit(link).path.rsplit("/", 1)[-1] not in row.body for row in _outbox())


def test_sending_a_new_link_closes_the_old_one(sending, mail, gateway, client, meeting_with_guests):
    kim, case, bengt = meeting_with_guests["kim"], meeting_with_guests["case"], meeting_with_guests["bengt"]
    client.sign_in_as(kim)
    _invite(client, case, bengt)
    (first,) = MailServer.links_in(mail.wait_for(1)[0])
    meeting = _soup(client.get(f"/personal/sip/{case.public_id}/motet"))
    (again,) = [a["href"] for a in meeting.find_all("a") if "ny-lank" in a.get("href", "")]
    page = client.get(again)
    assert page.status_code == 200
    text = _text(page)
    assert "Skicka en ny länk till Bengt Lind" in text
    assert "Den gamla länken slutar då att fungera." in text
    assert _soup(page).find("input", id="address")["value"] == "bengt.lind@exempel.se"

    token = client.csrf_token(again)
    bad = client.post(again, data={"csrf_token": token, "address": "bengt"})
    assert bad.status_code == 422
    assert "Skriv ett mobilnummer som 070-123 45 67 eller en e-postadress som namn@exempel.se." in _text(bad)
    assert len(mail.messages) == 1

    sent = client.post(again, data={"csrf_token": token, "address": "070 999 88 77"})
    assert sent.status_code == 303
    (sms,) = gateway.wait_for(1)
    assert sms["to"] == "+46709998877"
    new_link = sms["message"].rsplit(" ", 1)[-1]
    assert "En ny länk är skickad till 070-999 88 77. Den gamla länken fungerar inte längre." in _text(
        client.get(sent.headers["Location"])
    )
    relative = client.application.test_client()
    assert relative.get(urlsplit(first).path).status_code != 303, "the old link is closed"
    assert relative.get(urlsplit(new_link).path).status_code == 303


def test_without_e_mail_or_sms_the_coordinator_sees_the_link_and_is_told_why(
    app, client, meeting_with_guests
):
    kim, case = meeting_with_guests["kim"], meeting_with_guests["case"]
    client.sign_in_as(kim)
    answer = _invite(client, case, meeting_with_guests["bengt"])
    assert answer.status_code == 200
    text = _text(answer)
    assert "Den här Min SIP kan inte skicka sms eller e-post." in text
    assert _soup(answer).select_one("input.meeting-links__url")["value"].startswith("http")
    assert _outbox() == []
    # "Send again" then makes a new link to copy, and says the old one is closed.
    meeting = _soup(client.get(f"/personal/sip/{case.public_id}/motet"))
    (again,) = [a["href"] for a in meeting.find_all("a") if "ny-lank" in a.get("href", "")]
    assert "Du får se den nya länken en gång och skickar den själv." in _text(client.get(again))
    made = client.post(again, data={"csrf_token": client.csrf_token(again)})
    assert made.status_code == 200
    assert "En ny länk är gjord. Den gamla länken fungerar inte längre." in _text(made)


def test_a_link_is_shown_when_the_relative_has_no_usable_number_or_address(
    sending, client, meeting_with_guests
):
    kim, case, eva = meeting_with_guests["kim"], meeting_with_guests["case"], meeting_with_guests["eva"]
    eva.contact = "ring mamma"
    db.session.commit()
    client.sign_in_as(kim)
    answer = _invite(client, case, eva)
    assert answer.status_code == 200
    assert "Min SIP kunde inte skicka de här länkarna." in _text(answer)


# ---- A child's code ----------------------------------------------------------------------------------------


@pytest.fixture
def oskar(app):
    social = factories.unit("Socialtjänsten Norr")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    kid = factories.child("Oskar Holm", age=12)
    sara = factories.guardian_of(kid, name="Sara Holm")
    case = factories.case(kid, social, kim, step=Step.PREPARATION, need_description=NEED)
    db.session.commit()
    return {"kid": kid, "sara": sara, "kim": kim, "case": case}


def test_a_guardian_sends_the_child_a_code_by_sms(sending, gateway, client, oskar):
    client.sign_in_as(oskar["sara"])
    page = f"/sip/{oskar['case'].public_id}/infor-motet/barnets-kod"
    shown = client.get(page)
    assert "Vi skickar koden med sms eller e-post." in _text(shown)
    token = client.csrf_token(page)
    bad = client.post(page, data={"csrf_token": token, "address": "12345"})
    assert bad.status_code == 422 and gateway.messages == []
    sent = client.post(page, data={"csrf_token": token, "address": "070-555 66 77"})
    assert sent.status_code == 303
    (sms,) = gateway.wait_for(1)
    assert sms["to"] == "+46705556677"
    assert sms["message"].startswith("Din kod till Min SIP: ")
    _has_nothing_of_the_case(sms["message"] + " Oskar Holm Sara")
    code = sms["message"].split(": ", 1)[1].split(".", 1)[0]
    assert "Koden är skickad till 070-555 66 77." in _text(client.get(page))
    assert "access_link.sent.child_pages" in _actions()
    child = client.application.test_client()
    token = child.csrf_token("/min-rost")
    assert child.post("/min-rost", data={"csrf_token": token, "code": code}).status_code == 303


def test_the_coordinator_sends_the_child_a_code_by_e_mail(sending, mail, client, oskar):
    client.sign_in_as(oskar["kim"])
    meeting = _soup(client.get(f"/personal/sip/{oskar['case'].public_id}/motet"))
    assert meeting.find("input", id="address") is not None
    page = f"/personal/sip/{oskar['case'].public_id}/barnets-kod"
    token = client.csrf_token(f"/personal/sip/{oskar['case'].public_id}/motet")
    bad = client.post(page, data={"csrf_token": token, "address": ""})
    assert bad.status_code == 422
    sent = client.post(page, data={"csrf_token": token, "address": "oskar@exempel.se"})
    assert sent.status_code == 303
    (message,) = mail.wait_for(1)
    assert message["To"] == "oskar@exempel.se" and "Här är din kod till Min SIP" in MailServer.text_of(
        message
    )
    _has_nothing_of_the_case(MailServer.text_of(message))


def test_without_e_mail_or_sms_the_code_is_shown_and_the_page_says_why(app, client, oskar):
    client.sign_in_as(oskar["sara"])
    page = f"/sip/{oskar['case'].public_id}/infor-motet/barnets-kod"
    made = client.post(page, data={"csrf_token": client.csrf_token(page)})
    assert made.status_code == 200
    text = _text(made)
    assert "Den här Min SIP kan inte skicka sms eller e-post." in text
    assert _soup(made).select_one(".prep-code__value").get_text(strip=True)


# ---- With Redis: a real worker process sends ---------------------------------------------------------------


@pytest.fixture
def redis_queue(app):
    """The test app as an app server with Redis (TEST_REDIS_URL): jobs go on the RQ queue, not run here."""
    from redis import Redis
    from redis.exceptions import RedisError

    from citizen_app.services import jobs
    from tests.unit.test_jobs_redis import REDIS_URL, _one_test_run_at_a_time

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
        queue = jobs.rq_queue(app)
        yield queue
        queue.connection.close()
        connection.flushdb()
    connection.close()


def test_with_redis_the_e_mail_is_queued_at_the_commit_and_a_worker_sends_it_once(
    sending, mail, anna_case, redis_queue
):
    from tests.unit.test_jobs_redis import REDIS_URL

    anna = anna_case["anna"]
    _chooses(anna, email="anna.lind@exempel.se", by_email=True)
    notifications.notify(anna, NotificationKind.PLAN_READY, anna_case["case"])
    assert redis_queue.count == 0  # nothing before the commit
    db.session.commit()
    assert redis_queue.count == 1 and mail.messages == []  # the request does not wait for the SMTP server
    overrides = {
        "SQLALCHEMY_DATABASE_URI": sending.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "PUBLIC_URL": PUBLIC_URL,
        **mail.app_settings(),
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
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    (message,) = mail.wait_for(1)
    assert GENERIC in MailServer.text_of(message)
    db.session.rollback()
    (row,) = _outbox()
    assert row.status == OutreachStatus.SENT
    assert outreach.deliver(row.id) == "skipped"
    assert len(mail.messages) == 1
