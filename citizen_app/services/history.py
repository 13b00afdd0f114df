"""What happened in a SIP, in plain sentences for the one who reads it: "Det här har hänt" [issue 13].

Every kind of event has its own sentence, and it is decided here and nowhere else. The sentence depends on
who reads it: the one who did it reads "Du godkände planen", everyone else "Johan Berg godkände planen"; the
plan is "sent to you" for those who act for the person, but only "written" for the child, whose guardians
get it. There is no fallback sentence such as "Något ändrades.": an event kind without a sentence here is a
KeyError, and tests/unit/test_history.py renders every kind and every step for every reader.

The texts are Swedish msgids (``N_``); the page translates them with their values (templates/cases/
_words.html ``say``), so the sentence is in the reader's language and dates in the reader's format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from citizen_app.models import ClosingReason, EventKind, Initiator, SipCase, Step
from citizen_app.services import N_
from citizen_app.services.readers import Reader


@dataclass(frozen=True)
class Sentence:
    """A Swedish msgid and the plain values it names. ``moments`` (UTC datetimes) and ``days`` (dates) are
    formatted by the page in the reader's language."""

    text: str
    values: Mapping[str, str] = field(default_factory=dict)
    moments: Mapping[str, datetime] = field(default_factory=dict)
    days: Mapping[str, date] = field(default_factory=dict)


def say(text: str, **values: object) -> Sentence:
    """A sentence with its values sorted by kind: a datetime, a date, or anything else as text."""
    moments = {k: v for k, v in values.items() if isinstance(v, datetime)}
    days = {k: v for k, v in values.items() if isinstance(v, date) and not isinstance(v, datetime)}
    plain = {k: str(v) for k, v in values.items() if k not in moments and k not in days}
    return Sentence(text, plain, moments, days)


@dataclass(frozen=True)
class Event:
    """One event of the case's timeline as the history reads it: a ``CaseEvent`` and its actor's name."""

    at: datetime
    kind: EventKind
    step: Step | None
    data: Mapping
    actor_person_id: int | None = None
    actor_staff_id: int | None = None
    actor_name: str | None = None  # the citizen who did it; staff are "Personalen" to the reader


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    sentence: Sentence
    detail: str | None = None  # words a person wrote, shown under the sentence ("Varför: …")


def lines(events: list[Event], reader: Reader, case: SipCase) -> list[HistoryLine]:
    """The history, newest first. An event that cannot be told truthfully is left out, never guessed."""
    found = []
    for event in reversed(events):
        told = _SENTENCES[event.kind](event, reader, case)
        if told is not None:
            sentence, detail = told if isinstance(told, tuple) else (told, None)
            found.append(HistoryLine(event.at, sentence, detail))
    return found


# --- Who did it -------------------------------------------------------------------------------------------

_YOU, _NAMED, _STAFF, _NOBODY = "you", "named", "staff", "nobody"


def _who(event: Event, reader: Reader) -> str:
    if event.actor_person_id is not None and event.actor_person_id == reader.person_id:
        return _YOU
    if event.actor_person_id is not None and event.actor_name:
        return _NAMED
    if event.actor_staff_id is not None:
        return _STAFF
    return _NOBODY


def _by(event: Event, reader: Reader, you: str, named: str, otherwise: str) -> Sentence:
    """One of three sentences: the reader did it, a named citizen did it, or it is told without a name."""
    who = _who(event, reader)
    if who == _YOU:
        return say(you)
    if who == _NAMED:
        return say(named, name=event.actor_name)
    return say(otherwise)


def _moment(event: Event) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event.data.get("starts_at")))
    except ValueError:
        return None


# --- One sentence per kind --------------------------------------------------------------------------------

Told = Sentence | tuple[Sentence, str | None] | None


def _requested(event: Event, reader: Reader, case: SipCase) -> Told:
    if case.initiated_by == Initiator.RELATIVE:
        if _who(event, reader) == _YOU:
            return say(N_("Du föreslog en SIP."))
        if reader.is_subject:
            return say(N_("Någon som står dig nära föreslog en SIP."))
        return say(N_("Någon som står %(name)s nära föreslog en SIP."), name=reader.subject_name)
    return _by(
        event,
        reader,
        N_("Du bad om en SIP."),
        N_("%(name)s bad om en SIP."),
        N_("En förfrågan om en SIP kom in."),
    )


