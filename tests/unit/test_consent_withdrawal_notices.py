"""On withdrawal every party of the SIP is told [VM] [SIP.md 4]: the citizens, the coordinator, and every
staff member of the units taking part that the consent covered. A unit the consent never named learns
nothing, not even that the SIP ended."""

from datetime import date, timedelta

import pytest

from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import consent, withdrawal
from tests.support import factories

TODAY = date(2026, 11, 23)


@pytest.fixture
def sip(app):
    social, school, bup = factories.social_school_and_bup()
    coordinator = factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sam")
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    factories.participant(case, ParticipantRole.UNIT, unit_=bup)
    return {
        "case": case,
        "mum": mum,
        "dad": dad,
        "social": social,
        "school": school,
        "bup": bup,
        "coordinator": coordinator,
        "other_social_coordinator": factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sol"),
        "school_coordinator": factories.staff(school, StaffRole.COORDINATOR, "Rektor Rut"),
        "school_member": factories.staff(school, StaffRole.MEMBER, "Lärare Lo"),
        "bup_coordinator": factories.staff(bup, StaffRole.COORDINATOR, "Samordnare Bo"),
    }


def _both_consent(sip, *names):
    for guardian in (sip["mum"], sip["dad"]):
        consent.give(
            guardian,
            sip["case"],
            [sip[n].public_id for n in names],
            ["school"],
            TODAY + timedelta(days=365),
            today=TODAY,
        )


def _told_of_withdrawal() -> set[str]:
    """Who got the notice, as "p:<id>" for citizens and "s:<id>" for staff (their ids may coincide)."""
    return {
        f"s:{n.recipient_staff_id}" if n.recipient_staff_id else f"p:{n.recipient_person_id}"
        for n in db.session.query(Notification).filter_by(kind=NotificationKind.CONSENT_WITHDRAWN)
    }


def _p(person) -> str:
    return f"p:{person.id}"


def _s(staff) -> str:
    return f"s:{staff.id}"


def test_the_coordinators_of_the_units_the_consent_covered_are_told_of_a_withdrawal(sip):
    _both_consent(sip, "social", "school")
    withdrawal.withdraw(sip["dad"], sip["case"], today=TODAY)
    assert sip["case"].closing_reason == ClosingReason.CONSENT_WITHDRAWN
    told = _told_of_withdrawal()
    assert {_p(sip["mum"]), _p(sip["dad"]), _s(sip["coordinator"]), _s(sip["school_coordinator"])} <= told
    # BUP takes part, but the guardians left it out: it never knew of the SIP and is told nothing now.
    assert _s(sip["bup_coordinator"]) not in told
    # Every staff member of a covered unit is told, not only its coordinator: a school may have none in
    # Min SIP [issue 13]. The owning unit hears it through the SIP's coordinator.
    assert _s(sip["school_member"]) in told
    assert _s(sip["other_social_coordinator"]) not in told


def test_each_coordinator_is_told_once_even_when_the_sips_coordinator_also_leads_a_taking_part_unit(sip):
    db.session.add(
        factories.StaffMembership(
            staff_id=sip["coordinator"].id, unit_id=sip["school"].id, role=StaffRole.COORDINATOR
        )
    )
    _both_consent(sip, "social", "school", "bup")
    withdrawal.withdraw(sip["mum"], sip["case"], today=TODAY)
    to_coordinator = db.session.query(Notification).filter_by(
        kind=NotificationKind.CONSENT_WITHDRAWN, recipient_staff_id=sip["coordinator"].id
    )
    assert to_coordinator.count() == 1
    assert _s(sip["bup_coordinator"]) in _told_of_withdrawal()


def test_a_withdrawal_before_consent_was_in_force_tells_no_taking_part_unit(sip):
    """Only one guardian had said yes: nothing was shared with the school, so it is not told."""
    consent.give(
        sip["mum"],
        sip["case"],
        [sip["school"].public_id],
        ["school"],
        TODAY + timedelta(days=30),
        today=TODAY,
    )
    withdrawal.withdraw(sip["mum"], sip["case"], today=TODAY)
    told = _told_of_withdrawal()
    assert _s(sip["coordinator"]) in told
    assert _s(sip["school_coordinator"]) not in told
