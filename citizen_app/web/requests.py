"""Asking for a SIP ("Begär en SIP"): a start page, one question per page, check your answers, sent.

The GOV.UK question-page pattern [issue 3]: the label or legend is the h1, a back link on every page, answers
kept when the person goes back, and a "Kontrollera dina svar" page whose change links return to it. The rules
and their Swedish messages live in services/requests.py; this module parses the form into plain values, calls
the service and shows the result. Malformed input (a repeated field, hundreds of choices) gets a 400 page and
writes nothing; an invalid answer gets the same page again with status 422 and an error summary.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.services import DomainError
from citizen_app.services import requests as request_service
from citizen_app.web import forms
from citizen_app.web.guards import citizen, creates

bp = Blueprint("requests", __name__)

STEPS = request_service.STEPS  # who, need, services, urgency, contact — each has an endpoint answer_<step>
# The fields each question's form sends. Only "units" may repeat (checkboxes); any other field sent twice is
# malformed, not an answer.
FIELDS = {
    "who": ("for_whom", "close_name", "close_contact"),
    "need": ("need",),
    "services": ("units", "other_services"),
    "urgency": ("urgent", "leaving_hospital", "discharge_date"),
    "contact": ("contact_way", "phone", "email", "interpreter", "interpreter_language", "adaptations"),
}
LIST_FIELDS = frozenset({"units"})
RETURN_TO_CHECK = "kontrollera"  # ?fran=kontrollera: a change link from the check page, go back there after


@bp.route("/begar-sip", methods=["GET", "POST"])
@citizen
@creates
def start_request():
    """What happens when you ask; "Börja" opens (or reopens) the draft and goes to the first open question."""
    if request.method == "POST":
        draft = request_service.open_draft(current_user)
        return redirect(_next_page(draft), 303)
    return render_template("requests/start_request.html")


@bp.route("/begar-sip/<string(length=22):draft_id>/vem", methods=["GET", "POST"])
@citizen
def answer_who(draft_id: str):
    return _question(draft_id, "who")


@bp.route("/begar-sip/<string(length=22):draft_id>/behov", methods=["GET", "POST"])
@citizen
def answer_need(draft_id: str):
    return _question(draft_id, "need")


@bp.route("/begar-sip/<string(length=22):draft_id>/kontakter", methods=["GET", "POST"])
@citizen
def answer_services(draft_id: str):
    return _question(draft_id, "services", groups=request_service.units_by_principal_kind())


@bp.route("/begar-sip/<string(length=22):draft_id>/bradskande", methods=["GET", "POST"])
@citizen
def answer_urgency(draft_id: str):
    return _question(draft_id, "urgency")


@bp.route("/begar-sip/<string(length=22):draft_id>/kontakt", methods=["GET", "POST"])
@citizen
def answer_contact(draft_id: str):
    return _question(draft_id, "contact")


@bp.route("/begar-sip/<string(length=22):draft_id>/kontrollera", methods=["GET", "POST"])
@citizen
@creates
def check_answers(draft_id: str):
    """Every answer with a change link; "Skicka" sends once. A second click finds the first click's case."""
    draft = request_service.get_draft(current_user, draft_id)
    sent = request_service.sent_case_of(draft)
    if sent is not None:
        return redirect(url_for("requests.show_sent", case_id=sent.public_id), 303)
    if request_service.first_unanswered_step(draft) is not None:
        return redirect(_next_page(draft), 303)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            case = request_service.submit(current_user, draft)
        except request_service.AlreadySent as already:  # the other click of a double click won the race
            case = already.case
        except DomainError as refused:
            # Custody or a mandate ended since question 1 was answered: the summary links to its change link.
            errors = {"change-who": _(refused.message)}
        if not errors:
            return redirect(url_for("requests.show_sent", case_id=case.public_id), 303)
    return forms.render_form(
        "requests/check_answers.html",
        errors,
        draft=draft,
        summary=_summary(draft),
        subject_name=_subject_name(draft, request_service.who_options(current_user)),
    )


@bp.route("/begar-sip/skickad/<string(length=22):case_id>")
@citizen
def show_sent(case_id: str):
    """What happens next. Also shown to a relative, who may not read the case they suggested."""
    return render_template(
        "requests/show_sent.html", sent=request_service.sent_request_for(current_user, case_id)
    )


