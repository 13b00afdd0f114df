"""Asking for a SIP: the question-per-page request, sending it, cancelling it [issue 3] [DA 1, 4] [HA].

The answers live in a draft of the flow "request" (services/drafts.py) until sent. Each step is validated
here (not in the view), so the same rule gives the same Swedish message everywhere. Sending is idempotent: a
double-clicked submit finds the case the first click made.

Which unit receives a sent request is county configuration (services/intake_rules.py, issue 16), keyed by
what the answers record about the need: "Ska du snart skrivas ut från sjukhus?" (the discharge rule) and
whether the SIP is for a child or an adult; then the default unit of the principals of the chosen units. The
order the person ticked the units in does not matter. With nothing configured, the first unit with a
coordinator (municipality first, then by name); with no coordinator anywhere, no unit.

A SIP is for help from both the municipality and the region [DA 3.3, 3.6.2]: when every unit the person chose
belongs to one of them, ``one_principal_only`` says which, and the flow shows a page about the plan that fits
instead (a vårdplan in the region, a genomförandeplan in the municipality) before the next question. The
person can still go on and send the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    ClosingReason,
    EventKind,
    FlowDraft,
    Initiator,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    Principal,
    PrincipalKind,
    RelationKind,
    Relationship,
    SipCase,
    StaffUser,
    Step,
    Unit,
)
from citizen_app.services import (
    N_,
    DomainError,
    NotAllowed,
    NotFound,
    audit,
    deadlines,
    drafts,
    intake_rules,
    notifications,
    recipients,
    timeline,
)
from citizen_app.services import discharge as discharge_rules
from citizen_app.services.row_counts import rows_changed

STEPS = ("who", "need", "services", "urgency", "contact")
MAX_TEXT = 2000
MAX_SHORT = 200
CONTACT_WAYS = ("app", "phone", "email")


class AlreadySent(DomainError):
    def __init__(self, case: SipCase) -> None:
        super().__init__(N_("Din förfrågan är redan skickad."))
        self.case = case


@dataclass(frozen=True)
class WhoOption:
    value: str  # "self", "child:<public_id>", "represented:<public_id>", "someone_close"
    name: str | None  # the child's or represented person's name


def who_options(author: Person, today: date | None = None) -> list[WhoOption]:
    """Me, each child I have custody of, each person I represent, or someone close to me."""
    day = today or date.today()
    options = [WhoOption("self", None)]
    rels = db.session.scalars(
        select(Relationship)
        .where(
            Relationship.holder_id == author.id,
            Relationship.kind.in_([RelationKind.GUARDIAN, RelationKind.REPRESENTATIVE]),
        )
        .options(selectinload(Relationship.subject))
        .order_by(Relationship.id)
    ).all()
    for rel in rels:
        if rel.kind == RelationKind.GUARDIAN and rel.has_custody and rel.subject.is_child_on(day):
            options.append(WhoOption("child:" + rel.subject.public_id, rel.subject.display_name))
        elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(day):
            options.append(WhoOption("represented:" + rel.subject.public_id, rel.subject.display_name))
    options.append(WhoOption("someone_close", None))
    return options


def units_by_principal_kind() -> dict[str, list[Unit]]:
    """The county's units grouped as kommun / region / other, for the "which services" question."""
    units = db.session.scalars(select(Unit).options(selectinload(Unit.principal)).order_by(Unit.name)).all()
    grouped: dict[str, list[Unit]] = {k.value: [] for k in PrincipalKind}
    for unit in units:
        grouped[unit.principal.kind.value].append(unit)
    return grouped


def one_principal_only(answers: dict) -> PrincipalKind | None:
    """Municipality or region, when every unit chosen belongs to that one kind of principal [DA 3.6.2].

    None when the person ticked "Vet inte", chose no unit, or chose units of both (or of another party such
    as Försäkringskassan, whose plans are not a kommun's or a region's).
    """
    unit_ids = answers.get("units") or []
    if not unit_ids or answers.get("dont_know"):
        return None
    kinds = set(
        db.session.scalars(
            select(Principal.kind)
            .join(Unit, Unit.principal_id == Principal.id)
            .where(Unit.public_id.in_(unit_ids))
        )
    )
    if len(kinds) == 1 and kinds <= {PrincipalKind.MUNICIPALITY, PrincipalKind.REGION}:
        return kinds.pop()
    return None


