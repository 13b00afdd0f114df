"""Preparing the meeting: the person's answers, the agenda, and who sees what [SIP.md 6] [ST 2] [DA 4.3].

Who may read what is decided here, in one place (``visible_*``):
- The person's answers and agenda: the person and those who act for them (guardians with custody,
  representatives), and the coordinator. The list "Det här vill jag inte prata om" is for the coordinator
  only: never for units, relatives or anyone else at the meeting.
- The child's own answers ("Min röst"): the child, the coordinator, and the guardians only for the answers
  the child marked "mina föräldrar får se". The child's "inte prata om" never goes to the guardians.
- Relatives, through their invitation link, see the agenda only if the person chose to share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    AgendaItem,
    AgendaList,
    NotificationKind,
    Participant,
    ParticipantRole,
    Person,
    PreparationAnswer,
    SipCase,
    StaffUser,
    SuggestionStatus,
    Unit,
    Voice,
    utcnow,
)
from citizen_app.services import (
    N_,
    InvalidInput,
    NotAllowed,
    NotFound,
    access_links,
    audit,
    consent,
    meetings,
    notifications,
    recipients,
)

MAX_TEXT = 2000
MAX_ITEMS = 30

# The themes of SIP.md 6, in the order of the pages. Texts (questions, hints) live in the templates.
PERSON_THEMES = (
    "important",  # Vad är viktigt för dig?
    "works_well",  # Vad fungerar bra?
    "not_working",  # Vad fungerar inte så bra?
    "long_term",  # Hur vill du ha det längre fram?
    "short_term",  # Vad vill du ska hända snart?
    "own_part",  # Vad kan du göra själv?
    "help_needed",  # Vad behöver du hjälp med, när, hur ofta och av vem?
)
GUARDIAN_THEMES = ("child_wants", "child_view")  # Vad vill ditt barn? Hur ser barnet på det?
# Structured themes, stored in ``choice``.
WHO_COMES = "who_comes"  # {"units": [public ids], "support_person": str, "coordinator_wish": str}
WHERE_HOW = "where_how"  # {"place": ..., "times_not_working": str, "interpreter": str, "adaptations": {...}}
SHARING = "sharing"  # {"relatives_see_agenda": bool}
PLACES = ("home", "unit", "video", "phone")
ADAPTATIONS = ("communicative", "cognitive", "physical")

CHILD_THEMES = (
    "important",  # Det här är viktigt för mig
    "works",  # Det här fungerar
    "not_working",  # Det här fungerar inte
    "want_to_happen",  # Det här vill jag ska hända
    "who_at_meeting",  # Dem vill jag ha på mötet
    "attend",  # Vill du vara med? choice: all / part / phone / message
    "who_tells",  # Vem ska berätta vad jag tycker om jag inte är där?
    "not_talk_about",  # Det vill jag inte prata om (never to the guardians)
)
CHILD_ATTEND = ("all", "part", "phone", "message")
CHILD_PRIVATE_THEMES = ("not_talk_about",)


class InvalidAnswer(InvalidInput):
    pass


# --- Who may prepare and read ---------------------------------------------------------------------------


def can_prepare(actor: Person, case: SipCase) -> bool:
    """The person, a guardian with custody or a representative, while the SIP is open."""
    return not case.is_closed and access.can(actor, Action.PREPARE_MEETING, case)


def _require_prepare(actor: Person, case: SipCase) -> None:
    if not can_prepare(actor, case):
        raise NotAllowed(N_("Du kan inte förbereda mötet för den här SIP:en."))


def is_guardian(actor: Person, case: SipCase) -> bool:
    return Role.GUARDIAN_WITH_CUSTODY in access.roles_of(actor, case)


def themes_for(actor: Person, case: SipCase) -> tuple[str, ...]:
    """A guardian also answers what the child wants and how the child sees things [SIP.md 6]."""
    return PERSON_THEMES + (GUARDIAN_THEMES if is_guardian(actor, case) else ())


def is_coordinator(staff: StaffUser, case: SipCase) -> bool:
    return Role.COORDINATOR in access.roles_of(staff, case)


# --- Answers ----------------------------------------------------------------------------------------------


def answers(case: SipCase, voice: Voice) -> dict[str, PreparationAnswer]:
    rows = db.session.scalars(
        select(PreparationAnswer).where(
            PreparationAnswer.case_id == case.id, PreparationAnswer.voice == voice
        )
    )
    return {row.theme: row for row in rows}


def _upsert(case: SipCase, voice: Voice, theme: str, by: Person) -> PreparationAnswer:
    row = db.session.scalar(
        select(PreparationAnswer).where(
            PreparationAnswer.case_id == case.id,
            PreparationAnswer.voice == voice,
            PreparationAnswer.theme == theme,
        )
    )
    if row is None:
        row = PreparationAnswer(case_id=case.id, voice=voice, theme=theme, text="", choice={})
        db.session.add(row)
    row.updated_by_person_id = by.id
    return row


def save_answer(actor: Person, case: SipCase, theme: str, text: str) -> PreparationAnswer:
    """Save one theme on its own, so nothing is lost if the person leaves half-way."""
    _require_prepare(actor, case)
    if theme not in themes_for(actor, case):
        raise NotAllowed(N_("Den frågan finns inte."))
    if len(text) > MAX_TEXT:
        raise InvalidAnswer({"text": N_("Skriv högst 2000 tecken")})
    row = _upsert(case, Voice.PERSON, theme, actor)
    row.text = text.strip()
    db.session.flush()
    return row


def save_who_comes(
    actor: Person, case: SipCase, unit_ids: list[str], support_person: str, coordinator_wish: str
) -> PreparationAnswer:
    """Who the person wants at the meeting. Only parties the consent covers can be chosen [DA 4.2]."""
    _require_prepare(actor, case)
    scope = consent.in_force(case)
    allowed = scope.unit_ids if scope else frozenset()
    errors: dict[str, str] = {}
    if set(unit_ids) - allowed:
        errors["units"] = N_("Du kan bara välja dem som samtycket gäller")
    if len(support_person) > 200 or len(coordinator_wish) > 200:
        errors["support_person" if len(support_person) > 200 else "coordinator_wish"] = N_(
            "Skriv högst 200 tecken"
        )
    if errors:
        raise InvalidAnswer(errors)
    row = _upsert(case, Voice.PERSON, WHO_COMES, actor)
    row.choice = {
        "units": sorted(set(unit_ids)),
        "support_person": support_person.strip(),
        "coordinator_wish": coordinator_wish.strip(),
    }
    db.session.flush()
    return row


def save_where_how(
    actor: Person,
    case: SipCase,
    place: str,
    times_not_working: str,
    interpreter: str,
    adaptations: dict[str, str],
) -> PreparationAnswer:
    _require_prepare(actor, case)
    errors: dict[str, str] = {}
    if place and place not in PLACES:
        errors["place"] = N_("Välj ett av sätten i listan")
    if len(interpreter) > 80:
        errors["interpreter"] = N_("Skriv högst 80 tecken")
    if len(times_not_working) > MAX_TEXT or any(len(v) > MAX_TEXT for v in adaptations.values()):
        errors["times_not_working"] = N_("Skriv högst 2000 tecken")
    if errors:
        raise InvalidAnswer(errors)
    row = _upsert(case, Voice.PERSON, WHERE_HOW, actor)
    row.choice = {
        "place": place,
        "times_not_working": times_not_working.strip(),
        "interpreter": interpreter.strip(),
        "adaptations": {k: adaptations.get(k, "").strip() for k in ADAPTATIONS},
    }
    db.session.flush()
    return row


def set_relatives_see_agenda(actor: Person, case: SipCase, share: bool) -> None:
    _require_prepare(actor, case)
    row = _upsert(case, Voice.PERSON, SHARING, actor)
    row.choice = {"relatives_see_agenda": bool(share)}
    db.session.flush()


def relatives_see_agenda(case: SipCase) -> bool:
    row = answers(case, Voice.PERSON).get(SHARING)
    return bool(row and row.choice.get("relatives_see_agenda"))


# --- The agenda: ordered by the person, "viktigast" marks, and the private list -------------------------


def agenda(case: SipCase, which: AgendaList, status: SuggestionStatus = SuggestionStatus.ACCEPTED) -> list:
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.case_id == case.id, AgendaItem.list == which, AgendaItem.status == status)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def add_item(actor: Person, case: SipCase, which: AgendaList, text: str) -> AgendaItem:
    _require_prepare(actor, case)
    text = text.strip()
    if not text:
        raise InvalidAnswer(
            {"text": N_("Skriv vad du vill prata om")}
            if which == AgendaList.TALK_ABOUT
            else {"text": N_("Skriv vad du inte vill prata om")}
        )
    if len(text) > 500:
        raise InvalidAnswer({"text": N_("Skriv högst 500 tecken")})
    if len(agenda(case, which)) >= MAX_ITEMS:
        raise InvalidAnswer({"text": N_("Du kan ha högst 30 saker i listan")})
    item = AgendaItem(
        case_id=case.id,
        list=which,
        text=text,
        position=_next_position(case, which),
        created_by_person_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    return item


def _next_position(case: SipCase, which: AgendaList) -> int:
    highest = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.case_id == case.id, AgendaItem.list == which)
    )
    return (highest or 0) + 1


def _item(actor: Person, case: SipCase, public_id: str) -> AgendaItem:
    _require_prepare(actor, case)
    item = db.session.scalar(
        select(AgendaItem).where(AgendaItem.public_id == public_id, AgendaItem.case_id == case.id)
    )
    if item is None:
        raise NotFound(N_("Sidan finns inte."))
    return item


def move(actor: Person, case: SipCase, public_id: str, direction: str) -> tuple[int, int]:
    """Move an item one step up or down. Returns its new place and the length of the list (for the
    screen reader's "Flyttad till plats 2 av 5")."""
    if direction not in ("up", "down"):
        raise InvalidAnswer({"direction": N_("Välj upp eller ner")})
    item = _item(actor, case, public_id)
    items = agenda(case, item.list)
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, it in enumerate(items, start=1):
        it.position = position
    db.session.flush()
    return next(i for i, it in enumerate(items, start=1) if it.id == item.id), len(items)


def item(actor: Person, case: SipCase, public_id: str) -> AgendaItem:
    """One item of the person's lists, for a page that asks before removing it."""
    return _item(actor, case, public_id)


def mark_most_important(actor: Person, case: SipCase, public_id: str, on: bool) -> AgendaItem:
    item = _item(actor, case, public_id)
    item.most_important = bool(on)
    db.session.flush()
    return item


def remove_item(actor: Person, case: SipCase, public_id: str) -> None:
    item = _item(actor, case, public_id)
    db.session.delete(item)
    db.session.flush()


def suggest_topic(case: SipCase, invitation_id: int, text: str) -> AgendaItem:
    """A relative suggests a topic through their invitation; it waits for the person to decide."""
    text = text.strip()
    if not text:
        raise InvalidAnswer({"text": N_("Skriv vad du vill föreslå")})
    if len(text) > 500:
        raise InvalidAnswer({"text": N_("Skriv högst 500 tecken")})
    pending = db.session.execute(
        select(func.count()).where(
            AgendaItem.suggested_by_invitation_id == invitation_id,
            AgendaItem.status == SuggestionStatus.PENDING,
        )
    ).scalar_one()
    if pending >= 10:
        raise InvalidAnswer({"text": N_("Du har redan föreslagit 10 saker. Vänta på svar.")})
    item = AgendaItem(
        case_id=case.id,
        list=AgendaList.TALK_ABOUT,
        text=text,
        position=0,
        status=SuggestionStatus.PENDING,
        suggested_by_invitation_id=invitation_id,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(None, "preparation.topic_suggested", case, item=item.public_id)
    # The person (or those acting for them) decides about it, so they are told [issue 5].
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.TOPIC_SUGGESTED, case)
    return item


def decide_suggestion(actor: Person, case: SipCase, public_id: str, accept: bool) -> AgendaItem:
    """The person takes a relative's suggestion onto the agenda (last place), or not."""
    item = _item(actor, case, public_id)
    if item.status != SuggestionStatus.PENDING:
        return item  # already decided: a double click changes nothing
    if accept:
        item.status = SuggestionStatus.ACCEPTED
        item.position = _next_position(case, AgendaList.TALK_ABOUT)
    else:
        item.status = SuggestionStatus.DECLINED
    db.session.flush()
    return item


# --- The child's own voice ("Min röst") ------------------------------------------------------------------


def save_child_answer(
    child: Person, case: SipCase, theme: str, text: str, guardians_may_see: bool, choice: str = ""
) -> PreparationAnswer:
    """The child writes their own answer and decides if the guardians may see it before the meeting.

    ``child`` is the child the case is about, signed in or through their own access link (the web layer has
    checked the link); never a guardian.
    """
    if case.is_closed or case.subject_id != child.id:
        raise NotAllowed(N_("Du kan inte svara här."))
    if theme not in CHILD_THEMES:
        raise NotAllowed(N_("Den frågan finns inte."))
    errors: dict[str, str] = {}
    if len(text) > MAX_TEXT:
        errors["text"] = N_("Skriv högst 2000 tecken")
    if theme == "attend" and choice not in CHILD_ATTEND:
        errors["choice"] = N_("Välj ett svar")
    if errors:
        raise InvalidAnswer(errors)
    row = _upsert(case, Voice.CHILD, theme, child)
    row.text = text.strip()
    row.choice = {"attend": choice} if theme == "attend" else {}
    # What the child does not want to talk about never goes to the guardians, whatever is ticked.
    row.guardians_may_see = bool(guardians_may_see) and theme not in CHILD_PRIVATE_THEMES
    db.session.flush()
    return row


def child_answers_for(viewer: Person | StaffUser | None, case: SipCase) -> dict[str, PreparationAnswer]:
    """The child's answers this viewer may read."""
    every = answers(case, Voice.CHILD)
    if viewer is None:
        return {}
    if isinstance(viewer, StaffUser):
        return every if is_coordinator(viewer, case) else {}
    if viewer.id == case.subject_id:
        return every
    if is_guardian(viewer, case):
        return {theme: row for theme, row in every.items() if row.guardians_may_see}
    return {}


# --- What each reader may see -----------------------------------------------------------------------------


def private_list_for(viewer: Person | StaffUser, case: SipCase) -> list[AgendaItem]:
    """The list "Det här vill jag inte prata om": the coordinator and those who prepare. No one else."""
    if isinstance(viewer, StaffUser):
        return agenda(case, AgendaList.NOT_TALK_ABOUT) if is_coordinator(viewer, case) else []
    return agenda(case, AgendaList.NOT_TALK_ABOUT) if can_prepare(viewer, case) else []


# --- Guests the person wants at the meeting: relatives, friends, a support person --------------------------


def guests(case: SipCase) -> list[Participant]:
    return list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.case_id == case.id,
                Participant.role.in_([ParticipantRole.RELATIVE, ParticipantRole.SUPPORT_PERSON]),
                Participant.removed_at.is_(None),
            )
            .order_by(Participant.id)
        )
    )


