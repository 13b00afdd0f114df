"""Staff and administrators sign in through the staff e-ID (OpenID Connect) [issue 18], against a real OpenID
provider running in the tests (oidc-provider-mock, as tests/web/test_sign_in_oidc.py): a staff member added
by HSA-id alone is found by the broker's HSA-id claim at the first sign-in, which links their identity number;
an administrator finds "Administration"; a deactivated staff member is refused with a clear message."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import StaffUser
from citizen_app.models.base import utcnow
from citizen_app.services import demo, identity, people

IDENTITY_CLAIM = "personal_identity_number"
HSA_CLAIM = "hsa_id"
ALVA = demo.test_identity_number(date(1982, 4, 3), 984)  # imported by HSA-id, never signed in
BO = demo.test_identity_number(date(1979, 7, 21), 985)  # someone else, who claims Alva's HSA-id
ANNA = demo.test_identity_number(date(1971, 10, 12), 981)  # the administrator

USERS = [
    User(sub="alva", claims={IDENTITY_CLAIM: ALVA, "name": "Alva Andersson", HSA_CLAIM: "SE2321000032-2001"}),
    User(sub="bo", claims={IDENTITY_CLAIM: BO, "name": "Bo Berg", HSA_CLAIM: "SE2321000032-2001"}),
    User(sub="alva-without-hsa", claims={IDENTITY_CLAIM: ALVA, "name": "Alva Andersson"}),
    User(sub="anna", claims={IDENTITY_CLAIM: ANNA, "name": "Anna Ek", HSA_CLAIM: "SE2321000032-2000"}),
]


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(require_nonce=True, user_claims=USERS) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def e_id(app, provider):
    app.config.update(
        STAFF_OIDC_ISSUER=provider,
        STAFF_OIDC_CLIENT_ID="min-sip-personal",
        STAFF_OIDC_CLIENT_SECRET="min-sip-personal-secret",
        OIDC_IDENTITY_CLAIM=IDENTITY_CLAIM,
        OIDC_NAME_CLAIM="name",
        STAFF_OIDC_HSA_CLAIM=HSA_CLAIM,
    )
    return provider


def _sign_in(client, sub: str):
    response = client.get("/logga-in/e-legitimation/personal")
    assert response.status_code == 302, response.get_data(as_text=True)
    back = requests.post(response.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    return client.get(back.headers["Location"])


@pytest.fixture
def alva(app):
    """Imported from the county's catalogue: an HSA-id, no identity number yet."""
    member = StaffUser(display_name="Alva Andersson", hsa_id="SE2321000032-2001")
    db.session.add(member)
    db.session.commit()
    return member


def test_the_first_sign_in_with_an_hsa_id_claim_links_the_imported_staff_member(client, e_id, alva):
    response = _sign_in(client, "alva")
    assert response.status_code == 303
    assert response.headers["Location"] == "/personal/"
    db.session.expire_all()
    assert alva.identity_hash == identity.identity_hash(ALVA)
    assert "<strong>Alva Andersson</strong>" in client.get("/personal/").get_data(as_text=True)


def test_after_the_first_sign_in_the_identity_number_alone_finds_them(app, client, e_id, alva):
    _sign_in(client, "alva")
    other_browser = app.test_client()
    assert _sign_in(other_browser, "alva-without-hsa").status_code == 303


def test_without_an_hsa_id_claim_nobody_is_linked(client, e_id, alva):
    response = _sign_in(client, "alva-without-hsa")
    assert response.status_code == 403
    assert "Du finns inte som personal i Min SIP" in response.get_data(as_text=True)
    db.session.expire_all()
    assert alva.identity_hash is None


def test_an_hsa_id_already_linked_to_someone_else_does_not_let_another_person_in(app, client, e_id, alva):
    _sign_in(client, "alva")
    response = _sign_in(app.test_client(), "bo")
    assert response.status_code == 403
    assert (
        db.session.scalar(select(StaffUser).where(StaffUser.identity_hash == identity.identity_hash(BO)))
        is None
    )


def test_an_administrator_signs_in_on_the_staff_sign_in_and_finds_administration(client, e_id):
    people.create_staff(ANNA, "Anna Ek", hsa_id="SE2321000032-2000", is_admin=True)
    db.session.commit()
    assert _sign_in(client, "anna").status_code == 303
    start = client.get("/personal/").get_data(as_text=True)
    assert 'href="/admin/"' in start
    assert client.get("/admin/").status_code == 200


def test_a_deactivated_staff_member_is_refused_with_a_clear_message(client, e_id, alva):
    alva.deactivated_at = utcnow()
    db.session.commit()
    response = _sign_in(client, "alva")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Ditt konto i Min SIP är avstängt" in html
    assert client.get("/personal/").status_code == 303  # not signed in
    db.session.expire_all()
    assert alva.identity_hash is None  # nothing is linked to a deactivated account