def _started_by_staff(event: Event, reader: Reader, case: SipCase) -> Told:
    unit = event.data.get("unit") or (case.owning_unit.name if case.owning_unit else None)
    if unit:
        return say(N_("Personalen på %(unit)s startade SIP:en."), unit=unit)
    return say(N_("Personalen startade SIP:en."))


def _accepted(event: Event, reader: Reader, case: SipCase) -> Told:
    if event.data.get("coordinator"):
        return say(N_("%(name)s blev samordnare."), name=event.data["coordinator"])
    return say(N_("SIP:en fick en samordnare."))


def _forwarded(event: Event, reader: Reader, case: SipCase) -> Told:
    reason = event.data.get("reason") or None
    if event.data.get("to"):
        return say(N_("Förfrågan skickades vidare till %(unit)s."), unit=event.data["to"]), reason
    return say(N_("Förfrågan skickades vidare till en annan enhet.")), reason


def _coordinator_changed(event: Event, reader: Reader, case: SipCase) -> Told:
    if event.data.get("coordinator"):
        return say(N_("Ny samordnare: %(name)s."), name=event.data["coordinator"])
    return say(N_("SIP:en fick en ny samordnare."))


def _suggestion_accepted(event: Event, reader: Reader, case: SipCase) -> Told:
    return _by(
        event,
        reader,
        N_("Du sa ja till en SIP."),
        N_("%(name)s sa ja till en SIP."),
        N_("Förslaget om en SIP fick ett ja."),
    )


def _meeting_booked(event: Event, reader: Reader, case: SipCase) -> Told:
    when = _moment(event)
    if when is None:
        return say(N_("Ett möte är bokat."))
    return say(N_("Mötet är bokat till %(when)s."), when=when)


def _meeting_changed(event: Event, reader: Reader, case: SipCase) -> Told:
    when = _moment(event)
    if when is not None and event.data.get("new_time", True):
        return say(N_("Mötet är flyttat till %(when)s."), when=when)
    return say(N_("Platsen eller sättet för mötet är ändrat. Tiden är densamma."))


def _meeting_held(event: Event, reader: Reader, case: SipCase) -> Told:
    return say(N_("Ett nytt möte hölls."))


def _cancelled(event: Event, reader: Reader, case: SipCase) -> Told:
    return _by(event, reader, N_("Du avbröt SIP:en."), N_("%(name)s avbröt SIP:en."), N_("SIP:en avbröts."))


def _closed(event: Event, reader: Reader, case: SipCase) -> Told:
    reason = event.data.get("reason")
    if reason == ClosingReason.CONSENT_WITHDRAWN:
        return _by(
            event,
            reader,
            N_("Du tog tillbaka ditt ja. SIP:en är avslutad."),
            N_("%(name)s tog tillbaka sitt ja. SIP:en är avslutad."),
            N_("Samtycket togs tillbaka. SIP:en är avslutad."),
        )
    if reason == ClosingReason.DECLINED_BY_PERSON:
        return _by(
            event,
            reader,
            N_("Du sa nej till en SIP."),
            N_("%(name)s sa nej till en SIP."),
            N_("Förslaget om en SIP fick ett nej."),
        )
    if reason == ClosingReason.GOALS_MET:
        return say(N_("SIP:en avslutades. Målen är nådda."))
    if reason == ClosingReason.NO_LONGER_NEEDED:
        return say(N_("SIP:en avslutades. Den behövs inte längre."))
    if reason == ClosingReason.CANCELLED_BY_PERSON:
        return say(N_("SIP:en avbröts."))
    if reason == ClosingReason.PERSON_DIED:  # said with care; never "Du" to the person [issue 16]
        if reader.is_subject:  # only if it was written down by mistake: say what to do
            return say(N_("SIP:en avslutades. Hör av dig till din samordnare om något inte stämmer."))
        return say(
            N_("%(name)s har gått bort. SIP:en är avslutad. Vi tänker på er."), name=reader.subject_name
        )
    # "other": the coordinator wrote why, and the person reads it.
    return say(N_("SIP:en avslutades.")), case.closing_note or None


