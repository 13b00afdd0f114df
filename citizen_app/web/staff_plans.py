"""The plan on the staff side [issue 6] [SIP.md 5]: the coordinator writes the plan after the meeting, sends
it to the person, records that it was approved at the meeting, follows it up, and closes the SIP.

Every rule (only the coordinator writes, an approved version is locked, one draft at a time) is in
services/plans.py. Staff of the case read any version; intake.get_case lets staff of a unit that only takes
part in while the consent covers them. A locked version's edit URLs answer with a message and lead back to
the version, so an old tab or a double click never ends in an error page.

Every form carries the draft's revision it was based on (a hidden field). A save from an older page, after
another tab or device saved in between, is refused by the service: the form comes back (422) with "Någon
annan har ändrat det här", what is there now, and the text the coordinator typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from citizen_app.access import Action
from citizen_app.services import (
    N_,
    NotAllowed,
    NotFound,
    action_follow_up,
    closing,
    consent,
    intake,
    meetings,
    plans,
)
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff_plans import (
    ActionForm,
    ChangeActionForm,
    DecisionForm,
    DetailsForm,
    DraftForm,
    GoalForm,
    MarkForm,
    OutcomeForm,
)
from citizen_app.web.guards import staff

bp = Blueprint("staff_plans", __name__, url_prefix="/personal/sip/<string(length=22):public_id>/planen")

NUMBER = "<int:number>"
ITEM = "<string(length=22):item_id>"

CHANGED = "current"  # the error key (and the id of the box showing what is there now) after EditedElsewhere


# --- Small helpers ----------------------------------------------------------------------------------------


def _edited_elsewhere(form: DraftForm, changed: plans.EditedElsewhere) -> None:
    """The draft changed since the page was shown: say so, and let the page shown again carry the draft's
    revision now (the service read it under the lock), so saving again, after reading it, goes through.
    What the coordinator typed stays in the form."""
    add_errors(form, {CHANGED: changed.message})
    form.revision.data = changed.revision


def _overview_url(public_id: str) -> str:
    return url_for("staff_plans.overview", public_id=public_id)


def _editor_url(public_id: str, number: int, anchor: str | None = None) -> str:
    return url_for("staff_plans.edit_version", public_id=public_id, number=number, _anchor=anchor)


def _refused(public_id: str, number: int, message: str) -> Response:
    """An edit of a version that cannot change (approved, or the SIP closed): say why, show the version."""
    flash(_(message), "info")
    return redirect(url_for("staff_plans.show_version", public_id=public_id, number=number), 303)


def _draft(public_id: str, number: int):
    """The case and the version the coordinator edits, or a refusal to return when it cannot change."""
    case = intake.get_case(current_user, public_id, Action.STAFF_DOCUMENT_PLAN)
    plan = plans.version(case, number)
    if plan.is_locked:
        return case, plan, _refused(public_id, number, plans.PlanLocked().message)
    if case.is_closed:
        return case, plan, _refused(public_id, number, N_("Du kan inte skriva planen i den här SIP:en."))
    return case, plan, None


def _save(
    form: DraftForm,
    public_id: str,
    number: int,
    change: Callable[[], Any],
    message: str,
    anchor: str | Callable[[Any], str],
) -> Response | None:
    """One change of the draft, the same for each of its forms. Returns the response: saved (flash, then 303
    back to the editor at anchor, which may depend on what was saved) or refused (the version is locked);
    or None when the form is to be shown again with its errors (422). A date that cannot be read stops
    before the service is called, as the service only takes real dates."""
    if not form.validate():
        return None
    try:
        saved = change()
    except plans.EditedElsewhere as changed:
        _edited_elsewhere(form, changed)
        return None
    except plans.InvalidPlan as invalid:
        add_errors(form, invalid.errors)
        return None
    except (plans.PlanLocked, NotAllowed) as refused:
        return _refused(public_id, number, refused.message)
    flash(_(message), "success")
    landing = anchor(saved) if callable(anchor) else anchor
    return redirect(_editor_url(public_id, number, landing), 303)


def _find(items, item_id: str):
    found = next((item for item in items if item.public_id == item_id), None)
    if found is None:
        raise NotFound(N_("Sidan finns inte."))
    return found


def _part(items, item_id: str):
    """The goal a form is about. On a save it may be gone (another tab removed it): None, and the service
    decides — EditedElsewhere when the form is older than the removal (the typed text is kept), else 404."""
    if request.method == "POST":
        return next((item for item in items if item.public_id == item_id), None)
    return _find(items, item_id)


# --- Reading --------------------------------------------------------------------------------------------


@bp.route("")
@staff
def overview(public_id: str):
    """The versions, the draft with the person's comments, and when the plan must be written."""
    case = intake.get_case(current_user, public_id)
    meeting = meetings.current_meeting(case)
    deadline = (
        plans.writing_deadline(case, meeting.held_at) if meeting is not None and meeting.held_at else None
    )
    return render_template(
        "staff_plans/overview.html",
        case=case,
        versions=plans.versions(case),
        draft=plans.draft(case),
        in_force=plans.in_force(case),
        deadline=deadline,
        may_write=plans.may_write(current_user, case),
        may_close=closing.may_close(current_user, case),
    )


