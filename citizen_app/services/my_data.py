""" "Mina uppgifter": everything Min SIP holds about the signed-in person, to download [GDPR art. 15, 20]
[issue 18].

``collect(reader, subject)`` gathers it as plain data (JSON-ready: text, numbers, lists, ISO dates), for the
JSON file and for the print view. Two cases:

- The person themself (``subject`` is ``reader``): their record (their own identity number, contact details,
  language), their relations, every SIP they are the subject of or take part in, and what is theirs alone:
  messages, devices and notification settings, sessions, drafts, problem reports, feedback they were asked
  for, and what they did that is logged.
- A guardian for a child, while they have custody and the child is under 18 (``subjects_for``): the child's
  record and relations, and the child's SIPs. The child's own messages, devices, sessions and drafts are the
  child's, and not in the guardian's file.

Every SIP goes through the access policy (``access.allowed_actions`` of the reader): each part is included
only when the reader may see it in the app, so the file shows nothing of other people beyond what the app
does. A guardian of a child who consents themself (services/mature_minor.py) gets only what the child shows
them: the policy gives them nothing else, and the history is filtered as on the SIP page. A relative sees
their invitation and their suggested topics, not the SIP.

Feedback answers are anonymous: nothing ties an answer to the person (models/feedback.py), so the file says
only which meeting they were asked about and whether they answered.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import or_, select

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    AgendaItem,
    AgendaList,
    AuditEntry,
    ChildView,
    ConsentEvent,
    FeedbackRequest,
    FlowDraft,
    Invitation,
    Meeting,
    Notification,
    Participant,
    Person,
    PlanComment,
    PlanShare,
    ProblemReport,
    RelationKind,
    Relationship,
    SipCase,
    Step,
    Unit,
    VersionStatus,
    Voice,
    WebSession,
    utcnow,
)
from citizen_app.services import (
    N_,
    NotFound,
    access_log,
    action_follow_up,
    audit,
    cases,
    consent,
    mature_minor,
    outreach,
    people,
    plan_reading,
    preparation,
    push,
    retention,
)

FORMAT = "minsip-mina-uppgifter/1"
# The top-level keys of the file, in order (the tests check each is there).
KEYS = (
    "format",
    "made_at",
    "about",
    "person",
    "relations",
    "sips",
    "problem_reports_without_sip",
    "feedback_requests",
    "messages",
    "push_devices",
    "notification_settings",
    "sessions",
    "drafts",
    "logged_actions",
)
# A SIP's keys: each is present, empty when the reader may not see that part.
SIP_KEYS = (
    "public_id",
    "roles",
    "step",
    "requested_at",
    "closed",
    "kept_until",
    "unit",
    "coordinator",
    "need",
    "discharge_date",
    "history",
    "consent",
    "child_views",
    "preparation",
    "meetings",
    "plan_versions",
    "plan_shared_with",
    "problem_reports",
    "who_has_read",
)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def subjects_for(reader: Person, today: date | None = None) -> list[Person]:
    """Whom the reader may download for: themself, then each child they have custody of while under 18."""
    day = today or date.today()
    return [
        followed.subject
        for followed in cases.followed_by(reader, day)
        if followed.relation in ("self", "child")
    ]


def subject_for(reader: Person, child_public_id: str | None, today: date | None = None) -> Person:
    """The reader, or their child with this public id; NotFound for anyone else (a child without custody, a
    child who has turned 18, someone else's child)."""
    if child_public_id is None:
        return reader
    found = next(
        (p for p in subjects_for(reader, today) if p.public_id == child_public_id and p.id != reader.id),
        None,
    )
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def collect(reader: Person, subject: Person, today: date | None = None) -> dict:
    """Everything Min SIP holds about ``subject`` that ``reader`` may have (see the module's docstring)."""
    day = today or date.today()
    own = reader.id == subject.id
    found: dict = {
        "format": FORMAT,
        "made_at": _iso(utcnow()),
        "about": {"own": own, "downloaded_by": None if own else reader.display_name},
        "person": _person(subject),
        "relations": _relations(subject),
        "sips": [_sip(reader, case, day) for case in _cases(reader, subject, own, day)],
        "problem_reports_without_sip": [],
        "feedback_requests": [],
        "messages": [],
        "push_devices": [],
        "notification_settings": None,
        "sessions": [],
        "drafts": [],
        "logged_actions": [],
    }
    if own:
        found.update(_belongings(subject))
    # Who downloaded whose data is logged (a guardian for a child, too); the file is made on every download.
    audit.record(reader, "my_data.downloaded", None, subject=subject.public_id)
    return found


def _person(person: Person) -> dict:
    return {
        "public_id": person.public_id,
        "name": person.display_name,
        "personal_identity_number": people.identity_number_of(person),
        "birth_date": _iso(person.birth_date),
        "phone": person.phone,
        "email": person.email,
        "language": person.preferred_language,
        "in_min_sip_since": _iso(person.created_at),
    }


def _relations(person: Person) -> list[dict]:
    """The person's ties: whom they are guardian, representative or relative of, and who is theirs."""
    rows = db.session.execute(
        select(Relationship, Person.display_name)
        .join(
            Person,
            or_(
                (Relationship.holder_id == person.id) & (Person.id == Relationship.subject_id),
                (Relationship.subject_id == person.id) & (Person.id == Relationship.holder_id),
            ),
        )
        .order_by(Relationship.id)
    ).all()
    return [
        {
            "kind": rel.kind.value,
            "direction": "you_are_holder" if rel.holder_id == person.id else "you_are_subject",
            "other_person": name,
            "has_custody": rel.has_custody if rel.kind == RelationKind.GUARDIAN else None,
            "representative_type": rel.representative_type.value if rel.representative_type else None,
            "mandate": list(rel.mandate or []),
            "valid_from": _iso(rel.valid_from),
            "valid_until": _iso(rel.valid_until),
        }
        for rel, name in rows
    ]


def _cases(reader: Person, subject: Person, own: bool, day: date) -> list[SipCase]:
    """The SIPs in the file. For a child: the child's SIPs. For the person: the SIPs about them, those they
    take part in, and those of the people they act for; each only if the policy lets the reader see some of
    it."""
    if not own:
        candidates = cases.cases_about([subject.id])
    else:
        followed = [f.subject.id for f in cases.followed_by(reader, day) if f.sees_cases]
        taking_part = select(Participant.case_id).where(
            Participant.person_id == reader.id, Participant.removed_at.is_(None)
        )
        candidates = list(
            db.session.scalars(
                select(SipCase)
                .where(or_(SipCase.subject_id.in_(followed), SipCase.id.in_(taking_part)))
                .order_by(SipCase.requested_at.desc())
            )
        )
    access.roles_for_many(reader, candidates, day)
    return [
        case
        for case in candidates
        if access.allowed_actions(reader, case) & {Action.VIEW_CASE, Action.VIEW_INVITATION}
    ]


def _sip(reader: Person, case: SipCase, day: date) -> dict:
    allowed = access.allowed_actions(reader, case)
    sip: dict = {key: [] for key in SIP_KEYS}
    sip.update(
        public_id=case.public_id,
        roles=sorted(role.value for role in access.roles_of(reader, case, day)),
        step=None,
        requested_at=None,
        closed=None,
        kept_until=None,
        unit=None,
        coordinator=None,
        need=None,
        discharge_date=None,
        preparation=None,
    )
    if Action.VIEW_CASE in allowed:
        sip.update(_case_part(reader, case, day))
    if Action.VIEW_CONSENT in allowed:
        sip["consent"] = _consent_events(consent.events_with_people(case))
        sip["child_views"] = _child_views(case)
    if Action.PREPARE_MEETING in allowed:
        sip["preparation"] = _preparation(reader, case)
    elif access.Role.CHILD_SELF in access.roles_of(reader, case, day):
        sip["preparation"] = _preparation(
            reader, case, child_only=True
        )  # "Min röst": the child's own answers
    if Action.VIEW_INVITATION in allowed:
        sip["meetings"] = _meetings(reader, case, everyone=Action.PREPARE_MEETING in allowed)
    if Action.VIEW_PLAN in allowed:
        sip["plan_versions"] = _plan_versions(case)
    if Action.SHARE_PLAN in allowed:
        sip["plan_shared_with"] = _shares(case)
    sip["problem_reports"] = [_report(r) for r in _reports(reader, case)]
    if Action.VIEW_ACCESS_LOG in allowed:
        sip["who_has_read"] = _who_has_read(case)
    return sip


def _case_part(reader: Person, case: SipCase, day: date) -> dict:
    loaded = cases.load_case(case.public_id)
    coordinator = loaded.coordinator if loaded is not None else None
    all_events = cases.visible_events(case)
    limits = mature_minor.limits_for(reader, case, day)
    events = all_events
    if limits is not None:
        events = [e for e in events if mature_minor.shows_event(limits, e.kind, e.step)]
    closed_at = next((e.at for e in reversed(all_events) if e.step == Step.CLOSED), None)
    limited = limits is not None
    return {
        "step": None if limited else case.step.value,
        "requested_at": _iso(case.requested_at),
        "closed": (case.closing_reason.value if case.closing_reason else "closed")
        if case.is_closed
        else None,
        "kept_until": _iso(retention.kept_until(closed_at or case.updated_at)) if case.is_closed else None,
        "unit": case.owning_unit.name if case.owning_unit else None,
        "coordinator": (
            {"name": coordinator.display_name, "phone": coordinator.phone}
            if coordinator is not None
            else None
        ),
        "need": None if limited else case.need_description,
        "discharge_date": None if limited else _iso(case.discharge_date),
        "history": [
            {
                "at": _iso(e.at),
                "kind": e.kind.value,
                "step": e.step.value if e.step else None,
                "by": e.actor_name,
                "details": dict(e.data or {}),
            }
            for e in events
        ],
    }


def _consent_events(events: list[ConsentEvent]) -> list[dict]:
    names = consent.unit_names({unit for event in events for unit in (event.unit_ids or [])})
    return [
        {
            "at": _iso(event.at),
            "kind": event.kind.value,
            "by": event.consenter.display_name,
            "recorded_by_staff": event.recorded_by_staff.display_name if event.recorded_by_staff else None,
            "method": event.method.value,
            "units": [names.get(unit, unit) for unit in event.unit_ids or []],
            "other_parties": list(event.other_parties or []),
            "categories": list(event.categories or []),
            "exclusions": event.exclusions or "",
            "valid_from": _iso(event.valid_from),
            "valid_until": _iso(event.valid_until),
            "note": event.note,
        }
        for event in events
    ]


def _child_views(case: SipCase) -> list[dict]:
    rows = db.session.execute(
        select(ChildView, Person.display_name)
        .join(Person, Person.id == ChildView.recorded_by_id)
        .where(ChildView.case_id == case.id)
        .order_by(ChildView.at, ChildView.id)
    ).all()
    return [
        {"at": _iso(view.at), "answer": view.answer.value, "own_words": view.own_words, "recorded_by": name}
        for view, name in rows
    ]


def _preparation(reader: Person, case: SipCase, child_only: bool = False) -> dict:
    """The preparation ("Inför mötet") as the reader sees it: the person's answers, the child's answers the
    child shares with them, the agenda, the private list, the guests. The child themself: their own answers
    only ("Min röst")."""
    if child_only:
        return {
            "answers": [],
            "child_answers": _answers(preparation.child_answers_for(reader, case)),
            "talk_about": [],
            "not_talk_about": [],
            "guests": [],
        }
    return {
        "answers": _answers(preparation.answers(case, Voice.PERSON)),
        "child_answers": _answers(preparation.child_answers_for(reader, case)),
        "talk_about": [_item(item) for item in preparation.agenda(case, AgendaList.TALK_ABOUT)],
        "not_talk_about": [_item(item) for item in preparation.private_list_for(reader, case)],
        "guests": [
            {
                "name": guest.name or (guest.person.display_name if guest.person else None),
                "role": guest.role.value,
            }
            for guest in preparation.guests(case)
        ],
    }


def _answers(answers: dict) -> list[dict]:
    return [
        {"theme": theme, "text": answer.text, "choice": dict(answer.choice or {})}
        for theme, answer in sorted(answers.items())
    ]


def _item(item: AgendaItem) -> dict:
    return {"text": item.text, "most_important": item.most_important, "status": item.status.value}


def _meetings(reader: Person, case: SipCase, everyone: bool) -> list[dict]:
    """The meetings: for the person's side every invitation and its answer; for a relative only their own
    invitation (and the topics they suggested through it)."""
    meetings = list(
        db.session.scalars(select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.starts_at))
    )
    rows = db.session.execute(
        select(Invitation, Participant, Unit.name)
        .join(Participant, Participant.id == Invitation.participant_id)
        .outerjoin(Unit, Unit.id == Participant.unit_id)
        .where(Invitation.meeting_id.in_([m.id for m in meetings]))
        .order_by(Invitation.id)
    ).all()
    found = []
    for meeting in meetings:
        invitations = [
            (invitation, party, unit)
            for invitation, party, unit in rows
            if invitation.meeting_id == meeting.id and (everyone or party.person_id == reader.id)
        ]
        if not everyone and not invitations:
            continue
        found.append(
            {
                "starts_at": _iso(meeting.starts_at),
                "length_minutes": meeting.length_minutes,
                "mode": meeting.mode.value,
                "place": meeting.place,
                "video_link": meeting.video_link,
                "phone": meeting.phone,
                "interpreter_language": meeting.interpreter_language,
                "other_needs": meeting.other_needs,
                "status": meeting.status.value,
                "held_at": _iso(meeting.held_at),
                "invitations": [
                    {
                        "to": unit
                        or party.name
                        or ("you" if party.person_id == reader.id else party.role.value),
                        "status": invitation.status.value,
                        "who_comes": invitation.who_comes,
                        "answered_at": _iso(invitation.answered_at),
                        "topics_suggested": [
                            item.text for item in preparation.suggestions_through(invitation.id)
                        ]
                        if party.person_id == reader.id
                        else [],
                    }
                    for invitation, party, unit in invitations
                ],
            }
        )
    return found


