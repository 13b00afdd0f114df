"""Who can consent for an adult, on the staff side [issue 15] [DA 4.2]: the coordinator writes down whether
the person can consent themself (with a reason and a date), and, where nobody can consent, makes a menprövning
instead of a consent. The coordinator also writes down a god man, förvaltare or framtidsfullmakt from the
decision (type, mandate, period, reference), and that such a decision has ended [issue 18].

The rules are in services/representation.py and services/consent.py. Reached from the consent part of the
staff case page (templates/staff/_consent.html).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.services import NotAllowed, consent, intake, representation, staff_consent
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff_representation import (
    AbilityForm,
    EndRepresentativeForm,
    HarmAssessmentForm,
    RepresentativeForm,
)
from citizen_app.web.guards import creates, staff

bp = Blueprint(
    "staff_representation", __name__, url_prefix="/personal/sip/<string(length=22):public_id>/samtycke"
)

ANSWERS = {"yes": True, "no": False}


def _case_url(public_id: str) -> str:
    return url_for("staff.show_case", public_id=public_id)


def _adult_case(public_id: str, today: date):
    """The case, if its coordinator may write down consent for it and it is about an adult; else 404."""
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_CONSENT)
    if (
        not staff_consent.can_record(current_user, case)
        or case.subject is None
        or case.subject.is_child_on(today)
    ):
        abort(404)
    return case


@bp.route("/formaga", methods=["GET", "POST"])
@staff
@creates
def record_ability(public_id: str):
    """Can the person consent themself? Only while they cannot does a god man's or förvaltare's word count."""
    today = date.today()
    case = _adult_case(public_id, today)
    form = AbilityForm() if request.method == "POST" else AbilityForm(data={"assessed_on": today.isoformat()})
    if request.method == "POST":
        form.validate()
        try:
            representation.record_ability(
                current_user,
                case,
                ANSWERS.get(form.can_consent.data),
                form.reason.data,
                form.assessed_on.date,
                today=today,
            )
        except representation.InvalidAbility as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("Det är inskrivet."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page(
        "staff_representation/record_ability.html",
        form,
        case=case,
        latest=representation.latest_ability(case),
    )


@bp.route("/menprovning", methods=["GET", "POST"])
@staff
@creates
def record_harm_assessment(public_id: str):
    """A menprövning where nobody can consent: sharing does not harm the person, with a reason and a scope."""
    today = date.today()
    case = _adult_case(public_id, today)
    if not representation.nobody_can_consent(case, today):
        abort(404)
    if request.method == "POST":
        form = HarmAssessmentForm()
        form.validate()
        try:
            consent.record_harm_assessment(
                current_user,
                case,
                form.reason.data,
                form.units.data,
                form.categories.data,
                form.valid_until.date,
                other_parties=form.other_parties.data.splitlines(),
                exclusions=form.exclusions.data,
                today=today,
            )
        except consent.InvalidScope as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("Menprövningen är inskriven. Personen och ställföreträdaren kan läsa den."), "success")
            return redirect(_case_url(public_id), 303)
    else:
        form = HarmAssessmentForm(data={"valid_until": consent.last_possible_day(today).isoformat()})
    return form_page(
        "staff_representation/record_harm_assessment.html",
        form,
        case=case,
        parties=consent.parties_of(case),
        categories=consent.CATEGORIES,
    )


@bp.route("/stallforetradare", methods=["GET", "POST"])
@staff
@creates
def register_representative(public_id: str):
    """A god man, förvaltare or framtidsfullmakt, written down from the decision [issue 18]."""
    today = date.today()
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_CONSENT)
    if not representation.may_register_representative(current_user, case, today):
        abort(404)
    form = RepresentativeForm()
    if request.method == "POST":
        form.validate()
        try:
            representation.register_representative(
                current_user,
                case,
                form.kind.data,
                form.identity_number.data,
                form.name.data,
                form.mandate.data,
                form.valid_from.date,
                form.valid_until.date,
                form.reference.data,
                today=today,
            )
        except representation.InvalidRepresentative as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("Ställföreträdaren är inskriven. Personen kan se det på sin SIP."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page(
        "staff_representation/register_representative.html",
        form,
        case=case,
        registered=representation.representatives(case),
        holding={rel.id for rel in representation.still_holding(case, today)},
        areas=representation.MANDATE_AREAS,
    )


@bp.route("/stallforetradare/<int:relationship_id>/upphor", methods=["GET", "POST"])
@staff
def end_representative(public_id: str, relationship_id: int):
    """The decision about a representative has ended, or ends on a known day [issue 18]. A representative
    not of this SIP's person, or whose decision has already ended, is a page not found."""
    today = date.today()
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_CONSENT)
    if not representation.may_register_representative(current_user, case, today):
        abort(404)
    rel = next((r for r in representation.still_holding(case, today) if r.id == relationship_id), None)
    if rel is None:
        abort(404)
    if request.method == "POST":
        form = EndRepresentativeForm()
        form.validate()
        try:
            representation.end_representative(
                current_user, case, relationship_id, form.last_day.date, today=today
            )
        except representation.InvalidRepresentative as invalid:
            add_errors(form, invalid.errors)
        except NotAllowed as refused:
            flash(_(refused.message), "info")
            return redirect(url_for(".register_representative", public_id=public_id), 303)
        else:
            flash(_("Det är inskrivet att beslutet upphör."), "success")
            return redirect(url_for(".register_representative", public_id=public_id), 303)
    else:
        form = EndRepresentativeForm(data={"last_day": today.isoformat()})
    return form_page("staff_representation/end_representative.html", form, case=case, rel=rel)
