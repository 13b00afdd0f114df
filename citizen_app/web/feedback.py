""" "Tyck till om mötet": the short questionnaire after a held meeting [issue 7] [SIP.md 7].

Three ways in, one form:
- a signed-in person (the person, a guardian, a representative, a relative with an account): the list of
  open requests on /tyck-till and the form on /tyck-till/<request id>;
- the child, on their own pages "Min röst" (signed in, or with the code in this session): the same form with
  a picture next to every step of the scale, and very simple words;
- a relative without an account, through their invitation link: /inbjudan/tyck-till.

Anonymity [issue 7]: the answer is stored by services/feedback.py without any link to the person or the case.
These views log nothing and audit nothing about an answer, and the thank-you pages have addresses with no
request, person or case id in them, the same for everyone. The questions' words come from the question set
files (not from gettext), in the page's language.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from citizen_app.pages import child as child_pages
from citizen_app.services import NotFound, feedback
from citizen_app.web.forms import form_page
from citizen_app.web.forms.feedback import feedback_form
from citizen_app.web.guards import child_link, citizen, invitation_link

bp = Blueprint("feedback", __name__)

REQUEST_ID = "<string(length=22):request_id>"
CASE_ID = "<string(length=22):public_id>"


def _language() -> str:
    """The question files have Swedish and English texts; anything else falls back to Swedish."""
    lang = get_locale()
    return "en" if lang is not None and lang.language == "en" else "sv"


def _questionnaire(found, action: str, thanks: str, *, young: bool = False, back: str | None = None):
    """Show the form, or take the answer: 303 to the thank-you page, 422 with the errors.

    A request already answered (a double click, the back button, a second tab) goes to the same thank-you
    page and nothing more is stored: ``feedback.submit`` returns False then [QUALITY 5]. These views are not
    marked ``@creates``: its record of who sent which form when would tie a person to the moment of an
    anonymous answer. The one answer per request is enough.
    """
    if found.answered:
        if request.method == "POST":
            flash(_("Vi har redan tagit emot det här."), "info")
        return redirect(thanks, 303)
    question_set = feedback.question_set_for(found)
    form = feedback_form(question_set)()
    if request.method == "POST":
        try:
            stored = feedback.submit(found, form.answers())
        except feedback.InvalidFeedback as invalid:
            form.add_service_errors(invalid.errors)
        else:
            if not stored:  # the other click of a double click, at the same instant, stored it
                flash(_("Vi har redan tagit emot det här."), "info")
            return redirect(thanks, 303)
    return form_page(
        "feedback/answer_feedback.html",
        form,
        question_set=question_set,
        meeting=feedback.meeting_of(found),
        lang=_language(),
        action=action,
        young=young,
        back=back,
    )


# --- A signed-in person -------------------------------------------------------------------------------


@bp.route("/tyck-till")
@citizen
def list_requests():
    return render_template(
        "feedback/list_requests.html", open_requests=feedback.open_requests_listed(current_user)
    )


@bp.route(f"/tyck-till/{REQUEST_ID}", methods=["GET", "POST"])
@citizen
def answer(request_id: str):
    found = feedback.request_of(current_user, request_id)
    if found.audience.value == "young":
        # The child's own version, with pictures, lives on the child's pages.
        return redirect(
            url_for(
                "feedback.answer_young", public_id=feedback.case_of(found).public_id, request_id=request_id
            ),
            303,
        )
    return _questionnaire(
        found,
        url_for("feedback.answer", request_id=request_id),
        url_for("feedback.show_thanks"),
        back=url_for("feedback.list_requests"),
    )


@bp.route("/tyck-till/tack")
@citizen
def show_thanks():
    return render_template("feedback/show_thanks.html", back=url_for("start.show_start"), young=False)


# --- The child, on "Min röst" -------------------------------------------------------------------------


@bp.route(f"/min-rost/sip/{CASE_ID}/tyck-till/{REQUEST_ID}", methods=["GET", "POST"])
@child_link
def answer_young(public_id: str, request_id: str):
    pages = child_pages.open_pages(current_user, g.child_link, public_id)
    found = feedback.request_in_case(pages.child, pages.case, request_id)
    if found.audience.value != "young":
        abort(404)
    return _questionnaire(
        found,
        url_for("feedback.answer_young", public_id=public_id, request_id=request_id),
        url_for("feedback.show_young_thanks"),
        young=True,
        back=url_for("child.show_start", public_id=public_id),
    )


@bp.route("/min-rost/tyck-till/tack")
@child_link
def show_young_thanks():
    """No case id in this address. With a code the way back is the code's own case; signed in, the list."""
    back = url_for("child.enter_code")
    if g.child_link is not None:
        try:
            back = url_for("child.show_start", public_id=child_pages.case_of_link(g.child_link).public_id)
        except NotFound:
            pass
    return render_template("feedback/show_thanks.html", back=back, young=True)


# --- A relative without an account ------------------------------------------------------------------------


@bp.route("/inbjudan/tyck-till", methods=["GET", "POST"])
@invitation_link
def answer_as_guest():
    found = feedback.request_for_invitation(g.invitation_link.invitation_id)
    if found is None:
        abort(404)
    return _questionnaire(
        found,
        url_for("feedback.answer_as_guest"),
        url_for("feedback.show_guest_thanks"),
        back=url_for("invitations.show_invitation"),
    )


@bp.route("/inbjudan/tyck-till/tack")
@invitation_link
def show_guest_thanks():
    return render_template(
        "feedback/show_thanks.html", back=url_for("invitations.show_invitation"), young=False
    )
