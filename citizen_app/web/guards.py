"""Access decorators. Every route names exactly one; a test walks the route table to make sure.

- ``public``: anyone, signed in or not.
- ``citizen``: a signed-in person (not staff). Case-level checks are then made with ``access.can``.
- ``staff``: a signed-in staff user.
- ``signed_in``: any signed-in user (their own messages, settings).
- ``child_link``: the child's own pages ("Min röst"): a signed-in person (the service then checks it is the
  child), or someone who opened the child's code or link in this browser session. The link is re-checked on
  every request, so revoking or expiry works at once.
- ``invitation_link``: a relative's invitation pages, opened with their personal link in this session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from citizen_app.services import access_links

RULE_ATTRIBUTE = "access_rule"


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
