"""A real SMTP server for the tests (aiosmtpd), on 127.0.0.1 and a free port, that keeps what it receives.

    with MailServer() as mail:                      # or MailServer(username="minsip", password="...")
        app.config.update(mail.app_settings())      # SMTP_HOST/PORT, no STARTTLS, the login if any
        ...
        (message,) = mail.wait_for(1)               # email.message.EmailMessage, parsed
        mail.text_of(message), mail.links_in(message), message["To"]

With ``tls="starttls"`` the server offers STARTTLS and requires it; with ``tls="implicit"`` it speaks TLS from
the first byte (SMTPS, as on port 465). Its certificate is self-signed for 127.0.0.1, made when the server
starts; ``app_settings()`` then names it as MINSIP_SMTP_CA_FILE, so the app checks the certificate as in
production, against that file instead of the system's CAs.

The port is one the operating system gives (bound to port 0, then handed to aiosmtpd), so pytest-xdist
workers and two servers in one test never meet. With a user name and password the server requires AUTH
LOGIN/PLAIN (without TLS: only ever on 127.0.0.1) and refuses mail from a client that has not logged in.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
_LINK = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Keeper:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.server.username and not session.authenticated:
            return "530 5.7.0 Authentication required"
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key (PEM) for 127.0.0.1, valid for a day, signed by themselves."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class MailServer:
    def __init__(
        self, username: str | None = None, password: str | None = None, tls: str | None = None
    ) -> None:
        assert tls in (None, "starttls", "implicit")
        self.username, self.password, self.tls = username, password, tls
        self.port = free_port()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.ca_file: Path | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        options: dict = {}
        if username:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        if tls is not None:
            self._folder = tempfile.TemporaryDirectory()
            cert, key = self_signed_certificate(Path(self._folder.name))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            self.ca_file = cert
            if tls == "starttls":
                options.update(tls_context=context, require_starttls=True)
            else:
                options.update(ssl_context=context, server_hostname=HOST)
        self.controller = Controller(_Keeper(self), hostname=HOST, port=self.port, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok)

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        if self._folder is not None:
            self._folder.cleanup()

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def app_settings(self) -> dict:
        """What the app's config needs to send here (the MINSIP_SMTP_* settings)."""
        return {
            "SMTP_HOST": HOST,
            "SMTP_PORT": self.port,
            "SMTP_STARTTLS": self.tls == "starttls",
            "SMTP_SSL": self.tls == "implicit",
            "SMTP_CA_FILE": str(self.ca_file) if self.ca_file else None,
            "SMTP_USERNAME": self.username,
            "SMTP_PASSWORD": self.password,
            "MAIL_FROM": "Min SIP <no-reply@minsip.test>",
        }

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [each.message for each in self.received]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def wait_for(self, count: int, seconds: float = 5.0) -> list[EmailMessage]:
        """The messages once at least ``count`` have come (a background job may still be sending)."""
        end = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > end:
                raise AssertionError(
                    f"expected {count} e-mail(s) within {seconds} s, got {len(self.messages)}"
                )
            time.sleep(0.05)
        return self.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "the e-mail has no plain-text part"
        return part.get_content()

    @classmethod
    def links_in(cls, message: EmailMessage) -> list[str]:
        return _LINK.findall(cls.text_of(message))
