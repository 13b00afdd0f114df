"""Structured logs [issue 18]: JSON lines, one access line per request, and one request id that the response
header, every log line of the request and the error page all carry ("Felkod: …"), so what a person reads
out to support finds the lines. A personal identity number sent in a form or a query string never reaches
the log, at any level.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from bs4 import BeautifulSoup

from citizen_app import create_app, logs
from citizen_app.extensions import db
from citizen_app.services.demo import load_demo_data
from tests.support.clients import CheckingClient

# A personal identity number in Skatteverket's classic test form, and the ways it may be written.
IDENTITY_NUMBER = "19121212-1212"
WRITTEN_FORMS = ("191212121212", "19121212-1212", "121212-1212", "1212121212")


@pytest.fixture
def log_lines():
    """Every line the process logs while the test runs, at DEBUG, through the app's own JSON handler."""
    stream = io.StringIO()
    logs.configure("DEBUG", stream=stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]  # each line is JSON, or fails

    lines.text = stream.getvalue  # type: ignore[attr-defined]
    # An app built after this fixture installs the stderr handler again (create_app): take the lines back.
    lines.again = lambda: logs.configure("DEBUG", stream=stream)  # type: ignore[attr-defined]
    yield lines
    logs.configure("INFO")


def _app(database_url, **config):
    app = create_app(
        "test",
        {"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "localhost", **config},
    )
    app.test_client_class = CheckingClient
    return app


@pytest.fixture
def failing_app(database_url):
    """The app as production answers errors (a page, not a raise), with a page that fails."""
    app = _app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.route("/prov-fel")
    def fails():
        raise RuntimeError("something broke")

    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == logs.ACCESS_LOGGER]


def _error_code_on(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    shown = page.find(class_="error-code")
    assert shown is not None, "the error page shows no error code"
    assert "Felkod:" in shown.get_text()
    return shown.find("span").get_text(strip=True)


def test_each_request_has_one_access_line_with_its_id_and_no_path_or_query(client, log_lines):
    response = client.get("/om-min-sip?fran=" + IDENTITY_NUMBER)
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    (line,) = _access_lines(log_lines())
    assert line["request_id"] == request_id
    assert line["message"] == "request"
    assert line["method"] == "GET"
    assert line["route"] == "/om-min-sip"  # the route, not the address the person typed
    assert line["endpoint"] == "pages.show_about"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert "fran" not in log_lines.text()


def test_a_route_with_a_secret_in_its_path_is_logged_by_its_rule(client, log_lines):
    secret = "Xq7" * 14  # a relative's invitation link: the path is the secret (unknown here: 404 or 410)
    client.get("/inbjudan/" + secret)
    (line,) = _access_lines(log_lines())
    assert secret[:12] not in log_lines.text()
    assert line["route"] == "/inbjudan/<string(minlength=20,maxlength=200):secret>"


def test_two_requests_have_different_ids(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_the_500_page_shows_the_id_that_is_on_the_error_line_and_the_header(failing_app, log_lines):
    response = failing_app.test_client().get("/prov-fel?pnr=" + IDENTITY_NUMBER)
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert _error_code_on(response) == request_id
    lines = log_lines()
    (error,) = [line for line in lines if line["level"] == "ERROR"]
    assert error["message"] == "Unhandled error"
    assert "RuntimeError: something broke" in error["error"]  # the traceback, inside the one JSON line
    assert error["request_id"] == request_id
    (access,) = _access_lines(lines)
    assert (access["request_id"], access["status"], access["route"]) == (request_id, 500, "/prov-fel")
    for written in WRITTEN_FORMS:
        assert written not in log_lines.text()


def test_the_404_page_shows_its_error_code_in_english_too(client):
    response = client.get("/finns-inte", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert _error_code_on(response) == response.headers["X-Request-ID"]


def test_the_database_away_page_shows_the_error_code_in_both_languages(failing_app):
    from sqlalchemy.exc import OperationalError

    @failing_app.route("/prov-databas")
    def database_away():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    response = failing_app.test_client().get("/prov-databas")
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    codes = [p.find("span").get_text(strip=True) for p in page.find_all(class_="error-code")]
    assert codes == [response.headers["X-Request-ID"]] * 2
    assert "Error code:" in page.find(attrs={"lang": "en"}).get_text()


def test_an_id_from_the_proxy_in_front_is_kept_when_well_formed(database_url, log_lines):
    app = _app(database_url, PROXY_HOPS=1)
    log_lines.again()
    with app.app_context():
        client = app.test_client()
        given = "3f2b9c1e7a6d4e0f8b2a1c3d5e7f9a0b"  # nginx's $request_id
        assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
        for bad in ("short", "has space in it 1234", "x" * 65, '"quoted";1234', "ÅÄÖåäö12345"):
            answered = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
            assert answered != bad and re.fullmatch(r"[0-9a-f]{12}", answered)
        db.engine.dispose()
    assert [line["request_id"] for line in _access_lines(log_lines())][0] == given


def test_without_a_proxy_in_front_a_visitor_cannot_choose_the_id(client):
    chosen = "chosen-by-the-visitor-1234"
    assert client.get("/healthz", headers={"X-Request-ID": chosen}).headers["X-Request-ID"] != chosen


def test_an_identity_number_in_a_form_or_a_query_string_never_reaches_the_log(app, client, log_lines):
    load_demo_data()
    db.session.commit()
    token = client.csrf_token("/logga-in/testidentitet")
    # A form value: the test-identity form refuses an identity it does not know (it shows a message).
    posted = client.post("/logga-in/testidentitet", data={"identity": IDENTITY_NUMBER, "csrf_token": token})
    assert posted.status_code == 422  # the form's own message, nothing logged
    client.get("/?personnummer=" + IDENTITY_NUMBER)
    client.get("/logga-in?next=/sip?pnr=" + IDENTITY_NUMBER)
    # No CSRF token: refused before the form is read.
    client.post("/logga-in/testidentitet?pnr=" + IDENTITY_NUMBER, data={"identity": IDENTITY_NUMBER})
    lines = log_lines()
    assert len(_access_lines(lines)) >= 5
    text = log_lines.text()
    for written in WRITTEN_FORMS:
        assert written not in text, f"{written} is in the log"


def test_the_log_level_comes_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("MINSIP_LOG_LEVEL", "warning")
    app = _app(database_url)
    assert app.config["LOG_LEVEL"] == "WARNING"
    import logging

    assert logging.getLogger().level == logging.WARNING  # the access lines (INFO) are left out
    monkeypatch.setenv("MINSIP_LOG_LEVEL", "chatty")
    from citizen_app.config import ConfigError

    with pytest.raises(ConfigError, match="MINSIP_LOG_LEVEL"):
        _app(database_url)
    logs.configure("INFO")


def test_a_static_file_gets_an_access_line_but_no_id_header(client, log_lines):
    html = client.get("/om-min-sip").get_data(as_text=True)
    (script,) = re.findall(r'src="(/static/js/app\.[^"]+\.js)"', html)
    response = client.get(script)
    response.get_data()
    response.close()  # WhiteNoise streams the file
    assert response.status_code == 200
    assert "X-Request-ID" not in response.headers  # a 304 for it stays as small as before [issue 17]
    static = [line for line in _access_lines(log_lines()) if line["endpoint"] == "static"]
    assert [(line["route"], line["status"]) for line in static] == [("/static/<file>", 200)]