# ---- the draft ---------------------------------------------------------------------------------------------


def open_draft(author: Person) -> FlowDraft:
    """The author's unsent draft, or a new one."""
    return drafts.open_draft(author, drafts.REQUEST)


def get_draft(author: Person, public_id: str) -> FlowDraft:
    """The author's own draft; someone else's, or an unknown id, is not found."""
    draft = drafts.find(author, drafts.REQUEST, public_id)
    if draft is None:
        raise NotFound(N_("Förfrågan finns inte."))
    return draft


def first_unanswered_step(draft: FlowDraft) -> str | None:
    return drafts.first_unanswered(STEPS, draft.answers)


def save_step(author: Person, draft: FlowDraft, step: str, values: dict) -> dict[str, str]:
    """Validate and store one step's answers. Returns {field: Swedish message}; empty when saved."""
    _refuse_if_sent(draft)
    validator = _VALIDATORS.get(step)
    if validator is None:
        raise NotFound(N_("Frågan finns inte."))
    clean, errors = validator(author, values)
    if errors:
        return errors
    drafts.save(draft, drafts.with_answer(draft.answers, clean, step, STEPS))
    return {}


def _refuse_if_sent(draft: FlowDraft) -> None:
    sent = sent_case_of(draft)
    if sent is not None:
        raise AlreadySent(sent)


def _text(values: dict, name: str, limit: int) -> str:
    raw = values.get(name) or ""
    return raw.replace("\r\n", "\n").replace("\x00", "").strip() if isinstance(raw, str) else ""


def _too_long(text: str, limit: int) -> bool:
    return len(text) > limit


def _validate_who(author: Person, values: dict):
    choice = values.get("for_whom") or ""
    allowed = {o.value for o in who_options(author)}
    if choice not in allowed:
        return {}, {"for_whom": N_("Välj vem SIP:en är till")}
    clean: dict = {"for_whom": choice, "close_name": "", "close_contact": ""}
    errors: dict[str, str] = {}
    if choice == "someone_close":
        name = _text(values, "close_name", MAX_SHORT)
        contact = _text(values, "close_contact", MAX_SHORT)
        if not name:
            errors["close_name"] = N_("Skriv personens namn")
        elif _too_long(name, MAX_SHORT):
            errors["close_name"] = N_("Namnet får vara högst 200 tecken")
        if not contact:
            errors["close_contact"] = N_("Skriv hur vi når personen, till exempel ett telefonnummer")
        elif _too_long(contact, MAX_SHORT):
            errors["close_contact"] = N_("Skriv högst 200 tecken")
        clean.update(close_name=name, close_contact=contact)
    return clean, errors


def _validate_need(author: Person, values: dict):
    need = _text(values, "need", MAX_TEXT)
    if not need:
        return {}, {"need": N_("Skriv vad du vill ha hjälp med")}
    if _too_long(need, MAX_TEXT):
        return {}, {"need": N_("Skriv högst 2000 tecken")}
    return {"need": need}, {}


def _validate_services(author: Person, values: dict):
    chosen = values.get("units") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    dont_know = "dont_know" in chosen or values.get("dont_know") == "yes"
    unit_ids = [c for c in chosen if c != "dont_know"]
    known = (
        set(db.session.scalars(select(Unit.public_id).where(Unit.public_id.in_(unit_ids))))
        if unit_ids
        else set()
    )
    other = _text(values, "other_services", MAX_SHORT * 2)
    errors = {}
    if set(unit_ids) - known:
        errors["units"] = N_("Välj bland verksamheterna i listan")
    elif not unit_ids and not dont_know and not other:
        errors["units"] = N_("Välj minst en verksamhet, skriv en annan, eller välj Vet inte")
    if _too_long(other, MAX_SHORT * 2):
        errors["other_services"] = N_("Skriv högst 400 tecken")
    return {"units": sorted(known), "dont_know": dont_know, "other_services": other}, errors