def _plan_versions(case: SipCase) -> list[dict]:
    """The versions the person can read: approved ones, and a draft once it was sent for reading."""
    versions = [
        v
        for v in plan_reading.versions_with_decisions(case)
        if v.status != VersionStatus.DRAFT or v.sent_at is not None
    ]
    plan_reading.load_goals(versions)
    comments = _comments([v.id for v in versions])
    marks = action_follow_up.latest_marks([case.id])
    return [
        {
            "number": v.number,
            "status": v.status.value,
            "sent_at": _iso(v.sent_at),
            "approved_at": _iso(v.approved_at),
            "approved_way": v.approved_way.value if v.approved_way else None,
            "goals": [
                {
                    "term": goal.term.value,
                    "text": goal.text,
                    "outcome": goal.outcome.value if goal.outcome else None,
                    "outcome_comment": goal.outcome_comment,
                    "ended": goal.ended,
                    "actions": [
                        {
                            "what": action.what,
                            "responsible": action.responsible.value,
                            "unit": action.responsible_unit.name if action.responsible_unit else None,
                            "responsible_name": action.responsible_name,
                            "starts_on": _iso(action.starts_on),
                            "how_often": action.how_often,
                            "progress": (
                                marks[(case.id, action.action_key)].progress.value
                                if (case.id, action.action_key) in marks
                                else None
                            ),
                        }
                        for action in goal.actions
                    ],
                }
                for goal in v.goals
            ],
            "pending_decisions": [
                {
                    "what": d.what,
                    "meanwhile": d.meanwhile,
                    "expected_on": _iso(d.expected_on),
                    "decided": d.outcome.decision if d.outcome else None,
                }
                for d in v.pending_decisions
            ],
            "if_worse": v.if_worse,
            "other_discussed": v.other_discussed,
            "attendees": v.attendees,
            "principal_in_charge": v.principal_in_charge,
            "coordinator_name": v.coordinator_name,
            "coordinator_contact": v.coordinator_contact,
            "follow_up_on": _iso(v.follow_up_on),
            "follow_up_by": v.follow_up_by,
            "no_follow_up_reason": v.no_follow_up_reason,
            "applies_until": _iso(v.applies_until),
            "disagreements": v.disagreements,
            "continued_need": v.continued_need,
            "comments": comments.get(v.id, []),
        }
        for v in versions
    ]


