"""Browser fixtures: Debian's Chromium driven by Playwright, a live server with demo data, axe-core and LIX.

[QUALITY 1, 2] Every page a browser test visits goes through ``check_page``: zero axe-core violations
(WCAG 2.0/2.1/2.2 A and AA and best practice, colour contrast included), no Content Security Policy
violation or script error, and plain Swedish on ``<main>`` (LIX ≤ 35 for adults, ≤ 28 for children, no
sentence over 20 words).

Chromium is Debian's (/usr/bin/chromium); ``playwright install`` is never run. Without it the browser tests
are skipped with a message, unless REQUIRE_BROWSER=1 (CI) is set: then they fail, so a green CI always ran
them.

The live server has a database of its own (a separate SQLite file, or a separate schema when
TEST_DATABASE_URL points at PostgreSQL). So the shared ``app`` fixture, which empties its tables after each
test, and the live server never see each other's rows. Each browser test module starts from fresh demo data.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

import pytest
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import WSGIRequestHandler, make_server

from citizen_app import create_app, database
from citizen_app.plain_language import main_text_blocks, measure

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = (360, 1280)
NARROWEST = 320  # [WCAG 1.4.10] every page checked at 360 px is also checked at 320 px with text spacing
HIGHEST_HEADER = 64  # px: the header may take this much of a small phone's screen (issue 13)
HEIGHT = 800
# [WCAG 1.4.12 Text spacing] the spacing a reader may set; a constructed style sheet (CSSOM), which the
# page's Content Security Policy allows, unlike an injected <style> element.
_TEXT_SPACING = """() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
                         word-spacing: 0.16em !important; }
                     p { margin-bottom: 2em !important; }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  return document.adoptedStyleSheets.length - 1;
}"""
# [STYLE.md, WCAG 2.5.8] A link alone in its paragraph or list item is a target of its own: 44 px high.
_SMALL_STANDALONE_LINKS = """() => [...document.querySelectorAll("main p > a, main li > a")]
  .filter((a) => a.parentElement.textContent.trim() === a.textContent.trim() && a.offsetParent !== null)
  .filter((a) => a.getBoundingClientRect().height < 43.5)
  .map((a) => `"${a.textContent.trim().slice(0, 40)}" `
    + `(${Math.round(a.getBoundingClientRect().height)} px)`)"""
# The innermost elements that reach past the right edge, to say what makes a page scroll sideways.
_TOO_WIDE = """() => {
  const edge = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > edge + 0.5
      || (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"));
  const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  return innermost.slice(0, 5).map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`
    + ` "${(el.textContent || "").trim().slice(0, 40)}"`).join("; ");
}"""
_NO_TEXT_SPACING = (
    "(index) => { document.adoptedStyleSheets = document.adoptedStyleSheets.filter((_, i) => i !== index); }"
)
ADULT_LIX = 35
CHILD_LIX = 28
MAX_SENTENCE_WORDS = 20
LIVE_SCHEMA = "browser_tests"  # PostgreSQL: the live server's own schema


# --- Chromium ----------------------------------------------------------------------------------------------


def _missing_browser(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1, but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session; each test gets its own cheap context."""
    if not os.path.exists(CHROMIUM):
        _missing_browser(f"Debian's Chromium is not at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("Python Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- The live server ---------------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:  # one line per request would drown the test output
        pass


@dataclass
class LiveServer:
    app: object
    base_url: str

    def url(self, path: str = "/") -> str:
        return urljoin(self.base_url, path)

    def reset_demo_data(self) -> None:
        """Empty every table and load the demo people, units and cases again."""
        from citizen_app.extensions import db
        from citizen_app.models import Base
        from citizen_app.services.demo import load_demo_data

        with self.app.app_context():
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    names = ", ".join(f'"{t}"' for t in tables)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in tables:
                        conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 (our own table names)
            load_demo_data()
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="session")
def live_database_url() -> Iterator[str]:
    """A migrated database that only the live server uses."""
    shared = os.environ.get("TEST_DATABASE_URL")
    if shared:
        admin = create_engine(shared)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {LIVE_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {LIVE_SCHEMA}"))
        url = make_url(shared).update_query_dict({"options": f"-csearch_path={LIVE_SCHEMA}"})
        rendered = url.render_as_string(hide_password=False)
        database.upgrade(rendered)
        yield rendered
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {LIVE_SCHEMA} CASCADE"))
        admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = "sqlite:///" + os.path.join(tmp, "live.sqlite")
            database.upgrade(url)
            yield url


@pytest.fixture(scope="session")
def _live_server_running(browser, live_database_url) -> Iterator[LiveServer]:
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": live_database_url,
            # The sign-in rate limit has its own web test; here one address signs in many times a minute.
            "SIGN_IN_RATE_LIMIT": "1000 per minute",
        },
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, base_url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        from citizen_app.extensions import db

        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(_live_server_running) -> LiveServer:
    """The app in test mode on 127.0.0.1 (a free port), with fresh demo data for each test module."""
    _live_server_running.reset_demo_data()
    return _live_server_running


# --- Contexts and pages ------------------------------------------------------------------------------------


@dataclass
class _Watched:
    javascript: bool
    problems: list[str] = field(default_factory=list)  # script errors and CSP violations


_WATCHED: dict[object, _Watched] = {}


def _watch(page, javascript: bool) -> None:
    watched = _WATCHED[page] = _Watched(javascript=javascript)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            watched.problems.append(f"CSP: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.problems.append(f"script error: {error}"))


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """``new_page(width=360, javascript=True)``: a page in a fresh context (own cookies, Swedish)."""
    contexts = []

    def make(width: int = WIDTHS[0], javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": HEIGHT},
            java_script_enabled=javascript,
            base_url=live_server.base_url,
            locale="sv-SE",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        _watch(page, javascript)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            _WATCHED.pop(page, None)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# --- Checks ------------------------------------------------------------------------------------------------

_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    """axe-core as shipped by the PyPI package axe-playwright-python (a pinned test dependency)."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        import axe_playwright_python

        path = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")
        with open(path, encoding="utf-8") as handle:
            _AXE_SOURCE = handle.read()
    return _AXE_SOURCE


_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now.

    axe is evaluated through the DevTools protocol rather than added as a <script> tag: the app's Content
    Security Policy (nonces, no 'unsafe-inline') rightly blocks an injected inline script, and we keep the
    policy switched on so the browser tests also catch CSP violations.
    """
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(_axe_source())
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"        {detail}")
    return "\n".join(lines)


class PlainLanguageError(AssertionError):
    """The text of <main> is harder to read than the bar allows (LIX or sentence length)."""


def check_page(page, *, child: bool = False, label: str = ""):
    """Assert that the page, as it is shown now, meets the bars; returns its readability numbers.

    - axe-core: zero violations for wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa and best-practice;
    - no Content Security Policy violation and no script error since the page was opened;
    - no sideways scrolling (reflow), and at the phone width also none at 320 px with WCAG 1.4.12 text
      spacing, where the header is at most 64 px high;
    - the visible text of <main>: LIX ≤ 35 (≤ 28 on child pages), no sentence over 20 words.
    """
    where = f"{label or page.url} at {page.viewport_size['width']} px"
    watched = _WATCHED.get(page) or _Watched(javascript=True)
    assert not watched.problems, f"{where}: " + "; ".join(watched.problems)

    # axe needs JavaScript (its timers never fire when scripts are off). Pages seen without JavaScript are
    # the same HTML that the other tests check with axe; here they get the language and error checks.
    if watched.javascript:
        violations = axe_violations(page)
        assert not violations, f"axe-core found {len(violations)} problem(s) on {where}:\n" + (
            format_violations(violations)
        )

    # [WCAG 1.4.10 Reflow] axe does not measure it: nothing may make the page scroll sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where}: the page is {overflow} px too wide and scrolls sideways"
    if page.viewport_size["width"] == WIDTHS[0]:
        check_narrowest_with_text_spacing(page, label or page.url)
        small = page.evaluate(_SMALL_STANDALONE_LINKS)
        assert not small, f"{where}: links alone on their line must be 44 px high (STYLE.md): {small}"

    blocks = main_text_blocks(page.content())
    result = measure(blocks)
    bar = CHILD_LIX if child else ADULT_LIX
    if not result.words:
        raise PlainLanguageError(f"{where}: <main> has no text")
    if result.lix > bar:
        raise PlainLanguageError(
            f"{where}: LIX {result.lix:.1f} is over {bar} ({result.words} words, "
            f"{result.sentences} sentences, {result.long_words} long words). Text of <main>:\n"
            + "\n".join(blocks)
        )
    if result.longest_sentence_words > MAX_SENTENCE_WORDS:
        raise PlainLanguageError(
            f"{where}: a sentence has {result.longest_sentence_words} words (at most {MAX_SENTENCE_WORDS}): "
            f"{result.longest_sentence!r}"
        )
    return result


def check_narrowest_with_text_spacing(page, label: str) -> None:
    """[WCAG 1.4.10, 1.4.12] At 320 px, with a reader's text spacing, nothing scrolls sideways and the
    header stays one short row. The page is resized and restyled in place, then put back."""
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": NARROWEST, "height": HEIGHT})
    sheet = page.evaluate(_TEXT_SPACING)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (
            f"{label} at {NARROWEST} px with text spacing: {overflow} px too wide, it scrolls sideways: "
            + page.evaluate(_TOO_WIDE)
        )
        header = page.evaluate(
            "(document.querySelector('header.site-header') || {offsetHeight: 0}).offsetHeight"
        )
        assert header <= HIGHEST_HEADER, (
            f"{label} at {NARROWEST} px with text spacing: the header is {header} px"
        )
    finally:
        page.evaluate(_NO_TEXT_SPACING, sheet)
        page.set_viewport_size({"width": width, "height": HEIGHT})


def check_page_at_every_width(page, *, child: bool = False, label: str = "") -> None:
    """check_page at 360 px and at 1280 px (the page is resized, not reloaded)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        check_page(page, child=child, label=label)


# --- Journeys helpers --------------------------------------------------------------------------------------


def switch_language(page, to: str) -> None:
    """Use the language switch in the header, like a user: ``to`` is "English" or "Svenska"."""
    path = page.evaluate("location.pathname")
    with page.expect_navigation():
        page.locator(".language-switch").get_by_role("link", name=to).click()
    expected = {"English": "en", "Svenska": "sv"}[to]
    assert page.locator("html").get_attribute("lang") == expected
    assert page.evaluate("location.pathname") == path, "the language switch should keep you on the same page"


def sign_in_as(page, name: str) -> None:
    """Sign in as a demo person or staff member through the real test-identity page."""
    page.goto("/logga-in/testidentitet")
    page.get_by_label(name).check()
    with page.expect_navigation():
        page.locator("form[action*='testidentitet'] button[type=submit]").click()
    assert "testidentitet" not in page.url, f"signing in as {name} did not leave the test-identity page"


# --- Keyboard and page helpers shared by the journeys -----------------------------------------------------

MAX_PRESSES = 40  # Tab presses allowed to reach one element: a page with more is a problem in itself

# A short description of the focused element, for failure messages.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(body)";
  const label = el.labels && el.labels.length ? el.labels[0].textContent : el.textContent;
  const name = (el.getAttribute("aria-label") || label || el.value || "").trim().replace(/\\s+/g, " ");
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name.slice(0, 40)}"`;
}"""


# The app's own focus style: an outline and a yellow ring (app.css, :focus-visible).
_FOCUS_IS_VISIBLE = (
    "getComputedStyle(el).outlineStyle !== 'none' && getComputedStyle(el).boxShadow !== 'none'"
)


def focus_is(page, predicate: str) -> bool:
    """``predicate`` is JavaScript about the focused element, named ``el``."""
    return page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({predicate}); }}")


def tab_to(page, description: str, predicate: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``predicate``; fail after MAX_PRESSES."""
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        if focus_is(page, predicate):
            assert focus_is(page, _FOCUS_IS_VISIBLE), (
                f"{description} on {page.url} has focus but no visible focus indicator [WCAG 2.4.7]"
            )
            return
        passed.append(page.evaluate(DESCRIBE_FOCUS))
    raise AssertionError(
        f"{MAX_PRESSES} presses of {key} on {page.url} never reached {description}. "
        f"Focus went through: {', '.join(passed)}"
    )


def text_is(text: str) -> str:
    """JS: the element's own text, whitespace collapsed, is ``text``."""
    return f"el.textContent.trim().replace(/\\s+/g, ' ') === {text!r}"


def tab_to_link(page, text: str) -> None:
    tab_to(page, f"the link {text!r}", f"el.tagName === 'A' && {text_is(text)}")


def tab_to_link_to(page, path: str) -> None:
    tab_to(page, f"a link to {path}", f"el.tagName === 'A' && el.getAttribute('href') === {path!r}")


def tab_to_button(page, text: str) -> None:
    tab_to(page, f"the button {text!r}", f"el.tagName === 'BUTTON' && el.closest('main') && {text_is(text)}")


def _label_starts(text: str) -> str:
    return f"el.labels && el.labels.length && el.labels[0].textContent.trim().startsWith({text!r})"


def choose_radio(page, group: str, label: str) -> None:
    """Tab into a radio group, move with the arrow keys to ``label``, and choose it (arrows or Space)."""
    tab_to(page, f"the radio group {group!r}", f"el.type === 'radio' && el.name === {group!r}")
    for _ in range(10):
        if focus_is(page, _label_starts(label)):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"the arrow keys never reached {label!r} in the radio group {group!r}")
    if not focus_is(page, "el.checked"):
        page.keyboard.press("Space")  # Tab into a group with nothing chosen focuses the first radio unchosen
    assert focus_is(page, "el.checked"), f"{label!r} should be chosen"


