"""The citizen's consent pages: the overview "Samtycke", the step-by-step flow and the receipt.

What each page shows is gathered here from what services/consent.py decides: the consent in force, each
guardian's answer, the history, the answers of the flow and the receipt. The rules — who may consent, each
question's checks, the longest period, giving the consent once — stay in the service.

The flow's answers are a draft on the server (services/drafts.py), one per person and case, until the person
says yes; the order of the questions is ``FLOW`` (pages/flow.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citizen_app import access
from citizen_app.access import Action
from citizen_app.models import ClosingReason, ConsentEvent, ConsentEventKind, Person, SipCase, Unit
from citizen_app.pages.flow import Flow
from citizen_app.services import cases, child_view, coming_of_age, declining, drafts, mature_minor
from citizen_app.services.consent import (
    CATEGORIES,
    cannot_consent_reason,
    check_flow_step,
    events_with_people,
    in_force,
    in_force_from,
    is_active,
    latest_by_voice,
    only_future_power,
    other_party_lines,
    parties_of,
    period_end,
    required_voices,
    unit_names,
    voice_of,
)

# The questions of the flow, in order.
FLOW = Flow(("parties", "categories", "exclusions", "period"))


@dataclass(frozen=True)
class ScopeView:
    """A scope in the words the pages show: unit names, categories in a fixed order, the period."""

    units: list[str]
    other_parties: list[str]
    categories: list[str]
    exclusions: list[str]
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True)
class VoiceStatus:
    """One guardian's answer for a child: "yes", "waiting", "expired" or "withdrawn"."""

    name: str
    is_me: bool
    state: str
    event: ConsentEvent | None


@dataclass(frozen=True)
class HistoryRow:
    event: ConsentEvent
    scope: ScopeView | None  # None for a withdrawal or an expiry


@dataclass
class ConsentPage:
    case: SipCase
    subject_name: str
    first_name: str
    is_own: bool
    is_child: bool
    is_child_self: bool
    state: str  # "in_force", "waiting", "expired", "withdrawn", "closed" or "none"
    in_force: ScopeView | None
    expired_on: date | None
    voices: list[VoiceStatus]
    narrowest_applies: bool
    mine: ScopeView | None  # what the signed-in person's voice agreed to, while it is active
    to_confirm: ConsentEvent | None  # a consent staff wrote down for this voice, to confirm in the app
    cannot_consent: str | None
    future_power: bool
    can_give: bool
    can_withdraw: bool
    history: list[HistoryRow]
    child_view: object | None
    can_record_child_view: bool
    coming_of_age: coming_of_age.Notice | None = None  # "Från din 18-årsdag bestämmer du själv" [issue 15]
    harm_assessment: ConsentEvent | None = None  # a menprövning that stands in for consent now [issue 15]
    mature_minor: bool = False  # the child consents themself [issue 15]: no guardians' answers to list
    # Saying no, and changing one's mind after a no [issue 15] (services/declining.py).
    can_decline: bool = False
    declined: bool = False
    can_start_again: bool = False


def _scope_view(names: dict[str, str], unit_ids, other_parties, categories, exclusions, start, until):
    return ScopeView(
        units=sorted(names.get(u, "") for u in unit_ids if u in names),
        other_parties=sorted(other_parties),
        categories=[c for c in CATEGORIES if c in set(categories)],
        exclusions=[e for e in ([exclusions] if isinstance(exclusions, str) else exclusions) if e],
        valid_from=start,
        valid_until=until,
    )


def _event_scope(names: dict[str, str], event: ConsentEvent) -> ScopeView:
    return _scope_view(
        names,
        event.unit_ids,
        event.other_parties,
        event.categories,
        event.exclusions,
        event.valid_from,
        event.valid_until,
    )


