"""A small population register server for the tests: a real HTTP server in a thread, speaking the contract of
citizen_app/services/population_register/http_source.py (and the README's "Population register" section).

    server = RegisterServer(token="...")            # or RegisterServer(username="...", password="...")
    server.start()                                   # binds port 0: the system picks a free port
    server.set_custodians(child, [mum, dad])         # each: (identity number, name, birth date)
    app.config["REGISTER_URL"] = server.url
    ...
    server.stop()

``server.failing = 503`` makes every answer that status (the register is away); ``server.delay = 2`` answers
only after that many seconds; ``server.stop()`` closes the port (nothing listens). ``server.requests`` lists
what was asked: (path, JSON body, Authorization header).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Entry = tuple[str, str, str]  # identity number (12 digits), name, birth date (YYYY-MM-DD)


def _as_json(entry: Entry) -> dict:
    number, name, born = entry
    return {"identity_number": number, "name": name, "birth_date": born}


class RegisterServer:
    def __init__(self, token: str | None = None, username: str | None = None, password: str | None = None):
        self.token = token
        self.username = username
        self.password = password
        self.people: dict[str, Entry] = {}
        self.custodians: dict[str, list[str]] = {}  # child's number → guardians' numbers
        self.failing: int | None = None
        self.delay = 0.0
        self.requests: list[tuple[str, dict | None, str | None]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- what the register says ------------------------------------------------------------------------

    def set_custodians(self, child: Entry, guardians: list[Entry]) -> None:
        self.people[child[0]] = child
        for guardian in guardians:
            self.people[guardian[0]] = guardian
        self.custodians[child[0]] = [g[0] for g in guardians]

    def know(self, person: Entry) -> None:
        self.people[person[0]] = person

    # --- running ---------------------------------------------------------------------------------------

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 (the base class's name)
                pass  # quiet in test output

            def do_POST(self):  # noqa: N802 (http.server's name)
                try:
                    owner._answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test): nobody reads the answer

            def do_GET(self):  # noqa: N802
                self._send(405, {"error": "method_not_allowed"})

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- the contract ----------------------------------------------------------------------------------

    def _authorised(self, header: str | None) -> bool:
        if self.token is not None:
            return header == f"Bearer {self.token}"
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"

    def _answer(self, handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        header = handler.headers.get("Authorization")
        self.requests.append((handler.path, body, header))
        if self.delay:
            time.sleep(self.delay)
        if self.failing:
            handler._send(self.failing, {"error": "unavailable"})
            return
        if not self._authorised(header):
            handler._send(401, {"error": "unauthorized"})
            return
        number = body.get("identity_number") if isinstance(body, dict) else None
        if not isinstance(number, str):
            handler._send(400, {"error": "bad_request"})
            return
        if handler.path == "/v1/custodians":
            if number not in self.custodians:
                handler._send(404, {"error": "not_found"})
                return
            handler._send(
                200,
                {
                    "person": _as_json(self.people[number]),
                    "custodians": [_as_json(self.people[g]) for g in self.custodians[number]],
                },
            )
        elif handler.path == "/v1/children-in-custody":
            if number not in self.people:
                handler._send(404, {"error": "not_found"})
                return
            children = [child for child, guardians in self.custodians.items() if number in guardians]
            handler._send(
                200,
                {
                    "person": _as_json(self.people[number]),
                    "children": [_as_json(self.people[c]) for c in children],
                },
            )
        else:
            handler._send(404, {"error": "no_such_path"})
