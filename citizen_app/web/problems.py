""" "Rapportera ett problem" (avvikelse) from a case page [issue 7] [SIP.md 8].

The person (or a guardian with custody, a representative, the child signed in) picks what went wrong in
plain words and writes what happened. The report goes to the coordinator's unit (services/problems.py). The
person gets a receipt, and a list of their reports with the status and the unit's answer.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from citizen_app import access
from citizen_app.access import Action
from citizen_app.services import cases, problems
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.problems import ReportForm
from citizen_app.web.guards import citizen, creates

bp = Blueprint("problems", __name__)

CASE_ID = "<string(length=22):public_id>"


@bp.app_context_processor
def _report_link() -> dict:
    """The case page asks ``may_report_problem(case)`` to show the link only to those who may report."""

    def may_report_problem(case) -> bool:
        return current_user.is_authenticated and access.can(current_user, Action.REPORT_PROBLEM, case)

    return {"may_report_problem": may_report_problem}


def _case(public_id: str):
    """Only those who may report see the pages; anyone else gets "not found" [QUALITY 4]."""
    return cases.get_case_for(current_user, public_id, Action.REPORT_PROBLEM)


@bp.route(f"/sip/{CASE_ID}/rapportera", methods=["GET", "POST"])
@citizen
@creates
def report(public_id: str):
    case = _case(public_id)
    form = ReportForm()
    if request.method == "POST":
        try:
            found = problems.report(current_user, case, form.kind.data, form.text.data)
        except problems.InvalidReport as invalid:
            add_errors(form, invalid.errors)
        else:
            return redirect(
                url_for("problems.show_report", public_id=public_id, report_id=found.public_id), 303
            )
    return form_page("problems/report_problem.html", form, case=case, kinds=problems.KINDS)


@bp.route(f"/sip/{CASE_ID}/rapporter")
@citizen
def list_reports(public_id: str):
    case = _case(public_id)
    return render_template(
        "problems/list_reports.html", case=case, reports=problems.reports_of(current_user, case)
    )


@bp.route(f"/sip/{CASE_ID}/rapporter/<string(length=22):report_id>")
@citizen
def show_report(public_id: str, report_id: str):
    """The receipt "Vi har fått din rapport", and later the status and the unit's answer."""
    case = _case(public_id)
    return render_template(
        "problems/show_report.html", case=case, report=problems.report_of(current_user, case, report_id)
    )


# --- Without a SIP: "nobody took the initiative", "my SIP stopped" [HA] [DA 5.2] [issue 16] ---------------


@bp.route("/rapportera-problem", methods=["GET", "POST"])
@citizen
@creates
def report_without_sip():
    """A report not tied to a SIP. It goes to the coordinators of both the municipality and the region."""
    form = ReportForm()
    if request.method == "POST":
        try:
            found = problems.report_without_sip(current_user, form.kind.data, form.text.data)
        except problems.InvalidReport as invalid:
            add_errors(form, invalid.errors)
        else:
            return redirect(url_for("problems.show_own_report", report_id=found.public_id), 303)
    return form_page("problems/report_without_sip.html", form, kinds=problems.KINDS_WITHOUT_SIP)


@bp.route("/mina-rapporter")
@citizen
def list_own_reports():
    return render_template("problems/own_reports.html", reports=problems.own_reports(current_user))


@bp.route("/mina-rapporter/<string(length=22):report_id>")
@citizen
def show_own_report(report_id: str):
    return render_template("problems/own_report.html", report=problems.own_report(current_user, report_id))
