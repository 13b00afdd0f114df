"""Aviseringar: the person's Web Push settings [issue 8] [QUALITY 6].

- The page says what a notification is and that it never tells anything about health. The browser asks for
  permission only after the person taps "Slå på aviseringar" (static/js/push.js); iPhone needs the app on
  the home screen first, so the page links to "Installera Min SIP".
- Which kinds (a plain form, works without JavaScript) and the list of devices, each with "Stäng av".
- ``POST /aviseringar/enheter`` takes the browser's PushSubscription as JSON (CSRF token in the X-CSRFToken
  header, which Flask-WTF reads) and answers JSON: 201, or 400 for a body that is not a subscription, 422
  for one the service refuses, 413 for a body far too big. Never a 500 for what a client sends.
- E-mail and SMS [issue 18]: the person's address and mobile number and whether they want e-mail and/or SMS
  when something new is in Min SIP (``POST /aviseringar/sms-och-e-post``, services/outreach.py). The page
  shows the exact text that is sent, and says so when this Min SIP cannot send e-mail or SMS.
- Staff never get pushes (they read their messages at work): ``@citizen`` gives them 403.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from citizen_app.services import NotFound, outreach, push
from citizen_app.web.forms import add_errors, form_page
from citizen_app.web.forms.notification_settings import ContactForm, KindsForm, RemoveDeviceForm
from citizen_app.web.guards import citizen

bp = Blueprint("notification_settings", __name__)

# A real subscription is well under 1 KB; anything much bigger is not one.
MAX_BODY_BYTES = 4096
# What push.js may send as the device's name. Anything else is stored without a name.
DEVICE_LABELS = ("Android", "iPhone", "iPad", "Dator")
INSTALL_PATH = "/installera"


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _json_error(message: str, status: int):
    return jsonify({"error": message}), status


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    """push.js gets a JSON answer it can act on; a form gets the usual error page."""
    if _wants_json():
        return _json_error(_("Sidan var öppen för länge. Ladda om sidan och försök igen."), 400)
    return render_template("errors/error.html", status="csrf"), 400


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Over the app's MAX_CONTENT_LENGTH: refused while the CSRF check reads the body, before the view."""
    if _wants_json():
        return _json_error(_("Aviseringar kunde inte slås på i den här webbläsaren."), 413)
    return render_template("errors/error.html", status=413), 413


def _install_page_exists() -> bool:
    return any(rule.rule == INSTALL_PATH for rule in current_app.url_map.iter_rules())


def _settings_page(contact_form: ContactForm | None = None):
    if contact_form is None:
        chosen = outreach.choice_of(current_user)
        contact_form = ContactForm(
            data={
                "email": chosen.email,
                "phone": chosen.phone,
                "by_email": "yes" if chosen.by_email else "",
                "by_sms": "yes" if chosen.by_sms else "",
            }
        )
    return form_page(
        "notification_settings/show_settings.html",
        contact_form,
        kinds_form=KindsForm(data={"kinds": push.chosen_kinds(current_user)}),
        devices=push.devices_of(current_user),
        kinds=push.KINDS,
        vapid_public_key=current_app.config.get("VAPID_PUBLIC_KEY") or "",
        install_url=INSTALL_PATH if _install_page_exists() else None,
        push_text=push.GENERIC_TEXT,
        email_on=outreach.is_on(outreach.EMAIL),
        sms_on=outreach.is_on(outreach.SMS),
        quiet_minutes=current_app.config.get("OUTREACH_QUIET_MINUTES", 60),
    )


@bp.route("/aviseringar")
@citizen
def show_settings():
    return _settings_page()


@bp.route("/aviseringar/sms-och-e-post", methods=["POST"])
@citizen
def choose_contact():
    form = ContactForm()
    try:
        outreach.choose(
            current_user,
            email=form.email.data,
            phone=form.phone.data,
            by_email=form.by_email.data == "yes",
            by_sms=form.by_sms.data == "yes",
        )
    except outreach.InvalidContact as invalid:
        add_errors(form, invalid.errors)
        return _settings_page(form)
    flash(_("Dina val är sparade."), "success")
    return redirect(url_for("notification_settings.show_settings"), 303)


@bp.route("/aviseringar/val", methods=["POST"])
@citizen
def choose_kinds():
    push.choose_kinds(current_user, KindsForm().kinds.data)
    flash(_("Dina val är sparade."), "success")
    return redirect(url_for("notification_settings.show_settings"), 303)


def _json_body() -> dict | None:
    """The request's JSON object, or None when the body is not one (bad bytes, bad JSON, too deep)."""
    raw = request.get_data(cache=False)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return body if isinstance(body, dict) else None


def _too_big() -> bool:
    return request.content_length is not None and request.content_length > MAX_BODY_BYTES


@bp.route("/aviseringar/enheter", methods=["POST"])
@citizen
def add_device():
    """The browser's PushSubscription as JSON ({"endpoint", "keys": {"p256dh", "auth"}}) and a device name."""
    refused = _("Aviseringar kunde inte slås på i den här webbläsaren.")
    if _too_big():
        return _json_error(refused, 413)
    body = _json_body()
    keys = body.get("keys") if body else None
    if not isinstance(keys, dict):
        return _json_error(refused, 400)
    endpoint, p256dh, auth = body.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(value, str) for value in (endpoint, p256dh, auth)):
        return _json_error(refused, 400)
    label = body.get("device") if body.get("device") in DEVICE_LABELS else ""
    try:
        device = push.subscribe(current_user, endpoint, p256dh, auth, label)
    except push.InvalidSubscription as invalid:
        return _json_error(_(invalid.message), 422)
    flash(_("Nu får du aviseringar på den här enheten."), "success")  # shown when push.js reloads the page
    return jsonify({"device": device.public_id}), 201


@bp.route("/aviseringar/enheter/ta-bort", methods=["POST"])
@citizen
def remove_device():
    """A form names the device by its public id ("Stäng av" in the list); push.js names this browser's
    subscription by its endpoint ("Stäng av på den här enheten"). Someone else's device is not found."""
    form = RemoveDeviceForm()
    if form.was_posted:
        push.unsubscribe(current_user, public_id=form.device.data)  # NotFound → 404 page
        flash(_("Aviseringar är avstängda på den enheten."), "success")
        return redirect(url_for("notification_settings.show_settings"), 303)
    if _too_big():
        return _json_error(_("Sidan finns inte."), 413)
    body = _json_body()
    endpoint = body.get("endpoint") if body else None
    if not isinstance(endpoint, str):
        return _json_error(_("Sidan finns inte."), 400)
    try:
        push.unsubscribe(current_user, endpoint=endpoint)
    except NotFound:
        return _json_error(_("Sidan finns inte."), 404)
    flash(_("Aviseringar är avstängda på den här enheten."), "success")
    return jsonify({"removed": True}), 200
