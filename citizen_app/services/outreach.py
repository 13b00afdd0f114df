"""E-mail and SMS: reaching people outside the app [issue 18] [QUALITY 5, 6].

What goes out, and nothing else (always Swedish, always these fixed texts, never a word about health, a unit
or a case):
- About a new message, to a person who chose e-mail and/or SMS on "Aviseringar": "Du har ett nytt meddelande
  i Min SIP." and the app's address. A delivery channel of ``notifications.notify`` beside Web Push; it
  follows the same choice of kinds as the pushes.
- A relative's personal invitation link, to the phone or e-mail the coordinator has
  (``send_relative_link``).
- A child's code for "Min röst", to the phone or e-mail the guardian or coordinator types
  (``send_child_code``).

Not flooding: at most one e-mail and one SMS about new messages per person per OUTREACH_QUIET_MINUTES (60 by
default). Messages that come within that time wait in the app; the person reads them all when they sign in.

Sending is a background job (services/jobs.py), like a push: the request only writes a ``MessageOutbox`` row,
and ``deliver`` sends it after the commit. At most once per row: a sender takes the row (PENDING → SENDING,
committed) before it sends, so a job that runs twice sends once. A row is tried again later only when we know
it did not go: the server could not be reached, or answered "try later" (SMTP 4xx, gateway 5xx). When the
outcome is unknown (the connection broke in the middle) it is marked failed, never sent twice. The text of a
row (a link or code in it) is erased once it is sent or given up.

E-mail: SMTP with the standard library (MINSIP_SMTP_HOST, _PORT, _USERNAME, _PASSWORD, _STARTTLS,
MINSIP_MAIL_FROM). SMS: an HTTP gateway with the 46elks API (``send_sms``). Without a host or gateway URL the
channel is off: nothing is queued for it, and the pages say so and show the link or code to pass on by hand.
"""

from __future__ import annotations

import base64
import logging
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

from flask import current_app, has_request_context, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from citizen_app.extensions import db
from citizen_app.models import (
    ContactChoice,
    Invitation,
    MessageOutbox,
    Notification,
    OutreachChannel,
    OutreachPurpose,
    OutreachStatus,
    Person,
    SipCase,
    StaffUser,
    utcnow,
)
from citizen_app.services import N_, InvalidInput, audit, jobs, notifications, push
from citizen_app.services.row_counts import rows_changed

log = logging.getLogger(__name__)

EMAIL = OutreachChannel.EMAIL
SMS = OutreachChannel.SMS
JOB = "citizen_app.services.outreach.deliver"
RUN_DUE_JOB = "citizen_app.services.outreach.run_due"
BACKOFF_SECONDS = (60, 300, 1800)  # then give up
TIMEOUT_SECONDS = 10

# The fixed texts. Nothing from the message, the case or the person is ever put in them.
GENERIC_TEXT = push.GENERIC_TEXT  # "Du har ett nytt meddelande i Min SIP."
NEW_MESSAGE_SUBJECT = "Nytt meddelande i Min SIP"
INVITATION_SUBJECT = "Inbjudan till ett möte i Min SIP"
CHILD_CODE_SUBJECT = "Din kod till Min SIP"
_NO_REPLY = "Det här meddelandet går inte att svara på."

BAD_EMAIL = N_("Skriv en e-postadress som namn@exempel.se.")
BAD_MOBILE = N_("Skriv ett mobilnummer som 070-123 45 67.")
BAD_CONTACT = N_("Skriv ett mobilnummer som 070-123 45 67 eller en e-postadress som namn@exempel.se.")
NEED_EMAIL = N_("Skriv din e-postadress om du vill ha e-post.")
NEED_MOBILE = N_("Skriv ditt mobilnummer om du vill ha sms.")


class InvalidContact(InvalidInput):
    pass


# --- Addresses ----------------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_NUMBER_DECORATION = re.compile(r"[\s\-()./]")