def _comments(version_ids: list[int]) -> dict[int, list[dict]]:
    if not version_ids:
        return {}
    found: dict[int, list[dict]] = {}
    rows = db.session.execute(
        select(PlanComment, Person.display_name)
        .join(Person, Person.id == PlanComment.person_id)
        .where(PlanComment.version_id.in_(version_ids))
        .order_by(PlanComment.id)
    ).all()
    for comment, name in rows:
        found.setdefault(comment.version_id, []).append(
            {"at": _iso(comment.created_at), "by": name, "text": comment.text}
        )
    return found


def _shares(case: SipCase) -> list[dict]:
    rows = db.session.execute(
        select(PlanShare, Participant, Person.display_name)
        .join(Participant, Participant.id == PlanShare.participant_id)
        .outerjoin(Person, Person.id == Participant.person_id)
        .where(PlanShare.case_id == case.id)
        .order_by(PlanShare.id)
    ).all()
    return [
        {"with": name or party.name, "shared_at": _iso(share.shared_at), "revoked_at": _iso(share.revoked_at)}
        for share, party, name in rows
    ]


def _reports(reader: Person, case: SipCase | None) -> list[ProblemReport]:
    """Problem reports the reader made (about this SIP, or without one)."""
    where = ProblemReport.case_id == case.id if case is not None else ProblemReport.case_id.is_(None)
    return list(
        db.session.scalars(
            select(ProblemReport)
            .where(ProblemReport.reported_by_person_id == reader.id, where)
            .order_by(ProblemReport.created_at)
        )
    )


