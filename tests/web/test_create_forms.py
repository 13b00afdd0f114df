"""Every view marked ``@creates`` gets its form with a fresh ``submission_id`` [issue 12] [QUALITY 5].

A view marked ``@creates`` only recognises a second POST of the same form by the form's submission id, so
its form must carry one. For each marked endpoint this renders the page a person (or staff) uses to send it,
in the state where the form is shown, and checks the form: a well-formed id, a new one on every render.
Marking a new endpoint without adding its page here fails ``test_every_marked_endpoint_has_a_page_here``.
(The page-checking client also checks this on every page any test renders: tests/support/clients.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import (
    ConsentMethod,
    Initiator,
    ParticipantRole,
    SipCase,
    StaffRole,
    Step,
    UnitKind,
)
from citizen_app.services import (
    consent,
    mature_minor_decisions,
    meetings,
    organisation_import,
    plans,
    preparation,
    problems,
    representation,
    submissions,
)
from citizen_app.services import requests as request_service
from citizen_app.web.guards import CREATES_ATTRIBUTE, SUBMISSION_FIELD
from tests.support import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
MEETING = NOW + timedelta(days=2)
BEFORE = NOW + timedelta(hours=1)
AFTER_START = MEETING + timedelta(minutes=30)
UNTIL = date(2027, 6, 1)

_APP = create_app("test")
MARKED = sorted(
    endpoint for endpoint, view in _APP.view_functions.items() if getattr(view, CREATES_ATTRIBUTE, False)
)


@dataclass(frozen=True)
class Page:
    """Where the form to an endpoint is: who opens ``page`` (a key of the scene), and when."""

    who: str
    page: str  # a format string over the scene's ids, e.g. "/sip/{ada_case}/rapportera"
    action: str = ""  # the form's action when it is not the page itself
    at: datetime = BEFORE


PAGES: dict[str, Page] = {
    # The person
    "problems.report": Page("ada", "/sip/{ada_case}/rapportera"),
    "requests.start_request": Page("ada", "/begar-sip"),
    "requests.check_answers": Page("ada", "/begar-sip/{draft}/kontrollera"),
    "plan.comment_on_draft": Page("pia", "/sip/{plan_case}/plan", "/sip/{plan_case}/plan/utkast/synpunkt"),
    "consent.check_consent": Page("bo", "/sip/{bo_case}/samtycke/kontrollera"),
    "consent.confirm_recorded": Page("cia", "/sip/{cia_case}/samtycke", "/sip/{cia_case}/samtycke/bekrafta"),
    "consent.withdraw_consent": Page("ada", "/sip/{ada_case}/samtycke/aterkalla"),
    "consent.record_child_view": Page("maria", "/sip/{elsa_case}/samtycke/barnets-asikt"),
    "cases.cancel_case": Page("dan", "/sip/{dan_case}/avbryt"),
    "cases.answer_suggestion": Page("eva", "/sip/{eva_case}", "/sip/{eva_case}/forslag"),
    "preparation.talk_about": Page("ada", "/sip/{ada_case}/infor-motet/att-prata-om"),
    "preparation.not_talk_about": Page("ada", "/sip/{ada_case}/infor-motet/inte-prata-om"),
    "preparation.add_guest": Page(
        "ada",
        "/sip/{ada_case}/infor-motet/vilka-kommer",
        "/sip/{ada_case}/infor-motet/vilka-kommer/narstaende",
    ),
    "preparation.decide_suggestion": Page(
        "ada", "/sip/{ada_case}/infor-motet/att-prata-om", "/sip/{ada_case}/infor-motet/forslag/{suggestion}"
    ),
    # A relative through their invitation link
    "invitations.answer": Page("guest", "/inbjudan", "/inbjudan/svar"),
    "invitations.suggest_topic": Page("guest", "/inbjudan", "/inbjudan/forslag"),
    # Staff
    "staff.start_case": Page("kim", "/personal/ny-sip"),
    "staff.accept_case": Page("kim", "/personal/sip/{dan_case}/ta-emot"),
    "staff.forward_case": Page("kim", "/personal/sip/{dan_case}/skicka-vidare"),
    "staff.change_coordinator": Page("kim", "/personal/sip/{ada_case}/byt-samordnare"),
    "staff.record_compulsory_care": Page("kim", "/personal/sip/{ada_case}/tvangsvard"),
    "staff.link_person": Page("kim", "/personal/sip/{suggested_case}/koppla-person"),
    "staff.record_consent": Page("kim", "/personal/sip/{bo_case}/samtycke/skriv-in"),
    "staff_meetings.set_meeting": Page("kim", "/personal/sip/{ada_case}/motet/tid"),
    "staff_meetings.invite": Page("kim", "/personal/sip/{ada_case}/motet/bjud-in"),
    "staff_meetings.new_relative_link": Page(
        "kim", "/personal/sip/{ada_case}/motet/inbjudan/{guest_invitation}/ny-lank"
    ),
    "staff_meetings.mark_held": Page("kim", "/personal/sip/{ada_case}/motet/hallet", at=AFTER_START),
    "staff_meetings.answer_invitation": Page("teacher", "/personal/inbjudningar/{school_invitation}"),
    "staff_meetings.record_past_meeting": Page("kim", "/personal/sip/{bo_case}/motet/i-efterhand"),
    # Consent over a life [issue 15]
    "staff_mature_minor.record_decision": Page("kim", "/personal/sip/{elsa_case}/barnet-bestammer"),
    "staff_mature_minor.end_decision": Page(
        "kim",
        "/personal/sip/{moa_case}/barnet-bestammer",
        "/personal/sip/{moa_case}/barnet-bestammer/avsluta",
    ),
    "mature_minor.choose_guardian_view": Page("moa", "/sip/{moa_case}/vad-far-vardnadshavarna-se"),
    "staff_representation.record_ability": Page("kim", "/personal/sip/{ada_case}/samtycke/formaga"),
    "staff_representation.record_harm_assessment": Page(
        "kim", "/personal/sip/{olle_case}/samtycke/menprovning"
    ),
    "staff_representation.register_representative": Page(
        "kim", "/personal/sip/{olle_case}/samtycke/stallforetradare"
    ),
    "staff_feedback.answer_problem": Page(
        "kim", "/personal/rapporterade-problem/{report}", "/personal/rapporterade-problem/{report}/svara"
    ),
    # issue 16: moving the coordination; a problem report without a SIP
    "staff_coordination.propose_move": Page("kim", "/personal/sip/{plan_case}/flytta-samordningen"),
    # The administrator [issue 18]
    "admin.add_principal": Page("ann", "/admin/huvudman/ny"),
    "admin.add_unit": Page("ann", "/admin/huvudman/{principal}/ny-enhet"),
    "admin.add_staff": Page("ann", "/admin/personal/ny"),
    "problems.report_without_sip": Page("ada", "/rapportera-problem"),
    # issue 18: the organisation import (an administrator)
    "admin_import.upload": Page("importer", "/admin/import"),
    "admin_import.apply": Page("importer", "/admin/import/{upload}", "/admin/import/{upload}/genomfor"),
}

REQUEST = {
    "who": {"for_whom": "self"},
    "need": {"need": "Jag behöver hjälp att få skola och vård att fungera ihop."},
    "services": {"units": ["dont_know"], "other_services": ""},
    "urgency": {"urgent": "no", "leaving_hospital": "no", "discharge_date": ""},
    "contact": {"contact_way": "phone", "phone": "070-123 45 67", "interpreter": "no", "adaptations": ""},
}


def test_every_marked_endpoint_has_a_page_here():
    assert len(MARKED) >= 20
    assert set(PAGES) == set(MARKED)


def test_every_marked_endpoint_takes_posts():
    for rule in _APP.url_map.iter_rules():
        if rule.endpoint in MARKED:
            assert "POST" in rule.methods, rule


@pytest.fixture
def scene(app):
    """One county, one coordinator (Kim), and a SIP in each state one of the forms needs."""
    with freeze_time(NOW):
        social = factories.unit("Socialtjänsten")
        school = factories.unit("Skolan", kind=UnitKind.SCHOOL)
        kim = factories.staff(social, StaffRole.COORDINATOR, name="Kim Samordnare")
        factories.staff(social, StaffRole.COORDINATOR, name="Alex Kollega")
        teacher = factories.staff(school, StaffRole.MEMBER, name="Li Lärare")
        ann = factories.staff(school, StaffRole.MEMBER, name="Ann Administratör")
        ann.is_admin = True

        # Ada: consent given, preparing a planned meeting; a relative invited, a school invited.
        ada = factories.person("Ada Berg", age=45)
        ada_case = factories.case(ada, social, kim, step=Step.CONSENT)
        school_party = factories.participant(ada_case, ParticipantRole.UNIT, unit_=school)
        consent.give(
            ada, ada_case, [social.public_id, school.public_id], ["social", "school"], UNTIL, today=NOW.date()
        )
        guest = preparation.add_guest(ada, ada_case, "Bengt", "070-123 45 67", support_person=False)
        meeting = meetings.set_meeting(
            kim, ada_case, starts_at=MEETING, length_minutes=60, mode="phone", phone="010-1", now=NOW
        )
        sent = meetings.invite(kim, meeting, [guest.public_id, school_party.public_id])
        link_secret = next(s.link_secret for s in sent if s.link_secret)
        school_invitation = next(s.invitation for s in sent if not s.link_secret)
        guest_invitation = next(s.invitation for s in sent if s.link_secret)
        suggestion = preparation.suggest_topic(ada_case, invitation_id=None, text="Bengts fråga")
        report = problems.report(ada, ada_case, "invited_did_not_come", "Ingen ringde.")
        draft = request_service.open_draft(ada)
        for step, values in REQUEST.items():
            assert request_service.save_step(ada, draft, step, values) == {}, step

        # Bo: in the consent step, has answered the questions (see the page's ``prepare``); Cia: staff wrote
        # down her consent and she is asked to confirm it.
        bo = factories.person("Bo Ek", age=50)
        bo_case = factories.case(bo, social, kim, step=Step.CONSENT)
        cia = factories.person("Cia Lund", age=60)
        cia_case = factories.case(cia, social, kim, step=Step.CONSENT)
        consent.record_by_staff(
            kim, cia_case, cia, ConsentMethod.ORAL, NOW.date(), [social.public_id], ["social"], UNTIL
        )

        # Dan asked for a SIP that nobody has taken yet; Eva was suggested by a relative and is asked first;
        # a relative's suggestion about someone not yet known.
        dan = factories.person("Dan Ros", age=30)
        dan_case = factories.case(dan, social, step=Step.REQUESTED)
        eva = factories.person("Eva Sten", age=35)
        eva_case = factories.case(eva, social, awaiting_person_agreement=True)
        suggested_case = SipCase(
            subject_id=None,
            owning_unit_id=social.id,
            step=Step.REQUESTED,
            initiated_by=Initiator.RELATIVE,
            awaiting_person_agreement=True,
            details={"close_name": "Sven Bror", "close_contact": "070-111 22 33"},
        )
        db.session.add(suggested_case)

        # Elsa (14) and her guardian Maria; Pia, whose plan draft is sent for her to read.
        elsa = factories.child("Elsa", age=14)
        maria = factories.guardian_of(elsa, name="Maria")
        elsa_case = factories.case(elsa, social, kim, step=Step.PREPARATION)
        factories.participant(elsa_case, ParticipantRole.GUARDIAN, person_=maria)
        pia = factories.person("Pia Ahl", age=40)
        plan_case = factories.case(pia, social, kim, step=Step.MEETING_HELD)
        plan = plans.start_draft(kim, plan_case)
        plans.add_goal(kim, plan_case, plan, "short", "Jag vill ha ett jobb.")
        factories.complete_plan(plan)
        plans.send_for_reading(kim, plan_case, plan)

        # Moa (16) consents herself, as Kim recorded; Olle cannot consent and has nobody to speak for him.
        moa = factories.child("Moa", age=16)
        factories.guardian_of(moa, name="Moas pappa")
        moa_case = factories.case(moa, social, kim, step=Step.CONSENT)
        mature_minor_decisions.record(
            kim, moa_case, "Moa förstår vad det betyder.", NOW.date(), today=NOW.date()
        )
        olle = factories.person("Olle Ås", age=80)
        olle_case = factories.case(olle, social, kim, step=Step.CONSENT)
        representation.record_ability(kim, olle_case, False, "Svår demens.", NOW.date(), today=NOW.date())

        # An administrator with a checked organisation file waiting to be applied [issue 18].
        importer = factories.staff(social, StaffRole.MEMBER, name="Ida Administratör")
        importer.is_admin = True
        upload = organisation_import.keep_upload(
            importer,
            "org.csv",
            b"typ;hsa_id;namn;huvudmanstyp\nhuvudman;SE2321000099-0001;Region Exempel;region\n",
        )
        db.session.commit()
    return {
        "people": {
            "ada": ada,
            "bo": bo,
            "cia": cia,
            "dan": dan,
            "eva": eva,
            "maria": maria,
            "pia": pia,
            "moa": moa,
            "kim": kim,
            "teacher": teacher,
            "importer": importer,
            "ann": ann,
        },
        "link_secret": link_secret,
        "social": social,
        "ids": {
            "ada_case": ada_case.public_id,
            "bo_case": bo_case.public_id,
            "cia_case": cia_case.public_id,
            "dan_case": dan_case.public_id,
            "eva_case": eva_case.public_id,
            "elsa_case": elsa_case.public_id,
            "plan_case": plan_case.public_id,
            "moa_case": moa_case.public_id,
            "olle_case": olle_case.public_id,
            "suggested_case": suggested_case.public_id,
            "suggestion": suggestion.public_id,
            "school_invitation": school_invitation.public_id,
            "guest_invitation": guest_invitation.public_id,
            "report": report.public_id,
            "draft": draft.public_id,
            "upload": upload.public_id,
            "principal": social.principal.public_id,
        },
    }


def _answer_the_consent_questions(client, scene) -> None:
    base = f"/sip/{scene['ids']['bo_case']}/samtycke"
    token = client.csrf_token("/om-min-sip")
    assert client.post(base + "/borja", data={"csrf_token": token}).status_code == 303
    for rest, values in (
        ("/verksamheter", {"units": [scene["social"].public_id], "other_parties": ""}),
        ("/uppgifter", {"categories": ["social"]}),
        ("/inte-delas", {"exclusions": ""}),
        ("/hur-lange", {"period": "year", "until": ""}),
    ):
        assert client.post(base + rest, data={"csrf_token": token, **values}).status_code == 303, rest


def _open(client, scene, endpoint: str) -> list:
    """The forms to ``endpoint`` on its page, opened by the right person at the right time; twice."""
    where = PAGES[endpoint]
    page = where.page.format(**scene["ids"])
    action = (where.action or where.page).format(**scene["ids"])
    rendered = []
    with freeze_time(where.at):
        if where.who == "guest":
            assert client.get(f"/inbjudan/{scene['link_secret']}").status_code == 303
        else:
            client.sign_in_as(scene["people"][where.who])
        if endpoint == "consent.check_consent":
            _answer_the_consent_questions(client, scene)
        for _ in range(2):
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
            forms = soup.find_all("form", action=action)
            assert forms, f"{page} shows no form to {action}"
            rendered.append(forms)
    return rendered


@pytest.mark.parametrize("endpoint", MARKED)
def test_every_form_that_creates_something_carries_a_fresh_submission_id(client, scene, endpoint):
    first, second = _open(client, scene, endpoint)
    seen = []
    for form in first + second:
        assert (form.get("method") or "").lower() == "post"
        field = form.find("input", attrs={"name": SUBMISSION_FIELD})
        assert field is not None and field.get("type") == "hidden", form
        assert submissions.is_token(field.get("value")), field
        seen.append(field["value"])
    assert len(set(seen)) == len(seen)  # a new id for every form on every render


def test_the_checking_client_refuses_a_form_that_creates_something_without_an_id():
    """The page check itself can fail: a form to a marked endpoint without the id is reported."""
    from tests.support.page_checks import PageCheckError, check_html

    action = "/sip/" + "a" * 22 + "/rapportera"
    page = (
        '<html lang="sv"><head><title>Rapportera</title></head><body><h1>Rapportera</h1>'
        f'<form method="post" action="{action}"><input type="hidden" name="csrf_token" value="x">'
        "</form></body></html>"
    )
    creates = {action}.__contains__
    with pytest.raises(PageCheckError, match="submission_id"):
        check_html(page, creates=creates)
    with_id = page.replace("</form>", '<input type="hidden" name="submission_id" value="y"></form>')
    check_html(with_id, creates=creates)
