"""The staff side ("Personal"): the coordinator's start page, queue of requests, case page and intake actions.

Views are thin: parse the form into plain values, call services/intake.py (which checks the access policy and
writes the audit log), then redirect (303) or show the same page again with the errors (422).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app import access
from citizen_app.access import Action
from citizen_app.pages import staff_case
from citizen_app.pages import workbench as start_workbench
from citizen_app.services import (
    DomainError,
    NotAllowed,
    administrators,
    compulsory_care,
    consent,
    intake,
    staff_consent,
    workbench,
)
from citizen_app.services.workbench import Filters
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff import (
    AcceptCaseForm,
    ChangeCoordinatorForm,
    CompulsoryCareForm,
    ForwardCaseForm,
    LinkPersonForm,
    RecordConsentForm,
    StartCaseForm,
    WorkbenchFilterForm,
)
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff", __name__, url_prefix="/personal")

CASE_ID = "<string(length=22):public_id>"


@bp.app_context_processor
def _case_reference() -> dict:
    """Staff pages about one SIP end their title with a short reference to it ("SIP 7rhTjE"): a coordinator
    with 40 SIPs has many tabs of the same kind of page, and a title may not name the person [issue 12]."""
    public_id = (request.view_args or {}).get("public_id")
    staff_page = (request.blueprint or "").startswith("staff")
    return {"case_reference": f"SIP {public_id[:6]}" if staff_page and isinstance(public_id, str) else ""}


def _case_url(public_id: str) -> str:
    return url_for("staff.show_case", public_id=public_id)


@bp.route("/")
@staff
def show_start():
    """The workbench: "Mina SIP:ar" and the SIPs the staff member's units take part in (issue 16)."""
    memberships = workbench.units_of(current_user)
    form = WorkbenchFilterForm(formdata=request.args)
    filters = Filters.parse(
        form.steg.data, form.namn.data, request.args.get("sida"), request.args.get("enhetssida")
    )
    page = start_workbench.start_page_for(
        current_user, {unit.id: role for unit, role in memberships}, filters
    )
    return render_template(
        "staff/show_start.html",
        memberships=memberships,
        is_coordinator=page.is_coordinator,
        waiting=workbench.waiting_for(current_user),
        page=page,
        form=form,
        is_admin=administrators.is_admin(current_user),
    )


@bp.route("/forfragningar")
@staff
def list_requests():
    """The queue of requests, 25 a page as "Mina SIP:ar" (?sida=2)."""
    queue = intake.queue_page(current_user, request.args.get("sida", default=1, type=int))
    return render_template("staff/list_requests.html", queue=queue)


@bp.route(f"/sip/{CASE_ID}")
@staff
def show_case(public_id: str):
    page = staff_case.case_page_for(current_user, public_id)
    return render_template("staff/show_case.html", page=page, consent=page.consent)


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
    """Any staff member who notices a need starts a SIP for a person [DA 1, 4.1], choosing the unit where it
    is coordinated; e.g. when the person is ready to leave hospital [VM] [ST]."""
    units = intake.start_units()
    if request.method == "POST":
        form = StartCaseForm()
        form.validate()
        values = dict(
            identity_number=form.identity_number.data,
            name=form.name.data,
            need=form.need.data,
            discharge_date=form.discharge_date.date,
            unit_public_id=form.unit.data,
            compulsory_kind=form.compulsory_care.data,
        )
        add_errors(form, intake.new_case_errors(**values))
        if not form.page_errors:
            try:
                started = intake.start_case(current_user, urgent=form.urgent.data == "yes", **values)
            except intake.InvalidAnswers as invalid:
                add_errors(form, invalid.errors)
            else:
                return _after_start(started)
    else:
        form = StartCaseForm(data={"unit": intake.own_start_unit(current_user, units)})
    return form_page("staff/start_case.html", form, units=units)


def _after_start(started: intake.Started):
    """Tell the starter what happens next, and show them the SIP when they may see it."""
    case = started.case
    if started.outcome == "coordinator":
        flash(_("SIP:en är startad. Du är samordnare."), "success")
    elif started.outcome == "linked":
        flash(
            _(
                "Personen har redan en SIP. Datumet för utskrivning är tillagt i den, och samordnaren har "
                "fått ett meddelande."
            ),
            "success",
        )
    else:
        unit = case.owning_unit.name if case.owning_unit else ""
        flash(
            _(
                "SIP:en är skickad till %(unit)s. En samordnare där tar emot den och kontaktar personen. "
                "Personen har fått ett meddelande.",
                unit=unit,
            ),
            "success",
        )
    if access.can(current_user, Action.STAFF_VIEW_CASE, case):
        return redirect(_case_url(case.public_id), 303)
    return redirect(url_for("staff.show_start"), 303)


@bp.route(f"/sip/{CASE_ID}/tvangsvard", methods=["GET", "POST"])
@staff
@creates
def record_compulsory_care(public_id: str):
    """The coordinator records compulsory psychiatric care during the SIP, or that it has ended [DA 3.6.1]."""
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_COMPULSORY_CARE)
    if case.is_closed:
        abort(404)
    if request.method == "POST":
        form = CompulsoryCareForm()
        form.validate()
        try:
            compulsory_care.record(current_user, case, compulsory_care.parse(form.compulsory_care.data))
        except compulsory_care.InvalidCompulsoryCare as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Det är inskrivet."), "success")
            return redirect(_case_url(public_id), 303)
    else:
        form = CompulsoryCareForm(data={"compulsory_care": case.compulsory_care or ""})
    return form_page("staff/record_compulsory_care.html", form, case=case)


def _suggested_name(case) -> dict[str, str]:
    return {"name": (case.details or {}).get("close_name") or ""}
