"""A mature minor consents themself [DA 4.2] [issue 15].

Guardians consent for a child only "if the child does not have the age and maturity". Once the coordinator
has recorded, with a reason and a day, that the child has it, the child's consent is the one in force, the
guardians' no longer counts, and the guardians see and are told only what the child lets them. When the
decision ends, the guardians decide again and must say yes again.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from citizen_app.access import Action, can
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    EventKind,
    Notification,
    NotificationKind,
    ParticipantRole,
    StaffRole,
    Step,
)
from citizen_app.services import NotAllowed, consent, mature_minor, mature_minor_decisions, notifications
from citizen_app.services.history import lines
from citizen_app.services.readers import reader_of
from tests.support import factories

TODAY = date(2026, 11, 23)
YEAR = TODAY + timedelta(days=300)
MORNING, NOON, EVENING = "2026-11-23 08:00", "2026-11-23 12:00", "2026-11-23 18:00"
REASON = "Elsa förstår vad SIP:en innebär och vill bestämma själv. Bedömt vid samtal med kurator."


def _born(years: int, days_before: int = 100) -> date:
    return date(TODAY.year - years, TODAY.month, TODAY.day) - timedelta(days=days_before)


@pytest.fixture
def family(app):
    """Elsa (16) with two guardians with custody and one without; Kim coordinates her SIP."""
    social, school, bup = factories.social_school_and_bup()
    kim = factories.staff(social, StaffRole.COORDINATOR, "Kim Berg")
    colleague = factories.staff(social, StaffRole.COORDINATOR, "Annan samordnare")
    elsa = factories.person("Elsa Ek", birth_date=_born(16))
    mum = factories.guardian_of(elsa, name="Maria Ek")
    dad = factories.guardian_of(elsa, name="Peter Ek")
    stepdad = factories.guardian_of(elsa, custody=False, name="Utan Vårdnad")
    case = factories.case(elsa, social, kim, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    db.session.flush()
    return {
        "case": case,
        "elsa": elsa,
        "mum": mum,
        "dad": dad,
        "stepdad": stepdad,
        "kim": kim,
        "colleague": colleague,
        "units": [social.public_id, school.public_id, bup.public_id],
    }


def _give(actor, family):
    return consent.give(actor, family["case"], family["units"], ["health", "school"], YEAR, today=TODAY)


def _record(family, reason=REASON, decided_on=TODAY):
    return mature_minor_decisions.record(family["kim"], family["case"], reason, decided_on, today=TODAY)


def _messages(person, kind) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.recipient_person_id == person.id, Notification.kind == kind
            )
        )
    )


# --- The child's consent is the one in force ----------------------------------------------------------------


def test_once_recorded_the_16_year_olds_own_consent_is_in_force_and_the_guardians_no_longer_count(family):
    case, elsa, mum, dad = family["case"], family["elsa"], family["mum"], family["dad"]
    with freeze_time(MORNING):
        _give(mum, family)
        _give(dad, family)
        assert consent.in_force(case, TODAY) is not None
    with freeze_time(NOON):
        _record(family)
        assert consent.required_voices(case, TODAY) == [elsa]
        assert consent.in_force(case, TODAY) is None  # the guardians' yes no longer counts
        assert not can(mum, Action.GIVE_CONSENT, case)
        with pytest.raises(NotAllowed):
            _give(mum, family)
        _give(elsa, family)
        assert consent.in_force(case, TODAY) is not None


def test_before_the_decision_the_child_cannot_consent_and_the_guardians_do(family):
    case, elsa = family["case"], family["elsa"]
    with freeze_time(MORNING):
        assert consent.required_voices(case, TODAY) == [family["mum"], family["dad"]]
        assert not can(elsa, Action.GIVE_CONSENT, case)
        with pytest.raises(NotAllowed):
            _give(elsa, family)


def test_the_childs_yes_alone_moves_the_sip_on_and_the_child_is_told(family):
    case, elsa = family["case"], family["elsa"]
    with freeze_time(NOON):
        _record(family)
        _give(elsa, family)
    assert case.step == Step.PREPARATION
    assert _messages(elsa, NotificationKind.CONSENT_IN_FORCE)
    # The guardians have not chosen to be shown the consent: they are not told of it.
    assert not _messages(family["mum"], NotificationKind.CONSENT_IN_FORCE)


def test_the_child_can_withdraw_and_the_sip_closes(family):
    from citizen_app.services import withdrawal

    case, elsa = family["case"], family["elsa"]
    with freeze_time(NOON):
        _record(family)
        _give(elsa, family)
        assert can(elsa, Action.WITHDRAW_CONSENT, case)
        withdrawal.withdraw(elsa, case, today=TODAY)
    assert case.is_closed


# --- The guardians and the child are told; the history shows it ---------------------------------------------


def test_the_child_and_the_guardians_with_custody_are_told_and_the_history_shows_it(family):
    case, elsa, mum = family["case"], family["elsa"], family["mum"]
    with freeze_time(NOON):
        _record(family)
    assert [m.data for m in _messages(elsa, NotificationKind.MATURE_MINOR_DECIDED)] == [{"for": "child"}]
    assert [m.data for m in _messages(mum, NotificationKind.MATURE_MINOR_DECIDED)] == [{"for": "guardian"}]
    assert _messages(family["dad"], NotificationKind.MATURE_MINOR_DECIDED)
    assert not _messages(family["stepdad"], NotificationKind.MATURE_MINOR_DECIDED)
    # The reason is between the child and the coordinator: no message carries it.
    assert all(REASON not in str(m.data) for m in db.session.scalars(select(Notification)))

    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [e.kind for e in events] == [EventKind.MATURE_MINOR_DECIDED]
    told = [line.sentence for line in lines(list(events), reader_of(elsa, case, TODAY), case)]
    assert [s.text for s in told] == ["Nu bestämmer du själv om samtycket."]
    told = [line.sentence for line in lines(list(events), reader_of(mum, case, TODAY), case)]
    assert [(s.text, dict(s.values)) for s in told] == [
        ("Nu bestämmer %(name)s själv om samtycket.", {"name": "Elsa Ek"})
    ]


# --- What the guardians see ---------------------------------------------------------------------------------


def test_the_guardians_see_only_that_there_is_a_sip_until_the_child_shows_them_more(family):
    case, elsa, mum = family["case"], family["elsa"], family["mum"]
    with freeze_time(NOON):
        _record(family)
        assert can(mum, Action.VIEW_CASE, case)
        for hidden in (Action.VIEW_PLAN, Action.VIEW_INVITATION, Action.PREPARE_MEETING, Action.VIEW_CONSENT):
            assert not can(mum, hidden, case), hidden
        assert can(elsa, Action.CHOOSE_GUARDIAN_VIEW, case)

        mature_minor_decisions.choose_guardian_view(elsa, case, ["plan", "consent"], today=TODAY)
        assert can(mum, Action.VIEW_PLAN, case)
        assert can(mum, Action.VIEW_CONSENT, case)
        assert not can(mum, Action.VIEW_INVITATION, case)
        assert not can(mum, Action.GIVE_CONSENT, case)  # seeing the consent is not deciding it

        mature_minor_decisions.choose_guardian_view(elsa, case, [], today=TODAY)  # the child changes her mind
        assert not can(mum, Action.VIEW_PLAN, case)


def test_the_guardians_are_told_only_what_the_child_lets_them_see(family):
    case, elsa, mum = family["case"], family["elsa"], family["mum"]
    with freeze_time(NOON):
        _record(family)
        assert notifications.notify(mum, NotificationKind.MEETING_INVITATION, case) is None
        assert notifications.notify(mum, NotificationKind.PLAN_READY, case) is None
        assert notifications.notify(mum, NotificationKind.STEP_CHANGED, case) is None  # deny by default
        assert notifications.notify(mum, NotificationKind.COORDINATOR_CHANGED, case) is not None
        assert notifications.notify(elsa, NotificationKind.MEETING_INVITATION, case) is not None

        mature_minor_decisions.choose_guardian_view(elsa, case, ["meetings"], today=TODAY)
        assert notifications.notify(mum, NotificationKind.MEETING_INVITATION, case) is not None
        assert notifications.notify(mum, NotificationKind.PLAN_READY, case) is None


def test_a_child_who_consents_themself_gets_the_messages_of_the_sip(family):
    from citizen_app.services import recipients

    case, elsa = family["case"], family["elsa"]
    assert elsa not in recipients.citizen_recipients(case, TODAY)
    with freeze_time(NOON):
        _record(family)
    assert elsa in recipients.citizen_recipients(case, TODAY)


def test_the_choice_belongs_to_the_decision_a_new_decision_starts_from_nothing(family):
    case, elsa, mum = family["case"], family["elsa"], family["mum"]
    with freeze_time(MORNING):
        _record(family)
        mature_minor_decisions.choose_guardian_view(elsa, case, ["plan"], today=TODAY)
    with freeze_time(NOON):
        mature_minor_decisions.end(family["kim"], case, "Fel barn i beslutet.", TODAY, today=TODAY)
        assert can(mum, Action.VIEW_PLAN, case)  # the guardians decide again: no limits
    with freeze_time(EVENING):
        _record(family)
        assert mature_minor.guardian_view(case, TODAY) == mature_minor.NOTHING
        assert not can(mum, Action.VIEW_PLAN, case)


# --- A child under the county's usual age -------------------------------------------------------------------


def test_a_child_under_the_hint_can_be_recorded_but_the_page_warns(family):
    young = factories.person("Unga Ulla", birth_date=_born(13))
    factories.guardian_of(young, name="Ullas mamma")
    case = factories.case(young, owning_unit=None, coordinator=family["kim"], step=Step.CONSENT)
    with freeze_time(NOON):
        page = mature_minor_decisions.page_for(family["kim"], case, TODAY)
        assert (page.age, page.age_hint, page.below_hint) == (13, 15, True)
        mature_minor_decisions.record(family["kim"], case, REASON, TODAY, today=TODAY)
        assert consent.required_voices(case, TODAY) == [young]

    page = mature_minor_decisions.page_for(family["kim"], family["case"], TODAY)
    assert (page.age, page.below_hint) == (16, False)


def test_the_age_hint_and_the_rule_are_the_countys(app, family):
    app.config["MATURE_MINOR_AGE_HINT"] = 17
    page = mature_minor_decisions.page_for(family["kim"], family["case"], TODAY)
    assert (page.age_hint, page.below_hint, page.rule_used) == (17, True, True)

    app.config["MATURE_MINORS_ALLOWED"] = False
    with freeze_time(NOON), pytest.raises(NotAllowed):
        _record(family)
    assert consent.required_voices(family["case"], TODAY) == [family["mum"], family["dad"]]


# --- The decision ends --------------------------------------------------------------------------------------


def test_when_the_decision_ends_the_guardians_decide_again_and_must_say_yes_again(family):
    case, elsa, mum, dad, kim = family["case"], family["elsa"], family["mum"], family["dad"], family["kim"]
    with freeze_time(MORNING):
        _give(mum, family)
        _give(dad, family)
    with freeze_time(NOON):
        _record(family)
        _give(elsa, family)
    with freeze_time(EVENING):
        mature_minor_decisions.end(kim, case, "Elsa vill att föräldrarna bestämmer.", TODAY, today=TODAY)
        assert consent.required_voices(case, TODAY) == [mum, dad]
        assert consent.in_force(case, TODAY) is None  # neither Elsa's yes nor the guardians' old one counts
        assert not can(elsa, Action.GIVE_CONSENT, case)
        assert can(mum, Action.GIVE_CONSENT, case) and can(mum, Action.VIEW_PLAN, case)
        _give(mum, family)
        assert consent.in_force(case, TODAY) is None  # both must say yes again
        _give(dad, family)
        assert consent.in_force(case, TODAY) is not None
    assert _messages(mum, NotificationKind.MATURE_MINOR_ENDED)
    assert _messages(elsa, NotificationKind.MATURE_MINOR_ENDED)
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert EventKind.MATURE_MINOR_ENDED in kinds


def test_a_decision_is_append_only_ending_it_is_a_new_row(family):
    with freeze_time(NOON):
        first = _record(family)
    with freeze_time(EVENING):
        ended = mature_minor_decisions.end(
            family["kim"], family["case"], "Ändrad bedömning.", TODAY, today=TODAY
        )
    assert first.consents_themself and first.reason == REASON
    assert not ended.consents_themself and ended.id != first.id
    assert [row.id for row in mature_minor.history(family["case"])] == [first.id, ended.id]


def test_at_18_the_person_consents_as_an_adult_and_the_decision_no_longer_matters(family):
    case, elsa = family["case"], family["elsa"]
    with freeze_time(NOON):
        _record(family)
    adult_day = elsa.adult_from()
    assert not mature_minor.consents_themself(case, adult_day)
    assert consent.required_voices(case, adult_day) == [elsa]


# --- What the coordinator must write ------------------------------------------------------------------------


def test_a_reason_and_a_day_are_needed(family):
    with freeze_time(NOON):
        with pytest.raises(mature_minor_decisions.InvalidDecision) as missing:
            _record(family, reason="  ", decided_on=None)
        assert set(missing.value.errors) == {"reason", "decided_on"}
        with pytest.raises(mature_minor_decisions.InvalidDecision) as future:
            _record(family, decided_on=TODAY + timedelta(days=1))
        assert set(future.value.errors) == {"decided_on"}
    assert not mature_minor.consents_themself(family["case"], TODAY)


def test_only_the_coordinator_of_the_case_records_it(family):
    with freeze_time(NOON), pytest.raises(NotAllowed):
        mature_minor_decisions.record(family["colleague"], family["case"], REASON, TODAY, today=TODAY)


def test_a_guardian_cannot_choose_for_the_child(family):
    with freeze_time(NOON):
        _record(family)
        with pytest.raises(NotAllowed):
            mature_minor_decisions.choose_guardian_view(family["mum"], family["case"], ["plan"], today=TODAY)
