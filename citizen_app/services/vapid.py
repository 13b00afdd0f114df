"""VAPID keys for Web Push: making a key pair, and the public key browsers need to subscribe."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_key_pair() -> tuple[str, str]:
    """(private, public): the private key as 32 raw bytes in base64url (what pywebpush accepts), the public
    key as the uncompressed P-256 point in base64url (the browser's ``applicationServerKey``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _b64url(private), _b64url(public)


def public_key_of(private: str) -> str:
    padded = private + "=" * (-len(private) % 4)
    value = int.from_bytes(base64.urlsafe_b64decode(padded), "big")
    key = ec.derive_private_key(value, ec.SECP256R1())
    return _b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
