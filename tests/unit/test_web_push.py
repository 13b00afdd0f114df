"""Web Push end to end, offline [issue 8] [QUALITY 6].

A local HTTP server plays the push service. The app subscribes a browser-like key pair (P-256 + a 16-byte auth
secret), an event in the app sends a push after the commit, and the test decrypts the body (aes128gcm), checks
the VAPID signature against the app's public key, and that the plaintext holds no health data. Then: 404/410
removes the subscription, other failures are retried with back-off, and a failing push never fails the
change that caused it.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.models import NotificationKind, OutboxStatus, PushOutbox, PushSubscription, StaffRole, Step
from citizen_app.services import consent, notifications, push
from tests.support import factories


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A push service on 127.0.0.1 that records what it receives and answers with a chosen status."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service(app):
    app.config["PUSH_ALLOW_HTTP_ENDPOINTS"] = True
    service = PushService()
    yield service
    service.close()


class Browser:
    """What a browser keeps for a push subscription: its own key pair and the auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = _b64url(
            self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        )

    def decrypt(self, body: bytes) -> dict:
        return json.loads(
            http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm").decode()
        )


def _verify_vapid(headers: dict, audience: str, public_key: str) -> dict:
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert fields["k"] == public_key  # the app's application server key
    header, claims, signature = fields["t"].split(".")
    raw = _unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64url(public_key))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    decoded = json.loads(_unb64url(claims))
    assert decoded["aud"] == audience and decoded["sub"].startswith("mailto:")
    return decoded


def _person_with_case():
    social = factories.unit("Psykiatrin Centrum")
    coordinator = factories.staff(social, StaffRole.COORDINATOR, name="Samordnare")
    person = factories.person("Anna Lind")
    case = factories.case(person, social, coordinator=coordinator, step=Step.CONSENT)
    case.need_description = "Anna har depression och behöver hjälp med medicinen."
    return person, case, social


def test_a_push_is_encrypted_signed_and_says_nothing_about_health(app, push_service):
    person, case, social = _person_with_case()
    browser = Browser()
    push.subscribe(person, push_service.endpoint("anna"), browser.p256dh, _b64url(browser.auth), "Android")
    db.session.commit()
    consent.give(person, case, [social.public_id], ["health"], date.today() + timedelta(days=200))
    db.session.commit()  # the push goes out after the commit (jobs run "sync" in tests)
    (sent,) = push_service.received
    assert sent["headers"]["content-encoding"] == "aes128gcm"
    claims = _verify_vapid(
        sent["headers"],
        f"http://127.0.0.1:{push_service.server.server_address[1]}",
        app.config["VAPID_PUBLIC_KEY"],
    )
    assert claims["exp"] > 0
    plain = browser.decrypt(sent["body"])
    message = notifications.list_for(person)[0]
    assert plain == {
        "title": "Min SIP",
        "body": "Du har ett nytt meddelande i Min SIP.",
        "id": message.public_id,
    }
    text = json.dumps(plain, ensure_ascii=False).lower()
    for secret in ("depression", "medicin", "psykiatri", "anna", "samtycke", case.public_id.lower()):
        assert secret not in text


def test_every_device_of_the_person_gets_it_and_only_the_kinds_they_chose(app, push_service):
    person, case, _ = _person_with_case()
    phone, tablet = Browser(), Browser()
    push.subscribe(person, push_service.endpoint("phone"), phone.p256dh, _b64url(phone.auth))
    push.subscribe(person, push_service.endpoint("tablet"), tablet.p256dh, _b64url(tablet.auth))
    db.session.commit()
    notifications.notify(person, NotificationKind.REQUEST_ACCEPTED, case, data={"coordinator": "Rita"})
    db.session.commit()
    assert sorted(r["path"] for r in push_service.received) == ["/push/phone", "/push/tablet"]
    push.choose_kinds(person, ["plan"])
    notifications.notify(person, NotificationKind.REQUEST_ACCEPTED, case, data={"coordinator": "Rita"})
    db.session.commit()
    assert len(push_service.received) == 2  # a "message" kind is now off
    notifications.notify(person, NotificationKind.PLAN_READY, case)
    db.session.commit()
    assert len(push_service.received) == 4


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_removed(app, push_service, status):
    person, case, _ = _person_with_case()
    browser = Browser()
    push.subscribe(person, push_service.endpoint("old"), browser.p256dh, _b64url(browser.auth))
    db.session.commit()
    push_service.status = status
    notifications.notify(person, NotificationKind.PLAN_READY, case)
    db.session.commit()
    assert db.session.scalars(select(PushSubscription)).all() == []
    assert db.session.scalars(select(PushOutbox.status)).all() == [OutboxStatus.GONE]


def test_other_failures_are_retried_with_back_off_and_never_fail_the_change(app, push_service):
    person, case, _ = _person_with_case()
    browser = Browser()
    push.subscribe(person, push_service.endpoint("busy"), browser.p256dh, _b64url(browser.auth))
    db.session.commit()
    push_service.status = 503
    notifications.notify(person, NotificationKind.PLAN_READY, case)
    db.session.commit()  # did not raise: the message is saved although the push failed
    assert notifications.unread_count(person) == 1
    (row,) = db.session.scalars(select(PushOutbox)).all()
    db.session.refresh(row)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error.startswith("503")
    assert row.next_attempt_at > row.created_at
    assert push.run_due() == 0  # not due yet
    push_service.status = 201
    assert push.run_due(now=row.next_attempt_at) == 1
    db.session.commit()
    db.session.refresh(row)
    assert row.status == OutboxStatus.SENT and len(push_service.received) == 2


def test_a_push_service_that_is_down_gives_up_after_the_last_retry(app):
    app.config["PUSH_ALLOW_HTTP_ENDPOINTS"] = True
    person, case, _ = _person_with_case()
    browser = Browser()
    push.subscribe(person, "http://127.0.0.1:9/nobody-listens", browser.p256dh, _b64url(browser.auth))
    db.session.commit()
    notifications.notify(person, NotificationKind.PLAN_READY, case)
    db.session.commit()
    (row,) = db.session.scalars(select(PushOutbox)).all()
    for _ in push.BACKOFF_SECONDS:
        db.session.refresh(row)
        push.run_due(now=row.next_attempt_at)
        db.session.commit()
    db.session.refresh(row)
    assert row.status == OutboxStatus.FAILED and row.attempts == len(push.BACKOFF_SECONDS) + 1


def test_a_subscription_must_be_https_in_production_settings(app):
    person, _, _ = _person_with_case()
    with pytest.raises(push.InvalidSubscription):
        push.subscribe(person, "http://push.example/x", "k", "a")
