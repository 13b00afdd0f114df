"""The forms of the notification settings page (web/notification_settings.py). The subscription push.js
sends is JSON, read by the view, not a form."""

from __future__ import annotations

from citizen_app.web.forms import Choices, Form, Text


class KindsForm(Form):
    """The kinds of notification checked; services/push.py keeps the ones it knows."""

    kinds = Choices()


class RemoveDeviceForm(Form):
    """ "Stäng av" in the list of devices: the device's public id."""

    device = Text()
