"""Legal representatives are registered by staff from the decision [issue 18]: the coordinator writes down a
god man, förvaltare or framtidsfullmakt (type, mandate, period, the decision's reference); it is audited, the
representative then acts within it, and the person sees it on their SIP page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    AuditEntry,
    Notification,
    NotificationKind,
    PrincipalKind,
    RelationKind,
    Relationship,
    StaffRole,
    Step,
)
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import people
from tests.support import factories

TODAY = date.today()


@pytest.fixture
def karl(app):
    """Karl, 82, with a SIP at the consent step; Kent coordinates it."""
    social = factories.unit("Socialtjänsten Norr")
    factories.unit("Vårdcentralen Norr", principal_kind=PrincipalKind.REGION)
    kent = factories.staff(social, StaffRole.COORDINATOR, "Kent Samordnare")
    person = factories.person("Karl Nyström", age=82)
    case = factories.case(person, social, coordinator=kent, step=Step.CONSENT)
    lena_number = factories._next_number(date(1970, 4, 4))
    db.session.commit()
    return {"case": case, "karl": person, "kent": kent, "lena_number": lena_number}


def _url(case) -> str:
    return f"/personal/sip/{case.public_id}/samtycke/stallforetradare"


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": client.csrf_token(url)})


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").find("main").get_text(" ", strip=True).split())


def _decision(karl, **changes) -> dict:
    return {
        "kind": "god_man",
        "name": "Lena Ek",
        "identity_number": karl["lena_number"][:8] + "-" + karl["lena_number"][8:],
        "mandate": ["sorja_for_person", "bevaka_ratt"],
        "valid_from": (TODAY - timedelta(days=10)).isoformat(),
        "valid_until": "",
        "reference": "ÖF 2026-1234",
        **changes,
    }


def test_the_coordinator_registers_a_god_man_from_the_decision_and_it_is_audited(client, karl):
    client.sign_in_as(karl["kent"])
    response = _post(client, _url(karl["case"]), _decision(karl))
    assert response.status_code == 303

    lena = people.find_person_by_identity(karl["lena_number"])
    assert lena is not None and lena.display_name == "Lena Ek"
    rel = db.session.scalars(
        select(Relationship).where(
            Relationship.holder_id == lena.id, Relationship.kind == RelationKind.REPRESENTATIVE
        )
    ).one()
    assert rel.subject_id == karl["karl"].id
    assert rel.representative_type == "god_man"
    assert rel.mandate == ["bevaka_ratt", "sorja_for_person"]
    assert rel.valid_from == TODAY - timedelta(days=10) and rel.valid_until is None
    assert rel.decision_reference == "ÖF 2026-1234"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "representation.registered")
    ).one()
    assert entry.actor_staff_id == karl["kent"].id and entry.case_id == karl["case"].id
    assert karl["lena_number"] not in str(entry.detail)
    # The god man now acts for Karl within the decision.
    assert access.can(lena, Action.VIEW_CASE, karl["case"])


def test_the_person_sees_their_representative_with_the_decision_on_their_sip_page(client, karl):
    client.sign_in_as(karl["kent"])
    _post(client, _url(karl["case"]), _decision(karl))
    client.sign_in_as(karl["karl"])
    html = client.get(f"/sip/{karl['case'].public_id}").get_data(as_text=True)
    text = _text(html)
    assert "Din ställföreträdare" in text and "Lena Ek" in text
    assert "God man" in text and "Sörja för person" in text and "Bevaka rätt" in text
    assert "Beslut: ÖF 2026-1234" in text and "tills vidare" in text
    readability = measure(main_text_blocks(html))
    assert readability.lix <= 40, readability


def test_a_representative_whose_decision_has_ended_is_not_shown_to_the_person(client, karl):
    factories.representative_of(karl["karl"], name="Gammal Godman", valid_until=TODAY - timedelta(days=1))
    db.session.commit()
    client.sign_in_as(karl["karl"])
    text = _text(client.get(f"/sip/{karl['case'].public_id}").get_data(as_text=True))
    assert "Gammal Godman" not in text and "ställföreträdare" not in text


def test_a_framtidsfullmakt_has_no_mandate_areas(client, karl):
    client.sign_in_as(karl["kent"])
    response = _post(client, _url(karl["case"]), _decision(karl, kind="framtidsfullmakt", mandate=[]))
    assert response.status_code == 303
    rel = db.session.scalars(
        select(Relationship).where(Relationship.kind == RelationKind.REPRESENTATIVE)
    ).one()
    assert rel.representative_type == "framtidsfullmakt" and rel.mandate is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Välj vilken sorts ställföreträdare det är"),
        ({"name": " "}, "Skriv ställföreträdarens namn"),
        ({"identity_number": "19700404-0000"}, "Skriv ett personnummer med 12 siffror"),
        ({"mandate": []}, "Välj vad uppdraget gäller, som det står i beslutet"),
        ({"valid_from": ""}, "Skriv från vilken dag beslutet gäller"),
        ({"valid_from": "4 april"}, "Skriv datumet som år-månad-dag"),
        (
            {"valid_until": (TODAY - timedelta(days=20)).isoformat()},
            "Slutdagen kan inte vara före första dagen",
        ),
        ({"reference": ""}, "Skriv beslutets diarienummer eller annan beteckning"),
        ({"reference": "x" * 61}, "Skriv högst 60 tecken"),
    ],
)
def test_each_missing_or_wrong_answer_gets_a_clear_message(client, karl, changes, message):
    client.sign_in_as(karl["kent"])
    response = _post(client, _url(karl["case"]), _decision(karl, **changes))
    assert response.status_code == 422
    text = _text(response.get_data(as_text=True))
    assert "Det finns ett problem" in text and message in text
    assert (
        db.session.scalars(select(Relationship).where(Relationship.kind == RelationKind.REPRESENTATIVE)).all()
        == []
    )


def test_the_person_cannot_be_their_own_representative(client, karl):
    client.sign_in_as(karl["kent"])
    own = people.identity_number_of(karl["karl"])
    response = _post(client, _url(karl["case"]), _decision(karl, identity_number=own))
    assert response.status_code == 422
    assert "Personen kan inte vara sin egen ställföreträdare" in _text(response.get_data(as_text=True))


def test_staff_who_do_not_coordinate_the_sip_cannot_register_one(client, karl):
    other = factories.staff(factories.unit("Annan enhet"), StaffRole.COORDINATOR, "Annan Samordnare")
    db.session.commit()
    client.sign_in_as(other)
    assert client.get(_url(karl["case"])).status_code == 404


def test_a_childs_sip_has_guardians_from_the_register_not_representatives_from_staff(client, karl):
    kid = factories.child("Elsa")
    sip = factories.case(kid, None, coordinator=karl["kent"], step=Step.CONSENT)
    db.session.commit()
    client.sign_in_as(karl["kent"])
    assert client.get(_url(sip)).status_code == 404


def test_the_staff_page_lists_the_registered_representatives(client, karl):
    client.sign_in_as(karl["kent"])
    _post(client, _url(karl["case"]), _decision(karl))
    text = _text(client.get(_url(karl["case"])).get_data(as_text=True))
    assert "Inskrivna ställföreträdare" in text and "Lena Ek" in text and "ÖF 2026-1234" in text


# --- A decision that has ended ----------------------------------------------------------------------------


def _lena(karl) -> Relationship:
    """Lena Ek, Karl's god man (sörja för person), registered by Kent from the decision."""
    _post(_signed_in(karl), _url(karl["case"]), _decision(karl))
    return db.session.scalars(
        select(Relationship).where(Relationship.kind == RelationKind.REPRESENTATIVE)
    ).one()


