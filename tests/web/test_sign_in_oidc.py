"""Sign-in with e-ID (OpenID Connect), end to end against a real OpenID provider running in the tests.

The provider (the PyPI package oidc-provider-mock) is a real HTTP server on this machine. The app fetches its
discovery document and keys, sends the person to its authorize page, and exchanges the code for tokens over
HTTP; the tests play the person's browser: the Flask test client for our side, ``requests`` for the
provider's authorize page.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import func, select, text

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser
from citizen_app.services import demo, identity, people
from tests.support.clients import CheckingClient

IDENTITY_CLAIM = "personal_identity_number"
SARA = demo.test_identity_number(date(1984, 3, 12), 982)  # a citizen who has never used Min SIP
KIM = demo.test_identity_number(date(1979, 11, 2), 986)  # a coordinator who is in Min SIP's staff list
OLLE = demo.test_identity_number(date(1990, 6, 21), 991)  # works somewhere, but not in Min SIP's staff list


def _dashed(number: str) -> str:
    return number[:8] + "-" + number[8:]


USERS = [
    # The broker sends the number in the "YYYYMMDD-NNNN" form; the app stores the 12 digits.
    User(sub="sara", claims={IDENTITY_CLAIM: _dashed(SARA), "name": "Sara Ek"}),
    User(sub="kim", claims={IDENTITY_CLAIM: KIM, "name": "Kim Personal"}),
    User(sub="olle", claims={IDENTITY_CLAIM: OLLE, "name": "Olle Okänd"}),
    User(sub="no-number", claims={"name": "Utan Nummer"}),
    User(sub="bad-number", claims={IDENTITY_CLAIM: "19840312-9999", "name": "Fel Nummer"}),
]


@pytest.fixture(scope="module")
def provider():
    """A real OpenID provider that refuses authorization requests without a nonce."""
    with run_server_in_thread(require_nonce=True, user_claims=USERS) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def e_id(app, provider):
    """The app configured for the provider: one client for citizens, another for staff."""
    app.config.update(
        OIDC_ISSUER=provider,
        OIDC_CLIENT_ID="min-sip",
        OIDC_CLIENT_SECRET="min-sip-secret",
        STAFF_OIDC_ISSUER=provider,
        STAFF_OIDC_CLIENT_ID="min-sip-personal",
        STAFF_OIDC_CLIENT_SECRET="min-sip-personal-secret",
        OIDC_IDENTITY_CLAIM=IDENTITY_CLAIM,
        OIDC_NAME_CLAIM="name",
    )
    return provider


def _go_to_provider(client, audience: str = "invanare", next_: str | None = None) -> str:
    """Press "Logga in med e-legitimation"; return the provider's authorize URL we were sent to."""
    path = f"/logga-in/e-legitimation/{audience}" + (f"?{urlencode({'next': next_})}" if next_ else "")
    response = client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _authenticate_at_provider(authorize_url: str, sub: str) -> str:
    """Sign in at the provider as ``sub``; return the URL it sends the browser back to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def _sign_in(client, sub: str, audience: str = "invanare", next_: str | None = None):
    back = _authenticate_at_provider(_go_to_provider(client, audience, next_), sub)
    return client.get(back)


def _signed_in_name(client) -> str | None:
    html = client.get("/om-min-sip").get_data(as_text=True)
    if "Logga ut" not in html:
        return None
    return html.split("<strong>", 1)[1].split("</strong>", 1)[0]


def _person_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_the_sign_in_page_offers_e_id_when_it_is_configured(client, e_id):
    html = client.get("/logga-in").get_data(as_text=True)
    assert 'href="/logga-in/e-legitimation/invanare"' in html
    staff_html = client.get("/personal/logga-in").get_data(as_text=True)
    assert 'href="/logga-in/e-legitimation/personal"' in staff_html


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(client, e_id):
    authorize_url = _go_to_provider(client)
    assert authorize_url.startswith(e_id + "/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["min-sip"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20
    assert len(query["nonce"][0]) >= 20
    assert "openid" in query["scope"][0].split()
    assert query["redirect_uri"] == ["http://localhost/logga-in/e-legitimation/invanare/klar"]


def test_a_citizens_first_visit_creates_the_person(client, e_id):
    assert _person_count() == 0
    response = _sign_in(client, "sara")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert _signed_in_name(client) == "Sara Ek"
    person = db.session.scalar(select(Person))
    assert person.display_name == "Sara Ek"
    assert person.birth_date == date(1984, 3, 12)
    assert person.identity_hash == identity.identity_hash(SARA)
    assert people.identity_number_of(person) == SARA


def test_the_identity_number_is_nowhere_in_clear_text_in_the_person_row(client, e_id):
    _sign_in(client, "sara")
    row = db.session.execute(text("SELECT * FROM person")).one()
    stored = " ".join(v.hex() + repr(v) if isinstance(v, bytes | memoryview) else str(v) for v in row)
    for form in (SARA, _dashed(SARA), SARA[2:], SARA[2:8] + "-" + SARA[8:]):
        assert form not in stored


def test_a_second_visit_finds_the_same_person(client, app, e_id):
    _sign_in(client, "sara")
    first = db.session.scalar(select(Person.public_id))

    other_device = app.test_client()
    response = _sign_in(other_device, "sara")

    assert response.status_code == 303
    assert _person_count() == 1
    assert db.session.scalar(select(Person.public_id)) == first
    assert _signed_in_name(other_device) == "Sara Ek"


def test_a_parent_on_their_first_e_id_visit_gets_their_child_from_the_population_register(client, app, e_id):
    """[issue 18] Sign-in asks the register (here the real register server in tests/support): the child and
    the guardianship with custody are made from its answer, never from what the person says."""
    from tests.support.register_server import RegisterServer

    child = (demo.test_identity_number(date(2015, 4, 4), 983), "Alva Ek", "2015-04-04")
    register = RegisterServer(token="register-token-for-tests")
    register.start()
    try:
        register.set_custodians(child, [(SARA, "Sara Ek", "1984-03-12")])
        app.config.update(REGISTER_URL=register.url, REGISTER_TOKEN="register-token-for-tests")
        assert _sign_in(client, "sara").status_code == 303
    finally:
        register.stop()
    alva = people.find_person_by_identity(child[0])
    assert alva is not None and alva.display_name == "Alva Ek"
    assert [(g.display_name, r.has_custody) for r, g in _guardians_of(alva)] == [("Sara Ek", True)]


def _guardians_of(child: Person):
    from citizen_app.models import Relationship

    return db.session.execute(
        select(Relationship, Person)
        .join(Person, Relationship.holder_id == Person.id)
        .where(Relationship.subject_id == child.id)
    ).all()


def test_known_staff_land_on_the_staff_start_page(client, e_id):
    people.create_staff(KIM, "Kim Personal")
    response = _sign_in(client, "kim", audience="personal")

    assert response.status_code == 303
    assert response.headers["Location"] == "/personal/"
    assert "<h1>Personal</h1>" in client.get("/personal/").get_data(as_text=True)
    assert _person_count() == 0  # staff sign-in never creates a citizen account


def test_staff_sign_in_uses_the_staff_client(client, e_id):
    query = parse_qs(urlsplit(_go_to_provider(client, "personal")).query)
    assert query["client_id"] == ["min-sip-personal"]


def test_unknown_staff_are_refused_and_not_created(client, e_id):
    people.create_staff(KIM, "Kim Personal")
    response = _sign_in(client, "olle", audience="personal")

    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Du finns inte som personal i Min SIP" in html
    assert 'href="/personal/logga-in"' in html  # a way back
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 1
    assert _person_count() == 0
    assert _signed_in_name(client) is None


def test_a_tampered_state_is_refused(client, e_id):
    back = _authenticate_at_provider(_go_to_provider(client), "sara")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    query["state"] = ["forged-" + query["state"][0]]
    response = client.get(urlunsplit(parts._replace(query=urlencode(query, doseq=True))))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Det gick inte att logga in" in html
    assert "Börja om från början" in html
    assert 'href="/logga-in"' in html
    assert _person_count() == 0
    assert _signed_in_name(client) is None


def test_a_return_in_another_browser_is_refused(client, app, e_id):
    """The state belongs to the session that started the sign-in: a link sent to someone else fails."""
    back = _authenticate_at_provider(_go_to_provider(client), "sara")
    response = app.test_client().get(back)
    assert response.status_code == 400
    assert _person_count() == 0


def test_the_return_link_cannot_be_used_twice(client, e_id):
    back = _authenticate_at_provider(_go_to_provider(client), "sara")
    assert client.get(back).status_code == 303
    client.post("/logga-ut", data={"csrf_token": client.csrf_token("/")})

    assert client.get(back).status_code == 400
    assert _signed_in_name(client) is None


def test_cancelling_at_the_provider_is_explained(client, e_id):
    authorize_url = _go_to_provider(client)
    denied = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10)
    assert "error=access_denied" in denied.headers["Location"]

    response = client.get(denied.headers["Location"])

    assert response.status_code == 400
    assert "Du avbröt inloggningen" in response.get_data(as_text=True)
    assert _signed_in_name(client) is None


def test_an_error_from_the_provider_is_refused(client, e_id):
    authorize_url = _go_to_provider(client)
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    response = client.get(
        "/logga-in/e-legitimation/invanare/klar?"
        + urlencode({"error": "server_error", "error_description": "BankID is down", "state": state})
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Det gick inte att logga in" in html
    assert "BankID is down" not in html
    assert _signed_in_name(client) is None


@pytest.mark.parametrize("sub", ["no-number", "bad-number"])
def test_a_missing_or_invalid_identity_number_is_refused(client, e_id, sub):
    response = _sign_in(client, sub)
    assert response.status_code == 400
    assert "Vi fick inte ditt personnummer" in response.get_data(as_text=True)
    assert _person_count() == 0
    assert _signed_in_name(client) is None


def test_the_person_comes_back_to_the_page_they_asked_for(client, e_id):
    sign_in_page = client.get("/logga-in?next=/ordlista").get_data(as_text=True)
    assert 'href="/logga-in/e-legitimation/invanare?next=/ordlista"' in sign_in_page

    response = _sign_in(client, "sara", next_="/ordlista")
    assert response.headers["Location"] == "/ordlista"


def test_a_next_address_on_another_site_is_ignored(client, e_id):
    response = _sign_in(client, "sara", next_="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_sign_in_starts_a_new_session(client, e_id):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _sign_in(client, "sara")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith("p:")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(client, app, e_id):
    app.config["OIDC_ISSUER"] = f"http://127.0.0.1:{_closed_port()}"
    response = client.get("/logga-in/e-legitimation/invanare")
    assert response.status_code == 503
    assert "Vi når inte e-legitimationen just nu" in response.get_data(as_text=True)


class _ImpostorDiscovery(BaseHTTPRequestHandler):
    """Serves a discovery document naming some other issuer than the one Min SIP is configured with."""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        body = json.dumps(
            {
                "issuer": "https://impostor.example",
                "authorization_endpoint": "https://impostor.example/authorize",
                "token_endpoint": "https://impostor.example/token",
                "jwks_uri": "https://impostor.example/jwks",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (keep the test output quiet)
        pass


def test_a_provider_naming_another_issuer_is_refused(client, app, e_id):
    """Discovery must name the issuer we trust [OpenID Connect Discovery 1.0, 4.3]."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ImpostorDiscovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        app.config["OIDC_ISSUER"] = f"http://127.0.0.1:{server.server_port}"
        response = client.get("/logga-in/e-legitimation/invanare")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert response.status_code == 400
    assert "impostor" not in response.headers.get("Location", "")
    assert "Det gick inte att logga in" in response.get_data(as_text=True)


