"""A relative's invitation, opened with their personal link [issue 5]. No account, no e-ID.

The link holds a random secret. Opening it puts the link's id (never the secret) in the session and sends the
browser on to /inbjudan, so the secret is not left in the address bar, the history or a Referer header.
Every later request re-checks the link (guards.invitation_link): revoking or expiry works at once.

Through the link a relative sees the meeting, who is invited, the person's agenda if the person shares it,
and can answer and suggest a topic. Never the plan, the consent or the person's other answers.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _

from citizen_app.pages import meeting as meeting_pages
from citizen_app.ratelimit import limiter
from citizen_app.services import NotAllowed, access_links, feedback, meetings, preparation
from citizen_app.web import guards
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.invitations import GuestAnswerForm, TopicForm
from citizen_app.web.guards import creates, invitation_link, public

bp = Blueprint("invitations", __name__, url_prefix="/inbjudan")


def _open_limit() -> str:
    """[QUALITY 4] Opening links is rate-limited per client address, so secrets cannot be guessed in bulk."""
    return current_app.config.get("INVITATION_LINK_RATE_LIMIT", "20 per minute")


@bp.route("/<string(minlength=20,maxlength=200):secret>")
@public
@limiter.limit(_open_limit)
def open_invitation(secret: str):
    try:
        link = access_links.open_link(secret, access_links.RELATIVE_INVITATION)
    except access_links.LinkNotValid as refused:
        return render_template("invitations/link_not_valid.html", message=_(refused.message)), 404
    session.pop(guards.INVITATION_LINK_KEY, None)
    session[guards.INVITATION_LINK_KEY] = link.id
    return redirect(url_for("invitations.show_invitation"), 303)


def _page() -> meeting_pages.GuestPage:
    return meeting_pages.guest_page(g.invitation_link)


@bp.route("")
@invitation_link
def show_invitation():
    return _invitation_page(_page(), TopicForm())


def _invitation_page(page: meeting_pages.GuestPage, posted: GuestAnswerForm | TopicForm):
    """The invitation page with its two forms: only the one posted has errors (and keeps the topic typed)."""
    return form_page(
        "invitations/show_invitation.html",
        posted,
        answer_form=posted if isinstance(posted, GuestAnswerForm) else GuestAnswerForm(formdata=None),
        topic_form=posted if isinstance(posted, TopicForm) else TopicForm(formdata=None),
        page=page,
        # After the meeting a relative who came is asked "Tyck till om mötet" [issue 7].
        feedback_request=feedback.request_for_invitation(g.invitation_link.invitation_id),
    )


@bp.route("/svar", methods=["POST"])
@invitation_link
@creates
def answer():
    form = GuestAnswerForm()
    status = form.status.data
    try:
        meetings.answer_as_guest(g.invitation_link.id, status)
    except meetings.InvalidMeeting as invalid:
        add_errors(form, invalid.errors)
        return _invitation_page(_page(), form)
    except NotAllowed as refused:
        flash(_(refused.message), "info")
    else:
        flash(
            {
                "accepted": _("Tack! Du har svarat att du kommer."),
                "by_phone": _("Tack! Du har svarat att du är med på telefon."),
                "declined": _("Tack! Du har svarat att du inte kommer."),
            }[status],
            "success",
        )
    return redirect(url_for("invitations.show_invitation"), 303)


@bp.route("/forslag", methods=["POST"])
@invitation_link
@creates
def suggest_topic():
    """A topic the relative wants to talk about. The person decides if it goes on the agenda."""
    page = _page()
    form = TopicForm()
    if not page.is_open:
        flash(_("Inbjudan gäller inte längre."), "info")
        return redirect(url_for("invitations.show_invitation"), 303)
    try:
        preparation.suggest_topic(
            meeting_pages.case_of_link(g.invitation_link), page.invitation.id, form.text.data
        )
    except preparation.InvalidAnswer as invalid:
        add_errors(form, invalid.errors)
        return _invitation_page(page, form)
    flash(_("Tack! Ditt förslag är skickat. Personen bestämmer om det tas upp."), "success")
    return redirect(url_for("invitations.show_invitation"), 303)


@bp.route("/kalender")
@invitation_link
def download_calendar():
    """The meeting as a calendar file, for a relative who said yes. Time and place only."""
    page = _page()
    if not page.may_download_calendar or not page.is_open:
        return redirect(url_for("invitations.show_invitation"), 303)
    return calendar_response(page.contents.meeting)


def calendar_response(meeting) -> Response:
    """An .ics download: a translated title and the place, link or number; no names, nothing about health."""
    mode, where = meeting_pages.calendar_place(meeting)
    if mode == "video":
        where = _("Videomöte: %(link)s", link=where)
    elif mode == "phone":
        where = _("Telefonmöte: ring %(number)s", number=where)
    return Response(
        meetings.ics(meeting, _("Möte i Min SIP"), where),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="mote-min-sip.ics"',
            "Cache-Control": "no-store",
        },
    )
