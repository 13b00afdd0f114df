"""Signing in and out: e-ID (OpenID Connect) in production, a test-identity list in demo mode."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from citizen_app.ratelimit import limiter
from citizen_app.services import demo
from citizen_app import sessions
from citizen_app.web.guards import public
from citizen_app.web.pages import _safe_next

bp = Blueprint("auth", __name__)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/logga-in")
@public
def sign_in():
    return render_template(
        "auth/sign_in.html", demo_enabled=current_app.config["DEMO_LOGIN_ENABLED"], staff=False
    )


@bp.route("/personal/logga-in")
@public
def sign_in_staff():
    return render_template(
        "auth/sign_in.html", demo_enabled=current_app.config["DEMO_LOGIN_ENABLED"], staff=True
    )


@bp.route("/logga-in/testidentitet", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in_test_identity():
    """Demo only. Never reachable in production: the config value is derived from the mode."""
    if not current_app.config["DEMO_LOGIN_ENABLED"]:
        abort(404)
    identities = demo.list_test_identities()
    error = None
    if request.method == "POST":
        chosen = request.form.get("identity", "")
        actor = demo.actor_for_test_identity(chosen)
        if actor is not None:
            sessions.sign_in(actor)
            default = url_for("staff.show_start") if actor.is_staff else url_for("start.show_start")
            target = request.args.get("next")
            return redirect(_safe_next(target) if target else default, 303)
        error = "identity"
    status = 422 if error else 200
    return render_template("auth/test_identity.html", identities=identities, error=error), status


@bp.route("/logga-ut", methods=["POST"])
@public
def sign_out_now():
    sessions.sign_out()
    response = redirect(url_for("auth.signed_out"), 303)
    return sessions.clear_site_data(response)


@bp.route("/utloggad")
@public
def signed_out():
    return render_template("auth/signed_out.html")
