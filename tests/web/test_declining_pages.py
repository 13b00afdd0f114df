"""Issue 15, the decline part, on the web: saying no from the consent page (a page first, then a POST), the
closed SIP's "Jag har ändrat mig", the held-meeting page that asks about the consent, and a unit left out of
the consent that no longer finds the SIP. The page checks (LIX, labels) run on every page opened here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    ConsentEvent,
    ConsentEventKind,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import consent, meetings
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture
def family(app):
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten Exempelby")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        elsa = factories.child("Elsa Ek", age=14)
        maria = factories.guardian_of(elsa, name="Maria Ek")
        johan = factories.guardian_of(elsa, name="Johan Ek")
        case = factories.case(elsa, social, kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        teacher = factories.staff(school, StaffRole.MEMBER, name="Lärare Lo")
        db.session.commit()
        return {
            "case": case,
            "maria": maria,
            "johan": johan,
            "kim": kim,
            "school": school,
            "teacher": teacher,
        }


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(response) -> str:
    return " ".join(BeautifulSoup(_html(response), "html.parser").get_text(" ").split())


def _post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": client.csrf_token("/om-min-sip"), **(data or {})})


def _consent_url(case) -> str:
    return f"/sip/{case.public_id}/samtycke"


def _both_say_yes(family, until=TODAY + timedelta(days=90)):
    for guardian in (family["maria"], family["johan"]):
        consent.give(guardian, family["case"], [family["school"].public_id], ["school"], until, today=TODAY)
    db.session.commit()


@freeze_time(NOW)
def test_a_guardian_says_no_from_the_consent_page_and_the_sip_closes(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    overview = client.get(_consent_url(case))
    link = BeautifulSoup(_html(overview), "html.parser").find("a", string="Jag vill inte ha en SIP nu")
    assert link["href"] == f"/sip/{case.public_id}/samtycke/nej"

    asked = client.get(link["href"])
    assert asked.status_code == 200
    assert "Det räcker att en vårdnadshavare säger nej." in _text(asked)
    assert case.step == Step.CONSENT  # the page only asks

    said_no = _post(client, link["href"])
    assert said_no.status_code == 303
    db.session.expire_all()
    closed = db.session.get(SipCase, case.id)
    assert closed.closing_reason == ClosingReason.DECLINED_BY_PERSON
    after = _text(client.get(_consent_url(case)))
    assert "SIP:en är avslutad: någon sa nej till en SIP." in after
    assert "Maria Ek sa nej till en SIP." in after
    assert db.session.scalar(
        select(Notification.id).where(
            Notification.kind == NotificationKind.SIP_DECLINED,
            Notification.recipient_staff_id == family["kim"].id,
        )
    )


@freeze_time(NOW)
def test_saying_no_needs_the_form_token(client, family):
    client.sign_in_as(family["maria"])
    refused = client.post(f"/sip/{family['case'].public_id}/samtycke/nej")
    assert refused.status_code == 400
    assert not db.session.get(SipCase, family["case"].id).is_closed


@freeze_time(NOW)
def test_the_other_guardian_changes_their_mind_and_staff_see_the_link(client, family):
    case = family["case"]
    client.sign_in_as(family["maria"])
    _post(client, f"/sip/{case.public_id}/samtycke/nej")

    client.sign_in_as(family["johan"])
    overview = client.get(_consent_url(case))
    link = BeautifulSoup(_html(overview), "html.parser").find("a", string="Jag har ändrat mig")
    assert client.get(link["href"]).status_code == 200
    asked = _post(client, link["href"])
    assert asked.status_code == 303
    new = db.session.scalar(select(SipCase).where(SipCase.previous_case_id == case.id))
    assert asked.headers["Location"].endswith(f"/sip/{new.public_id}")

    client.sign_in_as(family["kim"])
    staff_page = client.get(f"/personal/sip/{new.public_id}")
    previous = BeautifulSoup(_html(staff_page), "html.parser").find(
        "a", href=f"/personal/sip/{case.public_id}"
    )
    assert previous is not None and "Personen sa nej" in previous.get_text()
    # The closed SIP offers no second new request.
    client.sign_in_as(family["johan"])
    assert client.get(link["href"]).status_code == 404


@freeze_time(NOW)
def test_the_meeting_page_asks_about_the_consent_before_it_is_held(client, family):
    _both_say_yes(family)
    meetings.set_meeting(
        family["kim"],
        family["case"],
        starts_at=NOW + timedelta(hours=1),
        length_minutes=60,
        mode="phone",
        phone="010-123 45 67",
        now=NOW,
    )
    db.session.commit()
    url = f"/personal/sip/{family['case'].public_id}/motet/hallet"
    with freeze_time(NOW + timedelta(hours=2)):
        client.sign_in_as(family["kim"])
        assert "Bekräftades samtycket?" in _text(client.get(url))
        missing = _post(client, url, {})
        assert missing.status_code == 422
        assert "Välj vad som hände med samtycket i början av mötet" in _text(missing)
        no_reason = _post(client, url, {"consent_outcome": "not_confirmed"})
        assert no_reason.status_code == 422
        assert "Skriv varför samtycket inte bekräftades" in _text(no_reason)
        assert db.session.scalar(select(Meeting.status)) == MeetingStatus.PLANNED

        changed = _post(client, url, {"consent_outcome": "changed"})
        assert changed.status_code == 303
        assert changed.headers["Location"].endswith(
            f"/personal/sip/{family['case'].public_id}/samtycke/skriv-in"
        )
    db.session.expire_all()
    assert db.session.scalar(select(Meeting.status)) == MeetingStatus.HELD
    last = db.session.scalars(select(ConsentEvent).order_by(ConsentEvent.id.desc())).first()
    assert last.kind == ConsentEventKind.CHANGED_AT_MEETING
    client.sign_in_as(family["maria"])
    assert "På mötet ville ni ändra samtycket." in _text(client.get(_consent_url(family["case"])))


@freeze_time(NOW)
def test_a_unit_left_out_of_the_consent_gets_404_on_its_staff_pages_at_once(client, family):
    _both_say_yes(family)
    case_url = f"/personal/sip/{family['case'].public_id}"
    client.sign_in_as(family["teacher"])
    assert client.get(case_url).status_code == 200

    social = db.session.get(SipCase, family["case"].id).owning_unit
    consent.give(family["maria"], family["case"], [social.public_id], ["school"], TODAY + timedelta(days=90))
    db.session.commit()

    client.sign_in_as(family["teacher"])
    assert client.get(case_url).status_code == 404
    assert client.get(case_url + "/motet").status_code == 404
    told = db.session.scalars(
        select(Notification).where(
            Notification.kind == NotificationKind.CONSENT_SHARING,
            Notification.recipient_staff_id == family["teacher"].id,
        )
    ).all()
    assert [m.data["may_share"] for m in told] == [True, False]
    messages = _text(client.get("/meddelanden"))
    assert "Samtycket i en SIP gäller inte längre för Ekskolan." in messages
    assert "Skola" in messages
