"""Asking for a SIP, as the rules say: who may ask for whom, one case per submit, suggestions need a yes."""

from datetime import date, timedelta

import pytest

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    Initiator,
    Notification,
    NotificationKind,
    SipCase,
    StaffRole,
    Step,
)
from citizen_app.pages import overview
from citizen_app.services import NotAllowed, intake, people, requests
from tests.support import factories

ANSWERS = {
    "need": {"need": "Jag behöver hjälp hemma."},
    "services": {"units": ["dont_know"]},
    "urgency": {"urgent": "no", "leaving_hospital": "no"},
    "contact": {"contact_way": "app", "interpreter": "no"},
}


def _fill(author, who="self", **who_extra):
    draft = requests.open_draft(author)
    assert requests.save_step(author, draft, "who", {"for_whom": who, **who_extra}) == {}
    for step, values in ANSWERS.items():
        assert requests.save_step(author, draft, step, values) == {}, step
    return draft


def _suggest(relative):
    return _fill(relative, "someone_close", close_name="Bo", close_contact="070-1234567")


@pytest.fixture
def intake_unit(app):
    unit = factories.unit("Socialtjänsten")
    factories.staff(unit, StaffRole.COORDINATOR, name="Kim Samordnare")
    return unit


def test_a_person_asks_for_their_own_sip(app, intake_unit):
    person = factories.person("Ada")
    case = requests.submit(person, _fill(person))
    assert case.subject_id == person.id and case.step == Step.REQUESTED
    assert case.initiated_by == Initiator.PERSON
    assert case.owning_unit_id == intake_unit.id  # "vet inte": the county's intake unit receives it
    kinds = {n.kind for n in db.session.query(Notification)}
    assert kinds == {NotificationKind.REQUEST_RECEIVED, NotificationKind.NEW_REQUEST_FOR_UNIT}


def test_a_guardian_can_only_choose_children_in_their_custody(app, intake_unit):
    kid = factories.child("Barn")
    with_custody = factories.guardian_of(kid, custody=True)
    without = factories.guardian_of(kid, custody=False)
    values = [o.value for o in requests.who_options(with_custody)]
    assert "child:" + kid.public_id in values
    assert "child:" + kid.public_id not in [o.value for o in requests.who_options(without)]
    draft = requests.open_draft(without)
    errors = requests.save_step(without, draft, "who", {"for_whom": "child:" + kid.public_id})
    assert errors == {"for_whom": "Välj vem SIP:en är till"}


def test_a_childs_request_reaches_both_guardians(app, intake_unit):
    kid = factories.child("Barn")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    case = requests.submit(mum, _fill(mum, "child:" + kid.public_id))
    assert case.initiated_by == Initiator.GUARDIAN
    told = {n.recipient_person_id for n in db.session.query(Notification) if n.recipient_person_id}
    assert told == {mum.id, dad.id}  # the 14-year-old is not messaged about it; the guardians are


def test_a_double_submit_makes_one_case(app, intake_unit):
    person = factories.person()
    draft = _fill(person)
    first = requests.submit(person, draft)
    with pytest.raises(requests.AlreadySent) as again:
        requests.submit(person, draft)
    assert again.value.case.id == first.id
    assert db.session.query(SipCase).count() == 1


def test_a_relatives_suggestion_is_not_readable_by_the_relative(app, intake_unit):
    relative = factories.person("Närstående")
    case = requests.submit(relative, _suggest(relative))
    assert case.awaiting_person_agreement and case.subject_id is None
    assert not access.can(relative, Action.VIEW_CASE, case)
    assert case.id not in [c.id for g in overview.overview_for(relative) for c in g.cases]


def test_the_suggested_person_must_say_yes_before_anything_else_happens(app, intake_unit):
    relative = factories.person("Närstående")
    bo = factories.person("Bo")
    case = requests.submit(relative, _suggest(relative))
    coordinator = factories.staff(intake_unit, StaffRole.COORDINATOR)
    intake.link_suggested_person(
        coordinator,
        case,
        people.identity_number_of(bo),
        "Bo",
    )
    with pytest.raises(Exception, match="inte sagt ja"):
        intake.accept(coordinator, case)
    assert access.can(bo, Action.VIEW_CASE, case)
    assert not access.can(bo, Action.GIVE_CONSENT, case)  # nothing else until the person agrees
    requests.accept_suggestion(bo, case)
    assert not case.awaiting_person_agreement
    assert not access.can(relative, Action.VIEW_CASE, case)
    intake.accept(coordinator, case)
    assert case.step == Step.CONSENT


def test_cancel_until_a_meeting_is_held(app, intake_unit):
    person = factories.person()
    case = requests.submit(person, _fill(person))
    assert requests.can_cancel(person, case)
    requests.cancel(person, case)
    assert case.step == Step.CLOSED and case.closing_reason == ClosingReason.CANCELLED_BY_PERSON
    with pytest.raises(NotAllowed):
        requests.cancel(person, case)
    later = factories.case(person, step=Step.MEETING_HELD)
    assert not requests.can_cancel(person, later)


@pytest.mark.parametrize(
    "step,values,field",
    [
        ("need", {"need": ""}, "need"),
        ("need", {"need": "x" * 2001}, "need"),
        ("services", {"units": ["nonexistent"]}, "units"),
        ("services", {}, "units"),
        ("urgency", {"urgent": "maybe", "leaving_hospital": "no"}, "urgent"),
        ("urgency", {"urgent": "no", "leaving_hospital": "yes", "discharge_date": "31/12"}, "discharge_date"),
        (
            "urgency",
            {
                "urgent": "no",
                "leaving_hospital": "yes",
                "discharge_date": (date.today() + timedelta(days=800)).isoformat(),
            },
            "discharge_date",
        ),
        ("contact", {"contact_way": "phone", "phone": "abc", "interpreter": "no"}, "phone"),
        ("contact", {"contact_way": "email", "email": "no-at-sign", "interpreter": "no"}, "email"),
        ("contact", {"contact_way": "app", "interpreter": "yes"}, "interpreter_language"),
    ],
)
def test_bad_answers_get_a_clear_message_and_are_not_saved(app, step, values, field):
    person = factories.person()
    draft = requests.open_draft(person)
    errors = requests.save_step(person, draft, step, values)
    assert field in errors and errors[field]
    assert step not in draft.answers.get("_done", [])
