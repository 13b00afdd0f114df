"""How many rows an UPDATE or DELETE in the request's transaction changed."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update

from citizen_app.extensions import db


def rows_changed(statement: Update | Delete) -> int:
    """Run ``statement`` in the request's session and count the rows it changed.

    For an UPDATE or DELETE the session gives back a CursorResult, which knows the count; SQLAlchemy types
    ``Session.execute`` as returning a plain Result for any statement, so the cast says which one it is.
    """
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount
