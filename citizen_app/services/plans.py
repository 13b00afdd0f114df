"""The plan's rules [SIP.md 5] [VM] [DA 4.5–4.7] [HA]. Every rule about plan versions lives here.

- The coordinator documents a draft after the meeting (target: within 2 working days).
- Only one draft at a time. Versions are numbered 1, 2, 3 … per case.
- Approval happens together with the person: the person confirms in the app, or the coordinator records
  that it was approved at the meeting. An approved version is locked: nothing in it can change. The flush
  guard at the bottom refuses any change to a locked version, its goals, actions or pending decisions, so
  even a bug elsewhere cannot edit an approved plan.
- Nobody's change is lost, and nobody approves text they did not see [issue 12]. Every change of a draft
  and every approval first takes the draft's row lock (_lock), so they happen one after the other: the
  person's approval checks the fingerprint of the page they read and locks the version while no goal can
  be added; an edit that waited finds the version approved (PlanLocked). Each staff form carries the
  draft's revision it was based on; a save from an older page is refused (EditedElsewhere).
- A municipality's or region's action is done by a unit the consent in force covers: the same rule as
  invitations (consent.require_covering).
- A follow-up starts a new draft from the approved version; each goal gets an outcome and a comment; goals
  can be added, changed or ended. When it is approved, the earlier version is marked replaced.
- The person (and those acting for them) may comment on a draft before approving.
- Relatives see the plan only if the person shares it with them, one by one, and can take it back.
- When the SIP closes (goals met, no longer needed, consent withdrawn, other) the plan stops applying;
  its history stays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session, selectinload

from citizen_app import access
from citizen_app.access import Action
from citizen_app.extensions import db
from citizen_app.models import (
    ApprovalWay,
    EventKind,
    GoalOutcome,
    GoalTerm,
    NotificationKind,
    Participant,
    PendingDecision,
    Person,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanShare,
    PlanVersion,
    Responsible,
    SipCase,
    StaffUser,
    Step,
    Unit,
    VersionStatus,
    utcnow,
)
from citizen_app.services import (
    N_,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    audit,
    consent,
    deadlines,
    notifications,
    recipients,
    timeline,
)

DOCUMENT_WITHIN_WORKING_DAYS = 2
MAX_TEXT = 4000


class PlanLocked(DomainError):
    """An approved version cannot change."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or N_("Planen är godkänd och kan inte ändras. Gör en uppföljning för att ändra den.")
        )


class AlreadyApproved(PlanLocked):
    """The version was approved already (a double click, an old tab, the other guardian): nothing changes."""

    def __init__(self, by_you: bool) -> None:
        super().__init__(N_("Du har redan godkänt planen.") if by_you else N_("Planen är redan godkänd."))


class EditedElsewhere(DomainError):
    """The draft changed after the coordinator's page was shown (another tab or device saved in between).

    ``revision`` is the draft's revision now: the page shown again carries it, so saving once more, after
    reading what is there now, goes through.
    """

    def __init__(self, revision: int) -> None:
        super().__init__(N_("Någon annan har ändrat det här. Se hur det ser ut nu."))
        self.revision = revision


class InvalidPlan(InvalidInput):
    pass


# --- Reading --------------------------------------------------------------------------------------------


def versions(case: SipCase) -> list[PlanVersion]:
    """Every version of the case's plan, newest first."""
    return list(
        db.session.scalars(
            select(PlanVersion).where(PlanVersion.case_id == case.id).order_by(PlanVersion.number.desc())
        )
    )


def _full(query):
    return query.options(
        selectinload(PlanVersion.goals)
        .selectinload(PlanGoal.actions)
        .selectinload(PlanAction.responsible_unit),
        selectinload(PlanVersion.pending_decisions),
        selectinload(PlanVersion.comments).selectinload(PlanComment.person),
    )


def version(case: SipCase, number: int) -> PlanVersion:
    found = db.session.scalar(
        _full(select(PlanVersion).where(PlanVersion.case_id == case.id, PlanVersion.number == number))
    )
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def in_force(case: SipCase) -> PlanVersion | None:
    """The approved version that applies now; none once the SIP is closed (it is shown as ended)."""
    return db.session.scalar(
        _full(
            select(PlanVersion)
            .where(PlanVersion.case_id == case.id, PlanVersion.status == VersionStatus.APPROVED)
            .order_by(PlanVersion.number.desc())
            .limit(1)
        )
    )


def draft(case: SipCase) -> PlanVersion | None:
    return db.session.scalar(
        _full(
            select(PlanVersion).where(
                PlanVersion.case_id == case.id, PlanVersion.status == VersionStatus.DRAFT
            )
        )
    )


def is_in_force(case: SipCase, plan: PlanVersion | None) -> bool:
    return plan is not None and plan.status == VersionStatus.APPROVED and not case.is_closed


# --- Who may do what ------------------------------------------------------------------------------------


def may_write(staff: StaffUser, case: SipCase) -> bool:
    """The case's coordinator writes the plan, while the SIP is open."""
    return access.can(staff, Action.STAFF_DOCUMENT_PLAN, case) and not case.is_closed


def _require_coordinator(staff: StaffUser, case: SipCase) -> None:
    if not may_write(staff, case):
        raise NotAllowed(N_("Du kan inte skriva planen i den här SIP:en."))


def _require_draft(plan: PlanVersion) -> None:
    if plan.is_locked:
        raise PlanLocked()


def _lock(plan: PlanVersion) -> PlanVersion:
    """Take the version's row lock and read it again as committed: its goals, actions and decisions too.

    Every change of a draft and every approval starts here, so they happen one after the other. Without it
    an approval and a new goal at the same instant both succeed, and the locked version holds a goal the
    person never saw. PostgreSQL: SELECT ... FOR UPDATE on the plan_version row. SQLite has no row locks: a
    no-op UPDATE takes its one write lock, which serialises the writers the same way.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(PlanVersion)
            .where(PlanVersion.id == plan.id)
            .values(revision=PlanVersion.revision, updated_at=PlanVersion.updated_at)
            .execution_options(synchronize_session=False)
        )
    fresh = db.session.scalar(
        _full(select(PlanVersion).where(PlanVersion.id == plan.id).with_for_update()).execution_options(
            populate_existing=True
        )
    )
    if fresh is None:  # the draft was deleted: the SIP was closed in between
        raise NotAllowed(N_("Du kan inte skriva planen i den här SIP:en."))
    return fresh


def _edit(staff: StaffUser, case: SipCase, plan: PlanVersion, revision: int | None) -> None:
    """The start of every change of a draft: the coordinator, the row lock, still a draft, and based on the
    revision the coordinator's page showed. ``revision`` None: no page to compare with (a script, a test);
    every staff form sends one."""
    _require_coordinator(staff, case)
    _lock(plan)
    _require_draft(plan)
    if revision is not None and revision != plan.revision:
        raise EditedElsewhere(plan.revision)


def may_read(actor: Person | StaffUser, case: SipCase) -> bool:
    """The person and those acting for them; the child (simpler view); staff of the case; relatives only
    if the person shared the plan with them."""
    if isinstance(actor, StaffUser):
        return access.can(actor, Action.STAFF_VIEW_CASE, case)
    if access.can(actor, Action.VIEW_PLAN, case):
        return True
    return is_shared_with(actor, case)


# --- The coordinator documents a draft -------------------------------------------------------------------


def start_draft(staff: StaffUser, case: SipCase) -> PlanVersion:
    """Version 1 after the first meeting, or a follow-up draft from the approved one. One draft at a time."""
    _require_coordinator(staff, case)
    existing = draft(case)
    if existing is not None:
        return existing  # one draft at a time: a second click opens the same one
    previous = in_force(case)
    number = (
        db.session.scalar(select(func.max(PlanVersion.number)).where(PlanVersion.case_id == case.id)) or 0
    ) + 1
    coordinator = recipients.current_coordinator(case)
    plan = PlanVersion(
        case_id=case.id,
        number=number,
        created_by_staff_id=staff.id,
        coordinator_name=coordinator.display_name if coordinator else "",
        coordinator_contact=(coordinator.phone or coordinator.email or "") if coordinator else "",
    )
    if previous is not None:
        plan.based_on_id = previous.id
        for name in (
            "if_worse",
            "other_discussed",
            "principal_in_charge",
            "follow_up_by",
            "no_follow_up_reason",
            "disagreements",
        ):
            setattr(plan, name, getattr(previous, name))
        for goal in previous.goals:
            if goal.ended:
                continue  # an ended goal is not carried into the next version
            copy = PlanGoal(goal_key=goal.goal_key, term=goal.term, text=goal.text, position=goal.position)
            copy.actions = [
                PlanAction(
                    action_key=a.action_key,  # the same action: how it is going carries over
                    what=a.what,
                    responsible=a.responsible,
                    responsible_unit_id=a.responsible_unit_id,
                    responsible_name=a.responsible_name,
                    starts_on=a.starts_on,
                    how_often=a.how_often,
                    position=a.position,
                )
                for a in goal.actions
            ]
            plan.goals.append(copy)
        for decision in previous.pending_decisions:
            plan.pending_decisions.append(
                PendingDecision(
                    what=decision.what, meanwhile=decision.meanwhile, expected_on=decision.expected_on
                )
            )
    db.session.add(plan)
    db.session.flush()
    audit.record(staff, "plan.draft_started", case, version=plan.number)
    return plan


def _text(
    value: str, field: str, errors: dict[str, str], required: bool = False, limit: int = MAX_TEXT
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = N_("Fyll i det här")
    elif len(value) > limit:
        errors[field] = N_("Texten är för lång")
    return value


def update_details(
    staff: StaffUser,
    case: SipCase,
    plan: PlanVersion,
    *,
    if_worse: str = "",
    other_discussed: str = "",
    attendees: str = "",
    principal_in_charge: str = "",
    follow_up_on: date | None = None,
    follow_up_by: str = "",
    continued_need: str = "",
    coordinator_name: str | None = None,
    coordinator_contact: str | None = None,
    no_follow_up_reason: str = "",
    applies_until: date | None = None,
    disagreements: str = "",
    today: date | None = None,
    revision: int | None = None,
) -> PlanVersion:
    """The plan's other parts. The coordinator's name and contact are prefilled when the draft starts; they
    change only when given (None keeps them). Without a follow-up date, the reason why and the day the plan
    applies until [003]; what the parties do not agree on [003]."""
    _edit(staff, case, plan, revision)
    errors: dict[str, str] = {}
    values = {
        "if_worse": _text(if_worse, "if_worse", errors),
        "other_discussed": _text(other_discussed, "other_discussed", errors),
        "attendees": _text(attendees, "attendees", errors),
        "principal_in_charge": _text(principal_in_charge, "principal_in_charge", errors, limit=200),
        "follow_up_by": _text(follow_up_by, "follow_up_by", errors, limit=200),
        "continued_need": _text(continued_need, "continued_need", errors),
    }
    if coordinator_name is not None:
        values["coordinator_name"] = _text(
            coordinator_name, "coordinator_name", errors, required=True, limit=200
        )
    if coordinator_contact is not None:
        values["coordinator_contact"] = _text(coordinator_contact, "coordinator_contact", errors, limit=200)
    if follow_up_on is not None and follow_up_on <= (today or date.today()):
        errors["follow_up_on"] = N_("Uppföljningen ska vara efter i dag")
    if applies_until is not None and applies_until <= (today or date.today()):
        errors["applies_until"] = N_("Dagen ska vara efter i dag")
    reason = _text(no_follow_up_reason, "no_follow_up_reason", errors, limit=1000)
    disagreed = _text(disagreements, "disagreements", errors)
    if errors:
        raise InvalidPlan(errors)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.follow_up_on = follow_up_on
    plan.no_follow_up_reason = reason or None
    plan.applies_until = applies_until
    plan.disagreements = disagreed or None
    db.session.flush()
    return plan


def add_goal(
    staff: StaffUser, case: SipCase, plan: PlanVersion, term: str, text: str, *, revision: int | None = None
) -> PlanGoal:
    _edit(staff, case, plan, revision)
    errors: dict[str, str] = {}
    text = _text(text, "text", errors, required=True, limit=1000)
    if term not in {t.value for t in GoalTerm}:
        errors["term"] = N_("Välj om målet är långsiktigt eller kortsiktigt")
    if errors:
        raise InvalidPlan(errors)
    goal = PlanGoal(term=GoalTerm(term), text=text, position=len(plan.goals) + 1)
    plan.goals.append(goal)
    db.session.flush()
    return goal


def _goal(plan: PlanVersion, public_id: str) -> PlanGoal:
    goal = next((g for g in plan.goals if g.public_id == public_id), None)
    if goal is None:
        raise NotFound(N_("Sidan finns inte."))
    return goal


def change_goal(
    staff: StaffUser,
    case: SipCase,
    plan: PlanVersion,
    goal_id: str,
    term: str,
    text: str,
    *,
    revision: int | None = None,
) -> PlanGoal:
    _edit(staff, case, plan, revision)
    goal = _goal(plan, goal_id)
    errors: dict[str, str] = {}
    text = _text(text, "text", errors, required=True, limit=1000)
    if term not in {t.value for t in GoalTerm}:
        errors["term"] = N_("Välj om målet är långsiktigt eller kortsiktigt")
    if errors:
        raise InvalidPlan(errors)
    goal.term, goal.text = GoalTerm(term), text
    db.session.flush()
    return goal


def set_outcome(
    staff: StaffUser,
    case: SipCase,
    plan: PlanVersion,
    goal_id: str,
    outcome: str,
    comment: str,
    end: bool,
    *,
    revision: int | None = None,
) -> PlanGoal:
    """At follow-up: how a goal carried from the last version went, and whether it ends here."""
    _edit(staff, case, plan, revision)
    goal = _goal(plan, goal_id)
    errors: dict[str, str] = {}
    if plan.based_on_id is None:
        errors["outcome"] = N_("Det finns ingen tidigare plan att följa upp")
    elif outcome not in {o.value for o in GoalOutcome}:
        errors["outcome"] = N_("Välj uppfyllt, delvis uppfyllt eller inte uppfyllt")
    comment = _text(comment, "comment", errors)
    if errors:
        raise InvalidPlan(errors)
    goal.outcome, goal.outcome_comment, goal.ended = GoalOutcome(outcome), comment, bool(end)
    db.session.flush()
    return goal


def remove_goal(
    staff: StaffUser, case: SipCase, plan: PlanVersion, goal_id: str, *, revision: int | None = None
) -> None:
    _edit(staff, case, plan, revision)
    plan.goals.remove(_goal(plan, goal_id))
    db.session.flush()


def add_action(
    staff: StaffUser,
    case: SipCase,
    plan: PlanVersion,
    goal_id: str,
    *,
    what: str,
    responsible: str,
    responsible_unit_id: int | None = None,
    responsible_name: str = "",
    starts_on: date | None = None,
    how_often: str = "",
    revision: int | None = None,
) -> PlanAction:
    _edit(staff, case, plan, revision)
    goal = _goal(plan, goal_id)
    values = _action_values(
        case, what, responsible, responsible_unit_id, responsible_name, starts_on, how_often
    )
    action = PlanAction(**values, position=len(goal.actions) + 1)
    goal.actions.append(action)
    db.session.flush()
    return action


def _action_values(
    case: SipCase,
    what: str,
    responsible: str,
    responsible_unit_id: int | None,
    responsible_name: str,
    starts_on: date | None,
    how_often: str,
) -> dict[str, object]:
    """What an action says, checked: what is done, who does it (a unit the consent covers), from when."""
    errors: dict[str, str] = {}
    what = _text(what, "what", errors, required=True, limit=1000)
    if responsible not in {r.value for r in Responsible}:
        errors["responsible"] = N_("Välj vem som gör det")
    elif responsible in (Responsible.MUNICIPALITY, Responsible.REGION):
        _check_unit(case, responsible, responsible_unit_id, errors)
    elif responsible in (Responsible.OTHER_PARTY, Responsible.RELATIVE) and not responsible_name.strip():
        errors["responsible_name"] = N_("Skriv vem som gör det")
    how_often = _text(how_often, "how_often", errors, limit=200)
    if errors:
        raise InvalidPlan(errors)
    by_unit = responsible in (Responsible.MUNICIPALITY, Responsible.REGION)
    return {
        "what": what,
        "responsible": Responsible(responsible),
        "responsible_unit_id": responsible_unit_id if by_unit else None,
        "responsible_name": "" if by_unit else responsible_name.strip()[:200],
        "starts_on": starts_on,
        "how_often": how_often,
    }


def find_action(plan: PlanVersion, action_id: str) -> PlanAction:
    found = next((a for g in plan.goals for a in g.actions if a.public_id == action_id), None)
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def change_action(
    staff: StaffUser,
    case: SipCase,
    plan: PlanVersion,
    action_id: str,
    *,
    what: str,
    responsible: str,
    responsible_unit_id: int | None = None,
    responsible_name: str = "",
    starts_on: date | None = None,
    how_often: str = "",
    revision: int | None = None,
) -> PlanAction:
    """Change what an action says: what, who, when. Only in a draft: an approved version is changed by a
    follow-up (a new draft version), so every approved version stays as it was. The action keeps its key,
    so how it is going follows it. A page older than the draft's revision is refused (EditedElsewhere)."""
    _edit(staff, case, plan, revision)
    action = find_action(plan, action_id)
    values = _action_values(
        case, what, responsible, responsible_unit_id, responsible_name, starts_on, how_often
    )
    for name, value in values.items():
        setattr(action, name, value)
    db.session.flush()
    audit.record(staff, "plan.action_changed", case, version=plan.number, plan_action=action.public_id)
    return action


def responsible_units(case: SipCase) -> list[Unit]:
    """The units "Vem gör det?" offers: those taking part in the SIP that the consent in force covers."""
    scope = consent.in_force(case)
    if scope is None:
        return []
    return [unit for unit in consent.parties_of(case) if scope.covers_unit(unit.public_id)]


def _check_unit(case: SipCase, responsible: str, unit_id: int | None, errors: dict[str, str]) -> None:
    """A municipality's or region's action is done by one of the case's units, of that principal, and only
    by a unit the consent in force covers: the invitation rule, checked under the case lock [DA 4.2]."""
    unit = next((u for u in consent.parties_of(case) if u.id == unit_id), None)
    if unit is None:
        errors["responsible_unit"] = N_("Välj vilken verksamhet som gör det")
    elif unit.principal.kind.value != responsible:
        if responsible == Responsible.MUNICIPALITY:
            errors["responsible_unit"] = N_("Verksamheten hör inte till kommunen. Välj en annan.")
        else:
            errors["responsible_unit"] = N_("Verksamheten hör inte till regionen. Välj en annan.")
    else:
        try:
            consent.require_covering(case, unit.public_id)
        except consent.NotCovered:
            errors["responsible_unit"] = N_("Samtycket gäller inte den här verksamheten. Välj en annan.")


def remove_action(
    staff: StaffUser, case: SipCase, plan: PlanVersion, action_id: str, *, revision: int | None = None
) -> None:
    _edit(staff, case, plan, revision)
    for goal in plan.goals:
        for action in goal.actions:
            if action.public_id == action_id:
                goal.actions.remove(action)
                db.session.flush()
                return
    raise NotFound(N_("Sidan finns inte."))


def add_pending_decision(
    staff: StaffUser,
    case: SipCase,
    plan: PlanVersion,
    what: str,
    meanwhile: str,
    expected_on: date | None,
    *,
    revision: int | None = None,
) -> PendingDecision:
    _edit(staff, case, plan, revision)
    errors: dict[str, str] = {}
    what = _text(what, "what", errors, required=True, limit=1000)
    meanwhile = _text(meanwhile, "meanwhile", errors, limit=1000)
    if errors:
        raise InvalidPlan(errors)
    decision = PendingDecision(what=what, meanwhile=meanwhile, expected_on=expected_on)
    plan.pending_decisions.append(decision)
    db.session.flush()
    return decision


def remove_pending_decision(
    staff: StaffUser, case: SipCase, plan: PlanVersion, decision_id: str, *, revision: int | None = None
) -> None:
    _edit(staff, case, plan, revision)
    decision = next((d for d in plan.pending_decisions if d.public_id == decision_id), None)
    if decision is None:
        raise NotFound(N_("Sidan finns inte."))
    plan.pending_decisions.remove(decision)
    db.session.flush()