def _signed_in(karl):
    client = karl["client"]
    client.sign_in_as(karl["kent"])
    return client


@pytest.fixture
def karl_with_client(client, karl):
    return {**karl, "client": client}


def _end_url(case, rel) -> str:
    return f"{_url(case)}/{rel.id}/upphor"


def test_the_coordinator_writes_down_that_a_god_mans_decision_has_ended(karl_with_client):
    karl = karl_with_client
    rel = _lena(karl)
    client = _signed_in(karl)
    lena = rel.holder
    assert access.can(lena, Action.VIEW_CASE, karl["case"])
    page = _text(client.get(_url(karl["case"])).get_data(as_text=True))
    assert "Beslutet har upphört – Lena Ek" in page

    form = client.get(_end_url(karl["case"], rel))
    assert form.status_code == 200
    assert "Sista dagen som beslutet gäller" in _text(form.get_data(as_text=True))
    yesterday = TODAY - timedelta(days=1)
    response = _post(client, _end_url(karl["case"], rel), {"last_day": yesterday.isoformat()})
    assert response.status_code == 303 and response.headers["Location"].endswith(_url(karl["case"]))

    db.session.expire_all()
    assert db.session.get(Relationship, rel.id).valid_until == yesterday
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "representation.ended")).one()
    assert entry.actor_staff_id == karl["kent"].id and entry.case_id == karl["case"].id
    assert karl["lena_number"] not in str(entry.detail)
    # From the day after the last day, Lena no longer acts for Karl, and Karl no longer sees her.
    access.forget_roles()
    assert not access.can(db.session.get(Relationship, rel.id).holder, Action.VIEW_CASE, karl["case"])
    client.sign_in_as(karl["karl"])
    assert "Lena Ek" not in _text(client.get(f"/sip/{karl['case'].public_id}").get_data(as_text=True))
    # The staff page keeps her, as ended, with no link to end her again.
    client.sign_in_as(karl["kent"])
    page = _text(client.get(_url(karl["case"])).get_data(as_text=True))
    assert "Lena Ek" in page and "Beslutet gäller inte längre." in page and "Beslutet har upphört" not in page
    assert client.get(_end_url(karl["case"], rel)).status_code == 404