def check_box(page, label: str) -> None:
    tab_to(page, f"the checkbox {label!r}", f"el.type === 'checkbox' && {_label_starts(label)}")
    page.keyboard.press("Space")
    assert focus_is(page, "el.checked"), f"{label!r} should be ticked"


# htmx is loaded after the page's first paint (static/js/app.js, issue 17): a person needs longer than that to
# act, a test does not. Pages without it (signed out, error pages) have nothing to wait for.
HTMX_READY = """() => !!window.htmx || !document.querySelector("script[data-htmx]")
  || !!document.querySelector("[data-signed-out]")"""


def wait_for_htmx(page) -> None:
    """With JavaScript on, wait until the page has loaded htmx (as a person would, without noticing)."""
    watched = _WATCHED.get(page)
    if watched is not None and watched.javascript:
        page.wait_for_function(HTMX_READY, timeout=5_000)


def press_enter_and_load(page, expected_status: int = 200):
    """Enter on the focused link or button; wait for the next page and check its status."""
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    response = navigation.value
    assert response is not None and response.status == expected_status, (
        f"expected {expected_status} at {page.url}, got {response.status if response else 'no response'}"
    )
    page.wait_for_load_state("load")
    wait_for_htmx(page)
    return response


def h1_text(page) -> str:
    """The text of the page's <h1>, whitespace collapsed."""
    return " ".join(page.locator("h1").inner_text().split())