@bp.route(f"/{NUMBER}")
@staff
def show_version(public_id: str, number: int):
    """Any version, read only, for staff of the case."""
    case = intake.get_case(current_user, public_id)
    plan = plans.version(case, number)
    may_edit = not plan.is_locked and plans.may_write(current_user, case)
    followed = action_follow_up.statuses(case, plan)  # the plan in force: how each action is going
    markable = {
        action.public_id
        for goal in plan.goals
        for action in goal.actions
        if followed and action_follow_up.may_mark(current_user, case, action)
    }
    return render_template(
        "staff_plans/show_version.html",
        case=case,
        plan=plan,
        may_edit=may_edit,
        followed=followed,
        markable=markable,
    )


# --- Writing the draft ------------------------------------------------------------------------------------


@bp.route("/skriv", methods=["POST"])
@staff
def start_draft(public_id: str):
    """Version 1 after the first meeting, or a follow-up from the approved one. A second click opens the
    same draft."""
    case = intake.get_case(current_user, public_id, Action.STAFF_DOCUMENT_PLAN)
    try:
        plan = plans.start_draft(current_user, case)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
        return redirect(_overview_url(public_id), 303)
    return redirect(_editor_url(public_id, plan.number), 303)


@bp.route(f"/{NUMBER}/andra")
@staff
def edit_version(public_id: str, number: int):
    """The draft, part by part, each with a link to its own short form."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    return _editor(case, plan, DraftForm.based_on(plan))


def _editor(case, plan, form: DraftForm):
    """The editor; shown again (422) when the draft changed since it was sent from: it shows the draft now."""
    previous = next((v for v in plans.versions(case) if v.id == plan.based_on_id), None)
    return form_page(
        "staff_plans/edit_version.html",
        form,
        plan=plan,
        case=case,
        previous=previous,
        missing=plans.missing(case, plan),
    )


@bp.route(f"/{NUMBER}/mal", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route(f"/{NUMBER}/mal/{ITEM}", methods=["GET", "POST"])
@staff
def goal(public_id: str, number: int, item_id: str | None):
    """Add a goal, or change one: the person's own words, long-term or short-term."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    current = _part(plan.goals, item_id) if item_id else None
    if request.method == "POST":
        form = GoalForm()

        def change():
            if item_id is None:
                return plans.add_goal(
                    current_user, case, plan, form.term.data, form.text.data, revision=form.revision.data
                )
            return plans.change_goal(
                current_user, case, plan, item_id, form.term.data, form.text.data, revision=form.revision.data
            )

        response = _save(
            form, public_id, number, change, N_("Målet är sparat."), lambda saved: f"goal-{saved.public_id}"
        )
        if response is not None:
            return response
        current = _part(plan.goals, item_id) if item_id else None  # as it is now, or None: removed
    else:
        form = GoalForm.of(plan, current)
    return form_page(
        "staff_plans/goal.html", form, plan=plan, case=case, goal=current, changing=item_id is not None
    )


