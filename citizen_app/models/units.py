"""Principals (kommun, region, other), their units, and the staff who work in them [SIP.md 1, 2]."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow


class PrincipalKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"
    OTHER = "other"  # Försäkringskassan, Arbetsförmedlingen, a private school …


class UnitKind(enum.StrEnum):
    PRIMARY_CARE = "primary_care"  # vårdcentral
    SOCIAL_SERVICES = "social_services"  # socialtjänst
    PSYCHIATRY = "psychiatry"
    CHILD_PSYCHIATRY = "child_psychiatry"  # BUP
    HOSPITAL = "hospital"
    HOME_CARE = "home_care"  # hemtjänst, kommunal hälso- och sjukvård
    SCHOOL = "school"
    SOCIAL_INSURANCE = "social_insurance"  # Försäkringskassan
    EMPLOYMENT = "employment"  # Arbetsförmedlingen
    OTHER = "other"


class Principal(PublicIdMixin, Base):
    __tablename__ = "principal"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[PrincipalKind] = mapped_column(Enum(PrincipalKind, native_enum=False, length=20))

    units: Mapped[list[Unit]] = relationship(back_populates="principal", order_by="Unit.name")


class Unit(PublicIdMixin, Base):
    __tablename__ = "unit"

    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=30))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))

    principal: Mapped[Principal] = relationship(back_populates="units")


class StaffRole(enum.StrEnum):
    COORDINATOR = "coordinator"  # samordnare: may own cases of the unit
    MEMBER = "member"  # works in the unit; answers invitations, does its part of the plan


class StaffUser(PublicIdMixin, Base):
    __tablename__ = "staff_user"

    # Staff sign in with the same e-ID, so the same keyed hash finds them.
    identity_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[StaffMembership]] = relationship(back_populates="staff")

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = True

    def get_id(self) -> str:
        return "s:" + self.public_id


class StaffMembership(Base):
    __tablename__ = "staff_membership"
    __table_args__ = (UniqueConstraint("staff_id", "unit_id", name="uq_staff_membership_staff_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(Enum(StaffRole, native_enum=False, length=20))

    staff: Mapped[StaffUser] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship()