def main_text(page) -> str:
    """The text of <main>, whitespace collapsed."""
    return " ".join(page.locator("main").inner_text().split())


def check_key_page(page, label: str) -> None:
    """A key page at both widths, then back to the phone the journey is made on."""
    check_page_at_every_width(page, label=label)
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})


# --- Signing in and typing dates with the keyboard -----------------------------------------------------


def sign_in_with_the_keyboard(page, name: str) -> None:
    """The test-identity page: people and staff are one radio group, moved through with the arrow keys."""
    page.goto("/logga-in/testidentitet")
    check_page(page, label="test identities")
    tab_to(page, "the identity radio group", "el.type === 'radio' && el.name === 'identity'")
    label_is_name = f"el.labels.length && el.labels[0].textContent.trim().startsWith({name!r})"
    for _ in range(20):
        if focus_is(page, label_is_name):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"the arrow keys never reached {name!r} on the test-identity page")
    if not focus_is(page, "el.checked"):
        page.keyboard.press("Space")
    tab_to(page, "the sign-in button", "el.type === 'submit' && el.closest('main')")
    press_enter_and_load(page)
    assert "testidentitet" not in page.url, f"signing in as {name} did not leave the test-identity page"


def type_date(page, day: date) -> None:
    """Type ``day`` into the focused <input type=date>.

    Chromium orders the parts of a date field by the locale it was built or started with (month/day/year in
    an English build, year-month-day in Swedish), whatever the page's language. So each order is tried, the
    field's value checked, and the parts cleared again before the next try. A year takes up to six digits and
    does not move on by itself; a month or a day moves on after two.
    """
    for order in (("%Y", "%m", "%d"), ("%m", "%d", "%Y"), ("%d", "%m", "%Y")):
        for part in order:
            page.keyboard.type(day.strftime(part))
            if part == "%Y":
                page.keyboard.press("ArrowRight")
        if page.evaluate("document.activeElement.value") == day.isoformat():
            return
        for key in (
            "ArrowLeft",
            "ArrowLeft",
            "ArrowLeft",
            "Backspace",
            "ArrowRight",
            "Backspace",
            "ArrowRight",
        ):
            page.keyboard.press(key)
        page.keyboard.press("Backspace")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
    raise AssertionError(f"could not type {day.isoformat()} into the date field")


