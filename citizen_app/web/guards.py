"""Access decorators. Every route names exactly one; a test walks the route table to make sure.

- ``public``: anyone, signed in or not.
- ``citizen``: a signed-in person (not staff). Case-level checks are then made with ``access.can``.
- ``staff``: a signed-in staff user.
- ``signed_in``: any signed-in user (their own messages, settings).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

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
