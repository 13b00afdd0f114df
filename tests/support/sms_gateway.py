"""A local HTTP server that speaks the SMS gateway's API: 46elks' "send SMS" (https://46elks.se/docs/send-sms).

    with SmsGateway(username="u", password="p") as gateway:
        app.config.update(gateway.app_settings())     # MINSIP_SMS_GATEWAY_URL/_USERNAME/_PASSWORD/SMS_SENDER
        ...
        (sms,) = gateway.wait_for(1)                   # {"from": ..., "to": ..., "message": ...}

The contract, as 46elks has it: ``POST /a1/sms``, form-encoded ``from``, ``to`` (E.164, +46...) and
``message``, HTTP basic auth (API user name and password). 200 with a JSON body (``id``, ``status``
"created", ...) when taken; 401 for bad credentials; 403 for a bad ``to`` or ``from``. ``answer_next(503)``
makes the next request fail (a gateway that is down for a while). A free port from the operating system.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PATH = "/a1/sms"
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
_SENDER = re.compile(r"[A-Za-z][A-Za-z0-9]{2,10}|\+[1-9][0-9]{7,14}")


class SmsGateway:
    def __init__(self, username: str = "minsip-api-user", password: str = "minsip-api-secret") -> None:  # noqa: S107 (a test server)
        self.username, self.password = username, password
        self.received: list[dict] = []
        self.requests = 0
        self.lock = threading.Lock()
        self._next_status: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                gateway._answer(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="sms-gateway", daemon=True)

    def _answer(self, handler: BaseHTTPRequestHandler, body: str) -> None:
        with self.lock:
            self.requests += 1
            forced = self._next_status.pop(0) if self._next_status else None
        expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        form = {key: values[0] for key, values in parse_qs(body).items()}
        if handler.path != PATH:
            status, answer = 404, {"error": "not found"}
        elif handler.headers.get("Authorization") != expected:
            status, answer = 401, {"error": "API access requires Basic HTTP authentication"}
        elif handler.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            status, answer = 400, {"error": "form-encoded body expected"}
        elif forced is not None:
            status, answer = forced, {"error": "forced by the test"}
        elif not _E164.fullmatch(form.get("to", "")):
            status, answer = 403, {"error": "Invalid to number"}
        elif not _SENDER.fullmatch(form.get("from", "")):
            status, answer = 403, {"error": "Invalid from"}
        elif not form.get("message"):
            status, answer = 403, {"error": "Missing message"}
        else:
            with self.lock:
                self.received.append(form)
                number = len(self.received)
            status = 200
            answer = {
                "status": "created",
                "direction": "outgoing",
                "from": form["from"],
                "to": form["to"],
                "message": form["message"],
                "id": f"s{number:032x}",
                "parts": 1,
                "estimated_cost": 3500,
            }
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def answer_next(self, *statuses: int) -> None:
        with self.lock:
            self._next_status.extend(statuses)

    def start(self) -> SmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()

    def __enter__(self) -> SmsGateway:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def app_settings(self) -> dict:
        return {
            "SMS_GATEWAY_URL": self.url,
            "SMS_GATEWAY_USERNAME": self.username,
            "SMS_GATEWAY_PASSWORD": self.password,
            "SMS_SENDER": "MinSIP",
        }

    @property
    def messages(self) -> list[dict]:
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, seconds: float = 5.0) -> list[dict]:
        end = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > end:
                raise AssertionError(f"expected {count} SMS within {seconds} s, got {len(self.messages)}")
            time.sleep(0.05)
        return self.messages
