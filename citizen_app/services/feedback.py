"""Feedback after a meeting (SIPkollen-style) [SIP.md 7] [ST], anonymous by construction.

- When a meeting is marked held, everyone who took part on the citizen side is asked once: the person (or
  the guardians / representative), the child, and relatives who came. Each gets a FeedbackRequest.
- An answer is stored without any link to the person, the case or the meeting: only the meeting's units,
  its month and the audience (models/feedback.py). The request only flips to "answered" — no time — so the
  two tables cannot be joined. Nothing about an answer is written to the audit log or any log.
- One answer per person and meeting: the request is flipped with a conditional UPDATE in the same
  transaction as the insert, so a double submit (or two tabs) stores one answer.
- Staff see results per unit and period only when at least 5 answers fall in the group (MIN_GROUP); the
  charts, tables, free texts and the CSV all go through ``results`` so the rule is in one place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from citizen_app.extensions import db
from citizen_app.models import (
    Audience,
    FeedbackAnswer,
    FeedbackRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    SipCase,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotFound,
    notifications,
    question_sets,
    recipients,
)
from citizen_app.services.row_counts import rows_changed

MIN_GROUP = 5
SET_FOR = {Audience.ADULT: "adult", Audience.YOUNG: "young", Audience.RELATIVE: "relative"}
MAX_FREE_TEXT = 2000


class InvalidFeedback(InvalidInput):
    pass


# --- Asking after the meeting -------------------------------------------------------------------------


def request_after_meeting(meeting: Meeting) -> list[FeedbackRequest]:
    """Ask everyone on the citizen side who took part. Safe to run twice: nobody is asked twice."""
    case = db.session.get_one(SipCase, meeting.case_id)
    wanted: list[tuple[Person | None, Invitation | None, Audience]] = [
        (person, None, Audience.ADULT) for person in recipients.citizen_recipients(case)
    ]
    if case.subject is not None and case.subject.is_child_on(meeting.starts_at.date()):
        wanted.append((case.subject, None, Audience.YOUNG))
    for invited in db.session.scalars(
        select(Invitation)
        .where(Invitation.meeting_id == meeting.id)
        .options(selectinload(Invitation.participant).selectinload(Participant.person))
    ):
        party = invited.participant
        came = invited.status in (InvitationStatus.ACCEPTED, InvitationStatus.BY_PHONE)
        if came and party.role in (ParticipantRole.RELATIVE, ParticipantRole.SUPPORT_PERSON):
            wanted.append((party.person, invited, Audience.RELATIVE))
    existing = list(
        db.session.scalars(select(FeedbackRequest).where(FeedbackRequest.meeting_id == meeting.id))
    )
    asked_people = {r.person_id for r in existing if r.person_id is not None}
    asked_invitations = {r.invitation_id for r in existing if r.invitation_id is not None}
    made = []
    for person, invitation, audience in wanted:
        if (person is not None and person.id in asked_people) or (
            person is None and invitation is not None and invitation.id in asked_invitations
        ):
            continue
        request = FeedbackRequest(
            meeting_id=meeting.id,
            person_id=person.id if person is not None else None,
            invitation_id=invitation.id if invitation is not None and person is None else None,
            audience=audience,
        )
        db.session.add(request)
        if person is not None:
            asked_people.add(person.id)
            if audience != Audience.YOUNG:  # the child finds it on their own pages
                notifications.notify(
                    person,
                    NotificationKind.FEEDBACK_REQUESTED,
                    case,
                    dedupe_key=f"feedback:{meeting.public_id}:{person.public_id}",
                )
        made.append(request)
    db.session.flush()
    return made


def open_requests_for(person: Person) -> list[FeedbackRequest]:
    return list(
        db.session.scalars(
            select(FeedbackRequest)
            .where(FeedbackRequest.person_id == person.id, FeedbackRequest.answered.is_(False))
            .order_by(FeedbackRequest.id)
        )
    )


def request_of(person: Person, public_id: str) -> FeedbackRequest:
    request = db.session.scalar(
        select(FeedbackRequest).where(
            FeedbackRequest.public_id == public_id, FeedbackRequest.person_id == person.id
        )
    )
    if request is None:
        raise NotFound(N_("Sidan finns inte."))
    return request


def request_for_invitation(invitation_id: int) -> FeedbackRequest | None:
    """A relative without an account answers through their invitation link."""
    return db.session.scalar(select(FeedbackRequest).where(FeedbackRequest.invitation_id == invitation_id))


@dataclass(frozen=True)
class OpenRequest:
    """An open request as the person's list shows it: which meeting (its day) and whose SIP it was."""

    request: FeedbackRequest
    meeting: Meeting
    case: SipCase


def open_requests_listed(person: Person) -> list[OpenRequest]:
    """The person's open requests with their meeting and case, for "Tyck till om mötet" (one query)."""
    rows = db.session.execute(
        select(FeedbackRequest, Meeting, SipCase)
        .join(Meeting, Meeting.id == FeedbackRequest.meeting_id)
        .join(SipCase, SipCase.id == Meeting.case_id)
        .where(FeedbackRequest.person_id == person.id, FeedbackRequest.answered.is_(False))
        .order_by(Meeting.starts_at, FeedbackRequest.id)
    )
    return [OpenRequest(request, meeting, case) for request, meeting, case in rows]


def meeting_of(request: FeedbackRequest) -> Meeting:
    return db.session.get_one(Meeting, request.meeting_id)


def case_of(request: FeedbackRequest) -> SipCase:
    return db.session.get_one(SipCase, meeting_of(request).case_id)