# --- Data made through the services in the live server ------------------------------------------------------


def requested_accepted_and_consented(
    guardian: str,
    child: str,
    coordinator: str,
    *,
    need: str,
    requested: tuple[str, ...],
    consented: tuple[str, ...],
    exclusions: str = "",
):
    """Inside the live server's app context: the guardian asks for a SIP for the child through the request
    steps (the first of ``requested`` is the coordinator's unit, which receives it), the coordinator accepts
    it, and the guardian consents to school and social information shared by ``consented`` for 300 days.

    Returns the guardian, the coordinator, the units by name and the case (not committed yet).
    """
    from datetime import timedelta

    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, StaffUser, Unit
    from citizen_app.services import consent, intake, requests

    parent = db.session.scalar(select(Person).where(Person.display_name == guardian))
    kid = db.session.scalar(select(Person).where(Person.display_name == child))
    staff = db.session.scalar(select(StaffUser).where(StaffUser.display_name == coordinator))
    units = {u.name: u for u in db.session.scalars(select(Unit))}

    draft = requests.open_draft(parent)
    for step, values in (
        ("who", {"for_whom": "child:" + kid.public_id}),
        ("need", {"need": need}),
        ("services", {"units": [units[n].public_id for n in requested]}),
        ("urgency", {"urgent": "no", "leaving_hospital": "no"}),
        ("contact", {"contact_way": "app", "interpreter": "no"}),
    ):
        assert requests.save_step(parent, draft, step, values) == {}, step
    case = requests.submit(parent, draft)
    assert case.owning_unit_id == units[requested[0]].id, f"{coordinator}'s unit should receive the request"
    intake.accept(staff, case)
    consent.give(
        parent,
        case,
        [units[n].public_id for n in consented],
        ["school", "social"],
        date.today() + timedelta(days=300),
        exclusions=exclusions,
    )
    return parent, staff, units, case
