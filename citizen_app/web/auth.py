"""Signing in and out: e-ID (OpenID Connect) in production, a test-identity list in demo mode."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from citizen_app import oidc, sessions
from citizen_app.ratelimit import limiter
from citizen_app.services import demo, people
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.auth import NO_SUCH_IDENTITY, TestIdentityForm
from citizen_app.web.guards import public, signed_in
from citizen_app.web.pages import _safe_next

bp = Blueprint("auth", __name__)

# Where to go after the e-ID round trip; read before sessions.sign_in() starts a fresh session.
_NEXT_KEY = "sign_in_next"
# HTTP status of each failed e-ID sign-in: our answer to a bad request, or the broker being away.
_FAILURE_STATUS = {"unreachable": 503}


def _sign_in_limit() -> str:
    """[QUALITY 4] Rate limits on sign-in: per client address, SIGN_IN_RATE_LIMIT (default 10 per minute)."""
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _demo_login_enabled() -> bool:
    """The test-identity list: outside production only. The mode is checked as well as the setting, so not
    even a config override in code can open it on a production app."""
    return (
        bool(current_app.config["DEMO_LOGIN_ENABLED"]) and current_app.config["MINSIP_MODE"] != "production"
    )


def _sign_in_page(staff: bool):
    audience = "personal" if staff else "invanare"
    return render_template(
        "auth/sign_in.html",
        demo_enabled=_demo_login_enabled(),
        oidc_configured=oidc.is_configured(audience),
        staff=staff,
    )


@bp.route("/logga-in")
@public
def sign_in():
    return _sign_in_page(staff=False)


@bp.route("/personal/logga-in")
@public
def sign_in_staff():
    return _sign_in_page(staff=True)


@bp.route("/logga-in/testidentitet", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in_test_identity():
    """Demo only. Never reachable in production (see _demo_login_enabled)."""
    if not _demo_login_enabled():
        abort(404)
    form = TestIdentityForm()
    if request.method == "POST":
        actor = demo.actor_for_test_identity(form.identity.data)
        if actor is not None and not actor.is_active:
            return _failed("personal", "deactivated")
        if actor is not None:
            sessions.sign_in(actor)
            default = url_for("staff.show_start") if actor.is_staff else url_for("start.show_start")
            target = request.args.get("next")
            return redirect(_safe_next(target) if target else default, 303)
        add_errors(form, {"identity": NO_SUCH_IDENTITY})
    return form_page("auth/test_identity.html", form, identities=demo.list_test_identities())


@bp.route("/logga-in/e-legitimation/<any(invanare, personal):audience>")
@public
@limiter.limit(_sign_in_limit)
def start_oidc(audience: str):
    """Send the person to the county's e-ID broker (authorization code flow with PKCE, state and nonce)."""
    if not oidc.is_configured(audience):
        abort(404)
    try:
        response = oidc.begin(audience, url_for("auth.finish_oidc", audience=audience, _external=True))
    except oidc.SignInFailed as failure:
        return _failed(audience, failure.reason)
    target = request.args.get("next")
    if target:
        session[_NEXT_KEY] = _safe_next(target)
    else:
        session.pop(_NEXT_KEY, None)
    return response


@bp.route("/logga-in/e-legitimation/<any(invanare, personal):audience>/klar")
@public
@limiter.limit(_sign_in_limit)
def finish_oidc(audience: str):
    """The broker sends the person back here with a code. Citizens get an account on their first visit;
    staff must already exist (a unit adds them), so an unknown staff member is refused, not created."""
    if not oidc.is_configured(audience):
        abort(404)
    target = session.pop(_NEXT_KEY, None)
    try:
        verified = oidc.finish(audience)
    except oidc.SignInFailed as failure:
        return _failed(audience, failure.reason)
    if audience == "personal":
        staff_member = people.staff_for_sign_in(verified.identity_number, verified.hsa_id)
        if staff_member is None:
            return _failed(audience, "not_staff")
        if not staff_member.is_active:
            return _failed(audience, "deactivated")
        sessions.sign_in(staff_member)
        default = url_for("staff.show_start")
    else:
        sessions.sign_in(people.get_or_create_person(verified.identity_number, verified.name))
        default = url_for("start.show_start")
    return redirect(_safe_next(target) if target else default, 303)


def _failed(audience: str, reason: str):
    status = 403 if reason in ("not_staff", "deactivated") else _FAILURE_STATUS.get(reason, 400)
    retry = url_for("auth.sign_in_staff") if audience == "personal" else url_for("auth.sign_in")
    return render_template("auth/sign_in_failed.html", reason=reason, retry=retry), status


@bp.route("/logga-ut", methods=["POST"])
@public
def sign_out_now():
    sessions.sign_out()
    response = redirect(url_for("auth.signed_out"), 303)
    return sessions.clear_site_data(response)


@bp.route("/logga-ut/alla-enheter", methods=["GET", "POST"])
@signed_in
def sign_out_everywhere():
    """ "Logga ut på alla enheter" [issue 12]: ends every session of the signed-in person or staff member, on
    every phone and computer, this one included. GET explains it; the button POSTs (with a CSRF token)."""
    if request.method == "GET":
        return render_template("auth/sign_out_everywhere.html")
    sessions.sign_out_everywhere()
    response = redirect(url_for("auth.signed_out"), 303)
    return sessions.clear_site_data(response)


@bp.route("/utloggad")
@public
def signed_out():
    return render_template("auth/signed_out.html")
