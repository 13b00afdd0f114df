"""The administration pages [issue 18]: principals, units (with their intake), staff and their roles per
unit, administrators, and deactivated accounts. Only an administrator (``@guards.admin``,
services/administrators.py) reaches them; a staff member who is not one gets 403. The rules are in
services/organisation.py, the words in pages/organisation.py. The CSV import of the organisation is a
module of its own (web/admin_import.py); the start page links to it when it is there.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import citizen_app.pages.organisation as organisation_pages
from citizen_app.services import NotFound, administrators, organisation
from citizen_app.web import guards
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.admin import (
    YES,
    ConfirmForm,
    PrincipalForm,
    RoleForm,
    StaffForm,
    StaffSearchForm,
    UnitForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

ID = "<string(length=22):public_id>"
UNIT_ID = "<string(length=22):unit_id>"
IMPORT_ENDPOINT = "admin_import.upload"


def _found(find, public_id: str):
    try:
        return find(public_id)
    except NotFound:
        abort(404)


@bp.route("/")
@guards.admin
def show_start():
    """The administration's start page: what can be done, and the latest changes (who, what, when)."""
    return form_page(
        "admin/show_start.html",
        changes=organisation_pages.latest_changes(),
        can_import=IMPORT_ENDPOINT in current_app.view_functions,
        import_endpoint=IMPORT_ENDPOINT,
    )


# ---- principals ------------------------------------------------------------------------------------------


@bp.route("/huvudman")
@guards.admin
def list_principals():
    return form_page("admin/list_principals.html", rows=organisation.principals())


def _principal_answers(form: PrincipalForm) -> organisation.PrincipalAnswers:
    return organisation.PrincipalAnswers(form.name.data, form.kind.data, form.hsa_id.data)


@bp.route("/huvudman/ny", methods=["GET", "POST"])
@guards.admin
@guards.creates
def add_principal():
    form = PrincipalForm()
    if request.method == "POST":
        form.validate()
        try:
            added = organisation.add_principal(current_user, _principal_answers(form))
        except organisation.InvalidOrganisation as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Huvudmannen är tillagd. Nu kan du lägga till enheter."), "success")
            return redirect(url_for("admin.show_principal", public_id=added.public_id), 303)
    return form_page(
        "admin/principal_form.html", form, principal=None, kinds=organisation_pages.PRINCIPAL_KINDS
    )


@bp.route(f"/huvudman/{ID}")
@guards.admin
def show_principal(public_id: str):
    principal = _found(organisation.principal, public_id)
    return form_page(
        "admin/show_principal.html",
        principal=principal,
        units=organisation.units_of(principal),
        kind=organisation_pages.principal_is(principal.kind),
    )


@bp.route(f"/huvudman/{ID}/andra", methods=["GET", "POST"])
@guards.admin
def edit_principal(public_id: str):
    principal = _found(organisation.principal, public_id)
    if request.method == "POST":
        form = PrincipalForm()
        form.validate()
        try:
            organisation.change_principal(current_user, principal, _principal_answers(form))
        except organisation.InvalidOrganisation as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Ändringen är sparad."), "success")
            return redirect(url_for("admin.show_principal", public_id=principal.public_id), 303)
    else:
        form = PrincipalForm(
            data={"name": principal.name, "kind": principal.kind.value, "hsa_id": principal.hsa_id or ""}
        )
    return form_page(
        "admin/principal_form.html", form, principal=principal, kinds=organisation_pages.PRINCIPAL_KINDS
    )


# ---- units -----------------------------------------------------------------------------------------------


def _unit_answers(form: UnitForm) -> organisation.UnitAnswers:
    return organisation.UnitAnswers(
        name=form.name.data,
        kind=form.kind.data,
        hsa_id=form.hsa_id.data,
        address=form.address.data,
        phone=form.phone.data,
        email=form.email.data,
        fixed_care_contact=form.fixed_care_contact.data == YES,
        intake_needs=tuple(form.intake_needs.data),
        default_intake=form.default_intake.data == YES,
    )


def _unit_page(form: UnitForm, principal, unit=None):
    return form_page(
        "admin/unit_form.html",
        form,
        principal=principal,
        unit=unit,
        kinds=organisation_pages.UNIT_KINDS,
        needs=organisation_pages.NEEDS,
        intake=organisation.intake_of(unit) if unit is not None else None,
        coordinators=organisation.coordinators_of(unit) if unit is not None else [],
    )


@bp.route(f"/huvudman/{ID}/ny-enhet", methods=["GET", "POST"])
@guards.admin
@guards.creates
def add_unit(public_id: str):
    principal = _found(organisation.principal, public_id)
    form = UnitForm()
    if request.method == "POST":
        form.validate()
        try:
            organisation.add_unit(current_user, principal, _unit_answers(form))
        except organisation.InvalidOrganisation as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Enheten är tillagd."), "success")
            return redirect(url_for("admin.show_principal", public_id=principal.public_id), 303)
    return _unit_page(form, principal)


@bp.route(f"/enheter/{ID}", methods=["GET", "POST"])
@guards.admin
def edit_unit(public_id: str):
    unit = _found(organisation.unit, public_id)
    if request.method == "POST":
        form = UnitForm()
        form.validate()
        try:
            organisation.change_unit(current_user, unit, _unit_answers(form))
        except organisation.InvalidOrganisation as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Ändringen är sparad."), "success")
            return redirect(url_for("admin.show_principal", public_id=unit.principal.public_id), 303)
    else:
        intake = organisation.intake_of(unit)
        form = UnitForm(
            data={
                "name": unit.name,
                "kind": unit.kind.value,
                "hsa_id": unit.hsa_id or "",
                "address": unit.address or "",
                "phone": unit.phone or "",
                "email": unit.email or "",
                "fixed_care_contact": YES if unit.is_fixed_care_contact else "",
                "intake_needs": [need.value for need in intake.needs],
                "default_intake": YES if intake.is_default else "",
            }
        )
    return _unit_page(form, unit.principal, unit)


