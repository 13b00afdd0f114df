"""What push.subscribe accepts [issue 8]: only what a browser's PushSubscription can be — an https address
of a push service, a P-256 public key and a 16-byte auth secret. Anything else fails later, in the job."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from citizen_app.services import push
from tests.support import factories

ENDPOINT = "https://push.example.test/send/abc"


def _b64url(data: bytes, padded: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if padded else text.rstrip("=")


def _public_key() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def test_a_browsers_subscription_is_accepted_with_or_without_padding(app):
    person = factories.person("Anna")
    first = push.subscribe(person, ENDPOINT, _b64url(_public_key()), _b64url(os.urandom(16)), "Android")
    second = push.subscribe(
        person, ENDPOINT + "2", _b64url(_public_key(), padded=True), _b64url(os.urandom(16), padded=True)
    )
    assert [d.public_id for d in push.devices_of(person)] == [first.public_id, second.public_id]


@pytest.mark.parametrize(
    ("endpoint", "p256dh", "auth"),
    [
        ("http://push.example.test/x", None, None),  # push services use https
        ("https:///no-host", None, None),
        ("ftp://push.example.test/x", None, None),
        ("https://push.example.test/a b", None, None),
        ("https://push.example.test/\x00", None, None),
        ("https://[::1", None, None),
        ("https://push.example.test/" + "x" * 1000, None, None),
        (ENDPOINT, "", None),
        (ENDPOINT, "not a key", None),
        (ENDPOINT, _b64url(b"\x02" + bytes(range(1, 65))), None),  # 65 bytes, but not an uncompressed point
        (ENDPOINT, _b64url(b"\x04" + bytes(range(1, 33))), None),  # a point is 65 bytes
        (ENDPOINT, None, _b64url(bytes(range(1, 16)))),  # fixed bytes: the same test ids in every process
        (ENDPOINT, None, "a+b/"),  # base64, not base64url
        (ENDPOINT, None, ""),
    ],
)
def test_anything_a_browser_could_not_have_made_is_refused(app, endpoint, p256dh, auth):
    person = factories.person("Anna")
    p256dh = _b64url(b"\x04" + os.urandom(64)) if p256dh is None else p256dh
    auth = _b64url(os.urandom(16)) if auth is None else auth
    with pytest.raises(push.InvalidSubscription):
        push.subscribe(person, endpoint, p256dh, auth)
    assert push.devices_of(person) == []


def test_a_local_push_service_is_allowed_only_when_configured(app):
    person = factories.person("Anna")
    app.config["PUSH_ALLOW_HTTP_ENDPOINTS"] = True
    device = push.subscribe(
        person, "http://127.0.0.1:8999/push", _b64url(_public_key()), _b64url(os.urandom(16))
    )
    assert push.devices_of(person) == [device]