def _note(event: Event, reader: Reader, case: SipCase) -> Told:
    return say(N_("Personalen skrev en anteckning.")), event.data.get("text") or None


def _came_of_age(event: Event, reader: Reader, case: SipCase) -> Told:
    """The subject turned 18 [issue 15]: from then they decide themself; guardians no longer decide."""
    if reader.is_subject:
        return say(
            N_("Från din 18-årsdag bestämmer du själv över din SIP. Dina föräldrars ja gäller inte längre.")
        )
    return say(N_("%(name)s fyllde 18 år och bestämmer nu själv."), name=reader.subject_name)


def _coordination_moved(event: Event, reader: Reader, case: SipCase) -> Told:
    """Another unit took over the coordination [VN] [issue 16]: who coordinates now, and where."""
    return say(
        N_("Samordningen flyttade till %(unit)s. Ny samordnare: %(name)s."),
        unit=event.data.get("to", ""),
        name=event.data.get("coordinator", ""),
    )


def _move_proposed(event: Event, reader: Reader, case: SipCase) -> Told:
    """Between the coordinators: not on the person's page (visible_to_person is false), said plainly."""
    return say(N_("Samordnaren föreslog att %(unit)s tar över samordningen."), unit=event.data.get("to", ""))


def _move_declined(event: Event, reader: Reader, case: SipCase) -> Told:
    return say(N_("%(unit)s kunde inte ta över samordningen."), unit=event.data.get("to", ""))


def _move_withdrawn(event: Event, reader: Reader, case: SipCase) -> Told:
    return say(N_("Förslaget att flytta samordningen togs tillbaka."))


def _step_changed(event: Event, reader: Reader, case: SipCase) -> Told:
    if event.step is None:
        return None  # timeline.record refuses such an event: nothing true could be said about it
    return _STEPS[event.step](event, reader)


def _mature_minor_decided(event: Event, reader: Reader, case: SipCase) -> Told:
    """The coordinator recorded that the child consents themself [DA 4.2]. Never the reason."""
    if reader.is_subject:
        return say(N_("Nu bestämmer du själv om samtycket."))
    return say(N_("Nu bestämmer %(name)s själv om samtycket."), name=reader.subject_name)


def _mature_minor_ended(event: Event, reader: Reader, case: SipCase) -> Told:
    if reader.is_subject:
        return say(N_("Nu bestämmer dina vårdnadshavare om samtycket igen."))
    return say(N_("Nu bestämmer vårdnadshavarna om samtycket igen."))


def _discharge_linked(event: Event, reader: Reader, case: SipCase) -> Told:
    """A discharge day added to the open SIP instead of a second SIP [DA 3.3.2] (services/discharge.py)."""
    day = date.fromisoformat(event.data["discharge_date"])
    if reader.is_subject:
        return say(N_("Dagen då du kan lämna sjukhuset står nu i din SIP: %(day)s."), day=day)
    return say(
        N_("%(name)s kan lämna sjukhuset %(day)s. Det står nu i SIP:en."), name=reader.subject_name, day=day
    )


def _compulsory_care_recorded(event: Event, reader: Reader, case: SipCase) -> Told:
    """Staff only (the event is not visible to the person): services/compulsory_care.py."""
    return say(N_("Personalen skrev in om det finns psykiatrisk tvångsvård."))


