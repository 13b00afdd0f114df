""" "Min röst" says what is true about the meeting: before it, on its day, and after it [issue 13]."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, StaffRole, Step, UnitKind
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import meeting_consent, meetings
from tests.support import factories

MEETING = datetime(2026, 12, 17, 12, 30, tzinfo=UTC)  # 13.30 in Sweden
BEFORE = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
SOON = "Snart ska vuxna som hjälper dig ha ett möte."


@pytest.fixture
def sip(app):
    with freeze_time(BEFORE):
        social = factories.unit("Socialtjänsten")
        school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        elsa = factories.child("Elsa", age=12)
        factories.guardian_of(elsa, name="Mamma")
        case = factories.case(elsa, social, coordinator=kim, step=Step.PREPARATION)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        db.session.commit()
    return {"case": case, "elsa": elsa, "kim": kim}


def _pages(client, sip) -> dict[str, str]:
    client.sign_in_as(sip["elsa"])
    base = f"/min-rost/sip/{sip['case'].public_id}"
    found = {}
    for name, url in (("start", base), ("done", base + "/klart")):
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        readability = measure(main_text_blocks(html))
        assert readability.lix <= 28, f"{name}: LIX {readability.lix:.1f} ({readability})"
        found[name] = " ".join(main_text_blocks(html))
    return found


def _book(sip):
    with freeze_time(BEFORE):
        meetings.set_meeting(
            sip["kim"], sip["case"], starts_at=MEETING, length_minutes=60, mode="phone", phone="1"
        )
        db.session.commit()


def test_before_a_meeting_is_booked_it_is_soon(client, sip):
    with freeze_time(BEFORE):
        pages = _pages(client, sip)
    assert SOON in pages["start"] and "Här kan du säga vad du tycker." in pages["start"]
    assert "Tack! Din samordnare läser dina svar före mötet." in pages["done"]


def test_before_a_booked_meeting_the_child_reads_its_day(client, sip):
    _book(sip)
    with freeze_time(BEFORE):
        pages = _pages(client, sip)
    assert "Den 17 december 2026 ska vuxna som hjälper dig ha ett möte." in pages["start"]
    assert SOON not in pages["start"]


def test_on_the_day_of_the_meeting_it_is_today(client, sip):
    _book(sip)
    with freeze_time(MEETING - timedelta(hours=4)):
        pages = _pages(client, sip)
    assert "I dag ska vuxna som hjälper dig ha ett möte." in pages["start"]


def test_after_the_meeting_no_page_says_it_is_soon(client, sip):
    _book(sip)
    with freeze_time(MEETING + timedelta(hours=2)):
        # This SIP has no consent on record, so the coordinator cannot say it was confirmed as it is.
        no_consent = meeting_consent.Confirmation("not_confirmed", "Inget samtycke fanns.")
        meetings.mark_held(sip["kim"], sip["case"], confirmation=no_consent)
        db.session.commit()
        pages = _pages(client, sip)
    assert "Mötet har varit." in pages["start"]
    assert SOON not in pages["start"] and "före mötet" not in pages["done"]
    assert "Tack! Din samordnare kan läsa dina svar." in pages["done"]


def test_a_meeting_day_that_has_passed_is_not_ahead_even_before_it_is_marked_held(client, sip):
    _book(sip)
    with freeze_time(MEETING + timedelta(days=1)):
        pages = _pages(client, sip)
    assert "Mötet har varit." in pages["start"] and SOON not in pages["start"]
