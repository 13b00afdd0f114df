"""Who reads a page about a SIP, and whose SIP it is [issue 13].

``reader_of`` decides it from the access policy's roles: the person, the child themself, a guardian with
custody, a legal representative or a relative. The case page, the history and the preparation pages say
their words to this reader. A module of its own so that services/history.py and services/cases.py both use
it without importing each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from citizen_app import access
from citizen_app.access import Role
from citizen_app.extensions import db
from citizen_app.models import Person, RelationKind, Relationship, RepresentativeType, SipCase
from citizen_app.services import N_, NotFound


class ReaderKind(enum.StrEnum):
    PERSON = "person"  # the adult the SIP is about
    CHILD = "child"  # the child the SIP is about, signed in themself
    GUARDIAN = "guardian"  # a guardian with custody of the child
    REPRESENTATIVE = "representative"  # god man, förvaltare or framtidsfullmakt
    RELATIVE = "relative"  # someone close, through their invitation


# The first of the reader's roles that names them: a person who is also a relative of themself is the person.
_KIND_OF_ROLE = (
    (Role.PERSON, ReaderKind.PERSON),
    (Role.CHILD_SELF, ReaderKind.CHILD),
    (Role.GUARDIAN_WITH_CUSTODY, ReaderKind.GUARDIAN),
    (Role.REPRESENTATIVE, ReaderKind.REPRESENTATIVE),
    (Role.REPRESENTATIVE_FUTURE_POWER, ReaderKind.REPRESENTATIVE),
    (Role.RELATIVE, ReaderKind.RELATIVE),
)


@dataclass(frozen=True)
class Reader:
    """Who reads a page about a SIP, and whose SIP it is."""

    kind: ReaderKind
    person_id: int
    subject_name: str
    representative_type: RepresentativeType | None = None

    @property
    def is_subject(self) -> bool:
        """The SIP is about the reader: the page says "du" and "din SIP"."""
        return self.kind in (ReaderKind.PERSON, ReaderKind.CHILD)

    @property
    def acts_for_person(self) -> bool:
        """The person, or someone who decides in their place: they consent, prepare and get the plan."""
        return self.kind in (ReaderKind.PERSON, ReaderKind.GUARDIAN, ReaderKind.REPRESENTATIVE)


def reader_of(actor: Person, case: SipCase, today: date | None = None) -> Reader:
    """The reader's kind, from the access policy's roles towards the case. NotFound for anyone else.

    A representative's mandate (god man or förvaltare) is one more query, only for them.
    """
    roles = access.roles_of(actor, case, today)
    kind = next((kind for role, kind in _KIND_OF_ROLE if role in roles), None)
    if kind is None:
        raise NotFound(N_("Sidan finns inte."))
    rep_type = None
    if Role.REPRESENTATIVE_FUTURE_POWER in roles and Role.REPRESENTATIVE not in roles:
        rep_type = RepresentativeType.FRAMTIDSFULLMAKT
    elif kind == ReaderKind.REPRESENTATIVE:
        rep_type = db.session.scalar(
            select(Relationship.representative_type)
            .where(
                Relationship.holder_id == actor.id,
                Relationship.subject_id == case.subject_id,
                Relationship.kind == RelationKind.REPRESENTATIVE,
                Relationship.representative_type != RepresentativeType.FRAMTIDSFULLMAKT,
            )
            .limit(1)
        )
    return Reader(kind, actor.id, case.subject.display_name if case.subject else "", rep_type)
