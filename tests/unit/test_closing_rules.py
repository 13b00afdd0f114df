"""Closing a SIP together with the person [VM] [DA 4.7] [HA] [issue 16]: the person agrees, or the reason
why they could not be asked is written down; closing at death writes to nobody who has died; every unit
taking part that the consent covers is told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    CaseEvent,
    ClosingReason,
    EventKind,
    MoveStatus,
    Notification,
    NotificationKind,
    ParticipantRole,
    PrincipalKind,
    StaffRole,
    StaffUser,
    Step,
    UnitKind,
)
from citizen_app.services import closing, consent, coordination_move, history
from citizen_app.services.readers import Reader, ReaderKind
from tests.support import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def sip(app):
    with freeze_time(NOW):
        social, school, bup = factories.social_school_and_bup()
        kent = factories.staff(social, StaffRole.COORDINATOR, name="Kent Olofsson")
        teacher = factories.staff(school, StaffRole.MEMBER, name="Sofia Åberg")
        doctor = factories.staff(bup, StaffRole.MEMBER, name="Doktor BUP")
        region = factories.unit("Psykiatrin", UnitKind.PSYCHIATRY, PrincipalKind.REGION)
        rita = factories.staff(region, StaffRole.COORDINATOR, name="Rita Samuelsson")
        elsa = factories.child("Elsa Berg", age=14)
        maria = factories.guardian_of(elsa, name="Maria Berg")
        case = factories.case(elsa, social, kent, step=Step.MEETING_HELD)
        factories.participant(case, ParticipantRole.CHILD, person_=elsa)
        factories.participant(case, ParticipantRole.UNIT, unit_=school)
        factories.participant(case, ParticipantRole.UNIT, unit_=bup)
        consent.give(
            maria, case, [social.public_id, school.public_id], ["social", "school"], date(2027, 6, 1)
        )
        case.step = Step.MEETING_HELD
        db.session.commit()
        return {
            "case": case,
            "kent": kent,
            "teacher": teacher,
            "doctor": doctor,
            "elsa": elsa,
            "maria": maria,
            "school": school,
            "region": region,
            "rita": rita,
        }


def _told(recipient, kind=NotificationKind.PLAN_CLOSED) -> list[Notification]:
    column = (
        Notification.recipient_staff_id
        if isinstance(recipient, StaffUser)
        else Notification.recipient_person_id
    )
    return list(
        db.session.scalars(select(Notification).where(column == recipient.id, Notification.kind == kind))
    )


@freeze_time(NOW)
def test_closing_needs_the_persons_agreement_or_the_reason_why_not(sip):
    with pytest.raises(closing.InvalidClosing) as invalid:
        closing.close(sip["kent"], sip["case"], "goals_met")
    assert set(invalid.value.errors) == {"agreement"}
    with pytest.raises(closing.InvalidClosing) as invalid:
        closing.close(sip["kent"], sip["case"], "goals_met", agreement="not_asked")
    assert set(invalid.value.errors) == {"why_not"}
    with pytest.raises(closing.InvalidClosing) as invalid:
        closing.close(sip["kent"], sip["case"], "other", agreement="agrees")
    assert set(invalid.value.errors) == {"note"}
    assert not sip["case"].is_closed

    closing.close(
        sip["kent"], sip["case"], "no_longer_needed", agreement="not_asked", why_not="Vi når inte familjen."
    )
    case = sip["case"]
    assert case.is_closed and case.closing_reason == ClosingReason.NO_LONGER_NEEDED
    assert case.details["closing"] == {"agreement": "not_asked", "why_not": "Vi når inte familjen."}
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == EventKind.CLOSED)).one()
    assert event.data == {"reason": "no_longer_needed", "agreed": False}
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.closed")).one()
    assert audit.detail == {"reason": "no_longer_needed", "agreed": False}


@freeze_time(NOW)
def test_the_person_agrees_and_everyone_is_told(sip):
    assert [u.name for u in closing.units_told(sip["case"])] == ["Skolan"]  # shown on the closing page
    closing.close(sip["kent"], sip["case"], "goals_met", agreement="agrees")
    # The person's side is told until when Min SIP keeps the SIP (two years by default) [issue 18].
    assert [m.data for m in _told(sip["maria"])] == [{"reason": "goals_met", "kept_until": "2028-11-30"}]
    # every unit taking part that the consent covers is told, through all its staff
    assert [m.data for m in _told(sip["teacher"])] == [{"reason": "goals_met"}]
    # BUP takes part, but the consent never named it: it heard nothing of the SIP, so nothing of its end
    assert _told(sip["doctor"]) == []


@freeze_time(NOW)
def test_closing_at_death_writes_to_nobody_who_has_died(sip):
    sip["elsa"].birth_date = date(1990, 1, 1)  # an adult now: she would be told herself
    db.session.flush()
    assert sip["elsa"] in closing.citizens_told(sip["case"], None)
    closing.close(sip["kent"], sip["case"], "person_died")  # nobody is asked
    assert _told(sip["elsa"]) == []
    assert sip["case"].closing_reason == ClosingReason.PERSON_DIED
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == EventKind.CLOSED)).one()
    assert event.data == {"reason": "person_died"}
    assert len(_told(sip["teacher"])) == 1  # the units still hear it: they must stop


@freeze_time(NOW)
def test_at_death_guardians_are_told_gently(sip):
    closing.close(sip["kent"], sip["case"], "person_died")
    assert [m.data for m in _told(sip["maria"])] == [{"reason": "person_died", "kept_until": "2028-11-30"}]
    event = history.Event(at=NOW, kind=EventKind.CLOSED, step=Step.CLOSED, data={"reason": "person_died"})
    reader = Reader(ReaderKind.GUARDIAN, sip["maria"].id, "Elsa Berg")
    told = history._SENTENCES[EventKind.CLOSED](event, reader, sip["case"])
    sentence = told[0] if isinstance(told, tuple) else told
    assert sentence.text == "%(name)s har gått bort. SIP:en är avslutad. Vi tänker på er."


@freeze_time(NOW)
def test_closing_withdraws_an_open_proposal_to_move(sip):
    move = coordination_move.propose(sip["kent"], sip["case"], sip["region"].public_id, "Psykiatrin tar över")
    closing.close(sip["kent"], sip["case"], "goals_met", agreement="agrees")
    db.session.expire_all()
    assert move.status == MoveStatus.WITHDRAWN