# --- A complete plan [DA 4.5–4.6] [HA] [003] -------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing the plan lacks before it can be sent or approved, with where to fix it.

    ``fix`` is the part to open: "goals", "add_action" (for ``goal_id``), "action" (``action_id``) or
    "details" (at the field ``field``). ``message`` is a msgid; ``what`` fills its %(what)s."""

    key: str
    message: str
    fix: str
    goal_id: str | None = None
    action_id: str | None = None
    field: str | None = None
    what: str = ""


class IncompletePlan(InvalidPlan):
    """The plan lacks something it must have before it is sent or approved; ``missing`` says what."""

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__({"missing": N_("Planen är inte klar. Se vad som saknas.")})
        self.missing = missing


def missing(case: SipCase, plan: PlanVersion) -> list[Missing]:
    """What the plan lacks [DA 4.5] [003]: goals; at least one action, each with who does it (a unit the
    consent in force covers, by the invitation rule) and when; the principal with overall responsibility;
    the coordinator; the follow-up date, or why there is none and until when the plan applies."""
    found: list[Missing] = []
    live_goals = [goal for goal in plan.goals if not goal.ended]
    actions = [action for goal in live_goals for action in goal.actions]
    if not plan.goals:
        found.append(Missing("goals", N_("Skriv minst ett mål."), "goals"))
    elif not actions:
        first = live_goals[0] if live_goals else plan.goals[0]
        found.append(
            Missing(
                "actions",
                N_("Skriv minst en sak som ska göras, vem som gör det och när."),
                "add_action",
                goal_id=first.public_id,
            )
        )
    covered = {unit.id for unit in responsible_units(case)} if actions else set()
    for action in actions:
        by_unit = action.responsible in (Responsible.MUNICIPALITY, Responsible.REGION)
        if by_unit and action.responsible_unit_id not in covered:
            found.append(
                Missing(
                    f"who-{action.public_id}",
                    N_(
                        "Samtycket gäller inte verksamheten som ska göra det här: %(what)s. "
                        "Välj vem som gör det."
                    ),
                    "action",
                    action_id=action.public_id,
                    what=action.what,
                )
            )
        if action.starts_on is None:
            found.append(
                Missing(
                    f"when-{action.public_id}",
                    N_("Skriv när det här ska göras: %(what)s."),
                    "action",
                    action_id=action.public_id,
                    what=action.what,
                )
            )
    if not plan.principal_in_charge.strip():
        found.append(
            Missing(
                "principal_in_charge",
                N_("Skriv vilken huvudman som har huvudansvaret för planen."),
                "details",
                field="principal_in_charge",
            )
        )
    if not plan.coordinator_name.strip():
        found.append(
            Missing(
                "coordinator_name", N_("Skriv vem som är samordnare."), "details", field="coordinator_name"
            )
        )
    if plan.follow_up_on is None and not (plan.no_follow_up_reason and plan.applies_until):
        found.append(
            Missing(
                "follow_up_on",
                N_(
                    "Skriv när planen ska följas upp. Ska den inte följas upp? Skriv då varför, och till "
                    "när planen gäller."
                ),
                "details",
                field="follow_up_on",
            )
        )
    return found


def _require_complete(case: SipCase, plan: PlanVersion) -> None:
    lacking = missing(case, plan)
    if lacking:
        raise IncompletePlan(lacking)


def send_for_reading(
    staff: StaffUser, case: SipCase, plan: PlanVersion, *, revision: int | None = None
) -> None:
    """The draft is ready: the person is asked to read it, comment, and approve it. Only a complete plan."""
    _edit(staff, case, plan, revision)
    if not plan.goals:
        raise InvalidPlan({"goals": N_("Skriv minst ett mål innan du skickar planen")})
    _require_complete(case, plan)
    plan.sent_at = plan.sent_at or utcnow()
    if case.step.position < Step.PLAN_DOCUMENTED.position:
        case.step = Step.PLAN_DOCUMENTED
        timeline.record(
            case, EventKind.STEP_CHANGED, staff, step=Step.PLAN_DOCUMENTED, data={"version": plan.number}
        )
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.PLAN_READY, case, data={"version": plan.number})
    audit.record(staff, "plan.sent_for_reading", case, version=plan.number)


# --- Approval --------------------------------------------------------------------------------------------


def _approve(case: SipCase, plan: PlanVersion, way: ApprovalWay, actor: Person | StaffUser) -> PlanVersion:
    """Lock the draft as it stands. The caller holds the draft's row lock (_lock) and has checked it is
    still a draft. The case changes step: its lock waits for (and then sees) a consent change in between."""
    consent.lock(case)
    if case.is_closed:
        raise NotAllowed(N_("Du kan inte godkänna den här planen."))
    if not plan.goals:
        raise InvalidPlan({"goals": N_("Planen har inga mål än")})
    _require_complete(case, plan)
    previous = in_force(case)
    if previous is not None and previous.id != plan.id:
        previous.status = VersionStatus.REPLACED
    plan.status = VersionStatus.APPROVED
    plan.approved_at = utcnow()
    plan.approved_way = way
    if isinstance(actor, StaffUser):
        plan.approved_by_staff_id = actor.id
    else:
        plan.approved_by_person_id = actor.id
    new_step = Step.FOLLOW_UP if plan.based_on_id is not None else Step.PLAN_APPROVED
    if case.step != new_step:
        case.step = new_step
        timeline.record(
            case,
            EventKind.STEP_CHANGED,
            actor,
            step=new_step,
            data={"version": plan.number, "way": way.value},
        )
    db.session.flush()
    audit.record(actor, "plan.approved", case, version=plan.number, way=way.value)
    for person in recipients.citizen_recipients(case):
        notifications.notify(person, NotificationKind.PLAN_APPROVED, case, data={"version": plan.number})
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None and coordinator != actor:
        notifications.notify(coordinator, NotificationKind.PLAN_APPROVED, case, data={"version": plan.number})
    return plan


def approve_by_person(
    person: Person, case: SipCase, plan: PlanVersion, read: str | None = None
) -> PlanVersion:
    """ "Jag har läst planen och håller med" — the person, a guardian with custody or a representative.

    ``read`` is the fingerprint of the page the person read (None: not checked). It is compared and the
    version locked under the draft's row lock, so a goal added at the same instant either landed before
    (then the fingerprint differs: PlanChanged) or waits and is refused (PlanLocked).
    """
    if not access.can(person, Action.APPROVE_PLAN, case) or case.is_closed:
        raise NotAllowed(N_("Du kan inte godkänna den här planen."))
    _lock(plan)
    if plan.is_locked:
        raise AlreadyApproved(by_you=plan.approved_by_person_id == person.id)
    if plan.sent_at is None:
        raise NotAllowed(N_("Planen är inte klar än. Du får ett meddelande när du kan läsa den."))
    if read is not None and fingerprint(plan) != read:
        raise PlanChanged()
    return _approve(case, plan, ApprovalWay.PERSON_IN_APP, person)


class PlanChanged(DomainError):
    """The draft changed after the person read it: they must read it again before approving."""

    def __init__(self) -> None:
        super().__init__(N_("Planen har ändrats sedan du läste den. Läs den igen."))


def fingerprint(plan: PlanVersion) -> str:
    """A short digest of everything a version says, so an approval is for the very text the person read."""
    parts: list[object] = [
        plan.number,
        plan.if_worse,
        plan.other_discussed,
        plan.attendees,
        plan.principal_in_charge,
        plan.coordinator_name,
        plan.coordinator_contact,
        plan.follow_up_on,
        plan.follow_up_by,
        plan.continued_need,
        plan.no_follow_up_reason,
        plan.applies_until,
        plan.disagreements,
    ]
    for goal in plan.goals:
        parts += [goal.goal_key, goal.term, goal.text, goal.outcome, goal.outcome_comment, goal.ended]
        for action in goal.actions:
            parts += [
                action.what,
                action.responsible,
                action.responsible_unit_id,
                action.responsible_name,
                action.starts_on,
                action.how_often,
            ]
    for decision in plan.pending_decisions:
        parts += [decision.what, decision.meanwhile, decision.expected_on]
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def approve_as_read(person: Person, case: SipCase, number: int, read: str) -> PlanVersion | None:
    """ "Jag har läst planen och håller med", for the version the person read (its number and fingerprint).

    AlreadyApproved when it was approved already (a double click, an old tab): nothing changes. PlanChanged
    when the coordinator changed the draft after the person read it. None when there is no such version.
    """
    if not access.can(person, Action.APPROVE_PLAN, case):
        raise NotAllowed(N_("Du kan inte godkänna den här planen."))
    plan = db.session.scalar(
        select(PlanVersion).where(PlanVersion.case_id == case.id, PlanVersion.number == number)
    )
    if plan is None:
        return None
    return approve_by_person(person, case, plan, read)


def approve_at_meeting(
    staff: StaffUser, case: SipCase, plan: PlanVersion, *, revision: int | None = None
) -> PlanVersion:
    """The coordinator records that the person approved the plan at the meeting."""
    _edit(staff, case, plan, revision)
    return _approve(case, plan, ApprovalWay.AT_MEETING, staff)


def comment(person: Person, case: SipCase, plan: PlanVersion, text: str) -> PlanComment:
    """ "Det här vill jag ändra" on a draft; the coordinator is told."""
    if not access.can(person, Action.COMMENT_PLAN, case) or case.is_closed:
        raise NotAllowed(N_("Du kan inte lämna synpunkter på den här planen."))
    _lock(plan)  # not on a version being approved at this instant: it would land on the locked one
    _require_draft(plan)
    if plan.sent_at is None:
        raise NotAllowed(N_("Planen är inte klar än. Du får ett meddelande när du kan läsa den."))
    errors: dict[str, str] = {}
    text = _text(text, "text", errors, required=True, limit=2000)
    if errors:
        raise InvalidPlan(errors)
    note = PlanComment(version_id=plan.id, person_id=person.id, text=text)
    db.session.add(note)
    db.session.flush()
    coordinator = recipients.current_coordinator(case)
    if coordinator is not None:
        notifications.notify(
            coordinator, NotificationKind.PLAN_COMMENTED, case, data={"version": plan.number}
        )
    audit.record(person, "plan.commented", case, version=plan.number)
    return note


# --- Sharing with relatives --------------------------------------------------------------------------------


def _active_shares(case: SipCase) -> list[PlanShare]:
    return list(
        db.session.scalars(
            select(PlanShare)
            .where(PlanShare.case_id == case.id, PlanShare.revoked_at.is_(None))
            .options(selectinload(PlanShare.participant).selectinload(Participant.person))
        )
    )


def shares(case: SipCase) -> dict[int, PlanShare]:
    """Active shares by participant id."""
    return {s.participant_id: s for s in _active_shares(case)}


def share_with(person: Person, case: SipCase, participant_public_id: str, share: bool) -> None:
    """The person lets one relative read the plan, or takes it back."""
    if not access.can(person, Action.SHARE_PLAN, case):
        raise NotAllowed(N_("Du kan inte dela den här planen."))
    party = db.session.scalar(
        select(Participant).where(
            Participant.case_id == case.id,
            Participant.public_id == participant_public_id,
            Participant.removed_at.is_(None),
        )
    )
    if party is None or party.person_id is None:
        raise NotFound(N_("Sidan finns inte."))
    current = shares(case).get(party.id)
    if share and current is None:
        db.session.add(PlanShare(case_id=case.id, participant_id=party.id, shared_by_person_id=person.id))
        audit.record(person, "plan.shared", case, participant=party.public_id)
    elif not share and current is not None:
        current.revoked_at = utcnow()
        audit.record(person, "plan.share_revoked", case, participant=party.public_id)
    db.session.flush()


def is_shared_with(person: Person, case: SipCase) -> bool:
    return (
        db.session.scalar(
            select(PlanShare.id)
            .join(Participant, Participant.id == PlanShare.participant_id)
            .where(
                PlanShare.case_id == case.id,
                PlanShare.revoked_at.is_(None),
                Participant.person_id == person.id,
                Participant.removed_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


# --- Comparing a version with the one before -------------------------------------------------------------


@dataclass
class GoalChange:
    kind: str  # "added", "changed", "unchanged", "ended", "removed"
    goal: PlanGoal | None  # as it is in this version (None when removed)
    before: PlanGoal | None  # as it was in the version before
    actions_added: list[str]
    actions_removed: list[str]


def compare(current: PlanVersion, previous: PlanVersion | None) -> list[GoalChange]:
    """What changed from the version before, goal by goal, in the order of this version."""
    before = {g.goal_key: g for g in previous.goals} if previous else {}
    changes: list[GoalChange] = []
    for goal in current.goals:
        old = before.pop(goal.goal_key, None)
        new_actions = [a.what for a in goal.actions]
        old_actions = [a.what for a in old.actions] if old else []
        added = [a for a in new_actions if a not in old_actions]
        removed = [a for a in old_actions if a not in new_actions]
        if old is None:
            kind = "added"
        elif goal.ended:
            kind = "ended"
        elif old.text != goal.text or old.term != goal.term or added or removed:
            kind = "changed"
        else:
            kind = "unchanged"
        changes.append(GoalChange(kind, goal, old, added, removed))
    for old in before.values():
        changes.append(GoalChange("removed", None, old, [], [a.what for a in old.actions]))
    return changes


# --- The lock: no change to an approved version, whatever code tries it ---------------------------------


def _locked_version_of(obj) -> PlanVersion | None:
    if isinstance(obj, PlanVersion):
        return obj
    if isinstance(obj, (PlanGoal, PendingDecision)):
        return obj.version
    if isinstance(obj, PlanAction):
        return obj.goal.version if obj.goal is not None else None
    return None


def _was_locked(plan: PlanVersion) -> bool:
    """Locked as it stands in the database (a draft being approved in this flush is not yet locked)."""
    history = inspect(plan).attrs.status.history
    before = history.deleted[0] if history.deleted else plan.status
    return before != VersionStatus.DRAFT


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_approved_versions(session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted) + list(session.new):
        if not isinstance(obj, (PlanVersion, PlanGoal, PlanAction, PendingDecision)):
            continue
        plan = _locked_version_of(obj)
        if plan is None or inspect(plan).pending:
            continue
        if obj is plan:
            if not session.is_modified(plan, include_collections=False):
                continue
            if _was_locked(plan) and not _only_replacing(plan):
                raise PlanLocked()
        elif _was_locked(plan):
            raise PlanLocked()


@event.listens_for(Session, "before_flush")
def _count_changes_of_drafts(session, flush_context, instances) -> None:
    """Every change of a draft, its goals, actions or pending decisions moves its revision on by one (once
    per flush), whichever code made it. A staff form based on an earlier revision is then refused."""
    changed: dict[int, PlanVersion] = {}
    for obj in list(session.dirty) + list(session.deleted) + list(session.new):
        if not isinstance(obj, (PlanVersion, PlanGoal, PlanAction, PendingDecision)):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        plan = _locked_version_of(obj)
        if plan is None or plan in session.deleted or inspect(plan).pending or _was_locked(plan):
            continue
        changed[id(plan)] = plan
    for plan in changed.values():
        if not inspect(plan).attrs.revision.history.has_changes():
            plan.revision = plan.revision + 1


def _only_replacing(plan: PlanVersion) -> bool:
    """The one change allowed to a locked version: approved → replaced when a newer one is approved."""
    state = inspect(plan)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return changed <= {"status", "updated_at"} and plan.status == VersionStatus.REPLACED


def document_due(case: SipCase, held_at: datetime) -> date:
    return deadlines.add_working_days(held_at.date(), DOCUMENT_WITHIN_WORKING_DAYS)


@dataclass(frozen=True)
class WritingDeadline:
    """When the plan after a held meeting must be written, and whether it is [VM]."""

    due: date
    done: bool  # sent to the person, or approved, since the meeting
    today: date

    @property
    def overdue(self) -> bool:
        return not self.done and self.today > self.due


def writing_deadline(case: SipCase, held_at: datetime, today: date | None = None) -> WritingDeadline:
    """The plan counts as written once a version was sent to the person or approved after the meeting."""
    done = (
        db.session.scalar(
            select(PlanVersion.id)
            .where(
                PlanVersion.case_id == case.id,
                (PlanVersion.sent_at >= held_at) | (PlanVersion.approved_at >= held_at),
            )
            .limit(1)
        )
        is not None
    )
    return WritingDeadline(document_due(case, held_at), done, today or date.today())
