"""The route table: every URL names exactly one access rule, types its parameters, and reads as Swedish
kebab-case without å/ä/ö [STYLE: Names; Tests]."""

from __future__ import annotations

import inspect
import re

import pytest

from citizen_app import create_app
from citizen_app.web import guards


def _guard_rules() -> dict[str, str]:
    """The decorators guards.py offers, by name, and the rule each sets (found by trying each on a view)."""
    found = {}
    for name, obj in vars(guards).items():
        if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != guards.__name__:
            continue

        def view():
            return ""

        rule = getattr(obj(view), guards.RULE_ATTRIBUTE, None)
        if rule:
            found[name] = rule
    return found


GUARDS = _guard_rules()
_APP = create_app("test")
RULES = sorted(_APP.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
_PARAMETER = re.compile(r"<([^>]*)>")
_KEBAB_SEGMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Files that browsers look for by name at the root of the site (the service worker's scope is its folder).
ROOT_FILES = {"/sw.js", "/manifest.webmanifest"}


def _ids(rules):
    return [f"{r.endpoint} {r.rule}" for r in rules]


def test_the_guards_are_found():
    assert {"public", "citizen", "staff"} <= set(GUARDS)
    assert len(RULES) > 5


def _guard_decorators(view) -> list[str]:
    """The access decorators written above the view's ``def`` (``@public``, ``@guards.staff`` …)."""
    source, _ = inspect.getsourcelines(inspect.unwrap(view))
    names = []
    for line in source:
        stripped = line.strip()
        if stripped.startswith(("def ", "async def ")):
            break
        match = re.match(r"@(?:[\w.]+\.)?(\w+)\s*(?:\(|$)", stripped)
        if match and match.group(1) in GUARDS:
            names.append(match.group(1))
    return names


def _check_access_rule(app, rule) -> None:
    view = app.view_functions[rule.endpoint]
    assert getattr(view, guards.RULE_ATTRIBUTE, None) in set(GUARDS.values()), (
        f"{rule.endpoint} ({rule.rule}) has no access rule: add one of web/guards.py ({', '.join(GUARDS)})"
    )
    decorators = _guard_decorators(view)
    assert len(decorators) == 1, f"{rule.endpoint} is decorated with {decorators}, not exactly one rule"
    assert GUARDS[decorators[0]] == getattr(view, guards.RULE_ATTRIBUTE)


def _check_parameters_typed(rule) -> None:
    for parameter in _PARAMETER.findall(rule.rule):
        assert ":" in parameter, f"{rule.rule}: <{parameter}> has no converter"
        converter = parameter.split(":", 1)[0].split("(", 1)[0]
        if converter == "path":
            assert rule.endpoint == "static", f"{rule.rule}: only static files may take a whole path"
        if converter == "string":
            # Opaque ids and tokens have a known length; an unbounded string is an untyped parameter.
            assert "length=" in parameter, f"{rule.rule}: give <{parameter}> a length"


def _check_kebab_case(rule) -> None:
    assert rule.rule.isascii(), f"{rule.rule}: no å, ä, ö or other non-ASCII letters in URLs"
    if rule.rule in ROOT_FILES:
        return
    for segment in rule.rule.split("/"):
        if not segment:
            continue
        if _PARAMETER.search(segment):
            # A segment with a parameter holds nothing else.
            assert _PARAMETER.fullmatch(segment), f"{rule.rule}: {segment!r} mixes text and a parameter"
            continue
        assert _KEBAB_SEGMENT.match(segment), f"{rule.rule}: {segment!r} is not lowercase kebab-case"


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_every_route_names_exactly_one_access_rule(rule):
    _check_access_rule(_APP, rule)


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_every_url_parameter_is_typed(rule):
    _check_parameters_typed(rule)


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_every_url_is_lowercase_ascii_kebab_case(rule):
    _check_kebab_case(rule)


def test_the_checks_catch_bad_routes():
    """Each check can fail: no rule, two rules, a bare or unbounded parameter, Swedish letters, capitals."""
    from citizen_app.web.guards import citizen, public

    app = create_app("test")

    @app.route("/Sök/<term>")
    def no_rule(term):
        return term

    @app.route("/dubbel")
    @citizen
    @public
    def two_rules():
        return ""

    @app.route("/visa/<string:name>/mer_info")
    @public
    def unbounded(name):
        return name

    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for endpoint in ("no_rule", "two_rules"):
        with pytest.raises(AssertionError):
            _check_access_rule(app, rules[endpoint])
    for endpoint in ("no_rule", "unbounded"):
        with pytest.raises(AssertionError):
            _check_parameters_typed(rules[endpoint])
        with pytest.raises(AssertionError):
            _check_kebab_case(rules[endpoint])
