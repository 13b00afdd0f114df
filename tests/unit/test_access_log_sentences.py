"""Every action written to the audit log has its own plain sentence on "Vem har läst om mig" [issue 13].

The actions are read from the code itself: every call of ``audit.record(actor, action, ...)`` under
citizen_app/. An action made from an enum's value (``"consent." + event.kind.value``, an f-string with
``purpose.value``) stands for one action per member of that enum. A new call with an action the page cannot
say in words fails here, and so does a new way of building an action name this test cannot read.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from citizen_app.models import ConsentEventKind, LinkPurpose
from citizen_app.plain_language import measure, sentences
from citizen_app.services import access_log

PACKAGE = Path(__file__).resolve().parents[2] / "citizen_app"

# The expressions the code builds action names from, and the values each can take.
DYNAMIC_PARTS = {
    "event.kind.value": [kind.value for kind in ConsentEventKind],
    "purpose.value": [purpose.value for purpose in LinkPurpose],
}


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("record", "record_each")  # record_each: one entry for each of many cases
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def _expand(node: ast.expr, where: str) -> list[str]:
    """The action names an expression can give."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _expand(node.body, where) + _expand(node.orelse, where)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a, b in itertools.product(_expand(node.left, where), _expand(node.right, where))]
    if isinstance(node, ast.JoinedStr):
        parts = [
            _expand(value.value if isinstance(value, ast.FormattedValue) else value, where)
            for value in node.values
        ]
        return ["".join(combination) for combination in itertools.product(*parts)]
    source = ast.unparse(node)
    if source in DYNAMIC_PARTS:
        return DYNAMIC_PARTS[source]
    raise AssertionError(f"{where}: cannot tell which actions {source!r} gives; teach DYNAMIC_PARTS")


def recorded_actions() -> dict[str, str]:
    """Every action name the code can write to the audit log, with where it is written."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_audit_record(node):
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                assert len(node.args) >= 2, f"{where}: audit.record without an action"
                for action in _expand(node.args[1], where):
                    found.setdefault(action, where)
    return found


ACTIONS = recorded_actions()


def test_the_code_writes_the_actions_this_test_expects_to_find():
    """A guard on the reader above: the known kinds of action are all found."""
    for action in (
        "case.read",
        "consent.given",
        "consent.withdrawn",
        "meeting.set",
        "case.closed",
        "access_link.created.child_pages",
        "access_link.used.relative_invitation",
        "decision.recorded",
    ):
        assert action in ACTIONS, action
    assert len(ACTIONS) >= 40


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_audit_action_has_its_own_sentence(action):
    assert action in access_log.SENTENCES, f"{action} ({ACTIONS[action]}) has no sentence in access_log"
    assert access_log.sentence_for(action) != access_log.UNKNOWN_ACTION


@pytest.mark.parametrize("action", sorted(access_log.SENTENCES))
def test_each_sentence_is_one_short_plain_sentence(action):
    text = access_log.SENTENCES[action] % {"who": "Kent Olofsson på Socialtjänsten"}
    assert len(sentences(text)) == 1, text
    readability = measure(text)
    assert readability.words <= 16, text
    assert re.fullmatch(r"[A-ZÅÄÖ].*\.", text), text


def test_no_sentence_is_left_over_from_an_action_the_code_no_longer_writes():
    assert set(access_log.SENTENCES) - set(ACTIONS) == set()
