"""The plan's actions are followed [issue 16] [DA 4.6: "Respektive huvudman ansvarar för uppföljningar av sina
pågående insatser"].

- Staff of the unit responsible for an action (while the consent in force covers the unit), and the case's
  coordinator, mark it started, done or not done, with the day it happened (today or earlier, never later).
  A mark is a new row (ActionMark), never a change of the approved plan, which stays locked; it follows the
  action into the next version through its ``action_key``.
- No lost mark: each mark form carries the newest mark it was based on; a mark from an older page (someone
  else marked the action in between) is refused (MarkedElsewhere) and the page shows what is there now.
- The status the person sees in "Min plan" (``status_of``): done → "Klart"; not done → "Inte gjort";
  started → "Pågår"; not marked and its day has passed → "Sen"; otherwise "Inte påbörjad".
- A daily job (``send_late_actions``, run by reminders.run_all) tells the coordinator once about each action
  of a plan in force that is late.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from citizen_app import access
from citizen_app.access import Action, Role
from citizen_app.extensions import db
from citizen_app.models import (
    ActionMark,
    ActionProgress,
    NotificationKind,
    PlanAction,
    PlanGoal,
    PlanVersion,
    SipCase,
    StaffMembership,
    StaffUser,
    Step,
    Unit,
    VersionStatus,
)
from citizen_app.services import (
    N_,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    audit,
    consent,
    notifications,
    plans,
    recipients,
)


class ActionStatus(enum.StrEnum):
    DONE = "done"
    STARTED = "started"
    LATE = "late"
    NOT_DONE = "not_done"
    NOT_STARTED = "not_started"


LABELS: dict[ActionStatus, str] = {
    ActionStatus.DONE: N_("Klart"),
    ActionStatus.STARTED: N_("Pågår"),
    ActionStatus.LATE: N_("Sen"),
    ActionStatus.NOT_DONE: N_("Inte gjort"),
    ActionStatus.NOT_STARTED: N_("Inte påbörjad"),
}


def status_of(starts_on: date | None, progress: ActionProgress | None, today: date) -> ActionStatus:
    """The one rule for how an action is going. Late: not marked at all, and its day is before today (on
    the day itself it is not late yet)."""
    if progress == ActionProgress.DONE:
        return ActionStatus.DONE
    if progress == ActionProgress.NOT_DONE:
        return ActionStatus.NOT_DONE
    if progress == ActionProgress.STARTED:
        return ActionStatus.STARTED
    if starts_on is not None and starts_on < today:
        return ActionStatus.LATE
    return ActionStatus.NOT_STARTED


class MarkedElsewhere(DomainError):
    """Someone marked the action after this page was shown. ``seen`` is the newest mark now."""

    def __init__(self, seen: int) -> None:
        super().__init__(N_("Någon annan har ändrat det här. Se hur det ser ut nu."))
        self.seen = seen


class InvalidMark(InvalidInput):
    pass


# --- Reading ---------------------------------------------------------------------------------------------


def latest_marks(case_ids: list[int]) -> dict[tuple[int, str], ActionMark]:
    """The newest mark of each action of these cases, by (case id, action key): one query."""
    if not case_ids:
        return {}
    newest = (
        select(func.max(ActionMark.id))
        .where(ActionMark.case_id.in_(case_ids))
        .group_by(ActionMark.case_id, ActionMark.action_key)
    )
    return {
        (mark.case_id, mark.action_key): mark
        for mark in db.session.scalars(select(ActionMark).where(ActionMark.id.in_(newest)))
    }


@dataclass(frozen=True)
class Followed:
    """An action as it is going: its status and the newest mark (None: not marked)."""

    status: ActionStatus
    mark: ActionMark | None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def seen(self) -> int:
        return self.mark.id if self.mark is not None else 0


def statuses(case: SipCase, plan: PlanVersion | None, today: date | None = None) -> dict[str, Followed]:
    """How each action of the plan in force is going, by the action's public id (one query). Empty for a
    draft or a closed SIP: only the plan that applies is followed."""
    if plan is None or not plans.is_in_force(case, plan):
        return {}
    day = today or date.today()
    marks = latest_marks([case.id])
    result: dict[str, Followed] = {}
    for goal in plan.goals:
        for action in goal.actions:
            mark = marks.get((case.id, action.action_key))
            result[action.public_id] = Followed(
                status_of(action.starts_on, mark.progress if mark else None, day), mark
            )
    return result


# --- Who may mark ----------------------------------------------------------------------------------------


def _member_of(staff: StaffUser, unit_id: int) -> bool:
    return (
        db.session.scalar(
            select(StaffMembership.id).where(
                StaffMembership.staff_id == staff.id, StaffMembership.unit_id == unit_id
            )
        )
        is not None
    )


def may_mark(staff: StaffUser, case: SipCase, action: PlanAction) -> bool:
    """The coordinator; or staff of the unit responsible for the action while the consent in force covers
    that unit (the invitation rule, consent.require_covering). Never in a closed SIP."""
    if case.is_closed or not access.can(staff, Action.STAFF_FOLLOW_ACTION, case):
        return False
    if Role.COORDINATOR in access.roles_of(staff, case):
        return True
    unit_id = action.responsible_unit_id
    if unit_id is None or not _member_of(staff, unit_id):
        return False
    unit = db.session.get(Unit, unit_id)
    try:
        consent.require_covering(case, unit.public_id if unit else "")
    except consent.NotCovered:
        return False
    return True


def action_in_force(case: SipCase, action_id: str) -> tuple[PlanVersion, PlanAction]:
    """An action of the plan in force, or NotFound."""
    plan = plans.in_force(case)
    if plan is None:
        raise NotFound(N_("Sidan finns inte."))
    return plan, plans.find_action(plan, action_id)


# --- Marking ---------------------------------------------------------------------------------------------


def mark(
    staff: StaffUser,
    case: SipCase,
    action_id: str,
    progress: str,
    marked_on: date | None,
    *,
    seen: int | None = None,
    today: date | None = None,
) -> ActionMark:
    """Mark an action of the plan in force started, done or not done, on a day (not in the future).

    Under the case's lock (consent.lock): a consent change and another mark of the same case wait, so a
    unit whose coverage just ended cannot mark, and two marks of one action cannot both be based on the
    same page (``seen``: the newest mark id the page showed, 0 for none; None: not checked)."""
    day = today or date.today()
    consent.lock(case)
    _plan, action = action_in_force(case, action_id)
    if not may_mark(staff, case, action):
        raise NotAllowed(N_("Du kan inte markera den här åtgärden."))
    errors: dict[str, str] = {}
    if progress not in {p.value for p in ActionProgress}:
        errors["progress"] = N_("Välj hur det går")
    if marked_on is None:
        errors["marked_on"] = N_("Skriv vilken dag")
    elif marked_on > day:
        errors["marked_on"] = N_("Dagen kan inte vara senare än i dag")
    if errors:
        raise InvalidMark(errors)
    assert marked_on is not None
    current = latest_marks([case.id]).get((case.id, action.action_key))
    now_seen = current.id if current is not None else 0
    if seen is not None and seen != now_seen:
        raise MarkedElsewhere(now_seen)
    unit_id = (
        action.responsible_unit_id
        if action.responsible_unit_id and _member_of(staff, action.responsible_unit_id)
        else None
    )
    new = ActionMark(
        case_id=case.id,
        action_key=action.action_key,
        progress=ActionProgress(progress),
        marked_on=marked_on,
        unit_id=unit_id,
        marked_by_staff_id=staff.id,
    )
    db.session.add(new)
    db.session.flush()
    audit.record(staff, "plan.action_marked", case, plan_action=action.public_id, progress=progress)
    coordinator = recipients.current_coordinator(case)
    if new.progress == ActionProgress.NOT_DONE and coordinator is not None and coordinator != staff:
        notifications.notify(
            coordinator, NotificationKind.STAFF_ACTION_NOT_DONE, case, data={"what": action.what[:200]}
        )
    return new


# --- "Våra åtgärder": the actions a staff member's units are responsible for ------------------------------


@dataclass(frozen=True)
class OurAction:
    case: SipCase
    action: PlanAction
    followed: Followed


def our_actions(staff: StaffUser, today: date | None = None) -> list[OurAction]:
    """The actions of plans in force (open SIPs) that the staff member's units are responsible for, while
    the consent in force covers the unit; late first, then by day. A fixed number of queries however many
    SIPs: the actions with their cases, goals and people; the consent of all those SIPs at once
    (``consent.states_for_many``: the same rules as ``consent.in_force``); the newest marks."""
    day = today or date.today()
    units = select(StaffMembership.unit_id).where(StaffMembership.staff_id == staff.id)
    rows = db.session.execute(
        select(PlanAction, SipCase)
        .join(PlanGoal, PlanGoal.id == PlanAction.goal_id)
        .join(PlanVersion, PlanVersion.id == PlanGoal.version_id)
        .join(SipCase, SipCase.id == PlanVersion.case_id)
        .where(
            PlanAction.responsible_unit_id.in_(units),
            PlanVersion.status == VersionStatus.APPROVED,
            SipCase.step != Step.CLOSED,
        )
        .options(  # many-to-one: joined into the one query
            joinedload(PlanAction.responsible_unit),
            joinedload(PlanAction.goal).joinedload(PlanGoal.version),
            joinedload(SipCase.subject),
        )
        .order_by(SipCase.id, PlanAction.starts_on, PlanAction.id)
    ).all()
    if not rows:
        return []
    cases = list({case.id: case for _, case in rows}.values())
    states = consent.states_for_many(cases, day)
    marks = latest_marks([case.id for case in cases])
    found = []
    for action, case in rows:
        scope = states[case.id].scope
        unit = action.responsible_unit
        if scope is None or unit is None or not scope.covers_unit(unit.public_id):
            continue
        latest = marks.get((case.id, action.action_key))
        found.append(
            OurAction(
                case,
                action,
                Followed(status_of(action.starts_on, latest.progress if latest else None, day), latest),
            )
        )
    order = {ActionStatus.LATE: 0, ActionStatus.NOT_STARTED: 1, ActionStatus.STARTED: 2}
    found.sort(key=lambda item: (order.get(item.followed.status, 3), item.action.starts_on or date.max))
    return found


# --- The daily job -----------------------------------------------------------------------------------------


def send_late_actions(today: date) -> int:
    """Tell the coordinator about each action of a plan in force whose day has passed and that nobody has
    marked (late). Once per action: the message's dedupe key is the action's key. One bounded query for the
    candidates (actions of approved versions of open SIPs, dated before today), one for their marks."""
    rows = db.session.execute(
        select(PlanAction, SipCase)
        .join(PlanGoal, PlanGoal.id == PlanAction.goal_id)
        .join(PlanVersion, PlanVersion.id == PlanGoal.version_id)
        .join(SipCase, SipCase.id == PlanVersion.case_id)
        .where(
            PlanVersion.status == VersionStatus.APPROVED,
            SipCase.step != Step.CLOSED,
            PlanAction.starts_on < today,
        )
    ).all()
    marks = latest_marks(sorted({case.id for _, case in rows}))
    sent = 0
    for action, case in rows:
        latest = marks.get((case.id, action.action_key))
        if status_of(action.starts_on, latest.progress if latest else None, today) != ActionStatus.LATE:
            continue
        coordinator = recipients.current_coordinator(case)
        if coordinator is None:
            continue
        message = notifications.notify(
            coordinator,
            NotificationKind.STAFF_ACTION_LATE,
            case,
            data={"what": action.what[:200], "day": action.starts_on.isoformat() if action.starts_on else ""},
            dedupe_key=f"action-late:{action.action_key}:{coordinator.get_id()}",
        )
        sent += message is not None
    return sent