_SENTENCES: dict[EventKind, Callable[[Event, Reader, SipCase], Told]] = {
    EventKind.REQUESTED: _requested,
    EventKind.STARTED_BY_STAFF: _started_by_staff,
    EventKind.ACCEPTED: _accepted,
    EventKind.FORWARDED: _forwarded,
    EventKind.COORDINATOR_CHANGED: _coordinator_changed,
    EventKind.STEP_CHANGED: _step_changed,
    EventKind.SUGGESTION_ACCEPTED: _suggestion_accepted,
    EventKind.MEETING_BOOKED: _meeting_booked,
    EventKind.MEETING_CHANGED: _meeting_changed,
    EventKind.MEETING_HELD: _meeting_held,
    EventKind.CANCELLED: _cancelled,
    EventKind.CLOSED: _closed,
    EventKind.NOTE: _note,
    EventKind.CAME_OF_AGE: _came_of_age,
    EventKind.MATURE_MINOR_DECIDED: _mature_minor_decided,
    EventKind.MATURE_MINOR_ENDED: _mature_minor_ended,
    EventKind.DISCHARGE_LINKED: _discharge_linked,
    EventKind.COMPULSORY_CARE_RECORDED: _compulsory_care_recorded,
    EventKind.MOVE_PROPOSED: _move_proposed,
    EventKind.MOVE_DECLINED: _move_declined,
    EventKind.MOVE_WITHDRAWN: _move_withdrawn,
    EventKind.COORDINATION_MOVED: _coordination_moved,
}


# --- A step reached: what it means -------------------------------------------------------------------------


def _to_requested(event: Event, reader: Reader) -> Sentence:
    return say(N_("SIP:en är startad."))


def _to_consent(event: Event, reader: Reader) -> Sentence:
    if event.data.get("reason") == "consent_expired":
        return say(N_("Samtycket gick ut. Det behövs ett nytt ja."))
    if event.data.get("reason") == "came_of_age":
        return say(N_("Nu behövs ett eget ja från den som har fyllt 18."))
    return say(N_("Nu behövs ett ja till samtycke."))


def _to_preparation(event: Event, reader: Reader) -> Sentence:
    """Consent is in force: the last yes that was missing came, from a citizen or written in by staff."""
    who = _who(event, reader)
    if who == _STAFF:
        return say(N_("Personalen skrev in ett ja. Nu gäller samtycket."))
    return _by(
        event,
        reader,
        N_("Du sa ja. Nu gäller samtycket."),
        N_("%(name)s sa ja. Nu gäller samtycket."),
        N_("Samtycket gäller nu."),
    )


def _to_invited(event: Event, reader: Reader) -> Sentence:
    return say(N_("Inbjudan till mötet är skickad."))


def _to_meeting_held(event: Event, reader: Reader) -> Sentence:
    return say(N_("Mötet hölls. Nu skrivs planen."))


def _to_plan_documented(event: Event, reader: Reader) -> Sentence:
    # The plan goes to the person and those acting for them; a child reads it, but their guardians get it.
    if reader.acts_for_person:
        return say(N_("Planen skickades till dig."))
    return say(N_("Planen är skriven."))


def _approved(event: Event, reader: Reader, first: bool) -> Sentence:
    """Approved in the app by a citizen, or at the meeting (the coordinator writes it down)."""
    who = _who(event, reader)
    if who == _STAFF or event.data.get("way") == "at_meeting":
        return say(N_("Planen godkändes på mötet.") if first else N_("Den nya planen godkändes på mötet."))
    if first:
        return _by(
            event,
            reader,
            N_("Du godkände planen."),
            N_("%(name)s godkände planen."),
            N_("Planen är godkänd."),
        )
    return _by(
        event,
        reader,
        N_("Du godkände den nya planen."),
        N_("%(name)s godkände den nya planen."),
        N_("Den nya planen är godkänd."),
    )


def _to_plan_approved(event: Event, reader: Reader) -> Sentence:
    return _approved(event, reader, first=True)


def _to_follow_up(event: Event, reader: Reader) -> Sentence:
    return _approved(event, reader, first=False)


def _to_closed(event: Event, reader: Reader) -> Sentence:
    return say(N_("SIP:en är avslutad."))


_STEPS: dict[Step, Callable[[Event, Reader], Sentence]] = {
    Step.REQUESTED: _to_requested,
    Step.CONSENT: _to_consent,
    Step.PREPARATION: _to_preparation,
    Step.INVITED: _to_invited,
    Step.MEETING_HELD: _to_meeting_held,
    Step.PLAN_DOCUMENTED: _to_plan_documented,
    Step.PLAN_APPROVED: _to_plan_approved,
    Step.FOLLOW_UP: _to_follow_up,
    Step.CLOSED: _to_closed,
}
