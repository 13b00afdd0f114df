"""The layering of STYLE.md — web → services → models, one access policy — checked by import-linter.

The contracts live in pyproject.toml. The first test runs them on the project; the others copy the package to
a temporary directory, add one forbidden import, and check that the contract it breaks says so — a contract
that cannot fail protects nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [executable, "--no-cache", "--no-logo"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output, output
    assert "kept, 0 broken" in output, output


@pytest.fixture
def copy_of_the_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "citizen_app", tmp_path / "citizen_app",
                    ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


WEB_VIA_SERVICES = "web reaches the database only through services"
FORBIDDEN = [
    # (where the import is added, what it imports, the contract that must break)
    ("web/probe.py", "from citizen_app.models import Person", WEB_VIA_SERVICES),
    ("web/probe.py", "from citizen_app.extensions import db", WEB_VIA_SERVICES),
    ("services/probe.py", "from citizen_app.web import start", "web -> services -> models"),
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