@bp.route(f"/{NUMBER}/mal/{ITEM}/resultat", methods=["GET", "POST"])
@staff
def outcome(public_id: str, number: int, item_id: str):
    """At follow-up: how the goal went, and whether it ends here."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    current = _part(plan.goals, item_id)
    if request.method == "POST":
        form = OutcomeForm()
        response = _save(
            form,
            public_id,
            number,
            lambda: plans.set_outcome(
                current_user,
                case,
                plan,
                item_id,
                form.outcome.data,
                form.comment.data,
                form.end.data == "yes",
                revision=form.revision.data,
            ),
            N_("Det är sparat hur det gick."),
            f"goal-{item_id}",
        )
        if response is not None:
            return response
        current = _part(plan.goals, item_id)
    else:
        form = OutcomeForm.of(plan, current)
    return form_page("staff_plans/outcome.html", form, plan=plan, case=case, goal=current)


@bp.route(f"/{NUMBER}/mal/{ITEM}/insatser", methods=["GET", "POST"])
@staff
def add_action(public_id: str, number: int, item_id: str):
    """What will be done for a goal, who does it, from when and how often."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    current = _part(plan.goals, item_id)
    units = plans.responsible_units(case)  # the units taking part that the consent in force covers
    if request.method == "POST":
        form = ActionForm()
        response = _save(
            form,
            public_id,
            number,
            lambda: plans.add_action(current_user, case, plan, item_id, **_action_answers(form, case)),
            N_("Det som ska göras är sparat."),
            f"goal-{item_id}",
        )
        if response is not None:
            return response
        current = _part(plan.goals, item_id)
    else:
        form = ActionForm.based_on(plan)
    return form_page("staff_plans/action.html", form, plan=plan, case=case, goal=current, units=units)


def _action_answers(form: ActionForm, case) -> dict:
    """The action form's answers as the plan service takes them (adding and changing an action alike). The
    unit may be any unit of the SIP: the service says so when the consent does not cover it (a tampered
    form)."""
    unit = next((u for u in consent.parties_of(case) if u.public_id == form.responsible_unit.data), None)
    return {
        "what": form.what.data,
        "responsible": form.responsible.data,
        "responsible_unit_id": unit.id if unit else None,
        "responsible_name": form.responsible_name.data,
        "starts_on": form.starts_on.date,
        "how_often": form.how_often.data,
        "revision": form.revision.data,
    }


@bp.route(f"/{NUMBER}/insats/{ITEM}", methods=["GET", "POST"])
@staff
def change_action(public_id: str, number: int, item_id: str):
    """Change what an action says (what, who, when) in the draft. An approved version is changed by a
    follow-up: its edit URL answers with a message and leads back to the version."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    actions = [a for g in plan.goals for a in g.actions]
    current = _part(actions, item_id)
    units = plans.responsible_units(case)
    if request.method == "POST":
        form = ChangeActionForm()
        response = _save(
            form,
            public_id,
            number,
            lambda: plans.change_action(current_user, case, plan, item_id, **_action_answers(form, case)),
            N_("Det som ska göras är ändrat."),
            lambda saved: f"goal-{saved.goal.public_id}",
        )
        if response is not None:
            return response
        current = _part([a for g in plan.goals for a in g.actions], item_id)
    else:
        form = ChangeActionForm.of(plan, current)
    goal = current.goal if current is not None else None
    return form_page(
        "staff_plans/action.html", form, plan=plan, case=case, goal=goal, units=units, action=current
    )


@bp.route(f"/{NUMBER}/beslut", methods=["GET", "POST"])
@staff
def add_decision(public_id: str, number: int):
    """A decision still pending: what, what happens meanwhile, and when it is expected."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    if request.method == "POST":
        form = DecisionForm()
        response = _save(
            form,
            public_id,
            number,
            lambda: plans.add_pending_decision(
                current_user,
                case,
                plan,
                form.what.data,
                form.meanwhile.data,
                form.expected_on.date,
                revision=form.revision.data,
            ),
            N_("Beslutet är sparat."),
            "decisions",
        )
        if response is not None:
            return response
    else:
        form = DecisionForm.based_on(plan)
    return form_page("staff_plans/decision.html", form, plan=plan, case=case)


