"""The citizen's case page: everything it shows, for the one who reads it [issue 13].

The page's words for that reader (who started the SIP, what happens now, the day of discharge) are decided
here and in pages/reader_words.py as sentences; the template only shows them. The rules and the reading are
the services': who may see the case and what they may do (access), the reader (services/readers.py), the
deadlines, what happened (services/history.py), the child's voice, the preparation and the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from citizen_app import access
from citizen_app.access import Action
from citizen_app.models import ClosingReason, EventKind, Initiator, SipCase, Step
from citizen_app.pages.reader_words import origin_of, role_words
from citizen_app.services import (
    N_,
    NotFound,
    cases,
    child_view,
    coming_of_age,
    deadlines,
    history,
    mature_minor,
    plan_reading,
    preparation,
    representation,
    requests,
    retention,
)
from citizen_app.services.cases import MeetingTime, TimelineStep, timeline_of
from citizen_app.services.history import Sentence, say
from citizen_app.services.readers import Reader, ReaderKind, reader_of


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
    kept_until: Sentence | None = None  # a closed SIP: until which day Min SIP keeps it [issue 18]
    consent: Sentence | None = None  # what the consent part says to this reader
    no_coordinator: Sentence | None = None
    prepare_link: Sentence | None = None
    voice: child_view.ChildVoice | None = None  # the child's own words, for those the child shares with
    can_prepare: bool = False  # "Inför mötet" [issue 5]
    # The planned or held meeting, for the person and those acting for them.
    meeting: MeetingTime | None = None
    child_voice: bool = False  # the child themself, signed in: "Min röst"
    has_plan: bool = False  # a plan version exists: "Min plan" [issue 6]
    coming_of_age: coming_of_age.Notice | None = None  # "Från din 18-årsdag bestämmer du själv" [issue 15]
    # A mature minor [issue 15]: who decides about consent; whether the child may choose what guardians see.
    mature_minor: Sentence | None = None
    can_choose_guardian_view: bool = False
    show_steps: bool = True  # the steps tell how far the SIP has come: not for a guardian the child limits
    # An adult's god man, förvaltare or framtidsfullmakt, as staff wrote them down from the decision: shown
    # to the person themself [issue 18].
    representatives: list = field(default_factory=list)


def case_page_for(actor, public_id: str, today: date | None = None) -> CasePage:
    loaded = cases.load_case(public_id)
    if loaded is None or not access.can(actor, Action.VIEW_CASE, loaded.case):
        raise NotFound(N_("Sidan finns inte."))
    case, coordinator, meeting = loaded.case, loaded.coordinator, loaded.meeting
    day = today or date.today()
    allowed = access.allowed_actions(actor, case)
    reader = reader_of(actor, case, day)
    events = cases.visible_events(case)
    # A guardian of a child who consents themself reads only what the child lets them see [DA 4.2].
    limits = mature_minor.limits_for(actor, case, day)
    self_consenting = reader.kind == ReaderKind.CHILD and mature_minor.consents_themself(case, day)
    shown_events = (
        events if limits is None else [e for e in events if mature_minor.shows_event(limits, e.kind, e.step)]
    )
    requested = next((e for e in events if e.kind == EventKind.REQUESTED), None)
    requester_id = case.requested_by_person_id or (requested.actor_person_id if requested else None)
    origin = origin_of(
        case,
        actor.id,
        case.subject_id,
        reader.subject_name,
        requester_id,
        requested.actor_name if requested and requested.actor_person_id == requester_id else None,
        unit=case.owning_unit.name if case.owning_unit else None,
    )
    due = [] if case.is_closed else deadlines.deadlines_for(case, day)
    about = [s for s in (role_words(reader.kind, reader.subject_name, reader.representative_type),) if s]
    about.append(origin.about)
    about += _discharge_words(case, reader, due)
    return CasePage(
        case=case,
        reader=reader,
        timeline=timeline_of(case, events),
        requested_label=origin.label,
        about=about,
        now=[] if limits is not None else _now_words(case, reader, requester_id, due, self_consenting),
        coordinator=coordinator,
        history=history.lines(shown_events, reader, case),
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
        kept_until=_kept_until_words(case, reader, events),
        consent=(
            None
            if limits is not None and not limits.consent
            else _consent_words(case, reader, self_consenting)
        ),
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
            and plan_reading.has_version_to_read(case)
        ),
        coming_of_age=coming_of_age.notice_for(actor, case, day),
        mature_minor=_mature_minor_words(reader, self_consenting, limits),
        can_choose_guardian_view=not case.is_closed and Action.CHOOSE_GUARDIAN_VIEW in allowed,
        show_steps=limits is None,
        representatives=(
            representation.representatives_shown_to(actor, day)
            if case.subject_id == actor.id and not actor.is_child_on(day)
            else []
        ),
    )


def _mature_minor_words(reader: Reader, self_consenting: bool, limits) -> Sentence | None:
    if self_consenting:
        return say(N_("Du bestämmer själv om samtycket. Du väljer vad dina vårdnadshavare får se."))
    if limits is not None:
        return say(
            N_("%(name)s bestämmer själv om samtycket och väljer vad du får se här."),
            name=reader.subject_name,
        )
    return None


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


def _now_words(
    case: SipCase, reader: Reader, requester_id: int | None, due: list, self_consenting: bool = False
) -> list[Sentence]:
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
            ReaderKind.CHILD: (
                say(N_("Nu ska du säga ja eller nej till vilka som får dela uppgifter."))
                if self_consenting
                else say(N_("Nu ska dina föräldrar säga ja eller nej. Du får säga vad du tycker."))
            ),
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


def _kept_until_words(case: SipCase, reader: Reader, events: list[history.Event]) -> Sentence | None:
    """How long Min SIP keeps a closed SIP, counted from the day it closed (services/retention.py)."""
    if not case.is_closed:
        return None
    closed_at = next((e.at for e in reversed(events) if e.step == Step.CLOSED), case.updated_at)
    day = retention.kept_until(closed_at)
    if reader.is_subject:
        return say(N_("Vi sparar din SIP i Min SIP till %(date)s. Sedan tas den bort."), date=day)
    return say(N_("Vi sparar SIP:en i Min SIP till %(date)s. Sedan tas den bort."), date=day)


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


def _consent_words(case: SipCase, reader: Reader, self_consenting: bool = False) -> Sentence:
    child = reader.kind == ReaderKind.CHILD and not self_consenting  # a mature minor reads the adult's words
    if case.step == Step.CONSENT:
        if child:
            return say(N_("Dina föräldrar ska säga ja till vilka som får dela uppgifter."))
        return say(N_("Nu behövs ett ja till vilka som får dela uppgifter."))
    if case.is_closed:
        return say(N_("Här ser du vem som sa vad, och när."))
    if child:
        return say(N_("Här ser du vad dina föräldrar har sagt ja till."))
    return say(N_("Här ser du vad du har sagt ja till. Du kan ändra eller ta tillbaka ditt ja."))
