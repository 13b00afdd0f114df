"""A Flask test client that checks every HTML page it receives, and signs people in by demo key."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from citizen_app.web.guards import CREATES_ATTRIBUTE
from tests.support.page_checks import check_html

_NONCE = re.compile(r"'nonce-([^']+)'")


class CheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        """Each request runs in its own app context, as in production: its own ``g`` and db session.

        What the test wrote so far is committed first (the request could not see it otherwise), and the
        test's session is expired afterwards so it reads what the request wrote.
        """
        from citizen_app.extensions import db

        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        if response.mimetype == "text/html":  # the test client streams: get_data() reads the whole page
            html = response.get_data(as_text=True)
            if "<html" in html[:200].lower():
                match = _NONCE.search(response.headers.get("Content-Security-Policy", ""))
                check_html(
                    html,
                    match.group(1) if match else None,
                    url=str(args[0]) if args else "",
                    creates=self._creates_something,
                )
        return response

    def _creates_something(self, action: str) -> bool:
        """Whether a POST to ``action`` reaches a view marked ``@creates`` (web/guards.py)."""
        adapter = self.application.url_map.bind(self.application.config.get("SERVER_NAME") or "localhost")
        try:
            endpoint, _ = adapter.match(urlsplit(action).path, method="POST")
        except (HTTPException, RequestRedirect):
            return False
        return bool(getattr(self.application.view_functions.get(endpoint), CREATES_ATTRIBUTE, False))

    def csrf_token(self, path: str = "/") -> str:
        html = self.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match, "no csrf token on page"
        return match.group(1)

    def sign_in_as(self, actor) -> None:
        """Put ``actor`` in the session the way sessions.sign_in does (any person, not only demo ones): a new
        server-side session with a new id and a CSRF token, started now."""
        import hashlib
        import os

        from flask_login.utils import _create_identifier

        from citizen_app.extensions import db

        # The session is saved in a transaction of its own, which must not wait for the test's. What the test
        # holds stays loaded, as it would without this commit (query counts stay the page's own).
        test_session = db.session()
        test_session.expire_on_commit = False
        try:
            test_session.commit()
        finally:
            test_session.expire_on_commit = True
        with self.application.test_request_context(environ_base=self.environ_base):
            identifier = _create_identifier()
        with self.session_transaction() as session:
            session.clear()
            session["_user_id"] = actor.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
            session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (as flask-wtf does)
            session.permanent = True
            session.renew = True

    def sign_in_with_demo_page(self, actor) -> None:
        """Sign in through the real test-identity page (demo people only)."""
        token = self.csrf_token("/logga-in/testidentitet")
        response = self.post(
            "/logga-in/testidentitet", data={"identity": actor.get_id(), "csrf_token": token}
        )
        assert response.status_code == 303, response.status_code
