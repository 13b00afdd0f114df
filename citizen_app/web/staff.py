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
from citizen_app.services import N_, DomainError, NotAllowed, consent, intake, staff_consent
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff", __name__, url_prefix="/personal")

CASE_ID = "<string(length=22):public_id>"


def _translated(errors: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    """Service messages (Swedish msgids) translated, in the order the fields come on the page."""
    ranked = sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return {field: _(message) for field, message in ranked}


def _form_text(name: str) -> str:
    value = request.form.get(name, "")
    return value if isinstance(value, str) else ""


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
    errors: dict[str, str] = {}
    if request.method == "POST":
        choice = _form_text("coordinator")
        if not choice:
            errors = {"coordinator": _("Välj vem som ska bli samordnare")}
        else:
            try:
                intake.accept(current_user, case, None if choice == "me" else choice)
            except intake.AlreadyHandled:
                # A double click: the first click did the work, so show its result instead of an error.
                flash(_("Förfrågan var redan mottagen."), "info")
                return redirect(_case_url(public_id), 303)
            except DomainError as error:
                errors = {"coordinator": _(error.message)}
            else:
                flash(_("Förfrågan är mottagen."), "success")
                return redirect(_case_url(public_id), 303)
    return _render_form(
        "staff/accept_case.html", errors, case=case, coordinators=intake.coordinators_for(case)
    )


@bp.route(f"/sip/{CASE_ID}/skicka-vidare", methods=["GET", "POST"])
@staff
@creates
def forward_case(public_id: str):
    """Send the request on to the unit that should have it, with a reason the person can read [DA 4.1]."""
    case = intake.get_case(current_user, public_id, Action.STAFF_FORWARD_CASE)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            intake.forward(current_user, case, _form_text("unit"), _form_text("reason"))
        except intake.InvalidAnswers as invalid:
            errors = _translated(invalid.errors, ("unit", "reason"))
        except DomainError as error:
            errors = {"unit": _(error.message)}
        else:
            flash(_("Förfrågan är skickad vidare."), "success")
            return redirect(url_for("staff.list_requests"), 303)
    return _render_form("staff/forward_case.html", errors, case=case, units=intake.other_units(case))


@bp.route(f"/sip/{CASE_ID}/byt-samordnare", methods=["GET", "POST"])
@staff
@creates
def change_coordinator(public_id: str):
    """A new coordinator for the case; the earlier ones stay in the history [VN]."""
    case = intake.get_case(current_user, public_id, Action.STAFF_CHANGE_COORDINATOR, intake.WITH_COORDINATORS)
    current = intake.current_assignment(case)
    if current is None:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        choice = _form_text("coordinator")
        if not choice:
            errors = {"coordinator": _("Välj vem som ska bli ny samordnare")}
        else:
            try:
                intake.change_coordinator(current_user, case, choice)
            except DomainError as error:
                errors = {"coordinator": _(error.message)}
            else:
                flash(_("Samordnaren är bytt."), "success")
                return redirect(_case_url(public_id), 303)
    choices = [c for c in intake.coordinators_for(case) if c.id != current.staff_id]
    return _render_form(
        "staff/change_coordinator.html", errors, case=case, current=current.staff, coordinators=choices
    )


@bp.route(f"/sip/{CASE_ID}/koppla-person", methods=["GET", "POST"])
@staff
@creates
def link_person(public_id: str):
    """A relative's suggestion about someone not yet known: after talking to them, link the person."""
    case = intake.get_case(current_user, public_id, Action.STAFF_ACCEPT_CASE)
    if case.subject_id is not None or not case.awaiting_person_agreement:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            intake.link_suggested_person(
                current_user, case, _form_text("identity_number"), _form_text("name")
            )
        except intake.InvalidAnswers as invalid:
            errors = _translated(invalid.errors, ("identity_number", "name"))
        except DomainError as error:
            errors = {"identity_number": _(error.message)}
        else:
            flash(_("Personen är kopplad till förslaget. Nu får personen svara ja eller nej."), "success")
            return redirect(_case_url(public_id), 303)
    return _render_form("staff/link_person.html", errors, case=case)


RECORD_CONSENT_FIELDS = (
    "consenter",
    "method",
    "given_on",
    "units",
    "other_parties",
    "categories",
    "exclusions",
    "valid_until",
)


def _form_date(name: str, errors: dict[str, str]) -> date | None:
    """The date in field ``name``, None when empty; a date that cannot be read is named in ``errors``."""
    text = _form_text(name).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")
        return None


@bp.route(f"/sip/{CASE_ID}/samtycke/skriv-in", methods=["GET", "POST"])
@staff
@creates
def record_consent(public_id: str):
    """The coordinator writes down a consent given orally or on paper [DA 4.2]; the person is then told."""
    case = intake.get_case(current_user, public_id, Action.STAFF_RECORD_CONSENT)
    if not staff_consent.can_record(current_user, case):
        abort(404)
    today = date.today()
    errors: dict[str, str] = {}
    form: dict = {
        "given_on": today.isoformat(),
        "valid_until": staff_consent.latest_day_allowed(today).isoformat(),
        "units": [],
        "categories": [],
    }
    if request.method == "POST":
        form = {name: _form_text(name) for name in RECORD_CONSENT_FIELDS}
        form["units"] = request.form.getlist("units")
        form["categories"] = request.form.getlist("categories")
        unreadable: dict[str, str] = {}
        given_on = _form_date("given_on", unreadable)
        valid_until = _form_date("valid_until", unreadable)
        try:
            staff_consent.record(
                current_user,
                case,
                consenter_id=form["consenter"],
                method=form["method"],
                given_on=given_on,
                valid_until=valid_until,
                unit_ids=form["units"],
                categories=form["categories"],
                other_parties=form["other_parties"].splitlines(),
                exclusions=form["exclusions"],
                today=today,
            )
        except consent.InvalidScope as invalid:
            # An unreadable date reached the service as None ("missing"); say what is wrong with it instead.
            errors = _translated({**invalid.errors, **unreadable}, RECORD_CONSENT_FIELDS)
        except NotAllowed as refused:  # the SIP was closed meanwhile, e.g. by a withdrawal
            flash(_(refused.message), "info")
            return redirect(_case_url(public_id), 303)
        else:
            flash(_("Samtycket är inskrivet. Personen får ett meddelande och kan läsa det."), "success")
            return redirect(_case_url(public_id), 303)
    return _render_form(
        "staff/record_consent.html",
        errors,
        case=case,
        form=form,
        people=staff_consent.who_can_have_consented(case, today),
        parties=consent.parties_of(case),
        categories=consent.CATEGORIES,
    )


NEW_CASE_FIELDS = ("identity_number", "name", "need", "discharge_date", "urgent")


@bp.route("/ny-sip", methods=["GET", "POST"])
@staff
@creates
def start_case():
    """Staff start a SIP for a person, e.g. when they are ready to leave hospital [DA 1, 4] [VM]."""
    if not intake.is_coordinator(current_user):
        abort(403)
    errors: dict[str, str] = {}
    form = {name: _form_text(name) for name in NEW_CASE_FIELDS}
    if request.method == "POST":
        discharge_date = None
        if form["discharge_date"].strip():
            try:
                discharge_date = date.fromisoformat(form["discharge_date"].strip())
            except ValueError:
                errors["discharge_date"] = N_("Skriv datumet som år-månad-dag, till exempel 2026-12-01")
        if form["urgent"] not in ("yes", "no"):
            errors["urgent"] = N_("Välj om det är bråttom")
        found = intake.new_case_errors(form["identity_number"], form["name"], form["need"], discharge_date)
        errors = _translated({**found, **errors}, NEW_CASE_FIELDS)
        if not errors:
            try:
                case = intake.start_case(
                    current_user,
                    form["identity_number"],
                    form["name"],
                    form["need"],
                    discharge_date=discharge_date,
                    urgent=form["urgent"] == "yes",
                )
            except intake.InvalidAnswers as invalid:
                errors = _translated(invalid.errors, NEW_CASE_FIELDS)
            else:
                flash(_("SIP:en är startad. Du är samordnare."), "success")
                return redirect(_case_url(case.public_id), 303)
    return _render_form("staff/start_case.html", errors, form=form)


def _render_form(template: str, errors: dict[str, str], **context):
    return render_template(template, errors=errors, **context), 422 if errors else 200
