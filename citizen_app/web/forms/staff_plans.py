"""Forms of the coordinator's plan pages (web/staff_plans.py). Shape only; every rule of the plan (only the
coordinator writes, an approved version is locked, what a goal or an action needs) is in services/plans.py.

Every form of the draft carries, hidden, the draft's revision it was based on: services/plans.py refuses a
save from an older page (another tab or device saved in between) instead of wiping what was saved.
"""

from __future__ import annotations

from typing import Any, Self

from wtforms import HiddenField

from citizen_app.web.forms import DateText, Form, Text


class Revision(HiddenField):
    """The draft's revision a page was based on, as a number. Missing or unreadable counts as an older page
    (0), so the service refuses the save rather than guess."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", 0)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = int(valuelist[0])
        except (IndexError, TypeError, ValueError):
            self.data = 0


class DraftForm(Form):
    """A form of the draft (removing a part, sending, approving: the revision is all they post)."""

    revision = Revision()

    @classmethod
    def based_on(cls, plan: Any, **values: str) -> Self:
        """The form as a page shows it first: based on the draft as it is now, with the values saved."""
        return cls(data={"revision": plan.revision, **values})


class GoalForm(DraftForm):
    text = Text()
    term = Text()

    @classmethod
    def of(cls, plan: Any, goal: Any | None) -> Self:
        """A new goal (empty), or the goal as it is saved."""
        if goal is None:
            return cls.based_on(plan)
        return cls.based_on(plan, text=goal.text, term=goal.term.value)


class OutcomeForm(DraftForm):
    outcome = Text()
    comment = Text()
    end = Text()  # the checkbox "Målet avslutas här": "yes" when checked

    @classmethod
    def of(cls, plan: Any, goal: Any | None) -> Self:
        """How the goal went, as saved (nothing yet at a new follow-up)."""
        if goal is None:
            return cls.based_on(plan)
        return cls.based_on(
            plan,
            outcome=goal.outcome.value if goal.outcome else "",
            comment=goal.outcome_comment,
            end="yes" if goal.ended else "",
        )


class ActionForm(DraftForm):
    what = Text()
    responsible = Text()
    responsible_unit = Text()  # a unit's public id; the service says when the consent does not cover it
    responsible_name = Text()
    starts_on = DateText()
    how_often = Text()


class ChangeActionForm(ActionForm):
    @classmethod
    def of(cls, plan: Any, action: Any) -> Self:
        """The action as it is saved."""
        return cls.based_on(
            plan,
            what=action.what,
            responsible=action.responsible.value,
            responsible_unit=action.responsible_unit.public_id if action.responsible_unit else "",
            responsible_name=action.responsible_name,
            starts_on=action.starts_on.isoformat() if action.starts_on else "",
            how_often=action.how_often,
        )


class MarkForm(Form):
    """How an action is going (services/action_follow_up.py): started, done or not done, and the day.
    ``seen`` is the newest mark the page showed (0: none), so a mark made in between is not overwritten."""

    progress = Text()
    marked_on = DateText()
    seen = Revision()
    back = Text()  # "ours": back to "Våra åtgärder" after saving

    @classmethod
    def of(cls, seen: int, today: str, back: str = "") -> Self:
        return cls(data={"seen": seen, "marked_on": today, "back": back})


class DecisionForm(DraftForm):
    what = Text()
    meanwhile = Text()
    expected_on = DateText()


class DetailsForm(DraftForm):
    if_worse = Text()
    other_discussed = Text()
    principal_in_charge = Text()
    coordinator_name = Text()
    coordinator_contact = Text()
    follow_up_on = DateText()
    follow_up_by = Text()
    attendees = Text()
    continued_need = Text()
    no_follow_up_reason = Text()
    applies_until = DateText()
    disagreements = Text()

    @classmethod
    def of(cls, plan: Any, usual_principal: str) -> Self:
        """The details as saved. The principal in charge is usually the owning unit's: it is filled in, and
        the coordinator can change it."""
        return cls.based_on(
            plan,
            if_worse=plan.if_worse,
            other_discussed=plan.other_discussed,
            principal_in_charge=plan.principal_in_charge or usual_principal,
            coordinator_name=plan.coordinator_name,
            coordinator_contact=plan.coordinator_contact,
            follow_up_on=plan.follow_up_on.isoformat() if plan.follow_up_on else "",
            follow_up_by=plan.follow_up_by,
            attendees=plan.attendees,
            continued_need=plan.continued_need,
            no_follow_up_reason=plan.no_follow_up_reason or "",
            applies_until=plan.applies_until.isoformat() if plan.applies_until else "",
            disagreements=plan.disagreements or "",
        )
