"""Representatives [SIP.md 2, 4] [DA 4.2] [issue 15]: a god man or förvaltare acts within the mandate recorded
for them; a person who can consent consents themself, even with a god man; where nobody can consent, staff
make a menprövning instead; a framtidsfullmakt keeps its rules."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    ConsentAbility,
    ConsentEvent,
    ConsentEventKind,
    Mandate,
    Notification,
    NotificationKind,
    RepresentativeType,
    Step,
)
from citizen_app.services import NotAllowed, consent, representation
from tests.support import factories

TODAY = date(2026, 11, 23)
YEAR = TODAY + timedelta(days=365)
CARE = [Mandate.SORJA_FOR_PERSON.value]
MONEY = [Mandate.BEVAKA_RATT.value, Mandate.FORVALTA_EGENDOM.value]


@pytest.fixture
def scene(app):
    """Karl, 82, whose SIP the social services coordinate; the region's BUP stands for health care here."""
    with freeze_time("2026-11-23 10:00:00", tick=True):
        social, school, bup = factories.social_school_and_bup()
        coordinator = factories.staff(social, name="Samordnare Kent")
        karl = factories.person("Karl Nyström", age=82)
        case = factories.case(karl, social, coordinator=coordinator, step=Step.CONSENT)
        yield {
            "social": social,
            "school": school,
            "bup": bup,
            "kent": coordinator,
            "karl": karl,
            "case": case,
        }


def _give(actor, scene, names=("social", "bup"), categories=("health", "social")):
    return consent.give(
        actor,
        scene["case"],
        [scene[n].public_id for n in names],
        list(categories),
        YEAR,
        today=TODAY,
    )


def _cannot_consent(scene, reason="Karl har svår demens och kan inte förstå frågan."):
    return representation.record_ability(scene["kent"], scene["case"], False, reason, TODAY, today=TODAY)


def _assess(scene, names=("social", "bup"), categories=("health", "social"), reason="Det skadar inte Karl."):
    return consent.record_harm_assessment(
        scene["kent"],
        scene["case"],
        reason,
        [scene[n].public_id for n in names],
        list(categories),
        YEAR,
        today=TODAY,
    )


# --- The mandate --------------------------------------------------------------------------------------------


