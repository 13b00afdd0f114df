"""Feedback results and problem reports on the staff side [issue 7] [SIP.md 7, 8].

- "Svar från Tyck till om mötet": per unit, period and group, a chart and a table per question, and the free
  texts — only when at least 5 answered (feedback.results decides; the page and the CSV both go through it).
- "Rapporterade problem": the coordinator's queue, one report, "Vi tittar på det" and an answer to the person.
  problems.py checks the unit and writes the audit log.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from citizen_app.services import charts, feedback, problems, staff_feedback
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.staff_feedback import PeriodForm, ProblemAnswerForm, ProblemStatusForm
from citizen_app.web.guards import creates, staff

bp = Blueprint("staff_feedback", __name__, url_prefix="/personal")

REPORT_ID = "<string(length=22):public_id>"


def _language() -> str:
    return "en" if str(get_locale()) == "en" else "sv"


def _choice(name: str, default: str) -> str:
    value = request.args.get(name, default)
    return value if isinstance(value, str) else default


# --- Results of "Tyck till om mötet" ---------------------------------------------------------------------


def _chosen(units) -> tuple[str, str, staff_feedback.Period]:
    """Unit, group and period from the query string, with the defaults for a first visit."""
    today = date.today()
    default = staff_feedback.default_period(today)
    unit = _choice("enhet", units[0].public_id if units else "")
    group = _choice("grupp", "adult")
    period = staff_feedback.Period(_choice("fran", default.month_from), _choice("till", default.month_to))
    return unit, group, period


def _charts(found, language: str) -> list[tuple[object, Markup]]:
    """Each question's result with its chart, its words from the question set in our language."""

    def describe(label: str, count: int, total: int) -> str:
        return _("%(answer)s: %(count)s av %(total)s svar.", answer=label, count=count, total=total)

    def amount(count: int, total: int) -> str:
        return _("%(count)s (%(percent)s %%)", count=count, percent=charts.percent(count, total))

    drawn = []
    for result in found.questions:
        bars = [charts.Bar(step.label[language], count) for step, count in result.counts]
        svg = charts.bar_chart(
            f"chart-{result.question.id}", result.question.text[language], bars, describe, amount
        )
        drawn.append((result, Markup(svg)))  # noqa: S704 (bar_chart escapes every text it draws)
    return drawn


@bp.route("/tyck-till")
@staff
def show_results():
    units = staff_feedback.units_for(current_user)
    unit_id, group, period = _chosen(units)
    form = PeriodForm(data={"fran": period.month_from, "till": period.month_to})
    add_errors(form, staff_feedback.period_errors(period))
    found = None
    if units and not form.page_errors:
        found = staff_feedback.results_for(current_user, unit_id, group, period)
    language = _language()
    return form_page(
        "staff_feedback/show_results.html",
        form,
        units=units,
        unit=next((u for u in units if u.public_id == unit_id), None),
        group=group,
        period=period,
        months=staff_feedback.months(date.today()),
        found=found,
        drawn=_charts(found, language) if found is not None and found.enough else [],
        language=language,
        percent=charts.percent,
    )


@bp.route("/tyck-till/ladda-ner")
@staff
def download_results():
    """The same numbers as a CSV file, under the same rule. The file name says nothing about anyone."""
    units = staff_feedback.units_for(current_user)
    unit_id, group, period = _chosen(units)
    if staff_feedback.period_errors(period):
        return redirect(url_for("staff_feedback.show_results", **request.args.to_dict()), 303)
    found = staff_feedback.results_for(current_user, unit_id, group, period)
    # The byte order mark lets spreadsheet programs read the Swedish letters as UTF-8.
    response = make_response("\ufeff" + feedback.results_csv(found, _language()))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = f"tyck-till-{group}-{period.month_from}-{period.month_to}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Problem reports -------------------------------------------------------------------------------------


@bp.route("/rapporterade-problem")
@staff
def list_problems():
    return render_template("staff_feedback/list_problems.html", reports=problems.queue_for(current_user))


def _render_report(report, form: ProblemAnswerForm):
    return form_page(
        "staff_feedback/show_problem.html", form, report=report, reporter=staff_feedback.reporter_of(report)
    )


def _report_url(public_id: str) -> str:
    return url_for("staff_feedback.show_problem", public_id=public_id)


@bp.route(f"/rapporterade-problem/{REPORT_ID}")
@staff
def show_problem(public_id: str):
    return _render_report(problems.get_for_staff(current_user, public_id), ProblemAnswerForm())


@bp.route(f"/rapporterade-problem/{REPORT_ID}/vi-tittar-pa-det", methods=["POST"])
@staff
def start_looking(public_id: str):
    report = problems.get_for_staff(current_user, public_id)
    form = ProblemStatusForm()
    form.validate()
    try:
        if problems.start_looking(current_user, report, form.version.data):
            flash(_("Personen ser nu att ni tittar på problemet."), "success")
    except problems.ChangedElsewhere as changed:
        flash(_(changed.message), "info")
    return redirect(_report_url(public_id), 303)


@bp.route(f"/rapporterade-problem/{REPORT_ID}/svara", methods=["POST"])
@staff
@creates
def answer_problem(public_id: str):
    report = problems.get_for_staff(current_user, public_id)
    form = ProblemAnswerForm()
    form.validate()
    try:
        problems.answer(current_user, report, form.answer.data, form.version.data)
    except problems.InvalidReport as invalid:
        add_errors(form, invalid.errors)
        return _render_report(report, form)
    except problems.ChangedElsewhere as changed:
        # Show what the report holds now; the typed answer stays, and sending again goes through.
        form.version.data = None
        add_errors(form, {"answer": changed.message})
        return _render_report(report, form)
    flash(_("Svaret är skickat. Personen får ett meddelande."), "success")
    return redirect(_report_url(public_id), 303)
