"""Reading SIP cases: a person's overview and a single case for someone allowed to see it.

Every citizen page about a SIP knows who reads it and whose SIP it is, and says so [issue 13]. ``reader_of``
decides it, from the access policy's roles: the person, the child themself, a guardian with custody, a legal
representative or a relative. The case page's words for that reader (who started the SIP, what happens now,
the day of discharge) are decided here as sentences; the template only shows them. What happened, event by
event, is told by services/history.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    CaseEvent,
    ClosingReason,
    CoordinatorAssignment,
    EventKind,
    Initiator,
    Meeting,
    MeetingStatus,
    Person,
    RelationKind,
    Relationship,
    RepresentativeType,
    SipCase,
    StaffUser,
    Step,
)
from citizen_app.services import N_, NotFound, child_view, history
from citizen_app.services.history import Sentence, say


@dataclass
class OverviewGroup:
    """One person whose SIPs the signed-in person may follow, and how they are related."""

    subject: Person
    relation: str  # "self", "child", "child_no_custody", "represented"
    representative_type: RepresentativeType | None = None
    cases: list[SipCase] = field(default_factory=list)
    # Who started each SIP, in the words of the step "requested" for this reader (by case id).
    started: dict[int, Sentence] = field(default_factory=dict)
    # "Du svarar för Karl Nyström. Du är god man." (None for the person's own SIPs).
    role: Sentence | None = None


def overview_for(person: Person, today: date | None = None) -> list[OverviewGroup]:
    """The person's own SIPs, then each child's (guardians) and each represented person's. Two queries, and
    a third for the names of others who asked for one of these SIPs (another guardian, say)."""
    day = today or date.today()
    groups = [OverviewGroup(subject=person, relation="self")]
    rels = db.session.scalars(
        select(Relationship)
        .where(
            Relationship.holder_id == person.id,
            Relationship.kind.in_([RelationKind.GUARDIAN, RelationKind.REPRESENTATIVE]),
        )
        .options(selectinload(Relationship.subject))
        .order_by(Relationship.id)
    ).all()
    for rel in rels:
        if rel.kind == RelationKind.GUARDIAN and rel.subject.is_child_on(day):
            relation = "child" if rel.has_custody else "child_no_custody"
            groups.append(OverviewGroup(subject=rel.subject, relation=relation))
        elif rel.kind == RelationKind.REPRESENTATIVE and rel.is_valid_on(day):
            groups.append(
                OverviewGroup(
                    subject=rel.subject, relation="represented", representative_type=rel.representative_type
                )
            )
    # A parent without custody sees that the child exists here, but none of the child's SIPs [DA 4.2].
    visible_ids = [g.subject.id for g in groups if g.relation != "child_no_custody"]
    cases = db.session.scalars(
        select(SipCase).where(SipCase.subject_id.in_(visible_ids)).order_by(SipCase.requested_at.desc())
    ).all()
    by_subject: dict[int, list[SipCase]] = {}
    for case in cases:
        by_subject.setdefault(case.subject_id, []).append(case)
    names = _names_of(
        {c.requested_by_person_id for c in cases if c.requested_by_person_id}
        - {person.id}
        - {g.subject.id for g in groups}
    )
    names.update({g.subject.id: g.subject.display_name for g in groups})
    for group in groups:
        group.role = _role_words(
            _OVERVIEW_KIND.get(group.relation), group.subject.display_name, group.representative_type
        )
        if group.relation != "child_no_custody":
            group.cases = by_subject.get(group.subject.id, [])
            for case in group.cases:
                requester = case.requested_by_person_id
                group.started[case.id] = _origin(
                    case,
                    person.id,
                    group.subject.id,
                    group.subject.display_name,
                    requester,
                    names.get(requester),
                ).label
    return groups


def _names_of(person_ids: set[int]) -> dict[int, str]:
    """Names of a few people (who asked for a SIP), in one query; none when there is nobody to look up."""
    if not person_ids:
        return {}
    return dict(
        db.session.execute(select(Person.id, Person.display_name).where(Person.id.in_(person_ids))).all()
    )


def get_case_for(actor, public_id: str, action: Action) -> SipCase:
    """The case with ``public_id`` if ``actor`` may do ``action`` on it; otherwise NotFound.

    Citizens get "not found" rather than "forbidden" so a guessed id tells nothing about whether it exists.
    """
    case = db.session.scalar(
        select(SipCase).where(SipCase.public_id == public_id).options(joinedload(SipCase.subject))
    )
    if case is None or not access.can(actor, action, case):
        raise NotFound(N_("Sidan finns inte."))
    return case


@dataclass(frozen=True)
class TimelineStep:
    step: str
    state: str  # "done", "current" or "next"
    done_at: object | None  # the UTC datetime the step was reached, if it was


def timeline_of(case: SipCase, events: list | None = None) -> list[TimelineStep]:
    """The steps of SIP.md 3 in order, each done (with its date), current, or still to come.

    A closed case shows the steps it passed and then "closed" as current; steps it never reached are left out.
    ``events`` are the case's events when they are read already (each has ``step`` and ``at``).
    """
    reached: dict[str, object] = {}
    for event in case.events if events is None else events:
        if event.step is not None and event.step not in reached:
            reached[event.step] = event.at
    reached.setdefault(Step.REQUESTED, case.requested_at)
    current = case.step
    steps = []
    for step in Step:
        if step.position < current.position:
            if case.is_closed and step not in reached:
                continue
            steps.append(TimelineStep(step.value, "done", reached.get(step)))
        elif step == current:
            steps.append(TimelineStep(step.value, "current", reached.get(step)))
        elif not case.is_closed:
            steps.append(TimelineStep(step.value, "next", None))
    return steps


# --- Who reads ---------------------------------------------------------------------------------------------


class ReaderKind(enum.StrEnum):
    PERSON = "person"  # the adult the SIP is about
    CHILD = "child"  # the child the SIP is about, signed in themself
    GUARDIAN = "guardian"  # a guardian with custody of the child
    REPRESENTATIVE = "representative"  # god man, förvaltare or framtidsfullmakt
    RELATIVE = "relative"  # someone close, through their invitation


# How the overview's groups read: a child's guardian, a represented person's representative.
_OVERVIEW_KIND = {"child": ReaderKind.GUARDIAN, "represented": ReaderKind.REPRESENTATIVE}

# The first of the reader's roles that names them: a person who is also a relative of themself is the person.
_KIND_OF_ROLE = (
    (Role.PERSON, ReaderKind.PERSON),
    (Role.CHILD_SELF, ReaderKind.CHILD),
    (Role.GUARDIAN_WITH_CUSTODY, ReaderKind.GUARDIAN),
    (Role.REPRESENTATIVE, ReaderKind.REPRESENTATIVE),
    (Role.REPRESENTATIVE_FUTURE_POWER, ReaderKind.REPRESENTATIVE),
    (Role.RELATIVE, ReaderKind.RELATIVE),
)


@dataclass(frozen=True)
class Reader:
    """Who reads a page about a SIP, and whose SIP it is."""

    kind: ReaderKind
    person_id: int
    subject_name: str
    representative_type: RepresentativeType | None = None

    @property
    def is_subject(self) -> bool:
        """The SIP is about the reader: the page says "du" and "din SIP"."""
        return self.kind in (ReaderKind.PERSON, ReaderKind.CHILD)

    @property
    def acts_for_person(self) -> bool:
        """The person, or someone who decides in their place: they consent, prepare and get the plan."""
        return self.kind in (ReaderKind.PERSON, ReaderKind.GUARDIAN, ReaderKind.REPRESENTATIVE)


def reader_of(actor: Person, case: SipCase, today: date | None = None) -> Reader:
    """The reader's kind, from the access policy's roles towards the case. NotFound for anyone else.

    A representative's mandate (god man or förvaltare) is one more query, only for them.
    """
    roles = access.roles_of(actor, case, today)
    kind = next((kind for role, kind in _KIND_OF_ROLE if role in roles), None)
    if kind is None:
        raise NotFound(N_("Sidan finns inte."))
    rep_type = None
    if Role.REPRESENTATIVE_FUTURE_POWER in roles and Role.REPRESENTATIVE not in roles:
        rep_type = RepresentativeType.FRAMTIDSFULLMAKT
    elif kind == ReaderKind.REPRESENTATIVE:
        rep_type = db.session.scalar(
            select(Relationship.representative_type)
            .where(
                Relationship.holder_id == actor.id,
                Relationship.subject_id == case.subject_id,
                Relationship.kind == RelationKind.REPRESENTATIVE,
                Relationship.representative_type != RepresentativeType.FRAMTIDSFULLMAKT,
            )
            .limit(1)
        )
    return Reader(kind, actor.id, case.subject.display_name if case.subject else "", rep_type)


def _role_words(kind: ReaderKind | None, name: str, rep_type: RepresentativeType | None) -> Sentence | None:
    """ "Du svarar för Karl Nyström. Du är god man." — who the reader is towards the SIP's person."""
    if kind == ReaderKind.GUARDIAN:
        return say(N_("Du svarar för %(name)s. Du är vårdnadshavare."), name=name)
    if kind == ReaderKind.REPRESENTATIVE:
        if rep_type == RepresentativeType.GOD_MAN:
            return say(N_("Du svarar för %(name)s. Du är god man."), name=name)
        if rep_type == RepresentativeType.FORVALTARE:
            return say(N_("Du svarar för %(name)s. Du är förvaltare."), name=name)
        if rep_type == RepresentativeType.FRAMTIDSFULLMAKT:
            return say(N_("Du svarar för %(name)s. Du har en framtidsfullmakt."), name=name)
        return say(N_("Du svarar för %(name)s. Du är ställföreträdare."), name=name)
    if kind == ReaderKind.CHILD:
        return say(N_("Det här är din SIP. Dina föräldrar säger ja till den. Du får säga vad du tycker."))
    if kind == ReaderKind.RELATIVE:
        return say(N_("Du är närstående till %(name)s."), name=name)
    return None