# ---- one question page -------------------------------------------------------------------------------------


def _question(draft_id: str, step: str, **context):
    draft = request_service.get_draft(current_user, draft_id)
    sent = request_service.sent_case_of(draft)
    if sent is not None:  # the back button after sending: there is nothing left to change
        return redirect(url_for("requests.show_sent", case_id=sent.public_id), 303)
    returning = request.args.get("fran") == RETURN_TO_CHECK
    options = request_service.who_options(current_user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _parse(step)
        try:
            raw_errors = request_service.save_step(current_user, draft, step, values)
        except request_service.AlreadySent as already:
            return redirect(url_for("requests.show_sent", case_id=already.case.public_id), 303)
        if not raw_errors:
            return redirect(_after(draft, step, returning), 303)
        errors = forms.translated(raw_errors)
        form = values
    else:
        form = _saved(draft, step)
    action_args = {"fran": RETURN_TO_CHECK} if returning else {}
    return forms.render_form(
        f"requests/answer_{step}.html",
        errors,
        draft=draft,
        form=form,
        options=options,
        subject_name=_subject_name(draft, options),
        action=url_for(request.endpoint, draft_id=draft.public_id, **action_args),
        back=_back(draft, step, returning),
        **context,
    )


def _parse(step: str) -> dict:
    """The question's fields as plain values. A field sent twice, or hundreds of checkboxes, is malformed:
    400, nothing saved. NUL characters are dropped (no database stores them in text)."""
    return {name: forms.choices(name) if name in LIST_FIELDS else forms.one(name) for name in FIELDS[step]}


def _saved(draft, step: str) -> dict:
    """The answers saved for this question, as the form sends them, so going back shows them again."""
    answers = draft.answers or {}
    if step not in answers.get("_done", []):
        return {}
    form: dict = {}
    for name in FIELDS[step]:
        value = answers.get(name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        form[name] = value if value is not None else ""
    if step == "services":
        form["units"] = list(answers.get("units") or []) + (["dont_know"] if answers.get("dont_know") else [])
    return form


def _next_page(draft) -> str:
    step = request_service.first_unanswered_step(draft)
    if step is None:
        return url_for("requests.check_answers", draft_id=draft.public_id)
    return url_for("requests.answer_" + step, draft_id=draft.public_id)


def _after(draft, step: str, returning: bool) -> str:
    """The next question in order; the check page after the last one, or when a change link led here."""
    position = STEPS.index(step)
    if returning or position == len(STEPS) - 1:
        return url_for("requests.check_answers", draft_id=draft.public_id)
    return url_for("requests.answer_" + STEPS[position + 1], draft_id=draft.public_id)


def _back(draft, step: str, returning: bool) -> str:
    if returning:
        return url_for("requests.check_answers", draft_id=draft.public_id)
    position = STEPS.index(step)
    if position == 0:
        return url_for("requests.start_request")
    return url_for("requests.answer_" + STEPS[position - 1], draft_id=draft.public_id)


def _subject_name(draft, options) -> str | None:
    """Whom the request is about, as the questions name them: None for the person themself."""
    answers = draft.answers or {}
    chosen = answers.get("for_whom")
    if chosen == "someone_close":
        return answers.get("close_name") or None
    return next((o.name for o in options if o.value == chosen and o.name), None)


def _summary(draft) -> dict:
    """The saved answers in the words the check page shows them with."""
    answers = draft.answers or {}
    names = {
        unit.public_id: unit.name
        for units in request_service.units_by_principal_kind().values()
        for unit in units
    }
    return {
        "for_whom": answers.get("for_whom"),
        "close_name": answers.get("close_name"),
        "close_contact": answers.get("close_contact"),
        "need": answers.get("need"),
        "units": [names[u] for u in answers.get("units") or [] if u in names],
        "dont_know": bool(answers.get("dont_know")),
        "other_services": answers.get("other_services"),
        "urgent": bool(answers.get("urgent")),
        "leaving_hospital": bool(answers.get("leaving_hospital")),
        "discharge_date": answers.get("discharge_date"),
        "contact_way": answers.get("contact_way"),
        "phone": answers.get("phone"),
        "email": answers.get("email"),
        "interpreter": bool(answers.get("interpreter")),
        "interpreter_language": answers.get("interpreter_language"),
        "adaptations": answers.get("adaptations"),
    }
