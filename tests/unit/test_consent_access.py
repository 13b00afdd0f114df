"""No sharing with a party the consent does not cover [DA 4.2]: staff of a unit that only takes part in a SIP
see it only while a consent in force names their unit. The owning unit and the coordinator see it always,
since they must reach the person to ask."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import ParticipantRole, StaffRole, Step, utcnow
from citizen_app.services import NotFound, consent, intake, withdrawal
from tests.support import factories

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def sip(app):
    """Ada's SIP, owned by the social services; the school and BUP take part. A teacher and a BUP nurse."""
    social, school, bup = factories.social_school_and_bup()
    coordinator = factories.staff(social, StaffRole.COORDINATOR, "Samordnare Sam")
    ada = factories.person("Ada")
    case = factories.case(ada, social, coordinator=coordinator, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    factories.participant(case, ParticipantRole.UNIT, unit_=bup)
    return {
        "case": case,
        "ada": ada,
        "social": social,
        "school": school,
        "bup": bup,
        "coordinator": coordinator,
        "colleague": factories.staff(social, StaffRole.MEMBER, "Kollega Kim"),
        "teacher": factories.staff(school, StaffRole.MEMBER, "Lärare Lo"),
        "nurse": factories.staff(bup, StaffRole.MEMBER, "Sköterska Siv"),
    }


def _sees(staff, sip) -> bool:
    try:
        intake.get_case(staff, sip["case"].public_id)
    except NotFound:
        return False
    return True


def _consent(sip, *names: str, days: int = 365):
    return consent.give(
        sip["ada"],
        sip["case"],
        [sip[n].public_id for n in names],
        ["school"],
        TODAY + timedelta(days=days),
        today=TODAY,
    )


def test_staff_of_a_taking_part_unit_see_nothing_before_consent_covers_them(sip):
    assert not _sees(sip["teacher"], sip)
    assert not _sees(sip["nurse"], sip)


def test_the_owning_unit_and_the_coordinator_see_the_case_before_consent(sip):
    """They must reach the person to ask for consent."""
    assert _sees(sip["coordinator"], sip)
    assert _sees(sip["colleague"], sip)


def test_a_consent_naming_the_unit_lets_its_staff_in_and_no_one_else(sip):
    _consent(sip, "social", "school")
    assert _sees(sip["teacher"], sip)
    assert not _sees(sip["nurse"], sip)  # the person left BUP out


def test_after_a_withdrawal_the_taking_part_unit_sees_nothing(sip):
    _consent(sip, "social", "school", "bup")
    assert _sees(sip["teacher"], sip)
    withdrawal.withdraw(sip["ada"], sip["case"], today=TODAY)
    assert not _sees(sip["teacher"], sip)
    assert not _sees(sip["nurse"], sip)


def test_a_changed_consent_that_drops_the_unit_shuts_it_out(sip):
    _consent(sip, "social", "school", "bup")
    _consent(sip, "social", "school")
    assert _sees(sip["teacher"], sip)
    assert not _sees(sip["nurse"], sip)


def test_an_expired_consent_shuts_the_taking_part_unit_out(sip):
    _consent(sip, "social", "school", days=10)
    assert _sees(sip["teacher"], sip)
    with freeze_time(TODAY + timedelta(days=11)):
        assert not _sees(sip["teacher"], sip)
        assert _sees(sip["coordinator"], sip)


def test_a_unit_removed_from_the_case_is_shut_out_even_if_the_consent_names_it(sip):
    _consent(sip, "social", "school")
    for participant in sip["case"].participants:
        if participant.unit_id == sip["school"].id:
            participant.removed_at = utcnow()
    db.session.flush()
    assert not _sees(sip["teacher"], sip)


def test_a_teacher_who_also_works_in_the_owning_unit_sees_the_case_before_consent(sip):
    db.session.add(
        factories.StaffMembership(staff_id=sip["teacher"].id, unit_id=sip["social"].id, role=StaffRole.MEMBER)
    )
    db.session.flush()
    assert _sees(sip["teacher"], sip)