# --- Who started the SIP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    label: Sentence  # the step "requested" in the list of steps: "Du har bett om en SIP"
    about: Sentence  # a sentence on the case page: "Personalen på Sjukhuset startade SIP:en."


def _origin(
    case: SipCase,
    reader_id: int,
    subject_id: int | None,
    subject_name: str,
    requester_id: int | None,
    requester_name: str | None,
    unit: str | None = None,
) -> Origin:
    """Who started the SIP, told to this reader: staff, the reader, someone named, or someone close."""
    if case.initiated_by == Initiator.STAFF:
        return Origin(
            say(N_("Personalen har startat SIP:en")),
            say(N_("Personalen på %(unit)s startade SIP:en."), unit=unit)
            if unit
            else say(N_("Personalen startade SIP:en.")),
        )
    if case.initiated_by == Initiator.RELATIVE:
        about = (
            say(N_("Någon som står dig nära föreslog SIP:en."))
            if reader_id == subject_id
            else say(N_("Någon som står %(name)s nära föreslog SIP:en."), name=subject_name)
        )
        return Origin(say(N_("Någon har föreslagit en SIP")), about)
    if case.initiated_by == Initiator.PERSON:
        requester_id, requester_name = subject_id, subject_name  # the person asked, by definition
    if requester_id is not None and requester_id == reader_id:
        return Origin(say(N_("Du har bett om en SIP")), say(N_("Du bad om SIP:en.")))
    if requester_name:
        return Origin(
            say(N_("%(name)s har bett om en SIP"), name=requester_name),
            say(N_("%(name)s bad om SIP:en."), name=requester_name),
        )
    if case.initiated_by == Initiator.GUARDIAN:
        return Origin(
            say(N_("En vårdnadshavare har bett om en SIP")), say(N_("En vårdnadshavare bad om SIP:en."))
        )
    return Origin(
        say(N_("En ställföreträdare har bett om en SIP")), say(N_("En ställföreträdare bad om SIP:en."))
    )


