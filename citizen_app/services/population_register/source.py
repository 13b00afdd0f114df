"""The relations source: the interface every register adapter implements, and the register's words (see
the package's docstring, citizen_app/services/population_register/__init__.py) [issue 18]."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from citizen_app.services import identity


class RegisterUnavailable(RuntimeError):
    """The register could not answer (away, too slow, refused our credentials, answered nonsense).

    The message is for the log: it never holds an identity number."""


class NotInRegister(LookupError):
    """The register does not know this person (not in the extract, or the service's 404): nothing is known
    about their guardians, so nothing is changed."""


class BadRegisterData(ValueError):
    """A register entry that cannot be read: a bad identity number, a missing name, a date that is not one."""


@dataclass(frozen=True)
class RegisterPerson:
    """A person as the register gives them: the 12-digit identity number, the name and the birth date."""

    identity_number: str
    name: str
    birth_date: date


def register_person(raw_number: object, raw_name: object, raw_birth_date: object = None) -> RegisterPerson:
    """A ``RegisterPerson`` from the register's words; raises BadRegisterData. The birth date, when the entry
    has none, is read from the identity number (a samordningsnummer's day minus 60)."""
    if not isinstance(raw_number, str) or not raw_number.strip():
        raise BadRegisterData("an identity number is missing")
    try:
        number = identity.normalise(raw_number)
    except identity.InvalidIdentityNumber:
        raise BadRegisterData("an identity number is not a valid personnummer or samordningsnummer") from None
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    if not name:
        raise BadRegisterData("a name is missing")
    if raw_birth_date in (None, ""):
        born = identity.birth_date_of(number)
    else:
        try:
            born = date.fromisoformat(str(raw_birth_date).strip())
        except ValueError:
            raise BadRegisterData("a birth date is not written YYYY-MM-DD") from None
    return RegisterPerson(identity_number=number, name=name[:200], birth_date=born)


class RelationsSource(Protocol):
    """The population register, as Min SIP asks it. Identity numbers are 12 digits (YYYYMMDDNNNN).

    Both methods raise NotInRegister when the register does not know the person, and RegisterUnavailable
    when it cannot answer now."""

    name: str  # "file" or "http": written in the audit log with each change

    def custodians_of(self, child_number: str) -> list[RegisterPerson]:
        """The child's guardians with custody (none, one or two; more if the register says so)."""
        ...

    def children_in_custody_of(self, person_number: str) -> list[RegisterPerson]:
        """The children this person is guardian with custody of."""
        ...
