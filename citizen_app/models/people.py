"""Citizens and the relationships between them [SIP.md 2].

The personal identity number is never stored in clear text: ``identity_hash`` is a keyed HMAC used to find a
person at sign-in, and ``identity_encrypted`` is a Fernet (AES + HMAC) copy for the rare case staff must read
it. A database dump without the two keys from the environment reveals neither.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow

ADULT_AGE = 18


class Person(PublicIdMixin, Base):
    __tablename__ = "person"

    identity_hash: Mapped[str] = mapped_column(String(64), unique=True)
    identity_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    display_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    preferred_language: Mapped[str] = mapped_column(String(8), default="sv")
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the population register was last asked about this person's guardians with custody (a child) or
    # children in custody; None: never (services/population_register) [issue 18].
    register_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def is_child_on(self, day: date) -> bool:
        """Children are people under 18 [DA 4.2]."""
        return self.age_on(day) < ADULT_AGE

    def adult_from(self) -> date:
        """The 18th birthday: from this day only the person's own consent counts [DA 4.2].
        Born on 29 February: the day after 28 February in a year without it (as ``age_on`` counts)."""
        year = self.birth_date.year + ADULT_AGE
        try:
            return self.birth_date.replace(year=year)
        except ValueError:
            return date(year, 3, 1)

    # flask-login: ids are prefixed so a citizen id can never be read as a staff id.
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False

    def get_id(self) -> str:
        return "p:" + self.public_id


class RelationKind(enum.StrEnum):
    GUARDIAN = "guardian"  # vårdnadshavare or parent; see has_custody
    REPRESENTATIVE = "representative"  # ställföreträdare; see representative_type
    RELATIVE = "relative"  # närstående, in the wide sense [DA 6.6]


class RepresentativeType(enum.StrEnum):
    GOD_MAN = "god_man"
    FORVALTARE = "forvaltare"
    FRAMTIDSFULLMAKT = "framtidsfullmakt"


class Mandate(enum.StrEnum):
    """What a god man or förvaltare is appointed to do (föräldrabalken 11 kap. 4 §) [issue 15].

    Only "sörja för person" reaches care: without it a representative cannot open health information.
    """

    BEVAKA_RATT = "bevaka_ratt"  # look after the person's rights
    FORVALTA_EGENDOM = "forvalta_egendom"  # manage the person's property
    SORJA_FOR_PERSON = "sorja_for_person"  # see to the person's care and daily life


class Relationship(Base):
    """``holder`` stands in relation ``kind`` to ``subject``: e.g. holder is guardian of subject (a child)."""

    __tablename__ = "relationship"
    __table_args__ = (
        Index("ix_relationship_subject_kind", "subject_id", "kind"),
        Index("ix_relationship_holder_kind", "holder_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RelationKind] = mapped_column(Enum(RelationKind, native_enum=False, length=20))
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # Guardians only: a parent without custody cannot consent for the child [DA 4.2].
    has_custody: Mapped[bool] = mapped_column(Boolean, default=False)
    representative_type: Mapped[RepresentativeType | None] = mapped_column(
        Enum(RepresentativeType, native_enum=False, length=20)
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # God man and förvaltare: the areas of the mandate (Mandate values). None or [] when none is recorded;
    # then the representative cannot open health information [issue 15].
    mandate: Mapped[list | None] = mapped_column(JSON)
    # Representatives: the reference number of the decision (tingsrätten's or överförmyndarens case number,
    # or the framtidsfullmakt's date and witness reference) staff registered them from [issue 18].
    decision_reference: Mapped[str | None] = mapped_column(String(60))

    holder: Mapped[Person] = relationship(foreign_keys=[holder_id])
    subject: Mapped[Person] = relationship(foreign_keys=[subject_id])

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    def covers(self, area: Mandate) -> bool:
        return area.value in (self.mandate or [])