# --- The meeting, in brief ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingTime:
    """When the case's current meeting is, and whether it was held (the meeting page has the rest)."""

    starts_at: datetime
    held: bool


def _current_meeting_id():
    """The planned meeting, or the last held one (meetings.current_meeting's rule), for the case in the
    enclosing query: a correlated subquery, so the case page reads it with the case."""
    return (
        select(Meeting.id)
        .where(Meeting.case_id == SipCase.id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
        .correlate(SipCase)
        .scalar_subquery()
    )


def meeting_time(case: SipCase) -> MeetingTime | None:
    """The current meeting's time, in one small query (for the child's pages)."""
    row = db.session.execute(
        select(Meeting.starts_at, Meeting.status)
        .select_from(SipCase)
        .join(Meeting, Meeting.id == _current_meeting_id())
        .where(SipCase.id == case.id)
    ).first()
    return MeetingTime(row.starts_at, row.status == MeetingStatus.HELD) if row else None


# --- The case page -----------------------------------------------------------------------------------------


@dataclass
class CasePage:
    """Everything the citizen's case page shows, decided here so the template only displays it."""

    case: SipCase
    reader: Reader
    timeline: list[TimelineStep]
    requested_label: Sentence  # the first step's words: who started the SIP
    about: list[Sentence]  # who the reader is, who started the SIP, the day of discharge
    now: list[Sentence]  # "Det här händer nu", with the deadlines
    coordinator: object | None
    history: list[history.HistoryLine]  # "Det här har hänt", newest first
    can_cancel: bool
    must_answer_suggestion: bool
    is_own: bool
    suggestion: Sentence | None = None  # "Någon som står dig nära har föreslagit en SIP för dig."
    closed: Sentence | None = None  # why the SIP ended, when it did and consent was not withdrawn
    consent: Sentence | None = None  # what the consent part says to this reader
    no_coordinator: Sentence | None = None
    prepare_link: Sentence | None = None
    voice: child_view.ChildVoice | None = None  # the child's own words, for those the child shares with
    can_prepare: bool = False  # "Inför mötet" [issue 5]
    # The planned or held meeting, for the person and those acting for them.
    meeting: MeetingTime | None = None
    child_voice: bool = False  # the child themself, signed in: "Min röst"
    has_plan: bool = False  # a plan version exists: "Min plan" [issue 6]


@dataclass(frozen=True)
class _Loaded:
    case: SipCase
    coordinator: StaffUser | None
    meeting: MeetingTime | None


def _load_case(public_id: str) -> _Loaded | None:
    """The case with its person, unit, current coordinator and current meeting's time: one query."""
    row = db.session.execute(
        select(SipCase, StaffUser, Meeting.starts_at, Meeting.status)
        .outerjoin(
            CoordinatorAssignment,
            and_(CoordinatorAssignment.case_id == SipCase.id, CoordinatorAssignment.ended_at.is_(None)),
        )
        .outerjoin(StaffUser, StaffUser.id == CoordinatorAssignment.staff_id)
        .outerjoin(Meeting, Meeting.id == _current_meeting_id())
        .where(SipCase.public_id == public_id)
        .options(joinedload(SipCase.subject), joinedload(SipCase.owning_unit))
        .limit(1)
    ).first()
    if row is None:
        return None
    case, coordinator, starts_at, status = row
    meeting = MeetingTime(starts_at, status == MeetingStatus.HELD) if starts_at is not None else None
    return _Loaded(case, coordinator, meeting)


def _events(case: SipCase) -> list[history.Event]:
    """The case's events with the names of the citizens who did them: one query."""
    rows = db.session.execute(
        select(CaseEvent, Person.display_name)
        .outerjoin(Person, Person.id == CaseEvent.actor_person_id)
        .where(CaseEvent.case_id == case.id, CaseEvent.visible_to_person.is_(True))
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return [
        history.Event(
            at=e.at,
            kind=e.kind,
            step=e.step,
            data=e.data or {},
            actor_person_id=e.actor_person_id,
            actor_staff_id=e.actor_staff_id,
            actor_name=name,
        )
        for e, name in rows
    ]


def case_page_for(actor, public_id: str, today: date | None = None) -> CasePage:
    # Function-level: plan_pages imports this module at its top, so importing it here avoids a cycle.
    from citizen_app.services import deadlines, plan_pages, preparation, requests

    loaded = _load_case(public_id)
    if loaded is None or not access.can(actor, Action.VIEW_CASE, loaded.case):
        raise NotFound(N_("Sidan finns inte."))
    case, coordinator, meeting = loaded.case, loaded.coordinator, loaded.meeting
    day = today or date.today()
    allowed = access.allowed_actions(actor, case)
    reader = reader_of(actor, case, day)
    events = _events(case)
    requested = next((e for e in events if e.kind == EventKind.REQUESTED), None)
    requester_id = case.requested_by_person_id or (requested.actor_person_id if requested else None)
    origin = _origin(
        case,
        actor.id,
        case.subject_id,
        reader.subject_name,
        requester_id,
        requested.actor_name if requested and requested.actor_person_id == requester_id else None,
        unit=case.owning_unit.name if case.owning_unit else None,
    )
    due = [] if case.is_closed else deadlines.deadlines_for(case, day)
    about = [s for s in (_role_words(reader.kind, reader.subject_name, reader.representative_type),) if s]
    about.append(origin.about)
    about += _discharge_words(case, reader, due)
    return CasePage(
        case=case,
        reader=reader,
        timeline=timeline_of(case, events),
        requested_label=origin.label,
        about=about,
        now=_now_words(case, reader, requester_id, due),
        coordinator=coordinator,
        history=history.lines(events, reader, case),
        can_cancel=requests.can_cancel(actor, case) and not case.awaiting_person_agreement,
        must_answer_suggestion=(
            case.awaiting_person_agreement and access.can(actor, Action.ACCEPT_SUGGESTION, case)
        ),
        is_own=case.subject_id == actor.id,
        suggestion=(
            say(N_("Någon som står dig nära har föreslagit en SIP för dig."))
            if reader.is_subject
            else say(N_("Någon som står %(name)s nära har föreslagit en SIP."), name=reader.subject_name)
        ),
        closed=_closed_words(case, reader),
        consent=_consent_words(case, reader),
        no_coordinator=(
            say(N_("Du har ingen samordnare än. Dina föräldrar får veta när du har fått en."))
            if reader.kind == ReaderKind.CHILD
            else say(N_("Du har ingen samordnare än. Du får ett meddelande när du har fått en."))
        ),
        prepare_link=(
            say(N_("Inför mötet: vad är viktigt för %(name)s?"), name=reader.subject_name)
            if reader.kind == ReaderKind.REPRESENTATIVE
            else say(N_("Inför mötet: vad är viktigt för dig?"))
        ),
        voice=child_view.voice_for(actor, case, day),
        can_prepare=preparation.can_prepare(actor, case),
        meeting=(
            meeting if Action.VIEW_INVITATION in allowed and Action.PREPARE_MEETING in allowed else None
        ),
        child_voice=not case.is_closed and Action.GIVE_OWN_CHILD_VIEW in allowed,
        # A plan is written after the meeting: before that no query is needed to know there is none.
        has_plan=(
            Action.VIEW_PLAN in allowed
            and case.step.position >= Step.MEETING_HELD.position
            and plan_pages.has_plan(case)
        ),
    )


def _discharge_words(case: SipCase, reader: Reader, due: list) -> list[Sentence]:
    """A SIP at discharge from hospital says the day the person is ready to leave ("utskrivningsklar") and
    that the invitation must come within 3 days of it [ST] [VM] (lag 2017:612)."""
    if case.discharge_date is None:
        return []
    words = [
        say(
            N_("Du är klar att lämna sjukhuset %(day)s. Det kallas utskrivningsklar."),
            day=case.discharge_date,
        )
        if reader.is_subject
        else say(
            N_("%(name)s är klar att lämna sjukhuset %(day)s. Det kallas utskrivningsklar."),
            name=reader.subject_name,
            day=case.discharge_date,
        )
    ]
    for deadline in due:
        if deadline.kind == "discharge_invitation":
            words.append(
                say(N_("Inbjudan till mötet skulle ha kommit senast %(day)s."), day=deadline.due)
                if deadline.overdue
                else say(N_("Inbjudan till mötet ska komma inom 3 dagar, senast %(day)s."), day=deadline.due)
            )
    return words


def _now_words(case: SipCase, reader: Reader, requester_id: int | None, due: list) -> list[Sentence]:
    """ "Det här händer nu": the step, said to this reader, and the first meeting's deadline [HA]."""
    if case.is_closed or case.awaiting_person_agreement:
        return []
    child = reader.kind == ReaderKind.CHILD
    name = reader.subject_name
    step = case.step
    if step == Step.REQUESTED:
        if requester_id == reader.person_id or (case.initiated_by == Initiator.PERSON and reader.is_subject):
            now = say(N_("Vi har fått din förfrågan. En samordnare hör av sig till dig."))
        elif child:
            now = say(N_("En samordnare hör av sig till dina föräldrar."))
        else:
            now = say(N_("En samordnare hör av sig till dig."))
    elif step == Step.CONSENT:
        now = {
            ReaderKind.CHILD: say(N_("Nu ska dina föräldrar säga ja eller nej. Du får säga vad du tycker.")),
            ReaderKind.GUARDIAN: say(
                N_("Nu ska alla vårdnadshavare säga ja eller nej till vilka som får dela uppgifter.")
            ),
            ReaderKind.REPRESENTATIVE: say(
                N_("Nu säger du ja eller nej för %(name)s till vilka som får dela uppgifter."), name=name
            ),
        }.get(
            reader.kind,
            say(
                N_(
                    "Nästa steg är att du säger ja eller nej till vilka som får dela uppgifter. "
                    "Din samordnare berättar mer."
                )
            ),
        )
    elif step == Step.PREPARATION:
        if child:
            now = say(N_("Nu kan du säga vad du tycker inför mötet."))
        elif reader.kind == ReaderKind.PERSON:
            now = say(N_("Nu kan du förbereda mötet. Tänk på vad som är viktigt för dig."))
        else:
            now = say(N_("Nu kan du förbereda mötet. Tänk på vad som är viktigt för %(name)s."), name=name)
    elif step == Step.INVITED:
        now = (
            say(N_("Inbjudan till mötet är skickad. Dina föräldrar vet tid och plats."))
            if child
            else say(N_("Inbjudan till mötet är skickad. Du ser tid och plats i dina meddelanden."))
        )
    elif step == Step.MEETING_HELD:
        now = say(N_("Mötet är klart. Nu skrivs planen."))
    elif step == Step.PLAN_DOCUMENTED:
        now = (
            say(N_("Planen är skriven. Du kan läsa den."))
            if child
            else say(N_("Planen är skriven. Läs den och säg om du håller med."))
        )
    elif step == Step.PLAN_APPROVED:
        now = say(N_("Planen gäller nu. Alla gör det ni kom överens om."))
    else:
        now = say(N_("Det är dags att följa upp planen."))
    words = [now]
    for deadline in due:
        if deadline.kind == "first_meeting":
            words.append(say(N_("Målet är ett första möte senast %(date)s."), date=deadline.due))
    return words


def _closed_words(case: SipCase, reader: Reader) -> Sentence | None:
    if not case.is_closed or case.closing_reason == ClosingReason.CONSENT_WITHDRAWN:
        return None
    reason = case.closing_reason
    if reason == ClosingReason.CANCELLED_BY_PERSON:
        return say(N_("Den avbröts."))
    if reason == ClosingReason.DECLINED_BY_PERSON:
        return (
            say(N_("Du sa nej till förslaget.")) if reader.is_subject else say(N_("Förslaget fick ett nej."))
        )
    if reason == ClosingReason.GOALS_MET:
        return say(N_("Målen är nådda."))
    if reason == ClosingReason.NO_LONGER_NEEDED:
        return say(N_("Den behövs inte längre."))
    return None


def _consent_words(case: SipCase, reader: Reader) -> Sentence:
    child = reader.kind == ReaderKind.CHILD
    if case.step == Step.CONSENT:
        if child:
            return say(N_("Dina föräldrar ska säga ja till vilka som får dela uppgifter."))
        return say(N_("Nu behövs ett ja till vilka som får dela uppgifter."))
    if case.is_closed:
        return say(N_("Här ser du vem som sa vad, och när."))
    if child:
        return say(N_("Här ser du vad dina föräldrar har sagt ja till."))
    return say(N_("Här ser du vad du har sagt ja till. Du kan ändra eller ta tillbaka ditt ja."))


def preparation_words(reader: Reader) -> list[Sentence]:
    """The start of "Inför mötet": whose answers these are. The questions say "du"; someone who answers
    for another person is told that they are about that person [issue 13]."""
    name = reader.subject_name
    if reader.kind == ReaderKind.REPRESENTATIVE:
        return [
            say(N_("Här tänker du efter före mötet. Vad är viktigt för %(name)s?"), name=name),
            say(N_("Frågorna säger du, men de handlar om %(name)s."), name=name),
            say(N_("Skriv det %(name)s tycker, så gott du vet. Fråga %(name)s om det går."), name=name),
        ]
    if reader.kind == ReaderKind.GUARDIAN:
        return [
            say(
                N_("Här tänker du efter före mötet. Vad behöver %(name)s och familjen hjälp med?"), name=name
            ),
            say(N_("Svaren är dina, som vårdnadshavare. De handlar om hur %(name)s har det."), name=name),
        ]
    return [
        say(N_("Här kan du tänka efter före mötet. Vad vill du ha hjälp med? Vad är viktigt för dig?")),
        say(N_("Dina svar gör att mötet handlar om det du tycker är viktigt.")),
    ]
