"""Personal identity numbers: checked on the way in, and never stored in clear text [issue 2: person]."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from citizen_app.extensions import db
from citizen_app.models import Base
from citizen_app.services import identity, people
from citizen_app.services.identity import InvalidIdentityNumber


def with_check_digit(first_eleven: str) -> str:
    """YYYYMMDDNNN + the Luhn check digit over its last nine digits (Skatteverket's rule)."""
    nine = first_eleven[2:]
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return first_eleven + str((10 - total % 10) % 10)


# 1980-05-17, birth number 987 (the test series): the check digit is 7.
NUMBER = "198005179877"
TEN_DIGITS = NUMBER[2:]


def test_the_helper_agrees_with_a_number_worked_by_hand():
    # Tolvan Tolvansson, Skatteverket's well-known example: 19121212-1212.
    assert with_check_digit("19121212121") == "191212121212"
    assert with_check_digit(NUMBER[:11]) == NUMBER


@pytest.mark.parametrize("raw", ["19800517-9877", "198005179877", " 19800517-9877 ", "19800517-9877\n"])
def test_normalise_accepts_the_number_with_or_without_hyphen(raw):
    assert identity.normalise(raw) == NUMBER


@pytest.mark.parametrize(
    "raw",
    [
        "19800517-9872",  # wrong check digit
        "19800517-9787",  # two digits swapped
        "8005179877",  # ten digits: the century is unknown
        "800517-9877",
        "19800517+9877",
        "1980-05-17-9877",
        "19800517-98771",
        "19800517-987",
        "1980O517-9877",  # a letter O, not a zero
        "",
        "   ",
    ],
)
def test_normalise_refuses_malformed_numbers_and_wrong_check_digits(raw):
    with pytest.raises(InvalidIdentityNumber):
        identity.normalise(raw)


@pytest.mark.parametrize(
    "first_eleven",
    [
        "19801317987",  # month 13
        "19800017987",  # month 0
        "19800532987",  # 32 May
        "19800500987",  # day 0
        "19810229987",  # 29 February in a year that is not a leap year
        "19800691987",  # a samordningsnummer for 31 June (91 - 60), which is not a date
    ],
)
def test_normalise_refuses_dates_that_do_not_exist_even_with_a_right_check_digit(first_eleven):
    raw = with_check_digit(first_eleven)
    with pytest.raises(InvalidIdentityNumber):
        identity.normalise(raw)


def test_a_leap_day_is_a_date():
    number = with_check_digit("20000229987")
    assert identity.normalise(number) == number
    assert identity.birth_date_of(number) == date(2000, 2, 29)


def test_a_samordningsnummer_has_60_added_to_the_day():
    number = with_check_digit("19800577987")  # born 17 May 1980
    assert identity.normalise(number) == number
    assert identity.birth_date_of(number) == date(1980, 5, 17)


def test_the_birth_date_comes_from_the_number():
    assert identity.birth_date_of(NUMBER) == date(1980, 5, 17)


# ---- keyed hash


def test_the_keyed_hash_is_stable_and_differs_between_numbers(app):
    other = with_check_digit("19800517986")
    assert identity.identity_hash(NUMBER) == identity.identity_hash(NUMBER)
    assert identity.identity_hash(NUMBER) != identity.identity_hash(other)
    assert len(identity.identity_hash(NUMBER)) == 64
    assert NUMBER not in identity.identity_hash(NUMBER) and TEN_DIGITS not in identity.identity_hash(NUMBER)


def test_the_keyed_hash_depends_on_the_key(app):
    """Without the key, nobody can hash all numbers of a birth date and match them against a dump."""
    with_demo_key = identity.identity_hash(NUMBER)
    app.config["IDENTITY_HASH_KEY"] = "another-key-from-the-environment"
    try:
        assert identity.identity_hash(NUMBER) != with_demo_key
        assert identity.identity_hash(NUMBER) == identity.identity_hash(NUMBER)
    finally:
        app.config["IDENTITY_HASH_KEY"] = "restored"  # the app is thrown away after the test anyway


def test_sign_in_finds_the_person_by_the_number_in_either_form(app):
    person = people.create_person(NUMBER, "Hanna Hash")
    assert people.find_person_by_identity("19800517-9877") is person
    assert people.find_person_by_identity("198005179877") is person


# ---- encryption


def test_encryption_round_trips(app):
    token = identity.encrypt(NUMBER)
    assert identity.decrypt(token) == NUMBER
    assert NUMBER.encode() not in token and TEN_DIGITS.encode() not in token


def test_encrypting_twice_gives_different_bytes(app):
    """Equal numbers must not give equal ciphertexts, or the column would leak who is who."""
    assert identity.encrypt(NUMBER) != identity.encrypt(NUMBER)


def test_another_key_cannot_read_the_number(app):
    token = identity.encrypt(NUMBER)
    app.config["IDENTITY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    with pytest.raises(InvalidToken):
        identity.decrypt(token)


def test_the_person_s_number_can_be_read_back_by_the_service(app):
    person = people.create_person("19800517-9877", "Hanna Hash")
    assert people.identity_number_of(person) == NUMBER


# ---- nothing in clear text in the database

CLEAR_FORMS = [NUMBER, TEN_DIGITS, "19800517-9877", "800517-9877"]


def _dump_every_table() -> str:
    lines = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608 (our own table names)
                lines.append(f"{table.name}: {tuple(row)!r}")
                lines.extend(str(value) for value in row)
                lines.extend(value.decode("latin-1") for value in row if isinstance(value, bytes))
    return "\n".join(lines)


def test_a_database_dump_shows_no_identity_number(app):
    people.create_person("19800517-9877", "Hanna Hash", phone="070-123 45 67")
    staff_number = with_check_digit("19750101988")
    people.create_staff(staff_number, "Stina Staff")
    db.session.commit()

    dump = _dump_every_table()
    assert "Hanna Hash" in dump and "Stina Staff" in dump  # the dump really holds the rows
    for clear in [*CLEAR_FORMS, staff_number, staff_number[2:]]:
        assert clear not in dump


def test_the_sqlite_file_holds_no_identity_number(app):
    url = str(db.engine.url)
    if not url.startswith("sqlite:///"):
        pytest.skip("the database is not a SQLite file (PostgreSQL: see the dump test)")
    people.create_person("19800517-9877", "Hanna Hash")
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # close every connection so everything is in the main file

    raw = Path(db.engine.url.database).read_bytes()
    assert b"Hanna Hash" in raw  # the row really is in the file
    for clear in CLEAR_FORMS:
        assert clear.encode() not in raw
        assert clear.encode("utf-16-le") not in raw