def add_guest(actor: Person, case: SipCase, name: str, contact: str, support_person: bool) -> Participant:
    """Someone close the person wants at the meeting: a name and a phone number or e-mail to reach them."""
    _require_prepare(actor, case)
    name, contact = name.strip(), contact.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = N_("Skriv namnet")
    elif len(name) > 200:
        errors["name"] = N_("Skriv högst 200 tecken")
    if not contact:
        errors["contact"] = N_("Skriv ett telefonnummer eller en e-postadress")
    elif len(contact) > 200 or not _looks_like_contact(contact):
        errors["contact"] = N_("Skriv ett telefonnummer, som 070-123 45 67, eller en e-postadress")
    if len(guests(case)) >= 10:
        errors.setdefault("name", N_("Du kan lägga till högst 10 personer"))
    if errors:
        raise InvalidAnswer(errors)
    guest = Participant(
        case_id=case.id,
        role=ParticipantRole.SUPPORT_PERSON if support_person else ParticipantRole.RELATIVE,
        name=name,
        contact=contact,
    )
    db.session.add(guest)
    db.session.flush()
    audit.record(actor, "preparation.guest_added", case, participant=guest.public_id)
    return guest


def _looks_like_contact(value: str) -> bool:
    if "@" in value:
        local, _, domain = value.partition("@")
        return bool(local) and "." in domain and " " not in value
    digits = [c for c in value if c.isdigit()]
    return 7 <= len(digits) <= 15 and all(c.isdigit() or c in " -+()" for c in value)