def test_a_god_man_who_sees_to_the_persons_care_may_open_health_care(scene):
    lena = factories.representative_of(scene["karl"], RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    _cannot_consent(scene)
    _give(lena, scene)
    scope = consent.in_force(scene["case"], TODAY)
    assert scope is not None and scope.covers_unit(scene["bup"].public_id) and "health" in scope.categories


@pytest.mark.parametrize("mandate", [MONEY, None], ids=["rights and property only", "no mandate recorded"])
def test_a_god_man_without_sorja_for_person_cannot_open_health_care_and_is_told_why(scene, mandate):
    lena = factories.representative_of(
        scene["karl"], RepresentativeType.GOD_MAN, name="Lena", mandate=mandate
    )
    _cannot_consent(scene)
    with pytest.raises(consent.InvalidScope) as refused:
        _give(lena, scene, names=("social", "bup"), categories=("social",))
    assert "sörja för person" in refused.value.errors["units"]
    with pytest.raises(consent.InvalidScope) as refused:
        _give(lena, scene, names=("social",), categories=("health",))
    assert "sörja för person" in refused.value.errors["units"]
    assert consent.in_force(scene["case"], TODAY) is None
    # What is not care stays within such a mandate.
    _give(lena, scene, names=("social",), categories=("social",))
    assert consent.in_force(scene["case"], TODAY).unit_ids == {scene["social"].public_id}


def test_a_forvaltare_is_held_to_the_same_mandate(scene):
    erik = factories.representative_of(
        scene["karl"], RepresentativeType.FORVALTARE, name="Erik", mandate=MONEY
    )
    _cannot_consent(scene)
    with pytest.raises(consent.InvalidScope):
        _give(erik, scene)


def test_staff_cannot_write_down_health_care_for_a_god_man_without_the_mandate(scene):
    lena = factories.representative_of(scene["karl"], RepresentativeType.GOD_MAN, name="Lena", mandate=MONEY)
    _cannot_consent(scene)
    with pytest.raises(consent.InvalidScope) as refused:
        consent.record_by_staff(
            scene["kent"],
            scene["case"],
            lena,
            consent.ConsentMethod.ORAL,
            TODAY,
            [scene["bup"].public_id],
            ["health"],
            YEAR,
            today=TODAY,
        )
    assert "sörja för person" in refused.value.errors["units"]


# --- The person first ---------------------------------------------------------------------------------------


def test_a_person_who_can_consent_and_has_a_god_man_gives_the_consent_that_counts(scene):
    karl, case = scene["karl"], scene["case"]
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    reason = consent.cannot_consent_reason(lena, case)
    assert reason is not None and "personens eget samtycke" in reason
    with pytest.raises(NotAllowed):
        _give(lena, scene)
    assert consent.required_voices(case, TODAY) == [karl]
    assert consent.in_force(case, TODAY) is None

    _give(karl, scene, names=("social",), categories=("social",))
    assert consent.in_force(case, TODAY).unit_ids == {scene["social"].public_id}


def test_a_god_mans_consent_from_before_the_person_was_found_unable_does_not_count(scene):
    """Written in the database as if it slipped through (say, before this rule): it still does not count."""
    karl, case = scene["karl"], scene["case"]
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    db.session.add(
        ConsentEvent(
            case_id=case.id,
            kind=ConsentEventKind.GIVEN,
            consenter_id=lena.id,
            method=consent.ConsentMethod.DIGITAL,
            unit_ids=[scene["bup"].public_id],
            categories=["health"],
            valid_from=TODAY,
            valid_until=YEAR,
        )
    )
    db.session.flush()
    assert consent.in_force(case, TODAY) is None  # Karl can consent: only his own word counts
    _cannot_consent(scene)
    assert consent.in_force(case, TODAY) is None  # said before the record: Lena must say it again
    _give(lena, scene)
    assert consent.in_force(case, TODAY) is not None


def test_staff_cannot_write_down_a_god_mans_consent_for_a_person_who_can_consent(scene):
    lena = factories.representative_of(scene["karl"], RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    assert representation.who_may_consent(scene["case"], TODAY) == [scene["karl"]]
    with pytest.raises(consent.InvalidScope) as refused:
        consent.record_by_staff(
            scene["kent"],
            scene["case"],
            lena,
            consent.ConsentMethod.ORAL,
            TODAY,
            [scene["social"].public_id],
            ["social"],
            YEAR,
            today=TODAY,
        )
    assert "eget ja" in refused.value.errors["consenter"]


# --- A person who cannot consent ----------------------------------------------------------------------------


def test_a_person_who_cannot_consent_is_spoken_for_by_a_god_man_with_a_fitting_mandate(scene):
    karl, case = scene["karl"], scene["case"]
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    _cannot_consent(scene)
    assert consent.cannot_consent_reason(lena, case) is None
    assert "inte kan lämna samtycke" in consent.cannot_consent_reason(karl, case)
    assert representation.who_may_consent(case, TODAY) == [lena]
    assert not representation.nobody_can_consent(case, TODAY)
    _give(lena, scene)
    assert consent.in_force(case, TODAY) is not None and case.step == Step.PREPARATION


def test_staff_can_record_again_that_the_person_can_consent(scene):
    karl, case = scene["karl"], scene["case"]
    lena = factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    _cannot_consent(scene)
    _give(lena, scene)
    representation.record_ability(scene["kent"], case, True, "Karl är frisk igen.", TODAY, today=TODAY)
    assert consent.in_force(case, TODAY) is None  # Lena's word no longer counts: Karl decides
    assert consent.cannot_consent_reason(karl, case) is None
    assert db.session.query(ConsentAbility).count() == 2  # append-only


@pytest.mark.parametrize(
    ("field", "answers"),
    [
        ("can_consent", {"can_consent": None}),
        ("reason", {"reason": "   "}),
        ("assessed_on", {"assessed_on": None}),
        ("assessed_on", {"assessed_on": TODAY + timedelta(days=1)}),
    ],
)
def test_the_record_that_a_person_cannot_consent_needs_an_answer_a_reason_and_a_date(scene, field, answers):
    values = {"can_consent": False, "reason": "Svår demens.", "assessed_on": TODAY} | answers
    with pytest.raises(representation.InvalidAbility) as invalid:
        representation.record_ability(scene["kent"], scene["case"], today=TODAY, **values)
    assert field in invalid.value.errors
    assert db.session.query(ConsentAbility).count() == 0


def test_only_the_coordinator_records_that_a_person_cannot_consent(scene):
    other = factories.staff(scene["school"], name="Kurator")
    with pytest.raises(NotAllowed):
        representation.record_ability(other, scene["case"], False, "Svår demens.", TODAY, today=TODAY)


def test_a_child_is_not_judged_this_way(scene):
    kid = factories.child("Elsa")
    factories.guardian_of(kid)
    case = factories.case(kid, scene["social"], coordinator=scene["kent"], step=Step.CONSENT)
    with pytest.raises(NotAllowed):
        representation.record_ability(scene["kent"], case, False, "Liten.", TODAY, today=TODAY)


# --- Menprövning --------------------------------------------------------------------------------------------


def test_a_menprovning_stands_in_for_consent_when_nobody_can_consent(scene):
    karl, case = scene["karl"], scene["case"]
    factories.representative_of(karl, RepresentativeType.GOD_MAN, name="Lena", mandate=MONEY)
    _cannot_consent(scene)
    assert representation.nobody_can_consent(case, TODAY)
    event = _assess(scene)
    assert event.kind == ConsentEventKind.HARM_ASSESSED and event.note == "Det skadar inte Karl."
    assert event.recorded_by_staff_id == scene["kent"].id
    scope = consent.in_force(case, TODAY)
    assert scope is not None and scope.covers_unit(scene["bup"].public_id)
    assert case.step == Step.PREPARATION
    told = {
        n.recipient_person_id
        for n in db.session.query(Notification).filter_by(kind=NotificationKind.CONSENT_IN_FORCE)
    }
    assert karl.id in told


def test_no_menprovning_while_the_person_can_consent(scene):
    with pytest.raises(NotAllowed):
        _assess(scene)


def test_no_menprovning_while_a_god_man_sees_to_the_persons_care(scene):
    factories.representative_of(scene["karl"], RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    _cannot_consent(scene)
    with pytest.raises(NotAllowed):
        _assess(scene)


def test_a_menprovning_stops_counting_when_the_person_can_consent_again(scene):
    _cannot_consent(scene)
    _assess(scene)
    representation.record_ability(
        scene["kent"], scene["case"], True, "Karl är frisk igen.", TODAY, today=TODAY
    )
    assert consent.in_force(scene["case"], TODAY) is None


def test_a_menprovning_stops_counting_when_a_god_man_for_care_is_appointed(scene):
    _cannot_consent(scene)
    _assess(scene)
    factories.representative_of(scene["karl"], RepresentativeType.GOD_MAN, name="Lena", mandate=CARE)
    assert consent.in_force(scene["case"], TODAY) is None


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("reason", {"reason": " "}),
        ("units", {"names": ()}),
        ("categories", {"categories": ()}),
    ],
)
def test_a_menprovning_needs_a_reason_and_a_scope(scene, field, kwargs):
    _cannot_consent(scene)
    with pytest.raises(consent.InvalidScope) as invalid:
        _assess(scene, **kwargs)
    assert field in invalid.value.errors
    assert db.session.query(ConsentEvent).count() == 0


def test_a_menprovning_lasts_at_most_a_year(scene):
    _cannot_consent(scene)
    with pytest.raises(consent.InvalidScope) as invalid:
        consent.record_harm_assessment(
            scene["kent"],
            scene["case"],
            "Skadar inte.",
            [scene["social"].public_id],
            ["social"],
            YEAR + timedelta(days=1),
            today=TODAY,
        )
    assert "valid_until" in invalid.value.errors


# --- Framtidsfullmakt: unchanged ----------------------------------------------------------------------------


def test_a_framtidsfullmakt_still_consents_without_a_record_but_never_to_health_care(scene):
    holder = factories.representative_of(scene["karl"], RepresentativeType.FRAMTIDSFULLMAKT, name="Fia")
    assert consent.cannot_consent_reason(holder, scene["case"]) is None
    with pytest.raises(consent.InvalidScope) as refused:
        _give(holder, scene)
    assert "framtidsfullmakt" in refused.value.errors["units"]
    _give(holder, scene, names=("social",), categories=("social",))
    assert consent.in_force(scene["case"], TODAY) is not None