def open_request_in_case(person: Person, case: SipCase) -> FeedbackRequest | None:
    """The person's open request after a meeting of this case (the child's start page links to it)."""
    return db.session.scalar(
        select(FeedbackRequest)
        .join(Meeting, Meeting.id == FeedbackRequest.meeting_id)
        .where(
            FeedbackRequest.person_id == person.id,
            FeedbackRequest.answered.is_(False),
            Meeting.case_id == case.id,
        )
        .order_by(FeedbackRequest.id.desc())
        .limit(1)
    )


def request_in_case(person: Person, case: SipCase, public_id: str) -> FeedbackRequest:
    """The person's own request after a meeting of this case; NotFound for any other."""
    request = request_of(person, public_id)
    if meeting_of(request).case_id != case.id:
        raise NotFound(N_("Sidan finns inte."))
    return request


def question_set_for(request: FeedbackRequest) -> question_sets.QuestionSet:
    return question_sets.newest(SET_FOR[request.audience])


# --- Answering ---------------------------------------------------------------------------------------


def _validated(qs: question_sets.QuestionSet, form: dict[str, str]) -> tuple[dict, dict]:
    answers, texts, errors = {}, {}, {}
    for question in qs.questions:
        value = (form.get(question.id) or "").strip()
        if question.kind == "text":
            if len(value) > MAX_FREE_TEXT:
                errors[question.id] = N_("Skriv högst 2000 tecken")
            elif value:
                texts[question.id] = value
        elif value:
            if question.step(value) is None:
                errors[question.id] = N_("Välj ett av svaren")
            else:
                answers[question.id] = value
    if not answers and not texts:
        errors["form"] = N_("Svara på minst en fråga")
    if errors:
        raise InvalidFeedback(errors)
    return answers, texts


def submit(request: FeedbackRequest, form: dict[str, str]) -> bool:
    """Store one anonymous answer. Returns False (and stores nothing) if this request was already answered.

    Every question may be skipped; at least one must be answered.
    """
    qs = question_set_for(request)
    answers, texts = _validated(qs, form)
    flipped = rows_changed(
        update(FeedbackRequest)
        .where(FeedbackRequest.id == request.id, FeedbackRequest.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if flipped != 1:
        return False
    meeting = db.session.get_one(Meeting, request.meeting_id)
    db.session.add(
        FeedbackAnswer(
            question_set=qs.set,
            set_version=qs.version,
            audience=request.audience,
            month=meeting.starts_at.strftime("%Y-%m"),
            unit_ids=_units_of(meeting),
            answers=answers,
            free_text=texts,
        )
    )
    db.session.flush()
    db.session.refresh(request)
    return True


def _units_of(meeting: Meeting) -> list[int]:
    case = db.session.get_one(SipCase, meeting.case_id)
    units = {case.owning_unit_id} if case.owning_unit_id else set()
    units |= set(
        db.session.scalars(
            select(Participant.unit_id)
            .join(Invitation, Invitation.participant_id == Participant.id)
            .where(Invitation.meeting_id == meeting.id, Participant.unit_id.is_not(None))
        )
    )
    return sorted(units)


# --- Results for staff ------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: question_sets.Question
    counts: list[tuple[question_sets.Step, int]]  # every step, in order, with how many chose it
    answered: int

    @property
    def largest(self) -> int:
        return max((n for _, n in self.counts), default=0)


@dataclass
class Results:
    set_name: str
    unit_id: int
    month_from: str
    month_to: str
    total: int
    enough: bool  # at least MIN_GROUP answers: otherwise nothing but "för få svar för att visa"
    versions: list[int] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)
    free_texts: list[str] = field(default_factory=list)


def results(set_name: str, unit_id: int, month_from: str, month_to: str) -> Results:
    """Answers of one question set for meetings of one unit in a period. Below MIN_GROUP: counts only."""
    rows = [
        row
        for row in db.session.scalars(
            select(FeedbackAnswer).where(
                FeedbackAnswer.question_set == set_name,
                FeedbackAnswer.month >= month_from,
                FeedbackAnswer.month <= month_to,
            )
        )
        if unit_id in (row.unit_ids or [])
    ]
    found = Results(set_name, unit_id, month_from, month_to, total=len(rows), enough=len(rows) >= MIN_GROUP)
    if not found.enough:
        return found
    found.versions = sorted({row.set_version for row in rows})
    # Questions are shown as the newest version asks them; an answer given to an older version counts under
    # the same question id (ids are never reused for another meaning, see question_sets/README.md).
    shown = question_sets.newest(set_name)
    older = [question_sets.get(set_name, v) for v in found.versions]
    questions = list(shown.questions) + [
        q for qs in older for q in qs.questions if shown.question(q.id) is None
    ]
    for question in questions:
        if question.kind == "text":
            found.free_texts += [row.free_text[question.id] for row in rows if question.id in row.free_text]
            continue
        counts = [
            (step, sum(1 for row in rows if row.answers.get(question.id) == step.id))
            for step in question.steps
        ]
        found.questions.append(QuestionResult(question, counts, sum(n for _, n in counts)))
    return found


def results_csv(found: Results, language: str) -> str:
    """The same numbers as the chart and table, under the same rule; no free text row ties to anyone."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "answer", "count"])
    if not found.enough:
        writer.writerow(
            ["-", "för få svar för att visa" if language == "sv" else "too few answers to show", ""]
        )
        return out.getvalue()
    for result in found.questions:
        for step, count in result.counts:
            writer.writerow([result.question.text[language], step.label[language], count])
    for text in found.free_texts:
        writer.writerow(["free_text", spreadsheet_safe(text), ""])
    return out.getvalue()


# A cell that starts with one of these is read as a formula by Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Free text a person wrote, made harmless for a spreadsheet (OWASP "CSV injection"): a leading
    apostrophe makes the cell plain text, so "=HYPERLINK(...)" is shown, never run."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