def remove_guest(actor: Person, case: SipCase, public_id: str) -> None:
    """The guest is taken off the case; an invitation already sent is cancelled and its link stops."""
    _require_prepare(actor, case)
    guest = next((g for g in guests(case) if g.public_id == public_id), None)
    if guest is None:
        raise NotFound(N_("Sidan finns inte."))
    guest.removed_at = utcnow()
    meetings.cancel_invitations_of(case, guest)
    audit.record(actor, "preparation.guest_removed", case, participant=guest.public_id)
    db.session.flush()


# --- For the person's pages: what is done so far, the parties that can be chosen, the child's code ----


@dataclass(frozen=True)
class Progress:
    """What the person has prepared so far, for the start page "Inför mötet"."""

    themes_answered: frozenset[str]
    agenda_items: int
    private_items: int
    pending_suggestions: int
    who_comes: bool
    where_how: bool


def progress(actor: Person, case: SipCase) -> Progress:
    saved = answers(case, Voice.PERSON)
    rows = db.session.execute(
        select(AgendaItem.list, AgendaItem.status, func.count())
        .where(AgendaItem.case_id == case.id)
        .group_by(AgendaItem.list, AgendaItem.status)
    )
    counts = {(which, status): n for which, status, n in rows}
    who = saved.get(WHO_COMES)
    return Progress(
        themes_answered=frozenset(t for t in themes_for(actor, case) if t in saved and saved[t].text),
        agenda_items=counts.get((AgendaList.TALK_ABOUT, SuggestionStatus.ACCEPTED), 0),
        private_items=counts.get((AgendaList.NOT_TALK_ABOUT, SuggestionStatus.ACCEPTED), 0),
        pending_suggestions=counts.get((AgendaList.TALK_ABOUT, SuggestionStatus.PENDING), 0),
        who_comes=bool(who and any(who.choice.values())) or bool(guests(case)),
        where_how=WHERE_HOW in saved,
    )