def _report(report: ProblemReport) -> dict:
    return {
        "public_id": report.public_id,
        "made_at": _iso(report.created_at),
        "kind": report.kind.value,
        "text": report.text,
        "status": report.status.value,
        "answer": report.answer,
        "answered_at": _iso(report.answered_at),
    }


def _who_has_read(case: SipCase) -> list[dict]:
    """ "Vem har läst": every staff read and change of the SIP, newest first, as on that page."""
    entries = access_log.staff_entries(case, offset=0, limit=100_000)
    units = access_log.units_of(case, {entry.actor_staff_id for entry in entries})
    return [
        {
            "at": _iso(entry.at),
            "staff": entry.display_name,
            "unit": units.get(entry.actor_staff_id),
            "action": entry.action,
            "what": gettext(access_log.sentence_for(entry.action), who=entry.display_name),
        }
        for entry in entries
    ]


def _belongings(person: Person) -> dict:
    """What is the person's alone: not part of any SIP's pages."""
    requests = db.session.execute(
        select(FeedbackRequest, Meeting.starts_at, SipCase.public_id)
        .join(Meeting, Meeting.id == FeedbackRequest.meeting_id)
        .join(SipCase, SipCase.id == Meeting.case_id)
        .where(FeedbackRequest.person_id == person.id)
        .order_by(Meeting.starts_at)
    ).all()
    messages = db.session.execute(
        select(Notification, SipCase.public_id)
        .outerjoin(SipCase, SipCase.id == Notification.case_id)
        .where(Notification.recipient_person_id == person.id)
        .order_by(Notification.created_at, Notification.id)
    ).all()
    sessions = db.session.scalars(
        select(WebSession).where(WebSession.actor_id == person.get_id()).order_by(WebSession.created_at)
    )
    drafts = db.session.execute(
        select(FlowDraft, SipCase.public_id)
        .outerjoin(SipCase, SipCase.id == FlowDraft.case_id)
        .where(FlowDraft.author_id == person.id)
        .order_by(FlowDraft.created_at)
    ).all()
    logged = db.session.execute(
        select(AuditEntry, SipCase.public_id)
        .outerjoin(SipCase, SipCase.id == AuditEntry.case_id)
        .where(AuditEntry.actor_person_id == person.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return {
        "problem_reports_without_sip": [_report(r) for r in _reports(person, None)],
        "feedback_requests": [
            {"sip": sip, "meeting_at": _iso(starts_at), "answered": request.answered}
            for request, starts_at, sip in requests
        ],
        "messages": [
            {
                "kind": message.kind.value,
                "sip": sip,
                "details": dict(message.data or {}),
                "sent_at": _iso(message.created_at),
                "read_at": _iso(message.read_at),
            }
            for message, sip in messages
        ],
        "push_devices": [
            {
                "device": device.device_label,
                "added_at": _iso(device.created_at),
                "last_sent_at": _iso(device.last_sent_at),
            }
            for device in push.devices_of(person)
        ],
        "notification_settings": {
            "push_kinds": list(push.chosen_kinds(person)),
            "email_about_new_messages": outreach.choice_of(person).by_email,
            "sms_about_new_messages": outreach.choice_of(person).by_sms,
        },
        "sessions": [
            {"signed_in_at": _iso(session.created_at), "last_seen_at": _iso(session.last_seen_at)}
            for session in sessions
        ],
        "drafts": [
            {
                "flow": draft.flow,
                "sip": sip,
                "answers": dict(draft.answers or {}),
                "changed_at": _iso(draft.updated_at),
            }
            for draft, sip in drafts
        ],
        "logged_actions": [
            {"at": _iso(entry.at), "action": entry.action, "sip": sip} for entry, sip in logged
        ],
    }