def _validate_urgency(author: Person, values: dict):
    urgent = values.get("urgent")
    leaving = values.get("leaving_hospital")
    errors = {}
    if urgent not in ("yes", "no"):
        errors["urgent"] = N_("Välj om det är bråttom")
    if leaving not in ("yes", "no"):
        errors["leaving_hospital"] = N_("Välj om du snart ska skrivas ut från sjukhus")
    discharge = None
    if leaving == "yes":
        raw = (values.get("discharge_date") or "").strip()
        try:
            discharge = date.fromisoformat(raw)
        except ValueError:
            errors["discharge_date"] = N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")
        else:
            outside = discharge_rules.date_error(discharge, date.today())  # the same range as for staff
            if outside:
                errors["discharge_date"] = outside
    return {
        "urgent": urgent == "yes",
        "leaving_hospital": leaving == "yes",
        "discharge_date": discharge.isoformat() if discharge else None,
    }, errors


def _validate_contact(author: Person, values: dict):
    way = values.get("contact_way")
    errors = {}
    phone = _text(values, "phone", 40)
    email = _text(values, "email", MAX_SHORT)
    if way not in CONTACT_WAYS:
        errors["contact_way"] = N_("Välj hur vi ska kontakta dig")
    if way == "phone" and not _looks_like_phone(phone):
        errors["phone"] = N_("Skriv ett telefonnummer, till exempel 070-123 45 67")
    if way == "email" and not _looks_like_email(email):
        errors["email"] = N_("Skriv en e-postadress, till exempel namn@exempel.se")
    interpreter = values.get("interpreter")
    language = _text(values, "interpreter_language", 80)
    if interpreter not in ("yes", "no"):
        errors["interpreter"] = N_("Välj om du behöver tolk")
    elif interpreter == "yes" and not language:
        errors["interpreter_language"] = N_("Skriv vilket språk tolken ska tala")
    elif len(language) > 80:
        errors["interpreter_language"] = N_("Skriv högst 80 tecken")
    adaptations = _text(values, "adaptations", MAX_TEXT)
    if _too_long(adaptations, MAX_TEXT):
        errors["adaptations"] = N_("Skriv högst 2000 tecken")
    return {
        "contact_way": way,
        "phone": phone if way == "phone" else "",
        "email": email if way == "email" else "",
        "interpreter": interpreter == "yes",
        "interpreter_language": language if interpreter == "yes" else "",
        "adaptations": adaptations,
    }, errors


def _looks_like_phone(text: str) -> bool:
    digits = [c for c in text if c.isdigit()]
    return 7 <= len(digits) <= 15 and all(c.isdigit() or c in " -+()" for c in text)


def _looks_like_email(text: str) -> bool:
    name, at, domain = text.partition("@")
    return bool(name and at and "." in domain and " " not in text and len(text) <= MAX_SHORT)


_VALIDATORS = {
    "who": _validate_who,
    "need": _validate_need,
    "services": _validate_services,
    "urgency": _validate_urgency,
    "contact": _validate_contact,
}


# ---- sending -----------------------------------------------------------------------------------------------


def submit(author: Person, draft: FlowDraft) -> SipCase:
    """Turn a complete draft into a SIP case, once. A second submit raises AlreadySent with the first case."""
    _refuse_if_sent(draft)
    if first_unanswered_step(draft) is not None:
        raise DomainError(N_("Svara på alla frågor först."))
    a = draft.answers
    subject, initiator = _subject_and_initiator(author, a["for_whom"])
    unit_ids = a.get("units", [])
    units = list(db.session.scalars(select(Unit).where(Unit.public_id.in_(unit_ids)))) if unit_ids else []
    try:
        with db.session.begin_nested():
            case = _new_case(author, subject, initiator, units, a)
            # Only one submit may claim the draft: the loser of a double click finds the winner's case.
            claimed = rows_changed(
                update(FlowDraft)
                .where(FlowDraft.id == draft.id, FlowDraft.submitted_case_id.is_(None))
                .values(submitted_case_id=case.id)
                .execution_options(synchronize_session=False)
            )
            if claimed != 1:
                raise _LostRace
    except _LostRace:
        db.session.expire(draft)
        _refuse_if_sent(draft)  # AlreadySent with the winner's case
        raise
    draft.submitted_case_id = case.id
    _add_participants(case, subject, units)
    timeline.record(case, EventKind.REQUESTED, author, step=Step.REQUESTED)
    db.session.flush()
    notifications.notify(
        author,
        NotificationKind.REQUEST_RECEIVED,
        case if subject is not None else None,
        data={"for_whom": a["for_whom"].split(":")[0]},
    )
    if case.awaiting_person_agreement is False:
        for person in recipients.citizen_recipients(case):
            if person.id != author.id:
                notifications.notify(
                    person, NotificationKind.REQUEST_RECEIVED, case, data={"for_whom": "other"}
                )
    if case.owning_unit_id is not None:
        for coordinator in recipients.unit_coordinators(case.owning_unit_id):
            notifications.notify(coordinator, NotificationKind.NEW_REQUEST_FOR_UNIT, case)
    return case


