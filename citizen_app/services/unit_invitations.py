"""Reading the invitations sent to units, for the staff of those units [issue 5]: "Inbjudningar till er
enhet" and one invitation, each with all the page shows of it. Whether a staff member may read one (their
unit, the access policy, the consent in force) is checked by pages/meeting.py; answering one is
meetings.answer_as_unit.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from citizen_app.extensions import db
from citizen_app.models import (
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Participant,
    StaffMembership,
    StaffUser,
)


def _with_meeting_and_parties() -> Select[Invitation]:
    """Invitations with their party and unit, and their meeting with every invitation, party, unit and person:
    all the page shows of the invitation's contents, read with it."""
    return select(Invitation).options(
        joinedload(Invitation.participant).joinedload(Participant.unit),
        joinedload(Invitation.meeting)
        .selectinload(Meeting.invitations)
        .joinedload(Invitation.participant)
        .options(joinedload(Participant.unit), joinedload(Participant.person)),
    )


def open_invitations_to_units_of(staff: StaffUser) -> list[Invitation]:
    """The invitations to any of the staff user's units, not cancelled, for meetings still planned, soonest
    first. One query (and one for the meetings' invitations)."""
    unit_ids = select(StaffMembership.unit_id).where(StaffMembership.staff_id == staff.id)
    return list(
        db.session.scalars(
            _with_meeting_and_parties()
            .join(Participant, Participant.id == Invitation.participant_id)
            .join(Meeting, Meeting.id == Invitation.meeting_id)
            .where(
                Participant.unit_id.in_(unit_ids),
                Meeting.status == MeetingStatus.PLANNED,
                Invitation.status != InvitationStatus.CANCELLED,
            )
            .order_by(Meeting.starts_at)
        ).unique()
    )


def invitation_with_meeting(public_id: str) -> Invitation | None:
    """The invitation with ``public_id``, whoever it is to: the caller checks the reader's unit."""
    return (
        db.session.scalars(_with_meeting_and_parties().where(Invitation.public_id == public_id))
        .unique()
        .one_or_none()
    )
