"""All models, imported here so Alembic and the app see one metadata."""

from citizen_app.models.audit import AuditEntry
from citizen_app.models.base import Base, utcnow
from citizen_app.models.consent import ChildAnswer, ChildView, ConsentEvent, ConsentEventKind, ConsentMethod
from citizen_app.models.meetings import Invitation, InvitationStatus, Meeting, MeetingMode, MeetingStatus
from citizen_app.models.notifications import Notification, NotificationKind
from citizen_app.models.people import Person, RelationKind, Relationship, RepresentativeType
from citizen_app.models.preparation import (
    AccessLink,
    AgendaItem,
    AgendaList,
    LinkPurpose,
    PreparationAnswer,
    SuggestionStatus,
    Voice,
)
from citizen_app.models.requests import RequestDraft
from citizen_app.models.sips import (
    CaseEvent,
    ClosingReason,
    CoordinatorAssignment,
    EventKind,
    Initiator,
    Participant,
    ParticipantRole,
    SipCase,
    Step,
)
from citizen_app.models.units import (
    Principal,
    PrincipalKind,
    StaffMembership,
    StaffRole,
    StaffUser,
    Unit,
    UnitKind,
)

__all__ = [
    "AccessLink",
    "AgendaItem",
    "AgendaList",
    "AuditEntry",
    "Base",
    "CaseEvent",
    "ChildAnswer",
    "ChildView",
    "ClosingReason",
    "ConsentEvent",
    "ConsentEventKind",
    "ConsentMethod",
    "CoordinatorAssignment",
    "EventKind",
    "Initiator",
    "Invitation",
    "InvitationStatus",
    "LinkPurpose",
    "Meeting",
    "MeetingMode",
    "MeetingStatus",
    "Notification",
    "NotificationKind",
    "Participant",
    "ParticipantRole",
    "Person",
    "PreparationAnswer",
    "Principal",
    "PrincipalKind",
    "RelationKind",
    "Relationship",
    "RepresentativeType",
    "RequestDraft",
    "SipCase",
    "StaffMembership",
    "StaffRole",
    "StaffUser",
    "Step",
    "SuggestionStatus",
    "Unit",
    "UnitKind",
    "Voice",
    "utcnow",
]
