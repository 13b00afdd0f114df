"""A SIP with a row in every table that can belong to one [issue 18]: for the retention tests (everything
goes, nothing of another SIP does) and "Mina uppgifter" (everything the person may see is in the file).

Rows are made directly from the models, not through the services, so that one call gives the whole history
whatever the step rules would allow at any one time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.models import (
    AccessLink,
    ActionMark,
    ActionProgress,
    AgendaItem,
    AgendaList,
    Audience,
    AuditEntry,
    Base,
    CaseEvent,
    ChildAnswer,
    ChildView,
    ConsentAbility,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    CoordinationMove,
    DecisionOutcome,
    EventKind,
    FeedbackAnswer,
    FeedbackRequest,
    FlowDraft,
    GoalTerm,
    GuardianViewChoice,
    Invitation,
    LinkPurpose,
    MatureMinorDecision,
    Meeting,
    MeetingMode,
    MeetingStatus,
    MoveStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantRole,
    PendingDecision,
    Person,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanShare,
    PlanVersion,
    PreparationAnswer,
    ProblemChange,
    ProblemKind,
    ProblemRecipient,
    ProblemReport,
    ProblemStatus,
    Responsible,
    SipCase,
    StaffUser,
    Step,
    Unit,
    VersionStatus,
    Voice,
)


def fill(
    case: SipCase,
    subject: Person,
    guardian: Person,
    relative: Person,
    staff: StaffUser,
    unit: Unit,
    other_unit: Unit,
    at: datetime,
    words: str = "Hemligt",
) -> dict:
    """Rows of every kind for ``case`` (about ``subject``, a child; ``guardian`` has custody; ``relative``
    takes part), all made at ``at``. ``words`` goes into every free text, so a test can look for it."""
    add = db.session.add

    def flushed(row):
        add(row)
        db.session.flush()
        return row

    for role, person in ((ParticipantRole.CHILD, subject), (ParticipantRole.GUARDIAN, guardian)):
        add(Participant(case_id=case.id, role=role, person_id=person.id, added_at=at))
    unit_party = flushed(
        Participant(case_id=case.id, role=ParticipantRole.UNIT, unit_id=other_unit.id, added_at=at)
    )
    relative_party = flushed(
        Participant(case_id=case.id, role=ParticipantRole.RELATIVE, person_id=relative.id, added_at=at)
    )
    add(
        CaseEvent(
            case_id=case.id, at=at, kind=EventKind.REQUESTED, step=Step.REQUESTED, actor_person_id=guardian.id
        )
    )
    consent = flushed(
        ConsentEvent(
            case_id=case.id,
            kind=ConsentEventKind.GIVEN,
            consenter_id=guardian.id,
            method=ConsentMethod.DIGITAL,
            unit_ids=[unit.public_id, other_unit.public_id],
            categories=["social", "school"],
            exclusions=f"{words} i samtycket",
            valid_from=at.date(),
            valid_until=at.date() + timedelta(days=300),
            at=at,
        )
    )
    add(
        ChildView(
            case_id=case.id,
            recorded_by_id=guardian.id,
            answer=ChildAnswer.WANT,
            own_words=f"{words} barnets ord",
            at=at,
        )
    )
    add(
        ConsentAbility(
            case_id=case.id,
            person_id=subject.id,
            can_consent=True,
            reason=words,
            assessed_on=at.date(),
            recorded_by_staff_id=staff.id,
            at=at,
        )
    )
    decision = flushed(
        MatureMinorDecision(
            case_id=case.id,
            child_id=subject.id,
            consents_themself=False,
            reason=words,
            decided_on=at.date(),
            recorded_by_staff_id=staff.id,
            at=at,
        )
    )
    add(GuardianViewChoice(case_id=case.id, decision_id=decision.id, child_id=subject.id, at=at))
    meeting = flushed(
        Meeting(
            case_id=case.id,
            starts_at=at + timedelta(days=1),
            mode=MeetingMode.IN_PERSON,
            place=f"{words} plats",
            status=MeetingStatus.HELD,
            created_by_staff_id=staff.id,
            created_at=at,
            held_at=at + timedelta(days=1),
        )
    )
    invitation = flushed(Invitation(meeting_id=meeting.id, participant_id=relative_party.id, sent_at=at))
    add(Invitation(meeting_id=meeting.id, participant_id=unit_party.id, sent_at=at))
    add(FeedbackRequest(meeting_id=meeting.id, person_id=guardian.id, audience=Audience.ADULT, answered=True))
    add(FeedbackRequest(meeting_id=meeting.id, invitation_id=invitation.id, audience=Audience.RELATIVE))
    add(
        FeedbackAnswer(
            question_set="adult",
            set_version=1,
            audience=Audience.ADULT,
            month=at.strftime("%Y-%m"),
            unit_ids=[unit.id],
            answers={"q1": "yes"},
            free_text={},
        )
    )
    add(
        PreparationAnswer(
            case_id=case.id,
            voice=Voice.PERSON,
            theme="important",
            text=f"{words} förberedelse",
            updated_by_person_id=guardian.id,
            updated_at=at,
        )
    )
    add(
        PreparationAnswer(
            case_id=case.id,
            voice=Voice.CHILD,
            theme="important",
            text=f"{words} barnets svar",
            updated_by_person_id=subject.id,
            updated_at=at,
        )
    )
    add(
        AgendaItem(
            case_id=case.id,
            list=AgendaList.TALK_ABOUT,
            text=f"{words} ämne",
            created_by_person_id=guardian.id,
            created_at=at,
        )
    )
    add(
        AgendaItem(
            case_id=case.id,
            list=AgendaList.TALK_ABOUT,
            text=f"{words} förslag",
            suggested_by_invitation_id=invitation.id,
            created_at=at,
        )
    )
    add(
        AccessLink(
            purpose=LinkPurpose.CHILD_PAGES,
            secret_hash=f"{case.public_id}-child",
            case_id=case.id,
            person_id=subject.id,
            created_by_person_id=guardian.id,
            created_at=at,
            expires_at=at + timedelta(days=30),
        )
    )
    add(
        AccessLink(
            purpose=LinkPurpose.RELATIVE_INVITATION,
            secret_hash=f"{case.public_id}-rel",
            case_id=case.id,
            invitation_id=invitation.id,
            created_by_staff_id=staff.id,
            created_at=at,
            expires_at=at + timedelta(days=30),
        )
    )
    first = flushed(
        PlanVersion(
            case_id=case.id,
            number=1,
            status=VersionStatus.REPLACED,
            meeting_id=meeting.id,
            if_worse=f"{words} om det blir sämre",
            created_by_staff_id=staff.id,
            created_at=at,
            approved_at=at,
            approved_by_person_id=guardian.id,
        )
    )
    second = flushed(
        PlanVersion(
            case_id=case.id,
            number=2,
            status=VersionStatus.APPROVED,
            based_on_id=first.id,
            created_by_staff_id=staff.id,
            created_at=at,
            approved_at=at,
            approved_by_staff_id=staff.id,
        )
    )
    draft = flushed(
        PlanVersion(
            case_id=case.id, number=3, based_on_id=second.id, created_by_staff_id=staff.id, created_at=at
        )
    )
    for version in (first, second, draft):
        goal = flushed(
            PlanGoal(
                version_id=version.id,
                goal_key=f"{case.public_id[:20]}g",
                term=GoalTerm.SHORT,
                text=f"{words} mål {version.number}",
            )
        )
        flushed(
            PlanAction(
                goal_id=goal.id,
                action_key=f"{case.public_id[:20]}a",
                what=f"{words} insats",
                responsible=Responsible.MUNICIPALITY,
                responsible_unit_id=unit.id,
                starts_on=at.date(),
            )
        )
        pending = flushed(PendingDecision(version_id=version.id, what=f"{words} beslut"))
        if version is second:
            add(
                DecisionOutcome(
                    pending_decision_id=pending.id,
                    decision=f"{words} beslutat",
                    decided_at=at,
                    recorded_by_staff_id=staff.id,
                )
            )
    add(
        ActionMark(
            case_id=case.id,
            action_key=f"{case.public_id[:20]}a",
            progress=ActionProgress.STARTED,
            marked_on=at.date(),
            unit_id=unit.id,
            marked_by_staff_id=staff.id,
            created_at=at,
        )
    )
    add(PlanComment(version_id=second.id, person_id=guardian.id, text=f"{words} kommentar", created_at=at))
    add(
        PlanShare(
            case_id=case.id, participant_id=relative_party.id, shared_by_person_id=guardian.id, shared_at=at
        )
    )
    report = flushed(
        ProblemReport(
            case_id=case.id,
            unit_id=unit.id,
            reported_by_person_id=guardian.id,
            kind=ProblemKind.OTHER,
            text=f"{words} problem",
            status=ProblemStatus.ANSWERED,
            answer="Vi har svarat.",
            created_at=at,
            updated_at=at,
        )
    )
    add(ProblemRecipient(report_id=report.id, unit_id=unit.id))
    add(
        ProblemChange(
            report_id=report.id, staff_id=staff.id, at=at, status=ProblemStatus.ANSWERED, answered=True
        )
    )
    add(
        CoordinationMove(
            case_id=case.id,
            from_unit_id=unit.id,
            to_unit_id=other_unit.id,
            proposed_by_id=staff.id,
            reason=words,
            status=MoveStatus.DECLINED,
            created_at=at,
        )
    )
    add(
        FlowDraft(
            flow="consent",
            author_id=guardian.id,
            case_id=case.id,
            answers={"note": words},
            created_at=at,
            updated_at=at,
        )
    )
    add(
        FlowDraft(
            flow="request",
            author_id=guardian.id,
            submitted_case_id=case.id,
            answers={"need": words},
            created_at=at,
            updated_at=at,
        )
    )
    add(
        Notification(
            recipient_person_id=guardian.id,
            kind=NotificationKind.PLAN_APPROVED,
            case_id=case.id,
            created_at=at,
        )
    )
    add(
        Notification(
            recipient_staff_id=staff.id, kind=NotificationKind.PLAN_COMMENTED, case_id=case.id, created_at=at
        )
    )
    add(AuditEntry(at=at, actor_kind="staff", actor_staff_id=staff.id, action="case.read", case_id=case.id))
    add(
        AuditEntry(
            at=at,
            actor_kind="person",
            actor_person_id=guardian.id,
            action="consent.given",
            case_id=case.id,
            detail={"event": consent.public_id},
        )
    )
    db.session.flush()
    return {
        "meeting": meeting,
        "invitation": invitation,
        "versions": (first, second, draft),
        "report": report,
    }


def rows_referring_to(case_ids: set[int]) -> dict[str, int]:
    """For every table, how many of its rows refer to one of these SIPs, directly or through other rows,
    worked out from the SQLAlchemy metadata (every foreign key), so a new table is counted without a change
    here. Audit entries count by their ``case_id``."""
    sip = Base.metadata.tables["sip_case"]
    found: dict[str, set] = {
        "sip_case": set(db.session.scalars(select(sip.c.id).where(sip.c.id.in_(case_ids))))
    }
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if not found.get(parent):
                    continue
                (pk,) = table.primary_key.columns
                if table.name == "sip_case":  # another SIP that followed this one is not part of it
                    continue
                ids = set(db.session.scalars(select(pk).where(fk.parent.in_(list(found[parent])))))
                if ids - found.get(table.name, set()):
                    found[table.name] = found.get(table.name, set()) | ids
                    changed = True
    return {name: len(ids) for name, ids in found.items() if ids}


def dangling_references() -> dict[str, int]:
    """Every foreign key of every table whose value points at a row that is gone: none may exist."""
    dangling: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table
            count = db.session.scalar(
                select(func.count())
                .select_from(table)
                .where(fk.parent.is_not(None), fk.parent.not_in(select(fk.column).select_from(parent)))
            )
            if count:
                dangling[f"{table.name}.{fk.parent.name}"] = count
    return dangling


def a_moment(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
