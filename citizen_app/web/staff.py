"""The staff side ("Personal"): the coordinator's start page, queue of requests, case page and intake actions.

Views are thin: parse the form into plain values, call services/intake.py (which checks the access policy and
writes the audit log), then redirect (303) or show the same page again with the errors (422).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.access import Action
from citizen_app.pages import staff_case
from citizen_app.services import DomainError, NotAllowed, consent, intake, staff_consent
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff import (
    AcceptCaseForm,
    ChangeCoordinatorForm,
    ForwardCaseForm,
    LinkPersonForm,
    RecordConsentForm,
    StartCaseForm,
)
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff", __name__, url_prefix="/personal")

CASE_ID = "<string(length=22):public_id>"


def _case_url(public_id: str) -> str:
    return url_for("staff.show_case", public_id=public_id)


@bp.route("/")
@staff
def show_start():
    return render_template(
        "staff/show_start.html",
        memberships=intake.memberships_of(current_user),
        is_coordinator=intake.is_coordinator(current_user),
        waiting=intake.waiting_count(current_user),
    )


@bp.route("/forfragningar")
@staff
def list_requests():
    return render_template("staff/list_requests.html", queue=intake.queue_for(current_user))


@bp.route(f"/sip/{CASE_ID}")
@staff
def show_case(public_id: str):
    page = staff_case.case_page_for(current_user, public_id)
    return render_template(
        "staff/show_case.html", page=page, consent=staff_consent.consent_for_staff(current_user, page.case)
    )


@bp.route(f"/sip/{CASE_ID}/ta-emot", methods=["GET", "POST"])
@staff
@creates
def accept_case(public_id: str):
    """Take the request: "me" becomes coordinator, or a chosen colleague of the unit does."""
    case = intake.get_case(current_user, public_id, Action.STAFF_ACCEPT_CASE)
    form = AcceptCaseForm()
    if request.method == "POST" and form.validate():
        choice = form.coordinator.data
        try:
            intake.accept(current_user, case, None if choice == "me" else choice)
        except intake.AlreadyHandled:
            # A double click: the first click did the work, so show its result instead of an error.
            flash(_("Förfrågan var redan mottagen."), "info")
            return redirect(_case_url(public_id), 303)
        except DomainError as error:
            add_errors(form, {"coordinator": error.message})
        else:
            flash(_("Förfrågan är mottagen."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page("staff/accept_case.html", form, case=case, coordinators=intake.coordinators_for(case))


@bp.route(f"/sip/{CASE_ID}/skicka-vidare", methods=["GET", "POST"])
@staff
@creates
def forward_case(public_id: str):
    """Send the request on to the unit that should have it, with a reason the person can read [DA 4.1]."""
    case = intake.get_case(current_user, public_id, Action.STAFF_FORWARD_CASE)
    form = ForwardCaseForm()
    if request.method == "POST" and form.validate():
        try:
            intake.forward(current_user, case, form.unit.data, form.reason.data)
        except intake.InvalidAnswers as invalid:
            add_errors(form, invalid.errors)
        except DomainError as error:
            add_errors(form, {"unit": error.message})
        else:
            flash(_("Förfrågan är skickad vidare."), "success")
            return redirect(url_for("staff.list_requests"), 303)
    return form_page("staff/forward_case.html", form, case=case, units=intake.other_units(case))


@bp.route(f"/sip/{CASE_ID}/byt-samordnare", methods=["GET", "POST"])
@staff
@creates
def change_coordinator(public_id: str):
    """A new coordinator for the case; the earlier ones stay in the history [VN]."""
    case = intake.get_case(current_user, public_id, Action.STAFF_CHANGE_COORDINATOR, intake.WITH_COORDINATORS)
    current = intake.current_assignment(case)
    if current is None:
        abort(404)
    form = ChangeCoordinatorForm()
    if request.method == "POST" and form.validate():
        try:
            intake.change_coordinator(current_user, case, form.coordinator.data)
        except DomainError as error:
            add_errors(form, {"coordinator": error.message})
        else:
            flash(_("Samordnaren är bytt."), "success")
            return redirect(_case_url(public_id), 303)
    choices = [c for c in intake.coordinators_for(case) if c.id != current.staff_id]
    return form_page(
        "staff/change_coordinator.html", form, case=case, current=current.staff, coordinators=choices
    )


@bp.route(f"/sip/{CASE_ID}/koppla-person", methods=["GET", "POST"])
@staff
@creates
def link_person(public_id: str):
    """A relative's suggestion about someone not yet known: after talking to them, link the person."""
    case = intake.get_case(current_user, public_id, Action.STAFF_ACCEPT_CASE)
    if case.subject_id is not None or not case.awaiting_person_agreement:
        abort(404)
    # First shown with the name the relative gave; after a POST, what the coordinator typed.
    form = LinkPersonForm() if request.method == "POST" else LinkPersonForm(data=_suggested_name(case))
    if request.method == "POST" and form.validate():
        try:
            intake.link_suggested_person(current_user, case, form.identity_number.data, form.name.data)
        except intake.InvalidAnswers as invalid:
            add_errors(form, invalid.errors)
        except DomainError as error:
            add_errors(form, {"identity_number": error.message})
        else:
            flash(_("Personen är kopplad till förslaget. Nu får personen svara ja eller nej."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page("staff/link_person.html", form, case=case)


@bp.route(f"/sip/{CASE_ID}/samtycke/skriv-in", methods=["GET", "POST"])
@staff
@creates
def record_consent(public_id: str):
    """The coordinator writes down a consent given orally or on paper [DA 4.2]; the person is then told."""
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_CONSENT)
    if not staff_consent.can_record(current_user, case):
        abort(404)
    today = date.today()
    if request.method == "POST":
        form = RecordConsentForm()
    else:
        latest = staff_consent.latest_day_allowed(today)
        form = RecordConsentForm(data={"given_on": today.isoformat(), "valid_until": latest.isoformat()})
    if request.method == "POST":
        form.validate()  # an unreadable date is its field's error and reaches the service as None
        try:
            staff_consent.record(
                current_user,
                case,
                consenter_id=form.consenter.data,
                method=form.method.data,
                given_on=form.given_on.date,
                valid_until=form.valid_until.date,
                unit_ids=form.units.data,
                categories=form.categories.data,
                other_parties=form.other_parties.data.splitlines(),
                exclusions=form.exclusions.data,
                today=today,
            )
        except consent.InvalidScope as invalid:
            # The service says "missing" of an unreadable date; the field's "cannot be read" comes first.
            add_errors(form, invalid.errors)
        except NotAllowed as refused:  # the SIP was closed meanwhile, e.g. by a withdrawal
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("Samtycket är inskrivet. Personen får ett meddelande och kan läsa det."), "success")
            return redirect(_case_url(public_id), 303)
    return form_page(
        "staff/record_consent.html",
        form,
        case=case,
        people=staff_consent.who_can_have_consented(case, today),
        parties=consent.parties_of(case),
        categories=consent.CATEGORIES,
    )


@bp.route("/ny-sip", methods=["GET", "POST"])
@staff
@creates
def start_case():
    """Staff start a SIP for a person, e.g. when they are ready to leave hospital [DA 1, 4] [VM]."""
    if not intake.is_coordinator(current_user):
        abort(403)
    form = StartCaseForm()
    if request.method == "POST":
        form.validate()
        identity_number, name, need = form.identity_number.data, form.name.data, form.need.data
        add_errors(form, intake.new_case_errors(identity_number, name, need, form.discharge_date.date))
        if not form.page_errors:
            try:
                case = intake.start_case(
                    current_user,
                    identity_number,
                    name,
                    need,
                    discharge_date=form.discharge_date.date,
                    urgent=form.urgent.data == "yes",
                )
            except intake.InvalidAnswers as invalid:
                add_errors(form, invalid.errors)
            else:
                flash(_("SIP:en är startad. Du är samordnare."), "success")
                return redirect(_case_url(case.public_id), 303)
    return form_page("staff/start_case.html", form)


def _suggested_name(case) -> dict[str, str]:
    return {"name": (case.details or {}).get("close_name") or ""}
