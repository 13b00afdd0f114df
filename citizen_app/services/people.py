"""Finding people and staff: sign-in look-ups, the signed-in actor, and a person's family ties."""

from __future__ import annotations

from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import Person, StaffUser
from citizen_app.services import audit, identity


def load_actor(user_id: str) -> Person | StaffUser | None:
    """flask-login's loader: ``p:<public_id>`` is a citizen, ``s:<public_id>`` is staff."""
    kind, _, public_id = user_id.partition(":")
    if kind == "p":
        return db.session.scalar(select(Person).where(Person.public_id == public_id))
    if kind == "s":
        return db.session.scalar(select(StaffUser).where(StaffUser.public_id == public_id))
    return None


def is_staff_id(actor_id: str) -> bool:
    """Whether a flask-login id (see ``load_actor``) names a staff member."""
    return actor_id.startswith("s:")


def find_person_by_identity(raw_identity_number: str) -> Person | None:
    number = identity.normalise(raw_identity_number)
    return db.session.scalar(select(Person).where(Person.identity_hash == identity.identity_hash(number)))


def find_staff_by_identity(raw_identity_number: str) -> StaffUser | None:
    number = identity.normalise(raw_identity_number)
    return db.session.scalar(
        select(StaffUser).where(StaffUser.identity_hash == identity.identity_hash(number))
    )


def staff_for_sign_in(raw_identity_number: str, hsa_id: str | None) -> StaffUser | None:
    """At staff e-ID sign-in [issue 18]: the staff member with this identity number; else, when the broker
    sent an HSA-id, the staff member with that HSA-id who has never signed in (added by HSA-id alone, by an
    administrator or an import): their first sign-in links this e-ID to them, so the next one finds them by
    number. An HSA-id whose staff member already signed in with another number finds nobody. A deactivated
    staff member is returned as well: the caller refuses them with a message of their own."""
    number = identity.normalise(raw_identity_number)
    number_hash = identity.identity_hash(number)
    staff = db.session.scalar(select(StaffUser).where(StaffUser.identity_hash == number_hash))
    if staff is not None or not hsa_id:
        return staff
    staff = db.session.scalar(select(StaffUser).where(func.upper(StaffUser.hsa_id) == hsa_id.strip().upper()))
    if staff is None or staff.identity_hash is not None:
        return None
    if not staff.is_active:
        return staff  # refused by the caller; nothing is linked to a deactivated account
    staff.identity_hash = number_hash
    db.session.flush()
    audit.record(staff, "organisation.identity_linked", name=staff.display_name)
    return staff


def get_or_create_person(raw_identity_number: str, display_name: str) -> Person:
    """At e-ID sign-in: the person with this number, created on first visit (birth date from the number)."""
    number = identity.normalise(raw_identity_number)
    person = db.session.scalar(select(Person).where(Person.identity_hash == identity.identity_hash(number)))
    if person is None:
        person = Person(
            identity_hash=identity.identity_hash(number),
            identity_encrypted=identity.encrypt(number),
            display_name=(display_name or "").strip()[:200] or "Okänt namn",
            birth_date=identity.birth_date_of(number),
        )
        db.session.add(person)
        db.session.flush()
    return person


def create_person(raw_identity_number: str, display_name: str, **fields) -> Person:
    number = identity.normalise(raw_identity_number)
    person = Person(
        identity_hash=identity.identity_hash(number),
        identity_encrypted=identity.encrypt(number),
        display_name=display_name,
        birth_date=fields.pop("birth_date", None) or identity.birth_date_of(number),
        **fields,
    )
    db.session.add(person)
    db.session.flush()
    return person


def create_staff(raw_identity_number: str, display_name: str, **fields) -> StaffUser:
    number = identity.normalise(raw_identity_number)
    staff = StaffUser(identity_hash=identity.identity_hash(number), display_name=display_name, **fields)
    db.session.add(staff)
    db.session.flush()
    return staff


def identity_number_of(person: Person) -> str:
    return identity.decrypt(person.identity_encrypted)


def person_with_id(person_id: int) -> Person | None:
    """The person with this database id (from a child's code), whoever asks: the caller checks."""
    return db.session.get(Person, person_id)
