"""Preparing the meeting [issue 5] [SIP.md 6]: saved per theme, the person orders the agenda, private topics
stay with the coordinator, the child decides what the guardians see, links are single-purpose and expire."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from citizen_app.extensions import db
from citizen_app.models import (
    AgendaList,
    LinkPurpose,
    ParticipantRole,
    StaffRole,
    Step,
    SuggestionStatus,
)
from citizen_app.services import NotAllowed, access_links, consent, preparation
from tests.support import factories

TODAY = date.today()


@pytest.fixture
def sip(app):
    social, school, bup = factories.social_school_and_bup()
    kid = factories.child("Elsa")
    mum = factories.guardian_of(kid, name="Mamma")
    dad = factories.guardian_of(kid, name="Pappa")
    apart = factories.guardian_of(kid, custody=False, name="Utan vårdnad")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    other_staff = factories.staff(school, StaffRole.MEMBER, name="Lärare")
    case = factories.case(kid, social, coordinator=coordinator, step=Step.CONSENT)
    factories.participant(case, ParticipantRole.UNIT, unit_=school)
    factories.participant(case, ParticipantRole.UNIT, unit_=bup)
    for guardian in (mum, dad):
        consent.give(
            guardian, case, [social.public_id, school.public_id], ["school"], TODAY + timedelta(days=300)
        )
    db.session.flush()
    return {
        "case": case,
        "kid": kid,
        "mum": mum,
        "dad": dad,
        "apart": apart,
        "coordinator": coordinator,
        "teacher": other_staff,
        "social": social,
        "school": school,
        "bup": bup,
    }


def test_each_theme_is_saved_on_its_own(sip):
    preparation.save_answer(sip["mum"], sip["case"], "important", "Att Elsa går till skolan")
    preparation.save_answer(sip["dad"], sip["case"], "works_well", "Fotbollen")
    preparation.save_answer(sip["mum"], sip["case"], "important", "Att Elsa mår bättre")
    saved = preparation.answers(sip["case"], preparation.Voice.PERSON)
    assert saved["important"].text == "Att Elsa mår bättre"
    assert saved["works_well"].text == "Fotbollen"


def test_a_guardian_also_answers_what_the_child_wants(sip):
    assert "child_wants" in preparation.themes_for(sip["mum"], sip["case"])
    adult = factories.person("Vuxen")
    own = factories.case(adult, sip["social"], step=Step.PREPARATION)
    assert "child_wants" not in preparation.themes_for(adult, own)


def test_a_guardian_without_custody_cannot_prepare(sip):
    with pytest.raises(NotAllowed):
        preparation.save_answer(sip["apart"], sip["case"], "important", "x")


def test_the_person_orders_the_agenda_and_marks_the_most_important(sip):
    case, mum = sip["case"], sip["mum"]
    first = preparation.add_item(mum, case, AgendaList.TALK_ABOUT, "Skolan")
    second = preparation.add_item(mum, case, AgendaList.TALK_ABOUT, "Sömnen")
    third = preparation.add_item(mum, case, AgendaList.TALK_ABOUT, "Fritiden")
    assert preparation.move(mum, case, third.public_id, "up") == (2, 3)
    assert preparation.move(mum, case, third.public_id, "up") == (1, 3)
    assert preparation.move(mum, case, third.public_id, "up") == (1, 3)  # already first: stays
    assert preparation.move(mum, case, first.public_id, "down") == (3, 3)
    preparation.mark_most_important(mum, case, second.public_id, True)
    items = preparation.agenda(case, AgendaList.TALK_ABOUT)
    assert [i.text for i in items] == ["Fritiden", "Sömnen", "Skolan"]
    assert [i.most_important for i in items] == [False, True, False]


def test_an_empty_or_too_long_item_is_refused(sip):
    with pytest.raises(preparation.InvalidAnswer):
        preparation.add_item(sip["mum"], sip["case"], AgendaList.TALK_ABOUT, "   ")
    with pytest.raises(preparation.InvalidAnswer):
        preparation.add_item(sip["mum"], sip["case"], AgendaList.TALK_ABOUT, "x" * 501)


def test_what_not_to_talk_about_is_for_the_coordinator_only(sip):
    case = sip["case"]
    preparation.add_item(sip["mum"], case, AgendaList.NOT_TALK_ABOUT, "Skilsmässan")
    assert [i.text for i in preparation.private_list_for(sip["coordinator"], case)] == ["Skilsmässan"]
    assert [i.text for i in preparation.private_list_for(sip["dad"], case)] == ["Skilsmässan"]
    assert preparation.private_list_for(sip["teacher"], case) == []
    assert preparation.private_list_for(sip["apart"], case) == []


def test_only_parties_the_consent_covers_can_be_chosen_to_come(sip):
    case = sip["case"]
    preparation.save_who_comes(sip["mum"], case, [sip["school"].public_id], "Mormor", "")
    with pytest.raises(preparation.InvalidAnswer) as refused:
        preparation.save_who_comes(sip["mum"], case, [sip["bup"].public_id], "", "")
    assert "units" in refused.value.errors


def test_the_child_decides_which_answers_the_guardians_see(sip):
    case, kid = sip["case"], sip["kid"]
    preparation.save_child_answer(kid, case, "important", "Mina kompisar", guardians_may_see=True)
    preparation.save_child_answer(kid, case, "not_working", "Bråken hemma", guardians_may_see=False)
    preparation.save_child_answer(kid, case, "not_talk_about", "Pappas jobb", guardians_may_see=True)
    assert set(preparation.child_answers_for(sip["mum"], case)) == {"important"}
    assert set(preparation.child_answers_for(sip["coordinator"], case)) == {
        "important",
        "not_working",
        "not_talk_about",
    }
    assert preparation.child_answers_for(sip["teacher"], case) == {}
    assert preparation.child_answers_for(sip["apart"], case) == {}


def test_a_guardian_cannot_answer_in_the_childs_voice(sip):
    with pytest.raises(NotAllowed):
        preparation.save_child_answer(sip["mum"], sip["case"], "important", "x", guardians_may_see=True)


def test_a_relatives_suggestion_waits_for_the_person(sip):
    case = sip["case"]
    item = preparation.suggest_topic(case, invitation_id=None, text="Elsas fritid")
    assert preparation.agenda(case, AgendaList.TALK_ABOUT) == []
    assert preparation.agenda(case, AgendaList.TALK_ABOUT, SuggestionStatus.PENDING) == [item]
    preparation.decide_suggestion(sip["mum"], case, item.public_id, accept=True)
    assert [i.text for i in preparation.agenda(case, AgendaList.TALK_ABOUT)] == ["Elsas fritid"]


def test_a_child_code_opens_only_the_childs_pages_and_expires(sip):
    with freeze_time("2026-11-23 10:00:00"):
        made = access_links.create(
            LinkPurpose.CHILD_PAGES, sip["case"], sip["mum"], person=sip["kid"], days=30, as_code=True
        )
        shown = access_links.show_code(made.secret)
        assert access_links.open_link(shown.lower(), LinkPurpose.CHILD_PAGES).id == made.link.id
        with pytest.raises(access_links.LinkNotValid):
            access_links.open_link(made.secret, LinkPurpose.RELATIVE_INVITATION)
        with pytest.raises(access_links.LinkNotValid):
            access_links.open_link("ABCDEFGHJK", LinkPurpose.CHILD_PAGES)
    with freeze_time("2026-12-24 10:00:00"), pytest.raises(access_links.LinkNotValid):
        access_links.open_link(made.secret, LinkPurpose.CHILD_PAGES)


def test_only_the_hash_of_a_link_is_stored(sip):
    made = access_links.create(LinkPurpose.RELATIVE_INVITATION, sip["case"], sip["coordinator"], days=60)
    assert made.secret not in made.link.secret_hash
    assert len(made.link.secret_hash) == 64


def test_a_revoked_link_stops_at_once(sip):
    made = access_links.create(LinkPurpose.CHILD_PAGES, sip["case"], sip["mum"], person=sip["kid"], days=30)
    assert access_links.still_valid(made.link.id, LinkPurpose.CHILD_PAGES)
    access_links.revoke_all(sip["case"], LinkPurpose.CHILD_PAGES, sip["mum"])
    with pytest.raises(access_links.LinkNotValid):
        access_links.still_valid(made.link.id, LinkPurpose.CHILD_PAGES)
    with pytest.raises(access_links.LinkNotValid):
        access_links.open_link(made.secret, LinkPurpose.CHILD_PAGES)