@bp.route(f"/{NUMBER}/ovrigt", methods=["GET", "POST"])
@staff
def details(public_id: str, number: int):
    """If the person gets worse, other things talked about, who is in charge, follow-up and who attended."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    if request.method == "POST":
        form = DetailsForm()
        response = _save(
            form,
            public_id,
            number,
            lambda: plans.update_details(
                current_user,
                case,
                plan,
                if_worse=form.if_worse.data,
                other_discussed=form.other_discussed.data,
                attendees=form.attendees.data,
                principal_in_charge=form.principal_in_charge.data,
                coordinator_name=form.coordinator_name.data,
                coordinator_contact=form.coordinator_contact.data,
                follow_up_on=form.follow_up_on.date,
                follow_up_by=form.follow_up_by.data,
                no_follow_up_reason=form.no_follow_up_reason.data,
                applies_until=form.applies_until.date,
                disagreements=form.disagreements.data,
                # Asked only at a follow-up: the first version's page has no such field.
                continued_need=form.continued_need.data if plan.based_on_id else "",
                revision=form.revision.data,
            ),
            N_("Det är sparat."),
            "details",
        )
        if response is not None:
            return response
    else:
        form = DetailsForm.of(plan, case.owning_unit.principal.name if case.owning_unit else "")
    return form_page("staff_plans/details.html", form, plan=plan, case=case)


# Removing a part of the draft: a confirmation page, then a POST.
_REMOVABLE = {
    "mal": ("goal", plans.remove_goal),
    "insats": ("action", plans.remove_action),
    "beslut": ("decision", plans.remove_pending_decision),
}


def _removable(plan, kind: str, item_id: str):
    """The part to remove as the draft holds it now, or None when it is not there (removed already)."""
    if kind == "goal":
        items = plan.goals
    elif kind == "action":
        items = [a for g in plan.goals for a in g.actions]
    else:
        items = plan.pending_decisions
    return next((item for item in items if item.public_id == item_id), None)


@bp.route(f"/{NUMBER}/ta-bort/<any(mal, insats, beslut):part>/{ITEM}", methods=["GET", "POST"])
@staff
def remove(public_id: str, number: int, part: str, item_id: str):
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    kind, remove_it = _REMOVABLE[part]
    if request.method == "POST":
        form = DraftForm()
        try:
            remove_it(current_user, case, plan, item_id, revision=form.revision.data)
        except plans.EditedElsewhere as changed:
            _edited_elsewhere(form, changed)  # it changed since: read it again before removing it
        except NotFound:
            pass  # removed already, in another tab
        except (plans.PlanLocked, NotAllowed) as refused:
            return _refused(public_id, number, refused.message)
        else:
            flash(_("Det är borttaget."), "success")
            return redirect(_editor_url(public_id, number), 303)
    else:
        form = DraftForm.based_on(plan)
    item = _removable(plan, kind, item_id)  # as it is now
    if item is None:
        if request.method == "GET":
            raise NotFound(N_("Sidan finns inte."))
        flash(_("Det är redan borttaget."), "info")
        return redirect(_editor_url(public_id, number), 303)
    return form_page("staff_plans/remove.html", form, plan=plan, case=case, kind=kind, item=item, part=part)


# --- Sending and approving --------------------------------------------------------------------------------


@bp.route(f"/{NUMBER}/skicka", methods=["POST"])
@staff
def send_for_reading(public_id: str, number: int):
    """The person (and those acting for them) are asked to read the draft, comment and approve it."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    form = DraftForm()
    try:
        plans.send_for_reading(current_user, case, plan, revision=form.revision.data)
    except plans.EditedElsewhere as changed:
        _edited_elsewhere(form, changed)
        return _editor(case, plan, form)
    except plans.InvalidPlan as invalid:
        flash(_(invalid.message), "info")
        return redirect(_editor_url(public_id, number), 303)
    except (plans.PlanLocked, NotAllowed) as refused:
        return _refused(public_id, number, refused.message)
    flash(_("Planen är skickad. Personen kan läsa den och godkänna den i appen."), "success")
    return redirect(_overview_url(public_id), 303)


