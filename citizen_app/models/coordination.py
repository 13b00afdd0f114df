"""Moving coordination to another unit or principal after the first meeting [VN] [issue 16].

A proposal is made by the current coordinator and answered by a coordinator of the target unit. At most one
proposal of a case is pending (a partial unique index); the rows stay as the history of every step.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow
from citizen_app.models.sips import SipCase
from citizen_app.models.units import StaffUser, Unit


class MoveStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class CoordinationMove(PublicIdMixin, Base):
    __tablename__ = "coordination_move"
    __table_args__ = (
        # One pending proposal per case, also when two are sent at the same instant.
        Index(
            "uq_coordination_move_pending",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_coordination_move_to_status", "to_unit_id", "status"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("sip_case.id"), index=True)
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[MoveStatus] = mapped_column(
        Enum(MoveStatus, native_enum=False, length=20), default=MoveStatus.PENDING
    )
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    answer_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[SipCase] = relationship()
    from_unit: Mapped[Unit | None] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id])
    proposed_by: Mapped[StaffUser] = relationship(foreign_keys=[proposed_by_id])
    answered_by: Mapped[StaffUser | None] = relationship(foreign_keys=[answered_by_id])