# ---- staff -----------------------------------------------------------------------------------------------


@bp.route("/personal")
@guards.admin
def list_staff():
    search = StaffSearchForm(formdata=request.args)
    found = organisation.search_staff(search.sok.data, request.args.get("sida", default=1, type=int))
    return form_page("admin/list_staff.html", search=search, found=found)


def _staff_answers(form: StaffForm) -> organisation.StaffAnswers:
    return organisation.StaffAnswers(
        display_name=form.display_name.data,
        hsa_id=form.hsa_id.data,
        identity_number=form.identity_number.data,
        title=form.title.data,
        phone=form.phone.data,
        email=form.email.data,
    )


@bp.route("/personal/ny", methods=["GET", "POST"])
@guards.admin
@guards.creates
def add_staff():
    form = StaffForm()
    if request.method == "POST":
        form.validate()
        try:
            added = organisation.add_staff(current_user, _staff_answers(form))
        except organisation.InvalidOrganisation as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Personen är tillagd. Ge hen en roll på en enhet här nedanför."), "success")
            return redirect(url_for("admin.show_staff", public_id=added.public_id), 303)
    return form_page("admin/staff_form.html", form, member=None)


def _staff_page(member, role_form: RoleForm | None = None, confirm: ConfirmForm | None = None):
    """The staff member's page: details, roles per unit, administrator, active. A form posted from it that
    broke a rule is shown on it again (422)."""
    return form_page(
        "admin/show_staff.html",
        role_form or RoleForm(),
        confirm=confirm or ConfirmForm(),
        member=member,
        memberships=organisation.memberships_of(member),
        units=organisation.all_units(),
        roles=organisation_pages.ROLES,
        is_admin=administrators.is_admin(member),
        by_configuration=organisation.is_admin_by_configuration(member),
        is_self=member.id == current_user.id,
        handover=organisation.handover_of(member),
    )


@bp.route(f"/personal/{ID}")
@guards.admin
def show_staff(public_id: str):
    return _staff_page(_found(organisation.staff_member, public_id))


@bp.route(f"/personal/{ID}/andra", methods=["GET", "POST"])
@guards.admin
def edit_staff(public_id: str):
    member = _found(organisation.staff_member, public_id)
    if request.method == "POST":
        form = StaffForm()
        form.validate()
        try:
            organisation.change_staff(current_user, member, _staff_answers(form))
        except organisation.InvalidOrganisation as invalid:
            add_errors(form, invalid.errors)
        else:
            flash(_("Ändringen är sparad."), "success")
            return redirect(url_for("admin.show_staff", public_id=member.public_id), 303)
    else:
        form = StaffForm(
            data={
                "display_name": member.display_name,
                "hsa_id": member.hsa_id or "",
                "title": member.title or "",
                "phone": member.phone or "",
                "email": member.email or "",
            }
        )
    return form_page("admin/staff_form.html", form, member=member)


@bp.route(f"/personal/{ID}/roller", methods=["POST"])
@guards.admin
def give_role(public_id: str):
    member = _found(organisation.staff_member, public_id)
    form = RoleForm()
    form.validate()
    try:
        organisation.give_role(current_user, member, form.unit.data, form.role.data)
    except organisation.InvalidOrganisation as invalid:
        add_errors(form, invalid.errors)
        return _staff_page(member, role_form=form)
    flash(_("Rollen är sparad."), "success")
    return redirect(url_for("admin.show_staff", public_id=member.public_id), 303)


@bp.route(f"/personal/{ID}/roller/{UNIT_ID}/ta-bort", methods=["POST"])
@guards.admin
def remove_role(public_id: str, unit_id: str):
    member = _found(organisation.staff_member, public_id)
    try:
        organisation.remove_role(current_user, member, unit_id)
    except NotFound:
        abort(404)
    flash(_("Rollen är borttagen."), "success")
    return redirect(url_for("admin.show_staff", public_id=member.public_id), 303)


def _confirmed_change(public_id: str, change, done: str):
    """A button on the staff member's page: do ``change``; on a broken rule show the page again with why."""
    member = _found(organisation.staff_member, public_id)
    confirm = ConfirmForm()
    try:
        change(current_user, member)
    except organisation.InvalidOrganisation as invalid:
        add_errors(confirm, invalid.errors)
        return _staff_page(member, confirm=confirm)
    flash(done, "success")
    return redirect(url_for("admin.show_staff", public_id=member.public_id), 303)


@bp.route(f"/personal/{ID}/administrator", methods=["POST"])
@guards.admin
def appoint_administrator(public_id: str):
    return _confirmed_change(
        public_id, organisation.appoint_administrator, _("Personen är nu administratör.")
    )


@bp.route(f"/personal/{ID}/administrator/ta-bort", methods=["POST"])
@guards.admin
def remove_administrator(public_id: str):
    return _confirmed_change(
        public_id, organisation.remove_administrator, _("Personen är inte längre administratör.")
    )


@bp.route(f"/personal/{ID}/stang-av", methods=["POST"])
@guards.admin
def deactivate(public_id: str):
    return _confirmed_change(
        public_id,
        organisation.deactivate,
        _("Kontot är avstängt. Personen är utloggad och kan inte logga in."),
    )


@bp.route(f"/personal/{ID}/oppna-igen", methods=["POST"])
@guards.admin
def reactivate(public_id: str):
    return _confirmed_change(
        public_id, organisation.reactivate, _("Kontot är öppet igen. Personen kan logga in.")
    )