def test_a_decision_that_ends_later_keeps_the_representative_until_its_last_day(karl_with_client):
    karl = karl_with_client
    rel = _lena(karl)
    client = _signed_in(karl)
    last = TODAY + timedelta(days=14)
    assert _post(client, _end_url(karl["case"], rel), {"last_day": last.isoformat()}).status_code == 303
    db.session.expire_all()
    lena = db.session.get(Relationship, rel.id)
    assert (
        lena.valid_until == last and lena.is_valid_on(last) and not lena.is_valid_on(last + timedelta(days=1))
    )
    access.forget_roles()
    assert access.can(lena.holder, Action.VIEW_CASE, karl["case"])


@pytest.mark.parametrize(
    ("last_day", "message"),
    [
        ("", "Skriv den sista dagen som beslutet gäller"),
        ("31/12", "Skriv datumet som år-månad-dag"),
        ((TODAY - timedelta(days=11)).isoformat(), "Den sista dagen kan inte vara före första dagen"),
    ],
)
def test_a_wrong_last_day_gets_a_clear_message_and_changes_nothing(karl_with_client, last_day, message):
    karl = karl_with_client
    rel = _lena(karl)
    client = _signed_in(karl)
    response = _post(client, _end_url(karl["case"], rel), {"last_day": last_day})
    assert response.status_code == 422
    text = _text(response.get_data(as_text=True))
    assert "Det finns ett problem" in text and message in text
    db.session.expire_all()
    assert db.session.get(Relationship, rel.id).valid_until is None
    assert (
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "representation.ended")).all() == []
    )


def test_a_last_day_after_the_one_the_decision_already_has_is_refused(karl_with_client):
    karl = karl_with_client
    client = _signed_in(karl)
    _post(client, _url(karl["case"]), _decision(karl, valid_until=(TODAY + timedelta(days=30)).isoformat()))
    rel = db.session.scalars(
        select(Relationship).where(Relationship.kind == RelationKind.REPRESENTATIVE)
    ).one()
    response = _post(
        client, _end_url(karl["case"], rel), {"last_day": (TODAY + timedelta(days=60)).isoformat()}
    )
    assert response.status_code == 422
    assert "Beslutet gäller redan bara till och med ett tidigare datum" in _text(
        response.get_data(as_text=True)
    )


def test_another_persons_representative_cannot_be_ended_through_this_sip(karl_with_client):
    karl = karl_with_client
    other = factories.person("Greta Holm", age=80)
    factories.representative_of(other, name="Greta Godman")
    db.session.commit()
    theirs = db.session.scalars(
        select(Relationship).where(
            Relationship.subject_id == other.id, Relationship.kind == RelationKind.REPRESENTATIVE
        )
    ).one()
    client = _signed_in(karl)
    assert client.get(_end_url(karl["case"], theirs)).status_code == 404
    assert _post(client, _end_url(karl["case"], theirs), {"last_day": TODAY.isoformat()}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Relationship, theirs.id).valid_until is None


def test_staff_who_do_not_coordinate_the_sip_cannot_end_a_representative(karl_with_client):
    karl = karl_with_client
    rel = _lena(karl)
    other = factories.staff(factories.unit("Annan enhet"), StaffRole.COORDINATOR, "Annan Samordnare")
    db.session.commit()
    client = karl["client"]
    client.sign_in_as(other)
    assert client.get(_end_url(karl["case"], rel)).status_code == 404
    assert _post(client, _end_url(karl["case"], rel), {"last_day": TODAY.isoformat()}).status_code == 404


def test_the_representative_is_told_when_their_decision_ends(karl_with_client):
    karl = karl_with_client
    rel = _lena(karl)
    client = _signed_in(karl)
    yesterday, later = TODAY - timedelta(days=1), TODAY + timedelta(days=14)
    assert _post(client, _end_url(karl["case"], rel), {"last_day": later.isoformat()}).status_code == 303
    assert _post(client, _end_url(karl["case"], rel), {"last_day": yesterday.isoformat()}).status_code == 303

    lena = db.session.get(Relationship, rel.id).holder
    client.sign_in_as(lena)
    page = client.get("/meddelanden").get_data(as_text=True)
    text = _text(page)
    assert "ditt uppdrag som ställföreträdare för Karl slutar" in text  # first: a day still to come
    assert (
        "ditt uppdrag som ställföreträdare för Karl slutade" in text and "Du ser inte SIP:en längre." in text
    )
    assert karl["case"].public_id not in page  # no link to the SIP


def test_a_double_click_on_save_tells_the_representative_once(karl_with_client):
    karl = karl_with_client
    rel = _lena(karl)
    client = _signed_in(karl)
    later = (TODAY + timedelta(days=14)).isoformat()
    assert _post(client, _end_url(karl["case"], rel), {"last_day": later}).status_code == 303
    assert _post(client, _end_url(karl["case"], rel), {"last_day": later}).status_code == 303
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.REPRESENTATION_ENDED)
    ).all()
    assert len(told) == 1