def test_without_configuration_there_is_no_e_id_sign_in(client):
    assert client.get("/logga-in/e-legitimation/invanare").status_code == 404
    assert client.get("/logga-in/e-legitimation/personal/klar?code=x&state=y").status_code == 404
    assert "e-legitimation/invanare" not in client.get("/logga-in").get_data(as_text=True)


def test_an_unknown_audience_is_not_found(client, e_id):
    assert client.get("/logga-in/e-legitimation/admin").status_code == 404


# Rate limits on sign-in [QUALITY 4]: SIGN_IN_RATE_LIMIT, 10 per minute per client address by default.

TOO_MANY = "Du har försökt för många gånger"


def _attempts(client, count: int, attempt) -> list[int]:
    return [attempt(client).status_code for _ in range(count)]


def test_the_eleventh_e_id_start_in_a_minute_is_refused(client, app, e_id):
    statuses = _attempts(client, 10, lambda c: c.get("/logga-in/e-legitimation/invanare"))
    assert statuses == [302] * 10

    response = client.get("/logga-in/e-legitimation/invanare")
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    # Someone at another address is not affected.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert elsewhere.get("/logga-in/e-legitimation/invanare").status_code == 302


def test_the_eleventh_e_id_return_in_a_minute_is_refused(client, e_id):
    back = "/logga-in/e-legitimation/invanare/klar?code=guess&state=guess"
    assert _attempts(client, 10, lambda c: c.get(back)) == [400] * 10

    response = client.get(back)
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)


def test_the_eleventh_test_identity_attempt_in_a_minute_is_refused(client, demo_data):
    token = client.csrf_token("/logga-in/testidentitet")

    def guess(c):
        return c.post("/logga-in/testidentitet", data={"identity": "p:guess", "csrf_token": token})

    assert _attempts(client, 10, guess) == [422] * 10
    response = guess(client)
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    # Looking at the page is not an attempt.
    assert client.get("/logga-in/testidentitet").status_code == 200


def test_each_app_counts_from_zero(client, database_url, e_id):
    """The limiter is module-global but every app gets its own counters, so tests never share them."""
    back = "/logga-in/e-legitimation/invanare/klar"
    assert _attempts(client, 10, lambda c: c.get(back)) == [400] * 10
    fresh = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "localhost",
            "OIDC_ISSUER": e_id,
            "OIDC_CLIENT_ID": "min-sip",
        },
    )
    fresh.test_client_class = CheckingClient
    with fresh.app_context():
        assert fresh.test_client().get(back).status_code == 400
        db.engine.dispose()
