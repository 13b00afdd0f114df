"""The audit log: who did what to which case, when (UTC). Append-only [QUALITY 4] [HSLF-FS 2016:40 4 kap.]."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))  # "person", "staff", "system"
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "case.read", "case.accept", "consent.give"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("sip_case.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
