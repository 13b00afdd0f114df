"""In-app messages ("Meddelanden") for citizens and staff, with the unread count in every page's header."""

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_login import current_user

from citizen_app.services import notifications
from citizen_app.web.guards import signed_in

bp = Blueprint("messages", __name__)


@bp.app_context_processor
def unread_messages():
    """The header's "Meddelanden (2)": one count on the recipient's (id, read_at) index, at most once per
    request however many templates it renders (issue 17); none for someone not signed in."""
    if not current_user.is_authenticated:
        return {"unread_message_count": 0}
    if "unread_message_count" not in g:
        g.unread_message_count = notifications.unread_count(current_user)
    return {"unread_message_count": g.unread_message_count}


@bp.route("/meddelanden")
@signed_in
def list_messages():
    messages = notifications.list_for(current_user)
    return render_template(
        "messages/list_messages.html",
        messages=messages,
        openable=notifications.openable_cases(current_user, messages),
    )


@bp.route("/meddelanden/<string(length=22):public_id>/last", methods=["POST"])
@signed_in
def mark_read(public_id: str):
    """Works as a plain form (303 back to the list) and with htmx (the updated message alone)."""
    message = notifications.mark_read(current_user, public_id)
    if request.htmx:  # type: ignore[attr-defined]  # htmx-flask adds .htmx to each request when it runs
        response = render_template(
            "messages/_message.html",
            message=message,
            openable=notifications.openable_cases(current_user, [message]),
            oob_count=True,
            unread_message_count=notifications.unread_count(current_user),
        )
        return response
    return redirect(url_for("messages.list_messages") + "#message-" + public_id, 303)


@bp.route("/meddelanden/alla-lasta", methods=["POST"])
@signed_in
def mark_all_read():
    notifications.mark_all_read(current_user)
    return redirect(url_for("messages.list_messages"), 303)