def consent_page_for(actor: Person, public_id: str, today: date | None = None) -> ConsentPage:
    """Everything the overview "Samtycke" shows, for someone allowed to see the case."""

    day = today or date.today()
    case = cases.get_case_for(actor, public_id, Action.VIEW_CONSENT)
    events = events_with_people(case)
    names = unit_names(u for e in events for u in e.unit_ids)
    is_child = case.subject is not None and case.subject.is_child_on(day)
    voices = required_voices(case, day)
    # The rules' own reading: from the 18th birthday the guardians' answers are no one's voice [issue 15].
    latest = latest_by_voice(case, day, events)
    self_consenting = is_child and mature_minor.consents_themself(case, day)
    if self_consenting:  # the guardians' answers no longer count: the child consents themself [DA 4.2]
        latest = {voice: e for voice, e in latest.items() if voice == case.subject_id}
    my_voice = voice_of(actor, case, day)
    scope = None if case.is_closed or not voices else in_force_from(voices, latest, day)

    statuses = []
    for voice in voices if is_child and not self_consenting else []:
        answer = latest.get(voice.id)
        if answer is None:
            state = "waiting"
        elif answer.kind == ConsentEventKind.WITHDRAWN:
            state = "withdrawn"
        elif is_active(answer, day):
            state = "yes"
        else:
            state = "expired"
        statuses.append(VoiceStatus(voice.display_name, voice.id == actor.id, state, answer))

    # The last period each voice agreed to, so an expiry event (which has none) still shows its end date.
    last_until: dict[int, date] = {}
    for event in events:
        if event.valid_until is not None:
            voice_id = event.consenter_id if is_child or case.subject_id is None else case.subject_id
            last_until[voice_id] = event.valid_until
    if case.is_closed:
        state = "withdrawn" if case.closing_reason == ClosingReason.CONSENT_WITHDRAWN else "closed"
    elif scope is not None:
        state = "in_force"
    elif any(
        e.kind == ConsentEventKind.EXPIRED or (e.valid_until is not None and e.valid_until < day)
        for e in latest.values()
    ):
        state = "expired"
    elif any(is_active(e, day) for e in latest.values()):
        state = "waiting"
    else:
        state = "none"
    expired_on = min(last_until.values(), default=None) if state == "expired" else None

    active_voices = [latest.get(v.id) for v in voices]
    narrowest = (
        scope is not None
        and len(active_voices) > 1
        and len(
            {
                (frozenset(e.unit_ids), frozenset(e.other_parties), frozenset(e.categories), e.valid_until)
                for e in active_voices
                if e is not None
            }
        )
        > 1
    )
    mine_event = latest.get(my_voice)
    mine_active = mine_event if is_active(mine_event, day) else None
    reason = cannot_consent_reason(actor, case)
    return ConsentPage(
        case=case,
        subject_name=case.subject.display_name if case.subject else "",
        first_name=(case.subject.display_name.split() or [""])[0] if case.subject else "",
        is_own=case.subject_id == actor.id,
        is_child=is_child,
        is_child_self=is_child and case.subject_id == actor.id,
        state=state,
        in_force=(
            _scope_view(
                names,
                scope.unit_ids,
                scope.other_parties,
                scope.categories,
                scope.exclusions,
                None,
                scope.valid_until,
            )
            if scope
            else None
        ),
        expired_on=expired_on,
        voices=statuses,
        narrowest_applies=narrowest,
        mine=_event_scope(names, mine_active) if mine_active else None,
        to_confirm=(
            mine_active
            if mine_active is not None
            and mine_active.kind == ConsentEventKind.RECORDED_BY_STAFF
            and not reason
            else None
        ),
        cannot_consent=reason,
        future_power=only_future_power(actor, case),
        can_give=reason is None,
        can_withdraw=(
            not case.is_closed
            and access.can(actor, Action.WITHDRAW_CONSENT, case)
            and any(is_active(e, day) for e in latest.values())
        ),
        history=[
            HistoryRow(e, None if e.valid_until is None else _event_scope(names, e)) for e in reversed(events)
        ],
        # The same source as the case page: the child's view and the answers the child shares [issue 13].
        child_view=child_view.voice_for(actor, case, day) if is_child else None,
        can_record_child_view=is_child and child_view.can_record(actor, case),
        coming_of_age=coming_of_age.notice_for(actor, case, day),
        harm_assessment=next(
            (
                e
                for e in (latest.get(v.id) for v in voices)
                if scope is not None and e is not None and e.kind == ConsentEventKind.HARM_ASSESSED
            ),
            None,
        ),
        mature_minor=self_consenting,
        can_decline=declining.decline_open(case, reason, scope),
        declined=case.is_closed and declining.was_declined(case),
        can_start_again=case.is_closed and declining.can_start_again(actor, case),
    )


def subject_name(actor: Person, case: SipCase) -> str | None:
    """Whom the case is about, as the questions name them: None when it is the signed-in person themself."""
    if case.subject_id == actor.id or case.subject is None:
        return None
    return case.subject.display_name


def start_draft(actor: Person, case: SipCase, today: date | None = None) -> dict:
    """The flow's first answers: what this voice agreed to before (a change), or nothing ticked (new).

    Nothing is ticked in advance for a new consent: saying yes must be the person's own choice.
    """
    day = today or date.today()
    event = latest_by_voice(case, day).get(voice_of(actor, case, day))
    if event is None or event.valid_until is None or not is_active(event, day):
        return {"units": [], "other_parties": "", "categories": [], "exclusions": "", "period": "year"}
    return {
        "units": list(event.unit_ids),
        "other_parties": "\n".join(event.other_parties),
        "categories": list(event.categories),
        "exclusions": event.exclusions,
        "period": "date",
        "until": event.valid_until.isoformat(),
        drafts.DONE: list(FLOW.steps),  # every answer is there: the summary can be reached at once
    }


def grouped_parties(case: SipCase) -> dict[str, list[Unit]]:
    """The units a consent can name, grouped municipality / region / other, for the checkboxes."""
    groups: dict[str, list[Unit]] = {"municipality": [], "region": [], "other": []}
    for unit in parties_of(case):
        kind = unit.principal.kind.value if unit.principal.kind.value in groups else "other"
        groups[kind].append(unit)
    return {kind: units for kind, units in groups.items() if units}


def first_open_step(case: SipCase, answers: dict, today: date) -> str | None:
    """The first question not answered, or whose answer no longer holds (a date that has passed); None when
    the summary may be shown."""
    return FLOW.first_open(answers, lambda step: bool(check_flow_step(case, step, answers, today)))


# ---- the flow's draft --------------------------------------------------------------------------------------


def draft_answers(actor: Person, case: SipCase, today: date | None = None) -> dict:
    """The answers so far: the person's draft for the case, or the first answers when there is none."""
    draft = drafts.unsent(actor, drafts.CONSENT, case)
    return dict(draft.answers) if draft is not None else start_draft(actor, case, today)


def start_over(actor: Person, case: SipCase) -> None:
    """ "Ge samtycke" / "Ändra samtycke": a fresh draft, filled in with what this voice agreed to before."""
    drafts.save(drafts.open_draft(actor, drafts.CONSENT, case), start_draft(actor, case))


def answer_step(actor: Person, case: SipCase, step: str, values: dict, today: date) -> dict[str, str]:
    """Check one question's answer (the service's rules) and keep it in the draft. Returns the errors (field
    id → msgid); nothing is kept when there are any. No cap on the draft itself: each field has its own."""
    errors = check_flow_step(case, step, values, today)
    if not errors:
        answers = FLOW.answered(draft_answers(actor, case, today), values, step)
        drafts.save(drafts.open_draft(actor, drafts.CONSENT, case), answers)
    return errors


def forget_draft(actor: Person, case: SipCase) -> None:
    """The draft is done with: the consent was given, or withdrawn, or changed elsewhere."""
    drafts.discard(actor, drafts.CONSENT, case)


def draft_summary(case: SipCase, answers: dict, today: date) -> ScopeView:
    """The draft's answers in the words the summary page "Det här samtycker du till" shows."""
    until, _errors = period_end(answers.get("period", ""), answers.get("until", ""), today)
    names = {u.public_id: u.name for u in parties_of(case)}
    return _scope_view(
        names,
        answers.get("units", []),
        other_party_lines(answers.get("other_parties", "")),
        answers.get("categories", []),
        answers.get("exclusions", "").strip(),
        today,
        until,
    )


@dataclass(frozen=True)
class Receipt:
    case: SipCase
    subject_name: str
    is_own: bool
    event: ConsentEvent
    scope: ScopeView
    waiting_for_other: bool  # a child's consent that still needs the other guardian


def receipt_for(actor: Person, public_id: str, today: date | None = None) -> Receipt | None:
    """What this voice agreed to last, while it is active (the receipt "Kvitto"); None when there is none."""

    day = today or date.today()
    case = cases.get_case_for(actor, public_id, Action.GIVE_CONSENT)
    event = latest_by_voice(case, day).get(voice_of(actor, case, day))
    if event is None or not is_active(event, day) or case.is_closed:
        return None
    return Receipt(
        case=case,
        subject_name=case.subject.display_name if case.subject else "",
        is_own=case.subject_id == actor.id,
        event=event,
        scope=_event_scope(unit_names(event.unit_ids), event),
        waiting_for_other=in_force(case, day) is None,
    )