@dataclass(frozen=True)
class Address:
    channel: OutreachChannel
    value: str  # an e-mail address, or a mobile number as +46701234567

    @property
    def shown(self) -> str:
        return show_number(self.value) if self.channel == SMS else self.value


def email_address(text: str | None) -> str | None:
    """The address, trimmed; None when it is not one."""
    cleaned = (text or "").strip()
    if len(cleaned) > 200 or not _EMAIL.fullmatch(cleaned) or ".." in cleaned:
        return None
    return cleaned


def mobile_number(text: str | None) -> str | None:
    """A mobile number written the usual ways (070-123 45 67, +46 70 123 45 67, 0046701234567) as +46...

    A Swedish number must be a mobile one (07x, nine digits after the 0): an SMS to a landline never arrives.
    A number from another country (+ and its code) is taken as it is, 8 to 15 digits.
    """
    cleaned = _NUMBER_DECORATION.sub("", (text or "").strip())
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if cleaned.startswith("0"):
        cleaned = "+46" + cleaned[1:]
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", cleaned):
        return None
    if cleaned.startswith("+46") and not re.fullmatch(r"\+467[0-9]{8}", cleaned):
        return None
    return cleaned


def show_number(number: str) -> str:
    """+46701234567 as a Swede writes it: 070-123 45 67. Other countries' numbers as they are."""
    if re.fullmatch(r"\+467[0-9]{8}", number):
        national = "0" + number[3:]
        return f"{national[:3]}-{national[3:6]} {national[6:8]} {national[8:]}"
    return number


def contact_address(text: str | None) -> Address | None:
    """A phone number or an e-mail address, whichever the text is."""
    if text and "@" in text:
        found = email_address(text)
        return Address(EMAIL, found) if found else None
    number = mobile_number(text)
    return Address(SMS, number) if number else None


# --- Is a channel on? ---------------------------------------------------------------------------------------


def is_on(channel: OutreachChannel) -> bool:
    """Whether this Min SIP can send e-mail (an SMTP host is set) or SMS (a gateway URL is set)."""
    key = "SMTP_HOST" if channel == EMAIL else "SMS_GATEWAY_URL"
    return bool(current_app.config.get(key))


def any_on() -> bool:
    return is_on(EMAIL) or is_on(SMS)


