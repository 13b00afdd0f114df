"""The person is told at closing how long Min SIP keeps the SIP [issue 18]: the closed SIP's page (for every
reader, whichever way it ended) and the closing message say the day from MINSIP_RETENTION_CLOSED_SIP_DAYS."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, StaffRole, Step, UnitKind
from citizen_app.services import closing, consent, withdrawal
from tests.support import factories

CLOSED = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


@pytest.fixture
def closed_sip(app):
    with freeze_time(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)):
        social = factories.unit("Socialtjänsten Ekby")
        school = factories.unit("Ekskolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
        elsa = factories.child("Elsa Ek", age=14)
        maria = factories.guardian_of(elsa, name="Maria Ek")
        case = factories.case(elsa, social, kim, step=Step.MEETING_HELD)
        factories.participant(case, ParticipantRole.CHILD, person_=elsa)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        consent.give(
            maria, case, [social.public_id, school.public_id], ["social", "school"], date(2027, 6, 1)
        )
        case.step = Step.MEETING_HELD
        db.session.commit()
    with freeze_time(CLOSED):
        closing.close(kim, case, "goals_met", agreement="agrees")
        db.session.commit()
    return {"case": case, "elsa": elsa, "maria": maria}


def _main_text(response) -> str:
    from bs4 import BeautifulSoup

    return " ".join(
        BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main").get_text(" ").split()
    )


@pytest.mark.parametrize(
    ("who", "sentence"),
    [
        ("elsa", "Vi sparar din SIP i Min SIP till 5 december 2028. Sedan tas den bort."),
        ("maria", "Vi sparar SIP:en i Min SIP till 5 december 2028. Sedan tas den bort."),
    ],
)
def test_the_closed_sips_page_says_until_when_it_is_kept(client, closed_sip, who, sentence):
    client.sign_in_as(closed_sip[who])
    response = client.get(f"/sip/{closed_sip['case'].public_id}")
    assert response.status_code == 200
    assert sentence in _main_text(response)


def test_the_closing_message_says_until_when_it_is_kept(client, closed_sip):
    client.sign_in_as(closed_sip["maria"])
    text = _main_text(client.get("/meddelanden"))
    assert (
        "SIP:en är avslutad. Planen gäller inte längre. Vi sparar SIP:en i Min SIP till 5 december 2028."
        in text
    )


def test_the_day_follows_the_setting_and_a_withdrawal_too(app, client):
    app.config["RETENTION_CLOSED_SIP_DAYS"] = 365
    with freeze_time(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)):
        social = factories.unit("Socialtjänsten Ekby")
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Berg")
        anna = factories.person("Anna Lind", age=45)
        case = factories.case(anna, social, kim, step=Step.CONSENT)
        factories.participant(case, ParticipantRole.PERSON, person_=anna)
        consent.give(anna, case, [social.public_id], ["social"], date(2027, 6, 1))
        db.session.commit()
    with freeze_time(CLOSED):
        withdrawal.withdraw(anna, case)
        db.session.commit()
    client.sign_in_as(anna)
    text = _main_text(client.get(f"/sip/{case.public_id}"))
    assert "Vi sparar din SIP i Min SIP till 6 december 2027. Sedan tas den bort." in text