def covered_units(case: SipCase) -> list[Unit]:
    """The units the consent in force names: the only parties the person can choose to invite [DA 4.2]."""
    scope = consent.in_force(case)
    if scope is None or not scope.unit_ids:
        return []
    return list(
        db.session.scalars(select(Unit).where(Unit.public_id.in_(scope.unit_ids)).order_by(Unit.name))
    )


def unit_names(public_ids: list[str]) -> dict[str, str]:
    """Names of the units the person chose, also if the consent has changed since."""
    if not public_ids:
        return {}
    return dict(
        db.session.execute(select(Unit.public_id, Unit.name).where(Unit.public_id.in_(public_ids))).all()
    )


def can_give_child_code(actor: Person | StaffUser, case: SipCase) -> bool:
    """A guardian with custody, or the coordinator, gives the child a way in while the SIP is open."""
    return (
        not case.is_closed
        and case.subject is not None
        and case.subject.is_child_on(date.today())
        and access.can(actor, Action.GIVE_CHILD_ACCESS, case)
    )


def give_child_code(actor: Person | StaffUser, case: SipCase) -> access_links.NewLink:
    """A new code for the child's own pages. Earlier codes stop, so only the newest one works."""
    if not can_give_child_code(actor, case):
        raise NotAllowed(N_("Du kan inte ge barnet en kod i den här SIP:en."))
    access_links.revoke_all(case, access_links.CHILD_PAGES, actor)
    return access_links.create(
        access_links.CHILD_PAGES,
        case,
        actor,
        person=case.subject,
        days=access_links.CHILD_ACCESS_DAYS,
        as_code=True,
    )


def close_child_codes(actor: Person | StaffUser, case: SipCase) -> int:
    if not can_give_child_code(actor, case):
        raise NotAllowed(N_("Du kan inte ge barnet en kod i den här SIP:en."))
    return access_links.revoke_all(case, access_links.CHILD_PAGES, actor)


def wished_unit_names(public_ids: set[str]) -> list[str]:
    """The names of the units the person wished at the meeting, by name (for the coordinator's page)."""
    return list(
        db.session.scalars(select(Unit.name).where(Unit.public_id.in_(public_ids)).order_by(Unit.name))
    )


def suggestions_through(invitation_id: int) -> list[AgendaItem]:
    """What a relative suggested through their invitation, oldest first, and whether the person took it."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.suggested_by_invitation_id == invitation_id)
            .order_by(AgendaItem.created_at, AgendaItem.id)
        )
    )