def _app_address() -> str:
    """The app's start page, put in every message: MINSIP_PUBLIC_URL, else the address of this request."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/") + "/"
    if has_request_context():
        return request.url_root
    return ""


# --- The person's choice ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    email: str
    phone: str
    by_email: bool
    by_sms: bool


def choice_of(person: Person) -> Choice:
    chosen = db.session.get(ContactChoice, person.id)
    return Choice(
        email=person.email or "",
        phone=show_number(person.phone) if person.phone else "",
        by_email=bool(chosen and chosen.email),
        by_sms=bool(chosen and chosen.sms),
    )


def choose(person: Person, *, email: str, phone: str, by_email: bool, by_sms: bool) -> None:
    """Save the person's address, number and choice. An address or number that cannot be used is refused
    (all errors at once), and so is a choice of e-mail or SMS without one."""
    errors: dict[str, str] = {}
    found_email = email_address(email)
    found_number = mobile_number(phone)
    if email.strip() and found_email is None:
        errors["email"] = BAD_EMAIL
    elif by_email and found_email is None:
        errors["email"] = NEED_EMAIL
    if phone.strip() and found_number is None:
        errors["phone"] = BAD_MOBILE
    elif by_sms and found_number is None:
        errors["phone"] = NEED_MOBILE
    if errors:
        raise InvalidContact(errors)
    person.email = found_email
    person.phone = found_number
    chosen = db.session.get(ContactChoice, person.id)
    if chosen is None:
        chosen = ContactChoice(person_id=person.id)
        db.session.add(chosen)
    chosen.email, chosen.sms = by_email, by_sms
    db.session.flush()
    audit.record(person, "outreach.chosen", None, email=by_email, sms=by_sms)


# --- Queueing -----------------------------------------------------------------------------------------------


def _queue(
    address: Address,
    purpose: OutreachPurpose,
    subject: str,
    body: str,
    *,
    person_id: int | None = None,
    dedupe_key: str | None = None,
) -> MessageOutbox | None:
    row = MessageOutbox(
        channel=address.channel,
        purpose=purpose,
        address=address.value,
        subject=subject,
        body=body,
        person_id=person_id,
        dedupe_key=dedupe_key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # this message is queued already (the same notification twice)
        return None
    jobs.enqueue(JOB, row.id)
    return row


def _recently_told(person: Person, channel: OutreachChannel) -> bool:
    since = utcnow() - timedelta(minutes=int(current_app.config.get("OUTREACH_QUIET_MINUTES", 60)))
    return (
        db.session.scalar(
            select(MessageOutbox.id)
            .where(
                MessageOutbox.person_id == person.id,
                MessageOutbox.channel == channel,
                MessageOutbox.purpose == OutreachPurpose.NEW_MESSAGE,
                MessageOutbox.created_at > since,
            )
            .limit(1)
        )
        is not None
    )


def new_message_text(channel: OutreachChannel) -> str:
    address = _app_address()
    if channel == SMS:
        return f"{GENERIC_TEXT} Logga in och läs det: {address}" if address else GENERIC_TEXT
    where = f"Logga in och läs det här:\n{address}" if address else "Logga in i Min SIP och läs det."
    return f"Hej!\n\n{GENERIC_TEXT}\n{where}\n\n{_NO_REPLY}\n"


def on_new_message(message: Notification) -> None:
    """The channel notifications.notify calls: an e-mail and/or SMS, if the person chose it, wants this kind
    of message, and has not been told in the last OUTREACH_QUIET_MINUTES."""
    if message.recipient_person_id is None:
        return  # staff read their messages at work
    chosen = db.session.get(ContactChoice, message.recipient_person_id)
    if chosen is None or not (chosen.email or chosen.sms):
        return
    person = db.session.get_one(Person, message.recipient_person_id)
    if push.kind_of(message.kind) not in push.chosen_kinds(person):
        return
    wanted = []
    if chosen.email and person.email and is_on(EMAIL):
        wanted.append(Address(EMAIL, person.email))
    if chosen.sms and person.phone and is_on(SMS):
        wanted.append(Address(SMS, person.phone))
    for address in wanted:
        if _recently_told(person, address.channel):
            continue
        _queue(
            address,
            OutreachPurpose.NEW_MESSAGE,
            NEW_MESSAGE_SUBJECT,
            new_message_text(address.channel),
            person_id=person.id,
            dedupe_key=f"notification:{message.id}:{address.channel.value}",
        )


# --- A relative's link and a child's code -------------------------------------------------------------------


def relative_link_text(url: str, channel: OutreachChannel) -> str:
    if channel == SMS:
        return f"Du är inbjuden till ett möte i Min SIP. Öppna din personliga länk: {url}"
    return (
        "Hej!\n\nDu är inbjuden till ett möte i Min SIP.\n"
        f"Öppna din personliga länk här:\n{url}\n\n"
        "Länken är bara till dig. Skicka den inte vidare.\n\n"
        f"{_NO_REPLY}\n"
    )


def child_code_text(code: str, where: str, channel: OutreachChannel) -> str:
    if channel == SMS:
        return f"Din kod till Min SIP: {code}. Skriv koden här: {where}"
    return (
        f"Hej!\n\nHär är din kod till Min SIP: {code}\n"
        f"Skriv koden här:\n{where}\n\n"
        "Koden är bara till dig.\n\n"
        f"{_NO_REPLY}\n"
    )


def usable_address(text: str | None) -> Address | None:
    """The phone or e-mail in ``text`` if Min SIP can send to it now (the channel is on), else None."""
    address = contact_address(text)
    return address if address is not None and is_on(address.channel) else None


def known_contact(person: Person | None) -> str:
    """What Min SIP knows of how to reach ``person`` (their mobile number, else e-mail), to fill in a form."""
    if person is None:
        return ""
    if person.phone and mobile_number(person.phone):
        return show_number(person.phone)
    return person.email or ""


def parse_for_sending(text: str, field: str) -> Address:
    """What the coordinator or guardian typed to send a link or code to. InvalidContact when it is neither a
    mobile number nor an e-mail address, or when this Min SIP cannot send that way."""
    address = contact_address(text)
    if address is None:
        raise InvalidContact({field: BAD_CONTACT})
    if not is_on(address.channel):
        message = (
            N_("Min SIP kan inte skicka e-post just nu. Skriv ett mobilnummer.")
            if address.channel == EMAIL
            else N_("Min SIP kan inte skicka sms just nu. Skriv en e-postadress.")
        )
        raise InvalidContact({field: message})
    return address


def send_relative_link(
    staff: StaffUser, invitation: Invitation, case: SipCase, address: Address, url: str
) -> None:
    """Queue the relative's personal link (made just now; only its hash is stored) to ``address``."""
    _queue(
        address, OutreachPurpose.RELATIVE_LINK, INVITATION_SUBJECT, relative_link_text(url, address.channel)
    )
    audit.record(
        staff, "invitation.link_sent", case, invitation=invitation.public_id, channel=address.channel.value
    )


