"""A CSV file of the county's organisation uploaded by an administrator, kept until it is applied [issue 18].

The upload page checks the file (a dry run) and shows what would change; "Genomför ändringarna" then applies
exactly this file, read back from here, never one sent again by the browser. ``sha256`` is the hash of the
file's text: the confirming form carries it, and the file is applied only when both agree
(services/organisation_import.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.models.base import Base, PublicIdMixin, UTCDateTime, utcnow


class OrganisationUpload(PublicIdMixin, Base):
    __tablename__ = "organisation_upload"

    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    # The file as text (decoded once when uploaded). Emptied once applied: the receipt keeps what changed.
    content: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What applying it changed: counts and the changed lines (the receipt), set when applied.
    receipt: Mapped[dict | None] = mapped_column(JSON)