class _LostRace(Exception):
    pass


def _new_case(
    author: Person, subject: Person | None, initiator: Initiator, units: list[Unit], a: dict
) -> SipCase:
    case = SipCase(
        subject_id=subject.id if subject else None,
        owning_unit_id=_receiving_unit(subject, units, a),
        step=Step.REQUESTED,
        initiated_by=initiator,
        awaiting_person_agreement=initiator == Initiator.RELATIVE,
        urgent=bool(a.get("urgent")),
        need_description=a.get("need"),
        discharge_date=date.fromisoformat(a["discharge_date"]) if a.get("discharge_date") else None,
        requested_by_person_id=author.id,
        details={
            k: a.get(k)
            for k in (
                "close_name",
                "close_contact",
                "dont_know",
                "other_services",
                "contact_way",
                "phone",
                "email",
                "interpreter",
                "interpreter_language",
                "adaptations",
            )
        },
    )
    db.session.add(case)
    db.session.flush()
    return case


def _subject_and_initiator(author: Person, for_whom: str) -> tuple[Person | None, Initiator]:
    if for_whom == "self":
        return author, Initiator.PERSON
    if for_whom == "someone_close":
        return None, Initiator.RELATIVE
    kind, _, public_id = for_whom.partition(":")
    # Re-check the relationship now: custody or a mandate may have ended since the question was answered.
    if for_whom not in {o.value for o in who_options(author)}:
        raise NotAllowed(N_("Du kan inte längre be om en SIP för den personen."))
    subject = db.session.scalar(select(Person).where(Person.public_id == public_id))
    return subject, Initiator.GUARDIAN if kind == "child" else Initiator.REPRESENTATIVE


def _receiving_unit(subject: Person | None, units: list[Unit], a: dict) -> int | None:
    """The county's intake configuration decides (services/intake_rules.py): the need is read from the
    answers (leaving hospital; a child or an adult), never from the order the units were ticked in."""
    is_child = subject.is_child_on(date.today()) if subject is not None else None
    needs = intake_rules.needs_of(bool(a.get("leaving_hospital")), is_child)
    return intake_rules.receiving_unit(needs, units)


def _add_participants(case: SipCase, subject: Person | None, units: list[Unit]) -> None:
    if subject is not None:
        child = subject.is_child_on(date.today())
        db.session.add(
            Participant(
                case_id=case.id,
                person_id=subject.id,
                role=ParticipantRole.CHILD if child else ParticipantRole.PERSON,
            )
        )
        if not case.awaiting_person_agreement:
            for rel in db.session.scalars(select(Relationship).where(Relationship.subject_id == subject.id)):
                if rel.kind == RelationKind.GUARDIAN and rel.has_custody and child:
                    db.session.add(
                        Participant(case_id=case.id, person_id=rel.holder_id, role=ParticipantRole.GUARDIAN)
                    )
                elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(date.today()):
                    db.session.add(
                        Participant(
                            case_id=case.id, person_id=rel.holder_id, role=ParticipantRole.REPRESENTATIVE
                        )
                    )
    for unit in units:
        db.session.add(Participant(case_id=case.id, unit_id=unit.id, role=ParticipantRole.UNIT))


# ---- after sending -----------------------------------------------------------------------------------------


def sent_case_of(draft: FlowDraft) -> SipCase | None:
    """The case a sent draft became (None while unsent): the back button after sending leads there."""
    return db.session.get(SipCase, draft.submitted_case_id) if draft.submitted_case_id is not None else None


