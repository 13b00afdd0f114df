"""The child's own pages, "Min röst" [issue 5] [SIP.md 6].

The child opens them with the code a guardian (or the coordinator) gave them, or signs in with their own
e-ID. A code is typed on /min-rost (or arrives as /min-rost/<code>); only the link's id is kept in the session
and the child is sent on to a URL without the code. Then: a start page with the steps of a SIP in pictures,
one question per page (each saved on its own, with the child's choice whether the guardians may read it),
and "Klart!" with every answer and who sees it. "Stäng" forgets the code in this browser.

Whose pages these are is decided in pages/child.py, what may be answered and who reads it in
services/preparation.py. Words on these pages are for children: LIX ≤ 28.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from citizen_app.pages import child as child_pages
from citizen_app.ratelimit import limiter
from citizen_app.services import NotFound, access_links, feedback, preparation
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.child import ChildAnswerForm, EnterCodeForm
from citizen_app.web.guards import CHILD_LINK_KEY, child_link, public

bp = Blueprint("child", __name__)

# The questions in order, each with its page's address (Swedish kebab-case).
SLUGS = {
    "important": "viktigt",
    "works": "gar-bra",
    "not_working": "gar-inte-bra",
    "want_to_happen": "vill-ska-handa",
    "who_at_meeting": "vem-ska-vara-med",
    "attend": "vill-du-vara-med",
    "who_tells": "vem-berattar",
    "not_talk_about": "inte-prata-om",
}
THEME_OF_SLUG = {slug: theme for theme, slug in SLUGS.items()}
# An unknown question is "not found" by the routing itself.
_QUESTION = "<any(" + ", ".join(f'"{slug}"' for slug in SLUGS.values()) + "):slug>"


def _code_limit() -> str:
    """Guessing codes is slowed like guessing sign-ins: SIGN_IN_RATE_LIMIT (10 per minute per address)."""
    return current_app.config["SIGN_IN_RATE_LIMIT"]


# The form and the link form share one count, so switching between them does not give more guesses.
_code_attempts = limiter.shared_limit(_code_limit, scope="child-code", methods=["POST"])
_link_attempts = limiter.shared_limit(_code_limit, scope="child-code")


def _open_code(code: str):
    """Remember the opened code's link in the session and go to the child's start page; else the error."""
    try:
        link = access_links.open_link(code, access_links.CHILD_PAGES)
        case = child_pages.case_of_link(link)
    except (access_links.LinkNotValid, NotFound):
        return None
    session[CHILD_LINK_KEY] = link.id
    return redirect(url_for("child.show_start", public_id=case.public_id), 303)


def _enter_code_page(form: EnterCodeForm):
    """The page to type a code on: 422 when the form has an error (no code, or one that opens nothing)."""
    own_cases = []
    if current_user.is_authenticated and not current_user.is_staff:
        own_cases = child_pages.open_cases_of_child(current_user)
    return form_page("child/enter_code.html", form, own_cases=own_cases)


def _wrong_code(form: EnterCodeForm):
    add_errors(form, {"code": access_links.LinkNotValid().message})
    return _enter_code_page(form)


@bp.route("/min-rost", methods=["GET", "POST"])
@public
@_code_attempts
def enter_code():
    """ "Skriv din kod": the code from a guardian, typed with or without the dash, in small or big letters."""
    form = EnterCodeForm()
    if request.method == "POST":
        if not form.validate():
            return _enter_code_page(form)
        opened = _open_code(form.code.data)
        if opened is not None:
            return opened
        return _wrong_code(form)
    return _enter_code_page(form)


@bp.route("/min-rost/stangd")
@public
def show_closed():
    return render_template("child/show_closed.html")


@bp.route("/min-rost/stang", methods=["POST"])
@public
def close():
    """Forget the code in this browser, so the next person at this device cannot read the answers."""
    session.pop(CHILD_LINK_KEY, None)
    return redirect(url_for("child.show_closed"), 303)


@bp.route("/min-rost/<string(maxlength=200):code>")
@public
@_link_attempts
def open_code_link(code: str):
    """A link with the code in it: open it, then go on to a URL without it (nothing secret in history)."""
    opened = _open_code(code)
    if opened is not None:
        return opened
    return _wrong_code(EnterCodeForm(formdata=None))


def _pages(public_id: str) -> child_pages.ChildPages:
    return child_pages.open_pages(current_user, g.child_link, public_id)


@bp.route("/min-rost/sip/<string(length=22):public_id>")
@child_link
def show_start(public_id: str):
    pages = _pages(public_id)
    answers = preparation.child_answers_for(pages.child, pages.case)
    first_open = next((t for t in preparation.CHILD_THEMES if t not in answers), preparation.CHILD_THEMES[0])
    return render_template(
        "child/show_start.html",
        pages=pages,
        moment=child_pages.meeting_moment(pages.case),
        answers=answers,
        steps=child_pages.CHILD_STEPS,
        slugs=SLUGS,
        start_slug=SLUGS[first_open],
        # After the meeting: "Vad tyckte du om mötet?" [issue 7]
        feedback_request=feedback.open_request_in_case(pages.child, pages.case),
    )


@bp.route(f"/min-rost/sip/<string(length=22):public_id>/fraga/{_QUESTION}", methods=["GET", "POST"])
@child_link
def answer_question(public_id: str, slug: str):
    theme = THEME_OF_SLUG[slug]
    pages = _pages(public_id)
    themes = preparation.CHILD_THEMES
    index = themes.index(theme)
    after = (
        url_for("child.answer_question", public_id=public_id, slug=SLUGS[themes[index + 1]])
        if index + 1 < len(themes)
        else url_for("child.show_done", public_id=public_id)
    )
    before = (
        url_for("child.answer_question", public_id=public_id, slug=SLUGS[themes[index - 1]])
        if index > 0
        else url_for("child.show_start", public_id=public_id)
    )
    if request.method == "POST":
        form = ChildAnswerForm()
        try:
            preparation.save_child_answer(
                pages.child,
                pages.case,
                theme,
                form.text.data,
                form.guardians_may_see,
                choice=form.choice.data,
            )
        except preparation.InvalidAnswer as refused:
            add_errors(form, refused.errors)
        else:
            return redirect(after, 303)
    else:
        form = ChildAnswerForm.of(preparation.child_answers_for(pages.child, pages.case).get(theme))
    return form_page(
        "child/answer_question.html",
        form,
        pages=pages,
        theme=theme,
        number=index + 1,
        total=len(themes),
        back=before,
        skip=after,
        action=url_for("child.answer_question", public_id=public_id, slug=slug),
        private=theme in preparation.CHILD_PRIVATE_THEMES,
        attend_choices=preparation.CHILD_ATTEND,
    )


@bp.route("/min-rost/sip/<string(length=22):public_id>/klart")
@child_link
def show_done(public_id: str):
    pages = _pages(public_id)
    return render_template(
        "child/show_done.html",
        pages=pages,
        moment=child_pages.meeting_moment(pages.case),
        answers=preparation.child_answers_for(pages.child, pages.case),
        themes=preparation.CHILD_THEMES,
        slugs=SLUGS,
    )
