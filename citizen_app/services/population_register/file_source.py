"""The register extract as a file (``MINSIP_REGISTER_FILE``): CSV or JSON, chosen by the name's ending.

The extract lists children and their guardians with custody. A child in the file is known to the register:
its guardians with custody are exactly those listed (none when it has a row without a guardian). A child not
in the file is unknown (NotInRegister), and Min SIP keeps what it knew. A person is asked about as a guardian
by looking through the children of the file.

CSV (UTF-8, a BOM allowed; comma or semicolon between fields; a header row; one row per child and guardian):

    child_identity_number,child_name,child_birth_date,guardian_identity_number,guardian_name,guardian_birth_date
    201203049828,Elsa Berg,2012-03-04,198005019834,Maria Berg,1980-05-01
    201203049828,Elsa Berg,2012-03-04,197909099843,Johan Berg,1979-09-09
    201406069854,Ida Ek,,,,

- ``child_identity_number``, ``child_name``: required. ``guardian_identity_number`` and ``guardian_name``:
  both, or neither (a child with no guardian with custody, e.g. custody with the social services).
- ``child_birth_date``, ``guardian_birth_date``: optional columns, YYYY-MM-DD; read from the identity number
  when empty or missing.
- Identity numbers with or without the dash (YYYYMMDD-NNNN or YYYYMMDDNNNN), Luhn-checked.

JSON (UTF-8):

    {"extract_date": "2026-12-01",
     "children": [
       {"identity_number": "201203049828", "name": "Elsa Berg", "birth_date": "2012-03-04",
        "custodians": [{"identity_number": "198005019834", "name": "Maria Berg",
                        "birth_date": "1980-05-01"}]},
       {"identity_number": "201406069854", "name": "Ida Ek", "custodians": []}]}

``extract_date`` is optional (shown by ``flask register refresh``); ``birth_date`` is optional everywhere.

One bad row makes the whole file unreadable (RegisterUnavailable naming the row, never its identity number):
a half-read extract would take custody from guardians it failed to read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from dataclasses import dataclass

from citizen_app.services.population_register.source import (
    BadRegisterData,
    NotInRegister,
    RegisterPerson,
    RegisterUnavailable,
    register_person,
)

CSV_COLUMNS = (
    "child_identity_number",
    "child_name",
    "child_birth_date",
    "guardian_identity_number",
    "guardian_name",
    "guardian_birth_date",
)
REQUIRED_CSV_COLUMNS = ("child_identity_number", "child_name", "guardian_identity_number", "guardian_name")


@dataclass(frozen=True)
class Extract:
    """A read extract: each child (by identity number) with its guardians with custody."""

    children: dict[str, RegisterPerson]
    custodians: dict[str, list[RegisterPerson]]
    extract_date: str | None = None


def parse_csv(text: str) -> Extract:
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in header]
    if missing:
        raise RegisterUnavailable("the register file lacks the column(s) " + ", ".join(missing))
    reader.fieldnames = header
    children: dict[str, RegisterPerson] = {}
    custodians: dict[str, list[RegisterPerson]] = {}
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if key}
        if not any(values.values()):
            continue  # an empty line
        try:
            child = register_person(
                values.get("child_identity_number"), values.get("child_name"), values.get("child_birth_date")
            )
            guardian = None
            if values.get("guardian_identity_number") or values.get("guardian_name"):
                guardian = register_person(
                    values.get("guardian_identity_number"),
                    values.get("guardian_name"),
                    values.get("guardian_birth_date"),
                )
        except BadRegisterData as bad:
            raise RegisterUnavailable(f"the register file cannot be read: line {line}: {bad}") from None
        _add(children, custodians, child, guardian)
    return Extract(children, custodians)


def parse_json(text: str) -> Extract:
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        raise RegisterUnavailable(f"the register file is not JSON (line {error.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        raise RegisterUnavailable('the register file needs a list "children"')
    children: dict[str, RegisterPerson] = {}
    custodians: dict[str, list[RegisterPerson]] = {}
    for position, entry in enumerate(data["children"], start=1):
        try:
            if not isinstance(entry, dict) or not isinstance(entry.get("custodians", []), list):
                raise BadRegisterData('each child is an object with a list "custodians"')
            child = register_person(entry.get("identity_number"), entry.get("name"), entry.get("birth_date"))
            found = [
                register_person(g.get("identity_number"), g.get("name"), g.get("birth_date"))
                if isinstance(g, dict)
                else _not_an_object()
                for g in entry.get("custodians", [])
            ]
        except BadRegisterData as bad:
            raise RegisterUnavailable(
                f"the register file cannot be read: child number {position}: {bad}"
            ) from None
        _add(children, custodians, child, None)
        for guardian in found:
            _add(children, custodians, child, guardian)
    extract_date = data.get("extract_date")
    return Extract(children, custodians, str(extract_date) if extract_date else None)


def _not_an_object() -> RegisterPerson:
    raise BadRegisterData("each custodian is an object")


def _add(
    children: dict[str, RegisterPerson],
    custodians: dict[str, list[RegisterPerson]],
    child: RegisterPerson,
    guardian: RegisterPerson | None,
) -> None:
    children.setdefault(child.identity_number, child)
    listed = custodians.setdefault(child.identity_number, [])
    if guardian is not None and all(g.identity_number != guardian.identity_number for g in listed):
        listed.append(guardian)


class FileSource:
    """The register extract in a file; read again when the file changes (its time and size)."""

    name = "file"

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._read: tuple[tuple[float, int], Extract] | None = None

    def extract(self) -> Extract:
        try:
            stat = os.stat(self.path)
        except OSError as error:
            raise RegisterUnavailable(f"the register file cannot be opened ({error.strerror})") from None
        stamp = (stat.st_mtime, stat.st_size)
        with self._lock:
            if self._read is not None and self._read[0] == stamp:
                return self._read[1]
            try:
                with open(self.path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as error:
                raise RegisterUnavailable(
                    f"the register file cannot be read ({type(error).__name__})"
                ) from None
            extract = parse_json(text) if self.path.lower().endswith(".json") else parse_csv(text)
            self._read = (stamp, extract)
            return extract

    def custodians_of(self, child_number: str) -> list[RegisterPerson]:
        extract = self.extract()
        if child_number not in extract.children:
            raise NotInRegister("the child is not in the register file")
        return list(extract.custodians[child_number])

    def children_in_custody_of(self, person_number: str) -> list[RegisterPerson]:
        extract = self.extract()
        return [
            extract.children[child]
            for child, guardians in extract.custodians.items()
            if any(g.identity_number == person_number for g in guardians)
        ]

    def all_children(self) -> list[RegisterPerson]:
        """Every child of the extract (``flask register refresh`` imports them all)."""
        return list(self.extract().children.values())