@dataclass(frozen=True)
class SentRequest:
    """What the confirmation page after sending shows, decided here so the template only displays it."""

    case: SipCase
    for_whom: str  # "self", "child", "represented" or "someone_close"
    name: str | None  # the child's, represented person's or suggested person's name
    can_view_case: bool
    coordinator: StaffUser | None
    meeting_due: date | None  # the goal: a first meeting within 30 days of the request [HA]


def sent_request_for(author: Person, case_public_id: str, today: date | None = None) -> SentRequest:
    """The confirmation for the person who sent the request.

    Found by who asked, not by the access policy: a relative may not read a case they suggested (the person
    must agree first), but may see that the suggestion was sent. Nothing from the case beyond what the
    relative wrote is shown to them.
    """
    case = db.session.scalar(
        select(SipCase)
        .where(SipCase.public_id == case_public_id, SipCase.requested_by_person_id == author.id)
        .options(selectinload(SipCase.subject))
    )
    if case is None:
        raise NotFound(N_("Sidan finns inte."))
    can_view = access.can(author, Action.VIEW_CASE, case)
    if case.initiated_by == Initiator.RELATIVE:
        for_whom, name = "someone_close", (case.details or {}).get("close_name")
    elif case.subject_id == author.id:
        for_whom, name = "self", None
    else:
        for_whom = "child" if case.initiated_by == Initiator.GUARDIAN else "represented"
        name = case.subject.display_name if can_view and case.subject else None
    day = today or date.today()
    due = next((d.due for d in deadlines.deadlines_for(case, day) if d.kind == "first_meeting"), None)
    return SentRequest(
        case=case,
        for_whom=for_whom,
        name=name,
        can_view_case=can_view,
        coordinator=recipients.current_coordinator(case) if can_view else None,
        meeting_due=None if case.is_closed else due,
    )


def can_cancel(actor, case: SipCase) -> bool:
    """A request can be cancelled until a meeting has been held [issue 3]."""
    return (
        access.can(actor, Action.CANCEL_REQUEST, case)
        and not case.is_closed
        and case.step.position < Step.MEETING_HELD.position
    )


def cancel(actor: Person, case: SipCase) -> SipCase:
    if not can_cancel(actor, case):
        raise NotAllowed(N_("Den här SIP:en går inte att avbryta."))
    previous = case.step
    case.step = Step.CLOSED
    case.closing_reason = ClosingReason.CANCELLED_BY_PERSON
    timeline.record(case, EventKind.CANCELLED, actor, step=Step.CLOSED, data={"from_step": previous.value})
    db.session.flush()
    audit.record(actor, "case.cancel", case)
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.REQUEST_CANCELLED, case)
    coordinator = recipients.current_coordinator(case)
    staff_to_tell = (
        [coordinator]
        if coordinator
        else (recipients.unit_coordinators(case.owning_unit_id) if case.owning_unit_id else [])
    )
    for member in staff_to_tell:
        notifications.notify(member, NotificationKind.REQUEST_CANCELLED, case)
    return case


def accept_suggestion(actor: Person, case: SipCase) -> SipCase:
    """The person agrees to a SIP someone close suggested; only then does anything else happen [issue 3]."""
    if not (case.awaiting_person_agreement and access.can(actor, Action.ACCEPT_SUGGESTION, case)):
        raise NotAllowed(N_("Det finns inget förslag att svara på."))
    case.awaiting_person_agreement = False
    timeline.record(case, EventKind.SUGGESTION_ACCEPTED, actor)
    db.session.flush()
    if case.owning_unit_id is not None:
        for coordinator in recipients.unit_coordinators(case.owning_unit_id):
            notifications.notify(coordinator, NotificationKind.NEW_REQUEST_FOR_UNIT, case)
    return case


def decline_suggestion(actor: Person, case: SipCase) -> SipCase:
    if not (case.awaiting_person_agreement and access.can(actor, Action.ACCEPT_SUGGESTION, case)):
        raise NotAllowed(N_("Det finns inget förslag att svara på."))
    case.step = Step.CLOSED
    case.closing_reason = ClosingReason.DECLINED_BY_PERSON
    timeline.record(
        case,
        EventKind.CLOSED,
        actor,
        step=Step.CLOSED,
        data={"reason": ClosingReason.DECLINED_BY_PERSON.value},
    )
    db.session.flush()
    return case
