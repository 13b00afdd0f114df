"""Consent rules [SIP.md 4]: scoped, at most a year, both guardians, narrowest scope, withdrawal, mandates."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    NotificationKind,
    RepresentativeType,
    StaffRole,
    Step,
)
from citizen_app.services import NotAllowed, consent, notifications, representation, withdrawal
from tests.support import factories

TODAY = date(2026, 11, 23)
YEAR = TODAY + timedelta(days=365)


@pytest.fixture
def units(app):
    social, school, bup = factories.social_school_and_bup()
    return {"social": social, "school": school, "bup": bup}


def _child_case(units):
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    case = factories.case(kid, units["social"], step=Step.CONSENT)
    return case, mum, dad


def _give(actor, case, units, names=("social", "school", "bup"), until=YEAR, categories=("health", "school")):
    return consent.give(
        actor, case, [units[n].public_id for n in names], list(categories), until, today=TODAY
    )


def test_an_adults_own_consent_is_in_force_and_moves_the_sip_on(units):
    person = factories.person("Ada")
    case = factories.case(person, units["social"], step=Step.CONSENT)
    _give(person, case, units)
    scope = consent.in_force(case, TODAY)
    assert scope is not None and scope.covers_unit(units["bup"].public_id)
    assert case.step == Step.PREPARATION


def test_a_childs_consent_needs_every_guardian_with_custody(units):
    case, mum, dad = _child_case(units)
    _give(mum, case, units)
    assert consent.in_force(case, TODAY) is None  # "väntar på din andra vårdnadshavare"
    assert case.step == Step.CONSENT
    _give(dad, case, units)
    assert consent.in_force(case, TODAY) is not None


def test_the_narrowest_scope_of_two_guardians_applies(units):
    case, mum, dad = _child_case(units)
    _give(mum, case, units, names=("social", "school", "bup"), categories=("health", "school", "social"))
    _give(
        dad, case, units, names=("social", "school"), categories=("school",), until=TODAY + timedelta(days=90)
    )
    scope = consent.in_force(case, TODAY)
    assert scope.unit_ids == {units["social"].public_id, units["school"].public_id}
    assert scope.categories == {"school"}
    assert scope.valid_until == TODAY + timedelta(days=90)


def test_a_guardian_without_custody_cannot_consent_and_is_told_why(units):
    case, mum, dad = _child_case(units)
    other = factories.guardian_of(case.subject, custody=False, name="Utan vårdnad")
    assert "vårdnaden" in consent.cannot_consent_reason(other, case)
    with pytest.raises(NotAllowed):
        _give(other, case, units)


@pytest.mark.parametrize("days,ok", [(1, True), (365, True), (366, False), (0, False)])
def test_consent_lasts_at_most_one_year(units, days, ok):
    person = factories.person()
    case = factories.case(person, units["social"], step=Step.CONSENT)
    if ok:
        _give(person, case, units, until=TODAY + timedelta(days=days))
    else:
        with pytest.raises(consent.InvalidScope) as error:
            _give(person, case, units, until=TODAY + timedelta(days=days))
        assert "valid_until" in error.value.errors


def test_consent_is_never_general(units):
    person = factories.person()
    case = factories.case(person, units["social"], step=Step.CONSENT)
    with pytest.raises(consent.InvalidScope) as error:
        consent.give(person, case, [], [], YEAR, today=TODAY)
    assert set(error.value.errors) == {"units", "categories"}


def test_an_expired_consent_is_not_in_force(units):
    person = factories.person()
    case = factories.case(person, units["social"], step=Step.CONSENT)
    _give(person, case, units, until=TODAY + timedelta(days=30))
    assert consent.in_force(case, TODAY + timedelta(days=30)) is not None
    assert consent.in_force(case, TODAY + timedelta(days=31)) is None


def test_a_change_is_a_new_version_and_the_history_stays(units):
    person = factories.person()
    case = factories.case(person, units["social"], step=Step.CONSENT)
    _give(person, case, units)
    _give(person, case, units, names=("social",))
    kinds = [e.kind for e in consent.history(case)]
    assert kinds == [ConsentEventKind.GIVEN, ConsentEventKind.CHANGED]
    assert consent.in_force(case, TODAY).unit_ids == {units["social"].public_id}


def test_either_guardian_withdrawing_ends_consent_and_closes_the_sip(units):
    case, mum, dad = _child_case(units)
    _give(mum, case, units)
    _give(dad, case, units)
    withdrawal.withdraw(dad, case, today=TODAY)
    assert consent.in_force(case, TODAY) is None
    assert case.step == Step.CLOSED and case.closing_reason == ClosingReason.CONSENT_WITHDRAWN
    assert db.session.query(ConsentEvent).count() == 3  # nothing deleted


def test_a_god_man_may_consent_for_a_person_who_cannot(units):
    """Only when staff recorded that the person cannot, and within the mandate [issue 15]."""
    person = factories.person("Karl", age=82)
    god_man = factories.representative_of(person, RepresentativeType.GOD_MAN, mandate=["sorja_for_person"])
    coordinator = factories.staff(units["social"])
    case = factories.case(person, units["social"], coordinator=coordinator, step=Step.CONSENT)
    representation.record_ability(coordinator, case, False, "Karl har svår demens.", TODAY, today=TODAY)
    _give(god_man, case, units)
    assert consent.in_force(case, TODAY) is not None


def test_a_framtidsfullmakt_cannot_cover_health_care(units):
    person = factories.person("Karl", age=82)
    holder = factories.representative_of(person, RepresentativeType.FRAMTIDSFULLMAKT)
    case = factories.case(person, units["social"], step=Step.CONSENT)
    with pytest.raises(consent.InvalidScope) as error:
        _give(holder, case, units, names=("social", "bup"), categories=("social",))
    assert "framtidsfullmakt" in error.value.errors["units"]
    with pytest.raises(consent.InvalidScope):
        _give(holder, case, units, names=("social",), categories=("health",))
    _give(holder, case, units, names=("social",), categories=("social",))
    assert consent.in_force(case, TODAY) is not None


def test_an_expired_mandate_cannot_consent(units):
    person = factories.person()
    rep = factories.representative_of(person, valid_until=TODAY - timedelta(days=1))
    case = factories.case(person, units["social"], step=Step.CONSENT)
    with pytest.raises(NotAllowed):
        _give(rep, case, units)


def test_no_invitation_without_consent_that_covers_the_party(units):
    person = factories.person()
    case = factories.case(person, units["social"], step=Step.CONSENT)
    with pytest.raises(consent.NotCovered):
        consent.require_covering(case, units["school"].public_id, TODAY)
    _give(person, case, units, names=("social",))
    with pytest.raises(consent.NotCovered):
        consent.require_covering(case, units["school"].public_id, TODAY)
    assert consent.require_covering(case, units["social"].public_id, TODAY)


def test_a_withdrawal_between_loading_and_sending_blocks_the_invitation(units, app):
    """The check re-reads inside the sending transaction, so a withdrawal committed meanwhile wins."""
    from citizen_app import create_app

    person = factories.person()
    case = factories.case(person, units["social"], step=Step.CONSENT)
    _give(person, case, units)
    db.session.commit()
    loaded = consent.in_force(case, TODAY)  # the coordinator's page loaded while consent was in force
    assert loaded is not None
    other = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with other.app_context():  # another request withdraws and commits
        from citizen_app.models import Person, SipCase

        withdrawal.withdraw(db.session.get(Person, person.id), db.session.get(SipCase, case.id), today=TODAY)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # close its connections now, not when garbage collected
    with pytest.raises(consent.NotCovered):
        consent.require_covering(case, units["social"].public_id, TODAY)


def test_staff_role_is_not_a_consenter(units):
    staff = factories.staff(units["social"], StaffRole.COORDINATOR)
    person = factories.person()
    case = factories.case(person, units["social"], coordinator=staff, step=Step.CONSENT)
    assert consent.required_voices(case, TODAY) == [person]


# --- The 18th birthday [DA 4.2] [issue 15]: from that day only the person's own consent counts ------------


def _turning_eighteen(units, birthday: date):
    """A child who turns 18 on ``birthday``, whose two guardians consented a month before."""
    kid = factories.child("Alva", age=17)
    kid.birth_date = birthday.replace(year=birthday.year - 18)
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    case = factories.case(kid, units["social"], step=Step.CONSENT)
    a_month_before = birthday - timedelta(days=30)
    for guardian in (mum, dad):
        event = consent.give(
            guardian,
            case,
            [units["bup"].public_id],
            ["health"],
            a_month_before + timedelta(days=300),
            today=a_month_before,
        )
        event.at = datetime(a_month_before.year, a_month_before.month, a_month_before.day, 9, tzinfo=UTC)
    db.session.flush()
    return case, kid, mum


@pytest.mark.parametrize(
    ("day", "guardians_consent_counts"),
    [(-1, True), (0, False), (1, False)],
    ids=["the day before the 18th birthday", "on the birthday", "the day after"],
)
def test_the_guardians_consent_stops_counting_on_the_18th_birthday(units, day, guardians_consent_counts):
    birthday = date(2027, 3, 10)
    case, kid, _ = _turning_eighteen(units, birthday)
    scope = consent.in_force(case, birthday + timedelta(days=day))
    assert (scope is not None) == guardians_consent_counts
    if scope is not None:
        assert scope.covers_unit(units["bup"].public_id)


def test_after_the_18th_birthday_the_young_adults_own_consent_is_the_one_in_force(units):
    birthday = date(2027, 3, 10)
    case, kid, _ = _turning_eighteen(units, birthday)
    after = birthday + timedelta(days=2)
    with freeze_time(after):  # access asks how old the person is today
        consent.give(
            kid, case, [units["school"].public_id], ["school"], after + timedelta(days=100), today=after
        )
    scope = consent.in_force(case, after)
    assert scope is not None
    assert scope.unit_ids == {units["school"].public_id}  # not the child psychiatry the guardians chose


def test_someone_born_on_29_february_is_adult_from_1_march_in_a_year_without_it(app):
    kid = factories.child("Skottdagsbarn", age=17)
    kid.birth_date = date(2008, 2, 29)
    assert kid.adult_from() == date(2026, 3, 1)
    assert kid.is_child_on(date(2026, 2, 28)) and not kid.is_child_on(date(2026, 3, 1))


def test_a_consent_staff_write_down_asks_the_other_guardian_even_when_their_ids_are_the_same_number(units):
    # Staff and people are counted in tables of their own, so a coordinator's id can be the same number as
    # a guardian's. It must not be read as "this guardian just answered".
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    coordinator = factories.staff(units["social"], StaffRole.COORDINATOR, name="Kent")
    while coordinator.id < dad.id:
        coordinator = factories.staff(units["social"], StaffRole.COORDINATOR, name="Kent")
    assert coordinator.id == dad.id
    case = factories.case(kid, units["social"], coordinator=coordinator, step=Step.CONSENT)
    consent.record_by_staff(
        coordinator,
        case,
        mum,
        ConsentMethod.ORAL,
        TODAY,
        [units["social"].public_id],
        ["social"],
        YEAR,
        today=TODAY,
    )
    asked = [n.kind for n in notifications.list_for(dad)]
    assert asked == [NotificationKind.CONSENT_NEEDED]
