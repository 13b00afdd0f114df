""" "Aviseringar" on the web [issue 8] [QUALITY 6]: the person turns on pushes per device (the browser's
subscription arrives as JSON with the CSRF token in a header), chooses which kinds, and turns devices off.
Staff never get pushes; what a client sends can be refused, but never gives a server error."""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bs4 import BeautifulSoup
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import NotificationKind, OutboxStatus, PushOutbox, PushSubscription, StaffRole, Step
from citizen_app.plain_language import main_text_blocks, measure
from citizen_app.services import notifications, push
from tests.support import factories

PAGE = "/aviseringar"
ADD = "/aviseringar/enheter"
REMOVE = "/aviseringar/enheter/ta-bort"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _browser_keys() -> dict:
    """What PushSubscription.toJSON() holds under "keys": a P-256 public key and a 16-byte auth secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    return {
        "p256dh": _b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
        "auth": _b64url(os.urandom(16)),
    }


def _subscription(name: str = "phone", endpoint: str | None = None, device: str = "Android") -> dict:
    return {
        "endpoint": endpoint or f"https://push.example.test/send/{name}",
        "keys": _browser_keys(),
        "device": device,
    }


@pytest.fixture
def anna(app):
    person = factories.person("Anna Lind")
    db.session.commit()
    return person


@pytest.fixture
def signed_in(client, anna):
    client.sign_in_as(anna)
    return client


def _token(client) -> str:
    return client.csrf_token("/om-min-sip")


def _post_json(client, url: str, body, token: str | None = None):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers = {"X-CSRFToken": token or _token(client), "Accept": "application/json"}
    return client.post(url, data=data, content_type="application/json", headers=headers)


def _devices() -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).order_by(PushSubscription.id)))


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


# ---- the page --------------------------------------------------------------------------------------------


def test_the_page_explains_in_plain_swedish_and_carries_the_key_for_the_browser(app, signed_in):
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 35, f"LIX {readability.lix:.1f} ({readability})"
    page = _soup(response)
    text = " ".join(page.get_text(" ").split())
    assert "Du har ett nytt meddelande i Min SIP." in text
    assert "aldrig något om din hälsa" in text
    assert "iPhone" in text and page.find("a", href="/installera")
    root = page.find(attrs={"data-push": True})
    assert root["data-vapid-key"] == app.config["VAPID_PUBLIC_KEY"] != ""
    assert root["data-subscribe-url"] == ADD and root["data-unsubscribe-url"] == REMOVE
    # Without JavaScript the buttons stay hidden and the text says this browser cannot get notifications.
    assert page.find(attrs={"data-push-controls": True}).has_attr("hidden")
    assert "Den här webbläsaren kan inte få aviseringar." in text
    on = page.find("button", attrs={"data-push-on": True})
    assert on.get_text(strip=True) == "Slå på aviseringar på den här enheten" and on["type"] == "button"
    (script,) = [s for s in page.find_all("script") if "push" in s.get("src", "")]
    assert script["src"].startswith("/static/js/push.") and script.get("nonce")
    # Every kind is on until the person chooses.
    assert sorted(box["value"] for box in page.select("input[name=kinds][checked]")) == sorted(push.KINDS)
    assert "Du har inte slagit på aviseringar på någon enhet än." in text


def test_the_page_with_devices_is_plain_swedish_too(signed_in):
    _post_json(signed_in, ADD, _subscription("phone"))
    _post_json(signed_in, ADD, _subscription("laptop", device="Dator"))
    response = signed_in.get(PAGE)
    readability = measure(main_text_blocks(response.get_data(as_text=True)))
    assert readability.lix <= 35, f"LIX {readability.lix:.1f} ({readability})"
    names = [p.get_text(strip=True) for p in _soup(response).select(".push-devices__name")]
    assert names == ["Android", "Dator"]


def test_the_messages_page_leads_a_citizen_to_the_settings(signed_in):
    page = _soup(signed_in.get("/meddelanden"))
    assert page.find("a", href=PAGE)


def test_staff_get_no_push_settings(client, app):
    unit = factories.unit("Socialtjänsten")
    worker = factories.staff(unit, StaffRole.COORDINATOR, name="Kent")
    db.session.commit()
    client.sign_in_as(worker)
    assert client.get(PAGE).status_code == 403
    assert _post_json(client, ADD, _subscription()).status_code == 403
    assert _devices() == []
    assert not _soup(client.get("/meddelanden")).find("a", href=PAGE)


def test_signed_out_goes_to_sign_in(client, app):
    response = client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/logga-in")


# ---- devices ---------------------------------------------------------------------------------------------


def test_subscribing_through_the_api_adds_this_device(signed_in, anna):
    sent = _subscription("phone")
    response = _post_json(signed_in, ADD, sent)
    assert response.status_code == 201 and response.is_json
    (device,) = _devices()
    assert response.get_json() == {"device": device.public_id}
    assert device.person_id == anna.id and device.endpoint == sent["endpoint"]
    assert (device.p256dh, device.auth, device.device_label) == (
        sent["keys"]["p256dh"],
        sent["keys"]["auth"],
        "Android",
    )
    # push.js reloads the page: it now says so and lists the device.
    page = signed_in.get(PAGE)
    text = " ".join(_soup(page).get_text(" ").split())
    assert "Nu får du aviseringar på den här enheten." in text
    assert "Inget skickat än." in text


def test_a_person_can_have_several_devices(signed_in, anna):
    for name, label in (("phone", "Android"), ("tablet", "iPad")):
        assert _post_json(signed_in, ADD, _subscription(name, device=label)).status_code == 201
    assert [d.device_label for d in push.devices_of(anna)] == ["Android", "iPad"]
    assert len(_soup(signed_in.get(PAGE)).select(".push-devices__item")) == 2


def test_an_unknown_device_name_is_not_stored(signed_in):
    _post_json(signed_in, ADD, _subscription(device="<script>alert(1)</script>"))
    (device,) = _devices()
    assert device.device_label == ""
    assert "En enhet" in _soup(signed_in.get(PAGE)).select_one(".push-devices__name").get_text()


def test_turning_off_a_device_in_the_list(signed_in, anna):
    _post_json(signed_in, ADD, _subscription("phone"))
    _post_json(signed_in, ADD, _subscription("tablet", device="iPad"))
    page = _soup(signed_in.get(PAGE))
    first = page.select(".push-devices__item form")[0]
    response = signed_in.post(
        first["action"],
        data={
            "csrf_token": first.find("input", attrs={"name": "csrf_token"})["value"],
            "device": first.find("input", attrs={"name": "device"})["value"],
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert [d.device_label for d in push.devices_of(anna)] == ["iPad"]
    assert "Aviseringar är avstängda på den enheten." in signed_in.get(PAGE).get_data(as_text=True)


def test_turning_off_this_device_from_the_script(signed_in, anna):
    sent = _subscription("phone")
    _post_json(signed_in, ADD, sent)
    response = _post_json(signed_in, REMOVE, {"endpoint": sent["endpoint"]})
    assert response.status_code == 200 and response.get_json() == {"removed": True}
    assert push.devices_of(anna) == []
    again = _post_json(signed_in, REMOVE, {"endpoint": sent["endpoint"]})
    assert again.status_code == 404 and again.is_json  # push.js then just unsubscribes the browser


def test_another_persons_device_is_not_found(client, anna):
    other = factories.person("Bo Ek")
    db.session.commit()
    client.sign_in_as(other)
    sent = _subscription("bo")
    _post_json(client, ADD, sent)
    (bos_device,) = _devices()
    client.sign_in_as(anna)
    token = _token(client)
    response = client.post(REMOVE, data={"csrf_token": token, "device": bos_device.public_id})
    assert response.status_code == 404
    assert _post_json(client, REMOVE, {"endpoint": sent["endpoint"]}, token).status_code == 404
    assert [d.public_id for d in _devices()] == [bos_device.public_id]


# ---- kinds -----------------------------------------------------------------------------------------------


def test_choosing_kinds_works_without_javascript(signed_in, anna):
    token = _token(signed_in)
    response = signed_in.post("/aviseringar/val", data={"csrf_token": token, "kinds": ["plan", "meeting"]})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert push.chosen_kinds(anna) == ("meeting", "plan")
    page = signed_in.get(PAGE)
    assert "Dina val är sparade." in page.get_data(as_text=True)
    assert sorted(box["value"] for box in _soup(page).select("input[name=kinds][checked]")) == [
        "meeting",
        "plan",
    ]
    signed_in.post("/aviseringar/val", data={"csrf_token": token, "kinds": ["nonsense"]})
    assert push.chosen_kinds(anna) == ()  # nothing ticked: no pushes at all
    signed_in.post("/aviseringar/val", data={"csrf_token": token})
    assert push.chosen_kinds(anna) == ()


# ---- what a client may send ------------------------------------------------------------------------------


def test_a_subscription_needs_the_csrf_token_in_the_header(signed_in):
    response = signed_in.post(
        ADD,
        data=json.dumps(_subscription()),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and response.is_json
    assert _devices() == []


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        b"\xff\xfe\x00",
        "[]",
        '"endpoint"',
        "null",
        "{}",
        '{"endpoint": "https://push.example.test/x"}',
        '{"endpoint": 1, "keys": {"p256dh": "a", "auth": "b"}}',
        '{"endpoint": "https://push.example.test/x", "keys": ["a", "b"]}',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_a_body_that_is_not_a_subscription_is_a_bad_request(signed_in, body):
    response = _post_json(signed_in, ADD, body)
    assert response.status_code in (400, 413) and response.is_json, response.status_code
    assert _devices() == []


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "http://push.example.test/x"},  # push services speak https
        {"endpoint": "https://push.example.test/" + "x" * 1000},
        {"endpoint": "https://push.example.test/a b"},
        {"endpoint": "https://push.example.test/\x00"},
        {"endpoint": "javascript:alert(1)"},
        {"endpoint": ""},
        {"keys": {"p256dh": "not-a-key", "auth": _b64url(os.urandom(16))}},
        {"keys": {"p256dh": _browser_keys()["p256dh"], "auth": _b64url(os.urandom(15))}},
        {"keys": {"p256dh": _browser_keys()["p256dh"], "auth": "***"}},
    ],
)
def test_a_subscription_the_browser_could_not_have_made_is_refused(signed_in, change):
    body = {**_subscription(), **change}
    response = _post_json(signed_in, ADD, body)
    assert response.status_code == 422 and response.is_json
    assert response.get_json()["error"] == "Aviseringar kunde inte slås på i den här webbläsaren."
    assert _devices() == []


def test_a_huge_body_is_refused_before_it_is_read(signed_in):
    body = {**_subscription(), "padding": "x" * 300_000}
    response = _post_json(signed_in, ADD, body)
    assert response.status_code == 413 and response.is_json
    assert _devices() == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
SUBSCRIPTION_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "endpoint": st.one_of(st.text(max_size=80), st.just("https://push.example.test/x"), JSON_VALUES),
        "keys": st.one_of(
            JSON_VALUES,
            st.fixed_dictionaries({}, optional={"p256dh": JSON_VALUES, "auth": JSON_VALUES}),
        ),
        "device": JSON_VALUES,
    },
)


def test_any_json_never_gives_a_server_error(signed_in):
    token = _token(signed_in)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=st.one_of(SUBSCRIPTION_LIKE, JSON_VALUES))
    def post(body):
        response = _post_json(signed_in, ADD, body, token)
        assert response.status_code in (400, 422), (response.status_code, body)
        assert response.is_json
        removal = _post_json(signed_in, REMOVE, body, token)
        assert removal.status_code in (400, 404), (removal.status_code, body)

    post()
    assert _devices() == []


def test_any_bytes_never_give_a_server_error(signed_in):
    token = _token(signed_in)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=st.binary(max_size=300))
    def post(body):
        response = _post_json(signed_in, ADD, body, token)
        assert response.status_code in (400, 422), (response.status_code, body)

    post()
    assert _devices() == []


# ---- a message after subscribing -------------------------------------------------------------------------


class _PushService:
    """A push service on 127.0.0.1 that takes every push (tests/unit/test_web_push.py checks the contents)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.paths.append(self.path)
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_after_subscribing_a_new_message_is_pushed_to_the_device(app, signed_in, anna):
    app.config["PUSH_ALLOW_HTTP_ENDPOINTS"] = True
    service = _PushService()
    try:
        unit = factories.unit("Socialtjänsten")
        case = factories.case(
            anna, unit, coordinator=factories.staff(unit, StaffRole.COORDINATOR), step=Step.CONSENT
        )
        db.session.commit()
        assert _post_json(signed_in, ADD, _subscription(endpoint=service.endpoint("anna"))).status_code == 201
        (device,) = _devices()
        notifications.notify(anna, NotificationKind.PLAN_READY, case)
        db.session.commit()  # jobs run "sync" in tests: the push goes out right after the commit
        (row,) = db.session.scalars(select(PushOutbox)).all()
        assert row.subscription_id == device.id and row.status == OutboxStatus.SENT
        assert service.paths == ["/push/anna"]
        assert json.loads(row.payload)["body"] == "Du har ett nytt meddelande i Min SIP."
    finally:
        service.close()
