"""All models, imported here so Alembic and the app see one metadata."""

from citizen_app.models.audit import AuditEntry
from citizen_app.models.base import Base, utcnow
from citizen_app.models.consent import ChildAnswer, ChildView, ConsentEvent, ConsentEventKind, ConsentMethod
from citizen_app.models.notifications import Notification, NotificationKind
from citizen_app.models.people import Person, RelationKind, Relationship, RepresentativeType
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
    "Notification",
    "NotificationKind",
    "Participant",
    "ParticipantRole",
    "Person",
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
    "Unit",
    "UnitKind",
    "utcnow",
]
