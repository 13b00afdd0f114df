"""Principals (kommun, region, other), their units, and the staff who work in them [SIP.md 1, 2]."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, String, UniqueConstraint, false
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
    # The county's catalogue id (HSA-id), the key an organisation import matches on [issue 18].
    hsa_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    units: Mapped[list[Unit]] = relationship(back_populates="principal", order_by="Unit.name")


class Unit(PublicIdMixin, Base):
    __tablename__ = "unit"

    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=30))
    hsa_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    # "Fast vårdkontakt": the region's outpatient care (vårdcentral, psychiatric outpatient clinic) that
    # coordinates a SIP at discharge from hospital, never the ward [VM] [ST] [VN] (lag 2017:612).
    is_fixed_care_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    principal: Mapped[Principal] = relationship(back_populates="units")


class StaffRole(enum.StrEnum):
    COORDINATOR = "coordinator"  # samordnare: may own cases of the unit
    MEMBER = "member"  # works in the unit; answers invitations, does its part of the plan


class StaffUser(PublicIdMixin, Base):
    __tablename__ = "staff_user"

    # Staff sign in with the same e-ID, so the same keyed hash finds them. Empty for someone imported from the
    # county's catalogue by HSA-id alone, until their first sign-in links the two [issue 18].
    identity_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hsa_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Administrator of the county's organisation (principals, units, staff) [issue 18]; also granted by
    # configuration (services/administrators.py).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set when an administrator deactivates the account: they can no longer sign in, their sessions end.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[StaffMembership]] = relationship(back_populates="staff")

    is_authenticated = True
    is_anonymous = False
    is_staff = True

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

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


class IntakeNeed(enum.StrEnum):
    """What a request records about the need: the key of the intake rules (services/intake_rules.py)."""

    DISCHARGE = "discharge"  # "Ska du snart skrivas ut från sjukhus?" yes
    CHILD = "child"  # the SIP is for a child (under 18 on the day it is sent)
    ADULT = "adult"


class IntakeRule(Base):
    """County configuration: requests with this need go to this unit [issue 16]. One unit per need."""

    __tablename__ = "intake_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    need: Mapped[IntakeNeed] = mapped_column(Enum(IntakeNeed, native_enum=False, length=20), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


class IntakeDefault(Base):
    """County configuration: the unit that receives a principal's requests when no intake rule matches."""

    __tablename__ = "intake_default"

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    principal: Mapped[Principal] = relationship()
    unit: Mapped[Unit] = relationship()
