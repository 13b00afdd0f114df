"""'Det här har hänt' on the SIP page, as the services record it [issue 13]: each thing that happened in its
own words, and "du" for the one who did it. Nothing reads "Något ändrades."."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, StaffRole, Step, UnitKind
from citizen_app.services import closing, consent, intake, meetings, plans, requests, withdrawal
from tests.support import factories

SOON = datetime.now(UTC).replace(hour=12, minute=30, second=0, microsecond=0) + timedelta(days=10)


def _history(client, reader, case) -> list[str]:
    client.sign_in_as(reader)
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    assert "Något ändrades." not in html
    items = BeautifulSoup(html, "html.parser").select("ul.events li")
    # Each line: the date, then the sentence. The date is left out here.
    return [" ".join(li.get_text(" ").split()).split(" ", 3)[-1] for li in items]


def _when(moment: datetime) -> str:
    from babel.dates import format_datetime

    return format_datetime(moment, "d MMMM y 'kl.' HH.mm", tzinfo="Europe/Stockholm", locale="sv")


@pytest.fixture
def family(app):
    social = factories.unit("Socialtjänsten")
    school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    elsa = factories.child("Elsa Berg", age=12)
    maria = factories.guardian_of(elsa, name="Maria Berg")
    johan = factories.guardian_of(elsa, name="Johan Berg")
    draft = requests.open_draft(maria)
    for step, values in {
        "who": {"for_whom": "child:" + elsa.public_id},
        "need": {"need": "Elsa mår dåligt."},
        "services": {"units": ["dont_know"]},
        "urgency": {"urgent": "no", "leaving_hospital": "no"},
        "contact": {"contact_way": "app", "interpreter": "no"},
    }.items():
        assert requests.save_step(maria, draft, step, values) == {}
    case = requests.submit(maria, draft)
    intake.accept(kim, case)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    db.session.commit()
    return {"case": case, "kim": kim, "maria": maria, "johan": johan, "social": social, "school": school}


def test_consent_meeting_and_withdrawal_are_told_to_each_guardian_in_their_own_words(client, family):
    case, kim, maria, johan = family["case"], family["kim"], family["maria"], family["johan"]
    units = [family["social"].public_id, family["school"].public_id]
    until = date.today() + timedelta(days=200)
    consent.give(maria, case, units, ["social"], until)
    consent.give(johan, case, units, ["social"], until)  # the last yes: now it is in force
    meetings.set_meeting(kim, case, starts_at=SOON, length_minutes=60, mode="phone", phone="010-1")
    later = SOON + timedelta(days=1)
    meetings.set_meeting(kim, case, starts_at=later, length_minutes=60, mode="phone", phone="010-1")
    withdrawal.withdraw(johan, case)
    db.session.commit()

    assert _history(client, maria, case) == [
        "Johan Berg tog tillbaka sitt ja. SIP:en är avslutad.",
        f"Mötet är flyttat till {_when(later)}.",
        f"Mötet är bokat till {_when(SOON)}.",
        "Johan Berg sa ja. Nu gäller samtycket.",
        "Kim Samordnare blev samordnare.",
        "Du bad om en SIP.",
    ]
    johan_reads = _history(client, johan, case)
    assert johan_reads[0] == "Du tog tillbaka ditt ja. SIP:en är avslutad."
    assert "Du sa ja. Nu gäller samtycket." in johan_reads
    assert johan_reads[-1] == "Maria Berg bad om en SIP."


def test_the_meeting_the_plan_and_the_closing_are_told_to_the_person(client, app):
    social = factories.unit("Socialtjänsten")
    kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
    anna = factories.person("Anna Lind")
    case = factories.case(anna, social, kim, step=Step.CONSENT)
    consent.give(anna, case, [social.public_id], ["social"], date.today() + timedelta(days=200))
    guest = factories.participant(case, ParticipantRole.UNIT, unit_=social)
    before = SOON - timedelta(days=20)
    meeting = meetings.set_meeting(
        kim, case, starts_at=SOON - timedelta(days=19), length_minutes=60, mode="phone", phone="1", now=before
    )
    meetings.invite(kim, meeting, [guest.public_id])
    meetings.mark_held(kim, case, confirmation=meetings.CONSENT_CONFIRMED)
    plan = plans.start_draft(kim, case)
    plans.add_goal(kim, case, plan, "short", "Att Anna kan bo kvar hemma.")
    factories.complete_plan(plan)
    plans.send_for_reading(kim, case, plan)
    plans.approve_by_person(anna, case, plan)
    closing.close(kim, case, "goals_met", agreement="agrees")
    db.session.commit()

    told = _history(client, anna, case)
    assert told[:5] == [
        "SIP:en avslutades. Målen är nådda.",
        "Du godkände planen.",
        "Planen skickades till dig.",
        "Mötet hölls. Nu skrivs planen.",
        "Inbjudan till mötet är skickad.",
    ]
    assert "Du sa ja. Nu gäller samtycket." in told


def test_the_child_reads_the_history_in_simple_words(client, family):
    """Elsa's own page, after a consent, two meeting times and a yes taken back: LIX ≤ 28 for a child."""
    from citizen_app.plain_language import main_text_blocks, measure

    case, kim, maria, johan = family["case"], family["kim"], family["maria"], family["johan"]
    elsa = factories.db.session.get(type(maria), case.subject_id)
    units = [family["social"].public_id, family["school"].public_id]
    until = date.today() + timedelta(days=200)
    consent.give(maria, case, units, ["social"], until)
    consent.give(johan, case, units, ["social"], until)
    meetings.set_meeting(kim, case, starts_at=SOON, length_minutes=60, mode="phone", phone="010-1")
    meetings.set_meeting(
        kim, case, starts_at=SOON + timedelta(days=1), length_minutes=60, mode="phone", phone="1"
    )
    db.session.commit()
    told = _history(client, elsa, case)
    assert told[-1] == "Maria Berg bad om en SIP." and "Johan Berg sa ja. Nu gäller samtycket." in told
    html = client.get(f"/sip/{case.public_id}").get_data(as_text=True)
    readability = measure(main_text_blocks(html))
    assert readability.lix <= 28, f"LIX {readability.lix:.1f} ({readability})"
