"""Acceptance journey of issue 18, in a real browser: the coordinator invites a relative whose link arrives by
e-mail (read from the test SMTP server) and works.

The live server is given the settings of a real SMTP server started here (tests/support/mail_server.py); its
jobs run right after the commit (the test mode's "sync" backend), so the e-mail is there when the page is.

Sara Holm (demo guardian) has asked for a SIP for Oskar; Kent Olofsson (demo coordinator at Socialtjänsten
Exempelstad) has accepted it, Sara has consented, added Oskar's grandmother Eva with her e-mail address, and
Kent has set the meeting: all through the services in the live server. Then, on a 360 px phone with the
keyboard alone:
1. Kent signs in on the test-identity page, opens the meeting page and invites Eva. The page says the link
   is sent to her address; no link is shown to copy.
2. Eva's e-mail is read from the SMTP server: the fixed text, nothing about Oskar or his health, and one link.
3. On her own phone, not signed in, Eva opens the link and sees her invitation.
4. Kent sends her a new link; the old one stops working and the new one, also by e-mail, works.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import (
    WIDTHS,
    check_box,
    check_key_page,
    check_page,
    h1_text,
    main_text,
    press_enter_and_load,
    requested_accepted_and_consented,
    sign_in_with_the_keyboard,
    tab_to,
    tab_to_button,
    tab_to_link,
)
from tests.support.mail_server import MailServer

pytestmark = pytest.mark.browser

GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
COORDINATOR = "Kent Olofsson"
OWNING_UNIT = "Socialtjänsten Exempelstad"
COVERED_UNIT = "Björkskolan"
RELATIVE = "Eva Holm"
RELATIVE_EMAIL = "eva.holm@exempel.se"
NEED = "Oskar vill inte gå till skolan. Han sover dåligt."
PLACE = "Björkskolan, rum 12"
STOCKHOLM = ZoneInfo("Europe/Stockholm")

# What the e-mail must never carry.
NOT_IN_THE_EMAIL = (CHILD, "Oskar", "Sara", NEED, PLACE, OWNING_UNIT, COVERED_UNIT, COORDINATOR)


@pytest.fixture(scope="module")
def mail(live_server):
    """A real SMTP server, and the live server set to send its e-mail there (put back afterwards)."""
    settings = ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USERNAME", "SMTP_PASSWORD", "MAIL_FROM")
    before = {key: live_server.app.config.get(key) for key in settings}
    with MailServer() as server:
        live_server.app.config.update(server.app_settings())
        try:
            yield server
        finally:
            live_server.app.config.update(before)


def _oskars_meeting_with_eva_invited_by_email(live_server) -> str:
    """Sara asks, Kent accepts, Sara consents and adds Eva with her e-mail, Kent sets the meeting."""
    from citizen_app.extensions import db
    from citizen_app.services import meetings, preparation

    with live_server.app.app_context():
        sara, kent, _units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need=NEED,
            requested=(OWNING_UNIT, COVERED_UNIT),
            consented=(OWNING_UNIT, COVERED_UNIT),
        )
        preparation.add_guest(sara, case, RELATIVE, RELATIVE_EMAIL, support_person=False)
        day = datetime.now(STOCKHOLM).replace(hour=13, minute=30, second=0, microsecond=0) + timedelta(
            days=21
        )
        meetings.set_meeting(
            kent,
            case,
            starts_at=day,
            length_minutes=60,
            mode="in_person",
            place=PLACE,
            interpreter_language="",
            other_needs="",
        )
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


def live_base(page) -> str:
    split = urlsplit(page.url)
    return f"{split.scheme}://{split.netloc}"


def coordinator_invites_eva(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    page.goto(f"/personal/sip/{case_id}/motet")
    assert h1_text(page) == f"Mötet för {CHILD}"
    tab_to_link(page, "Bjud in")
    press_enter_and_load(page)
    assert h1_text(page) == "Bjud in till mötet"
    check_box(page, f"{RELATIVE} (närstående)")
    tab_to_button(page, "Skicka inbjudan")
    press_enter_and_load(page)
    # Sent by e-mail: back on the meeting page, told where it went, with no link to copy.
    assert h1_text(page) == f"Mötet för {CHILD}"
    text = main_text(page)
    assert f"Länken till {RELATIVE} är skickad till {RELATIVE_EMAIL}." in text
    assert page.locator("input.meeting-links__url").count() == 0, "no link to copy"
    assert f"{live_base(page)}/inbjudan/" not in page.content()
    check_key_page(page, "staff meeting page, the link sent by e-mail")


def the_email_to_eva(mail: MailServer, count: int) -> str:
    messages = mail.wait_for(count)
    message = messages[count - 1]
    assert message["To"] == RELATIVE_EMAIL
    assert message["Subject"] == "Inbjudan till ett möte i Min SIP"
    body = MailServer.text_of(message)
    assert "Du är inbjuden till ett möte i Min SIP." in body
    for secret in NOT_IN_THE_EMAIL:
        assert secret not in body, f"the e-mail names {secret!r}"
    (link,) = MailServer.links_in(message)
    assert urlsplit(link).path.startswith("/inbjudan/")
    return link


def eva_opens_the_link(page, link: str) -> None:
    response = page.goto(link)
    assert response is not None and response.status == 200
    assert urlsplit(page.url).path == "/inbjudan", "the secret should leave the address bar at once"
    assert h1_text(page) == "Du är inbjuden till ett möte"
    text = main_text(page)
    assert CHILD in text and PLACE in text
    check_key_page(page, "the relative's invitation, opened from the e-mail")


def coordinator_sends_a_new_link(page) -> None:
    tab_to_link(page, f"Skicka en ny länk till {RELATIVE}")
    press_enter_and_load(page)
    assert h1_text(page) == f"Skicka en ny länk till {RELATIVE}"
    assert "Den gamla länken slutar då att fungera." in main_text(page)
    check_page(page, label="send a new link")
    tab_to(page, "the address field", "el.id === 'address'")
    assert page.evaluate("document.activeElement.value") == RELATIVE_EMAIL
    tab_to_button(page, "Skicka en ny länk")
    press_enter_and_load(page)
    assert h1_text(page) == f"Mötet för {CHILD}"
    assert (
        f"En ny länk är skickad till {RELATIVE_EMAIL}. Den gamla länken fungerar inte längre."
        in main_text(page)
    )


def test_the_coordinator_invites_a_relative_whose_link_arrives_by_email_and_works(
    new_page, live_server, mail
):
    case_id = _oskars_meeting_with_eva_invited_by_email(live_server)
    mail.clear()

    kent = new_page(width=WIDTHS[0])
    coordinator_invites_eva(kent, case_id)
    first = the_email_to_eva(mail, 1)

    eva = new_page(width=WIDTHS[0])  # her own phone: no account, not signed in
    eva_opens_the_link(eva, first)

    coordinator_sends_a_new_link(kent)
    second = the_email_to_eva(mail, 2)
    assert second != first

    later = new_page(width=WIDTHS[0])  # the old link, on another phone: closed
    later.goto(first)
    assert h1_text(later) != "Du är inbjuden till ett möte"
    assert "Länken eller koden fungerar inte." in main_text(later)
    eva_opens_the_link(new_page(width=WIDTHS[0]), second)