@bp.route(f"/{NUMBER}/godkand", methods=["GET", "POST"])
@staff
def approve_at_meeting(public_id: str, number: int):
    """The coordinator records that the person approved the plan at the meeting. Then it is locked."""
    case, plan, refusal = _draft(public_id, number)
    if refusal:
        return refusal
    if request.method == "POST":
        form = DraftForm()
        try:
            plans.approve_at_meeting(current_user, case, plan, revision=form.revision.data)
        except plans.EditedElsewhere as changed:
            _edited_elsewhere(form, changed)
        except plans.InvalidPlan as invalid:
            add_errors(form, invalid.errors)  # no goals yet: the summary links to them
        except (plans.PlanLocked, NotAllowed) as refused:
            return _refused(public_id, number, refused.message)
        else:
            flash(_("Planen är godkänd. Alla får ett meddelande."), "success")
            return redirect(url_for("staff_plans.show_version", public_id=public_id, number=number), 303)
    else:
        form = DraftForm.based_on(plan)
    return form_page(
        "staff_plans/approve.html", form, plan=plan, case=case, missing=plans.missing(case, plan)
    )


# --- Following the plan's actions [issue 16] ----------------------------------------------------------


@bp.route(f"/insats/{ITEM}/hur-det-gar", methods=["GET", "POST"])
@staff
def mark_action(public_id: str, item_id: str):
    """Mark an action of the plan in force started, done or not done, with the day
    (services/action_follow_up). Staff of the case who may not mark it get 404, like any page not theirs."""
    case = intake.get_case(current_user, public_id, Action.STAFF_FOLLOW_ACTION)
    plan, action = action_follow_up.action_in_force(case, item_id)
    if not action_follow_up.may_mark(current_user, case, action):
        raise NotFound(N_("Sidan finns inte."))
    followed = action_follow_up.statuses(case, plan)[action.public_id]
    if request.method == "POST":
        form = MarkForm()
        if form.validate():
            try:
                action_follow_up.mark(
                    current_user, case, item_id, form.progress.data, form.marked_on.date, seen=form.seen.data
                )
            except action_follow_up.MarkedElsewhere as changed:
                add_errors(form, {CHANGED: changed.message})
                form.seen.data = changed.seen
            except action_follow_up.InvalidMark as invalid:
                add_errors(form, invalid.errors)
            except NotAllowed:
                raise NotFound(N_("Sidan finns inte.")) from None
            else:
                flash(_("Det är sparat hur det går."), "success")
                if form.back.data == "ours":
                    return redirect(url_for("staff_actions.ours", _anchor=f"action-{item_id}"), 303)
                return redirect(
                    url_for("staff_plans.show_version", public_id=public_id, number=plan.number), 303
                )
        followed = action_follow_up.statuses(case, plan)[action.public_id]
    else:
        form = MarkForm.of(followed.seen, date.today().isoformat(), request.args.get("back", ""))
    return form_page(
        "staff_plans/mark.html",
        form,
        case=case,
        plan=plan,
        action=action,
        followed=followed,
    )