def send_child_code(
    actor: Person | StaffUser, case: SipCase, address: Address, code: str, where: str
) -> None:
    """Queue the child's code (made just now) and where to type it, to ``address``."""
    _queue(
        address, OutreachPurpose.CHILD_CODE, CHILD_CODE_SUBJECT, child_code_text(code, where, address.channel)
    )
    audit.record(actor, "access_link.sent.child_pages", case, channel=address.channel.value)


# --- Sending ------------------------------------------------------------------------------------------------


class _TryLater(Exception):
    """The message did not go, and may go later (the server was away, or said "try later")."""


class _Refused(Exception):
    """The message did not go and never will (a bad address), or we cannot know whether it went."""


def deliver(outbox_id: int) -> str:
    """Send one row. A job: runs after the commit, in a worker or a pool thread, or from ``run_due``.

    Takes the row first (one conditional UPDATE, committed): a second run of the same job finds it taken and
    sends nothing. Returns the row's new status, or "skipped".
    """
    taken = rows_changed(
        update(MessageOutbox)
        .where(MessageOutbox.id == outbox_id, MessageOutbox.status == OutreachStatus.PENDING)
        .values(status=OutreachStatus.SENDING, attempts=MessageOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken != 1:
        return "skipped"
    row = db.session.get_one(MessageOutbox, outbox_id)
    db.session.refresh(row)
    try:
        if row.channel == EMAIL:
            send_email(row.address, row.subject, row.body)
        else:
            send_sms(row.address, row.body)
    except _TryLater as error:
        _retry_later(row, str(error))
    except _Refused as error:
        _done(row, OutreachStatus.FAILED, str(error))
    else:
        _done(row, OutreachStatus.SENT)
    db.session.commit()
    return row.status.value


def _done(row: MessageOutbox, status: OutreachStatus, error: str = "") -> None:
    row.status = status
    row.body = ""  # a link or code never stays in the database once it is sent or given up
    row.last_error = error[:300]
    if status == OutreachStatus.SENT:
        row.sent_at = utcnow()
    else:
        log.warning("%s %s not sent: %s", row.channel.value, row.id, error[:300])


def _retry_later(row: MessageOutbox, error: str) -> None:
    if row.attempts > len(BACKOFF_SECONDS):
        _done(row, OutreachStatus.FAILED, error)
        return
    delay = BACKOFF_SECONDS[row.attempts - 1]
    row.status = OutreachStatus.PENDING
    row.last_error = error[:300]
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    jobs.enqueue(JOB, row.id, delay_seconds=delay)


def run_due(now=None) -> int:
    """For cron (``flask run-jobs``): send the pending rows whose time has come (after a restart, or a queue
    that was away). Rows another sender has taken are left to it. Returns how many it sent or tried."""
    moment = now or utcnow()
    due = list(
        db.session.scalars(
            select(MessageOutbox.id).where(
                MessageOutbox.status == OutreachStatus.PENDING, MessageOutbox.next_attempt_at <= moment
            )
        )
    )
    return sum(deliver(outbox_id) != "skipped" for outbox_id in due)


def send_email(to: str, subject: str, body: str) -> None:
    """One plain-text e-mail over SMTP: implicit TLS when MINSIP_SMTP_SSL=1 (port 465), else STARTTLS unless
    MINSIP_SMTP_STARTTLS=0; the certificate is always checked (against MINSIP_SMTP_CA_FILE when set); login
    when a user is set."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "Min SIP <no-reply@minsip.example.se>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="minsip")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(body)
    implicit_tls = bool(config.get("SMTP_SSL"))
    port = int(config.get("SMTP_PORT") or (465 if implicit_tls else 587))
    try:
        tls = ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)
        if implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                config["SMTP_HOST"], port, timeout=TIMEOUT_SECONDS, context=tls
            )
        else:
            smtp = smtplib.SMTP(config["SMTP_HOST"], port, timeout=TIMEOUT_SECONDS)
    except OSError as error:  # refused, no route, name not found, a certificate not trusted: nothing was sent
        raise _TryLater(f"connect: {error!r}") from error
    try:
        with smtp:
            try:
                if not implicit_tls and config.get("SMTP_STARTTLS", True):
                    smtp.starttls(context=tls)
                if config.get("SMTP_USERNAME"):
                    smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            except (smtplib.SMTPException, OSError) as error:  # before the message: nothing was sent
                raise _TryLater(f"session: {error!r}") from error
            smtp.send_message(message)
    except smtplib.SMTPResponseException as error:  # the server answered: 4xx try later, 5xx never
        if 400 <= error.smtp_code < 500:
            raise _TryLater(f"{error.smtp_code}: {error.smtp_error!r}") from error
        raise _Refused(f"{error.smtp_code}: {error.smtp_error!r}") from error
    except smtplib.SMTPRecipientsRefused as error:
        raise _Refused(f"recipient refused: {error.recipients!r}") from error
    except (smtplib.SMTPException, OSError) as error:  # broke in the middle: it may have gone; never twice
        raise _Refused(f"unknown outcome: {error!r}") from error


def send_sms(to: str, text: str) -> None:
    """One SMS through the gateway: the 46elks API (https://46elks.se/docs/send-sms).

    POST MINSIP_SMS_GATEWAY_URL (e.g. https://api.46elks.com/a1/sms), form-encoded ``from``
    (MINSIP_SMS_SENDER), ``to`` (+46...) and ``message``, HTTP basic auth with MINSIP_SMS_GATEWAY_USERNAME
    and _PASSWORD (the API user name and password). A 2xx answer means the gateway took it; 4xx: refused
    for good (a bad number, bad credentials); 5xx: try later.
    """
    config = current_app.config
    url = config["SMS_GATEWAY_URL"]
    if not url.startswith(("https://", "http://")):
        raise _Refused("MINSIP_SMS_GATEWAY_URL must be an http(s) address")
    body = urlencode({"from": config.get("SMS_SENDER") or "MinSIP", "to": to, "message": text}).encode()
    credentials = f"{config.get('SMS_GATEWAY_USERNAME') or ''}:{config.get('SMS_GATEWAY_PASSWORD') or ''}"
    sent = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
        },
    )
    try:
        with urllib.request.urlopen(sent, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (checked above)
            answer.read()
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise _TryLater(f"gateway {error.code}") from error
        raise _Refused(f"gateway {error.code}") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, ConnectionRefusedError | socket.gaierror):
            raise _TryLater(f"gateway unreachable: {error.reason!r}") from error
        raise _Refused(f"unknown outcome: {error.reason!r}") from error
    except OSError as error:  # a timeout while waiting for the answer: it may have gone; never twice
        raise _Refused(f"unknown outcome: {error!r}") from error


notifications.register_channel(on_new_message)
