"""The layering of STYLE.md — web → pages → services → models, one access policy, no import cycles —
checked by import-linter and grimp.

The contracts live in pyproject.toml. The first test runs them on the project; the others copy the package to
a temporary directory, add one forbidden import, and check that the contract it breaks says so — a contract
that cannot fail protects nothing. The last tests look for import cycles among all citizen_app modules, and
show that a cycle added to the graph is found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [executable, "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output, output
    assert "kept, 0 broken" in output, output


@pytest.fixture
def copy_of_the_project(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "citizen_app", tmp_path / "citizen_app", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


WEB_VIA_SERVICES = "web reaches the database only through services"
PAGES_VIA_SERVICES = "pages never touch the database directly"
LAYERS = "web -> pages -> services -> models"
FORBIDDEN = [
    # (where the import is added, what it imports, the contract that must break)
    ("web/probe.py", "from citizen_app.models import Person", WEB_VIA_SERVICES),
    ("web/probe.py", "from citizen_app.extensions import db", WEB_VIA_SERVICES),
    ("services/probe.py", "from citizen_app.web import start", LAYERS),
    ("services/probe.py", "from citizen_app.pages import case", "services never import pages"),
    ("services/probe.py", "from citizen_app.pages import case", LAYERS),
    ("pages/probe.py", "from citizen_app.web import start", LAYERS),
    ("pages/probe.py", "from citizen_app.extensions import db", PAGES_VIA_SERVICES),
    ("pages/probe.py", "from sqlalchemy import select", PAGES_VIA_SERVICES),
    ("pages/probe.py", "from sqlalchemy.orm.attributes import set_committed_value", PAGES_VIA_SERVICES),
    ("pages/probe.py", "from flask_sqlalchemy import SQLAlchemy", PAGES_VIA_SERVICES),
    ("models/probe.py", "from citizen_app.services import people", "models know nothing of services"),
    ("models/probe.py", "from citizen_app import access", "models know nothing of services, web or access"),
]


@pytest.mark.parametrize(
    ("where", "statement", "contract"), FORBIDDEN, ids=[f"{w}: {s}" for w, s, _ in FORBIDDEN]
)
def test_a_forbidden_import_breaks_its_contract(copy_of_the_project, where, statement, contract):
    (copy_of_the_project / "citizen_app" / where).write_text(statement + "  # noqa\n")
    result = _lint_imports(copy_of_the_project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    broken = [line for line in output.splitlines() if line.rstrip().endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), output


# --- No import cycles ---------------------------------------------------------------------------------------


def cycles_in(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import each other, directly or through others (Tarjan's strongly connected
    components). Imports inside functions and under TYPE_CHECKING count too: a cycle hidden in a function
    is still a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


@pytest.fixture
def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph("citizen_app", cache_dir=None)


def _with_lines(graph: grimp.ImportGraph, group: list[str]) -> str:
    """ "a -> b (line 12)" for each import between the modules of a cycle, to say where to look."""
    lines = []
    for a in group:
        for b in group:
            if graph.direct_import_exists(importer=a, imported=b):
                at = ", ".join(
                    str(d["line_number"]) for d in graph.get_import_details(importer=a, imported=b)
                )
                lines.append(f"{a} -> {b} (line {at})")
    return "; ".join(lines)


def test_no_module_of_citizen_app_is_part_of_an_import_cycle(import_graph):
    cycles = cycles_in(import_graph)
    assert cycles == [], "\n".join(_with_lines(import_graph, group) for group in cycles)


@pytest.mark.parametrize(
    ("importer", "imported", "cycle"),
    [
        # consent cancelling invitations itself again, instead of services/withdrawal.py
        ("citizen_app.services.consent", "citizen_app.services.meetings", ["consent", "meetings"]),
        # the case page back in services/cases (it reads the plan page)
        ("citizen_app.services.cases", "citizen_app.pages.case", ["case", "cases"]),
        # the demo command back in cli.py (create_app imports cli)
        ("citizen_app.cli", "citizen_app", ["citizen_app", "cli"]),
    ],
)
def test_an_import_that_closes_a_cycle_is_found(import_graph, importer, imported, cycle):
    import_graph.add_import(importer=importer, imported=imported)
    found = cycles_in(import_graph)
    assert len(found) == 1, found
    assert all(any(m == c or m.endswith("." + c) for m in found[0]) for c in cycle), found
