"""Access decorators. Every route names exactly one; a test walks the route table to make sure.

- ``public``: anyone, signed in or not.
- ``citizen``: a signed-in person (not staff). Case-level checks are then made with ``access.can``.
- ``staff``: a signed-in staff user.
- ``admin``: a signed-in staff user who administers the county's organisation (services/administrators.py).
- ``signed_in``: any signed-in user (their own messages, settings).
- ``child_link``: the child's own pages ("Min röst"): a signed-in person (the service then checks it is the
  child), or someone who opened the child's code or link in this browser session. The link is re-checked on
  every request, so revoking or expiry works at once.
- ``invitation_link``: a relative's invitation pages, opened with their personal link in this session.

Beside the one access rule, a view whose POST creates something carries ``@creates`` (below the rule): the
same form sent twice is taken once [QUALITY 5] (services/submissions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from citizen_app.services import access_links, administrators, submissions

RULE_ATTRIBUTE = "access_rule"
CREATES_ATTRIBUTE = "creates"
SUBMISSION_FIELD = "submission_id"  # the hidden field the csrf() macro puts in every form


def _mark(view: Callable, rule: str) -> Callable:
    setattr(view, RULE_ATTRIBUTE, rule)
    return view


def public(view: Callable) -> Callable:
    return _mark(view, "public")


def citizen(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")), 303)
        if current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return _mark(wrapped, "citizen")


def staff(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in_staff", next=request.full_path.rstrip("?")), 303)
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return _mark(wrapped, "staff")


def admin(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in_staff", next=request.full_path.rstrip("?")), 303)
        if not current_user.is_staff or not administrators.is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return _mark(wrapped, "admin")


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, citizen or staff: for pages that belong to the user, not to a case."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")), 303)
        return view(*args, **kwargs)

    return _mark(wrapped, "signed_in")


# Session keys holding the id of an opened link (never the secret itself).
CHILD_LINK_KEY = "child_link"
INVITATION_LINK_KEY = "invitation_link"


def _opened_link(key: str, purpose):
    link_id = session.get(key)
    if not isinstance(link_id, int):
        return None
    try:
        return access_links.still_valid(link_id, purpose)
    except access_links.LinkNotValid:
        session.pop(key, None)
        return None


def child_link(view: Callable) -> Callable:
    """``g.child_link`` is the opened child link, or None when a signed-in citizen uses the pages."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.child_link = _opened_link(CHILD_LINK_KEY, access_links.CHILD_PAGES)
        if g.child_link is None:
            if not current_user.is_authenticated:
                return redirect(url_for("child.enter_code"), 303)
            if current_user.is_staff:
                abort(403)
        return view(*args, **kwargs)

    return _mark(wrapped, "child_link")


def invitation_link(view: Callable) -> Callable:
    """``g.invitation_link`` is the relative's opened link; without one the page is not found."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.invitation_link = _opened_link(INVITATION_LINK_KEY, access_links.RELATIVE_INVITATION)
        if g.invitation_link is None:
            abort(404)
        return view(*args, **kwargs)

    return _mark(wrapped, "invitation_link")


# --- A form that creates something is taken once -----------------------------------------------------------


def _submitting_actor() -> str | None:
    """Who sent the form: a signed-in user, or the child's or relative's link opened in this session."""
    if current_user.is_authenticated:
        return current_user.get_id()
    if g.get("child_link") is not None:
        return f"child-link:{g.child_link.id}"
    if g.get("invitation_link") is not None:
        return f"invitation-link:{g.invitation_link.id}"
    return None


def _redirect_location(response) -> str | None:
    return response.location if 300 <= response.status_code < 400 else None


def creates(view: Callable) -> Callable:
    """The POST creates something (a report, a request, a consent, a comment, an answer ...): a double click,
    a reload or a second tab sends the same form again, and must not create it twice [QUALITY 5] [issue 12].

    Goes below the access rule, so the actor is known. A POST with the form's ``submission_id`` claims it
    before the view runs; the same form sent again is not run but sent where the first one led, with a calm
    message. A POST without a token (an old page, a script) runs as before. See services/submissions.py.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = request.form.get(SUBMISSION_FIELD) if request.method == "POST" else None
        actor = _submitting_actor()
        if actor is None or not submissions.is_token(token):
            return view(*args, **kwargs)
        try:
            claimed = submissions.claim(actor, token)
        except submissions.AlreadyReceived as earlier:
            flash(_("Vi har redan tagit emot det här."), "info")
            return redirect(earlier.location or url_for("start.show_start"), 303)
        try:
            response = make_response(view(*args, **kwargs))
        except HTTPException as stopped:
            if stopped.response is not None and stopped.response.status_code < 400:
                # abort(redirect(...)): an answer like any other
                submissions.settle(claimed, _redirect_location(stopped.response))
            raise  # an error: the request's transaction rolls back, the claim with it
        if response.status_code < 400:
            submissions.settle(claimed, _redirect_location(response))
        return response

    setattr(wrapped, CREATES_ATTRIBUTE, True)
    return wrapped
