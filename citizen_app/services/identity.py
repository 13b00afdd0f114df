"""Personal identity numbers: validation, keyed hashing for look-up, and encryption at rest.

Why both: a keyed HMAC lets sign-in find the person by an exact match without storing the number, and the
Fernet copy lets an authorised process read it back. Without the two keys (from the environment) a database
dump shows neither the numbers nor anything that can be brute-forced offline.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet
from flask import current_app

_PNR = re.compile(r"^(\d{8})-?(\d{4})$")


class InvalidIdentityNumber(ValueError):
    pass


def normalise(raw: str) -> str:
    """Return the 12-digit form YYYYMMDDNNNN, or raise InvalidIdentityNumber (Luhn-checked)."""
    match = _PNR.match(raw.strip())
    if not match:
        raise InvalidIdentityNumber(raw)
    digits = match.group(1) + match.group(2)
    if not _luhn_ok(digits[2:]):
        raise InvalidIdentityNumber(raw)
    birth_date_of(digits)  # raises on an impossible date
    return digits


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def birth_date_of(twelve_digits: str) -> date:
    try:
        day = int(twelve_digits[6:8])
        if day > 60:  # samordningsnummer add 60 to the day
            day -= 60
        return date(int(twelve_digits[0:4]), int(twelve_digits[4:6]), day)
    except ValueError as exc:
        raise InvalidIdentityNumber(twelve_digits) from exc


def identity_hash(twelve_digits: str) -> str:
    key = current_app.config["IDENTITY_HASH_KEY"].encode()
    return hmac.new(key, twelve_digits.encode(), hashlib.sha256).hexdigest()


def encrypt(twelve_digits: str) -> bytes:
    return Fernet(current_app.config["IDENTITY_ENCRYPTION_KEY"].encode()).encrypt(twelve_digits.encode())


def decrypt(token: bytes) -> str:
    return Fernet(current_app.config["IDENTITY_ENCRYPTION_KEY"].encode()).decrypt(token).decode()
