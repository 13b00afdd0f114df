"""Asking for a SIP ("Begär en SIP"): a start page, one question per page, check your answers, sent.

The GOV.UK question-page pattern [issue 3]: the label or legend is the h1, a back link on every page, answers
kept when the person goes back, and a "Kontrollera dina svar" page whose change links return to it (the order
of the pages is pages/flow.py's). The rules and their Swedish messages live in services/requests.py; each
question's form (web/forms/requests.py) reads what was sent, and this module calls the service and shows the
result. Malformed input (a repeated field, hundreds of choices) gets a 400 page and writes nothing; an invalid
answer gets the same page again with status 422 and an error summary.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from citizen_app.pages import flow
from citizen_app.services import DomainError
from citizen_app.services import requests as request_service
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.requests import QUESTIONS, SendForm
from citizen_app.web.guards import citizen, creates

bp = Blueprint("requests", __name__)

# who, need, services, urgency, contact: each has an endpoint answer_<step> and a form in forms/requests.py.
FLOW = flow.Flow(request_service.STEPS)


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


@bp.route("/begar-sip/<string(length=22):draft_id>/kontakter/en-sip")
@citizen
def show_one_principal(draft_id: str):
    """The units chosen all belong to the municipality, or all to the region: a SIP is for help from both
    [DA 3.3, 3.6.2], so say which plan fits instead; the person can go on anyway or change the answer."""
    draft = request_service.get_draft(current_user, draft_id)
    sent = request_service.sent_case_of(draft)
    if sent is not None:
        return redirect(url_for("requests.show_sent", case_id=sent.public_id), 303)
    principal = request_service.one_principal_only(draft.answers)
    returning = flow.returning(request.args.get("fran"))
    if principal is None:  # the answer was changed meanwhile: nothing to tell
        return redirect(_url(draft, FLOW.after_notice("services", returning=returning)), 303)
    fran = flow.RETURN_TO_CHECK if returning else None
    return render_template(
        "requests/show_one_principal.html",
        principal=principal.value,
        go_on=_url(draft, FLOW.after_notice("services", returning=returning)),
        change=url_for("requests.answer_services", draft_id=draft.public_id, fran=fran),
    )


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
    if FLOW.first_open(draft.answers) is not None:  # no skipping to the check page
        return redirect(_next_page(draft), 303)
    form = SendForm()
    if request.method == "POST":
        case = None
        try:
            case = request_service.submit(current_user, draft)
        except request_service.AlreadySent as already:  # the other click of a double click won the race
            case = already.case
        except DomainError as refused:
            # Custody or a mandate ended since question 1 was answered: the summary links to its change link.
            add_errors(form, {"change-who": refused.message})
        if case is not None:
            return redirect(url_for("requests.show_sent", case_id=case.public_id), 303)
    return form_page(
        "requests/check_answers.html",
        form,
        draft=draft,
        back=_url(draft, FLOW.last),
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
    returning = flow.returning(request.args.get("fran"))
    options = request_service.who_options(current_user)
    question = QUESTIONS[step]
    if request.method == "POST":
        form = question()
        form.validate()
        try:
            problems = request_service.save_step(current_user, draft, step, form.values)
        except request_service.AlreadySent as already:
            return redirect(url_for("requests.show_sent", case_id=already.case.public_id), 303)
        if not problems:
            # Units of one principal only: first a page about the plan that fits instead [DA 3.6.2].
            notice = step == "services" and request_service.one_principal_only(draft.answers) is not None
            return redirect(
                _url(draft, FLOW.after(step, returning=returning, with_notice=notice), returning), 303
            )
        add_errors(form, problems)
    else:
        form = question.of(draft.answers, FLOW.is_answered(step, draft.answers))
    # A change link's page posts back to itself with ?fran=, so "Fortsätt" still returns to the check page.
    fran = flow.RETURN_TO_CHECK if returning else None
    return form_page(
        f"requests/answer_{step}.html",
        form,
        draft=draft,
        options=options,
        subject_name=_subject_name(draft, options),
        action=url_for("requests.answer_" + step, draft_id=draft.public_id, fran=fran),
        back=_url(draft, FLOW.back(step, returning=returning)),
        **context,
    )


def _url(draft, place: str, returning: bool = False) -> str:
    """The address of a place in the flow (pages/flow.py): a question, a notice, the check page or the start
    page. A notice page keeps ``?fran=`` so that it leads back to the check page."""
    if flow.notice_of(place) == "services":
        fran = flow.RETURN_TO_CHECK if returning else None
        return url_for("requests.show_one_principal", draft_id=draft.public_id, fran=fran)
    if place == flow.START:
        return url_for("requests.start_request")
    if place == flow.CHECK:
        return url_for("requests.check_answers", draft_id=draft.public_id)
    return url_for("requests.answer_" + place, draft_id=draft.public_id)


def _next_page(draft) -> str:
    """The first question not answered yet, or the check page when every one is."""
    return _url(draft, FLOW.first_open(draft.answers) or flow.CHECK)


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
