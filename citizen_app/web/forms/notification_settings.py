"""The forms of the notification settings page (web/notification_settings.py). The subscription push.js
sends is JSON, read by the view, not a form."""

from __future__ import annotations

from citizen_app.services import N_
from citizen_app.web.forms import Choices, Form, Text


class KindsForm(Form):
    """The kinds of notification checked; services/push.py keeps the ones it knows."""

    kinds = Choices()


class RemoveDeviceForm(Form):
    """ "Stäng av" in the list of devices: the device's public id."""

    device = Text()


class ContactForm(Form):
    """E-mail and SMS: the person's address and mobile number, and which of them they want
    (services/outreach.py checks them)."""

    email = Text(N_("Din e-postadress"))
    phone = Text(N_("Ditt mobilnummer"), description=N_("Till exempel 070-123 45 67."))
    by_email = Text(N_("Skicka e-post till mig"))
    by_sms = Text(N_("Skicka sms till mig"))
