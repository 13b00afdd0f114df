"""Importing the county's organisation (principals, units, staff and their roles) from a CSV file [issue 18].

The file is what a county exports from its HSA catalogue or keeps in Excel: UTF-8 with or without a BOM
(Excel's "CSV UTF-8"), or Windows-1252 (Excel's older "CSV (semikolonavgränsad)"); fields separated by ``;``,
``,`` or a tab (the header line decides). The first line names the columns, in any order, case and spaces
ignored; columns this import does not know are read past (the report says so). One line per thing:

====== ====================================================================================================
typ    what the line is: ``huvudman``, ``enhet`` or ``personal``
====== ====================================================================================================

=================  ==========  ========================================================================
column             used by     what it holds
=================  ==========  ========================================================================
``hsa_id``         all         the HSA-id, the key everything is matched on (always needed)
``namn``           all         the name (always needed)
``huvudmanstyp``   huvudman    ``kommun``, ``region`` or ``annan`` (needed for a new principal)
``huvudman``       enhet       the principal's HSA-id, or its exact name in Min SIP (needed for a new unit)
``enhetstyp``      enhet       ``vårdcentral``, ``socialtjänst``, ``psykiatri``, ``bup``, ``sjukhus``,
                               ``hemtjänst``, ``skola``, ``försäkringskassan``, ``arbetsförmedlingen``,
                               ``annan`` (needed for a new unit)
``adress``         enhet
``telefon``        enhet, personal
``epost``          enhet, personal
``enhet``          personal    the unit's HSA-id, or its exact name in Min SIP (always needed)
``roll``           personal    ``samordnare`` or ``medarbetare`` (always needed)
``titel``          personal
=================  ==========  ========================================================================

A staff member in two units has two ``personal`` lines, one per unit, with the same HSA-id.

The rules:

- **Matched by HSA-id** (upper or lower case alike). A principal or unit in Min SIP without an HSA-id and
  with exactly the file's name is the same one: it gets the HSA-id (shown as a change). Staff are matched by
  HSA-id only (names are not unique).
- **Idempotent**: importing the same file twice changes nothing the second time. A changed name, address,
  kind or principal is an update; a ``personal`` line with another role changes the role in that unit.
- **An empty cell changes nothing**: it never erases what Min SIP has (an export without phone numbers does
  not wipe them). Erasing is done on the administration pages.
- **Nothing is removed**: a principal, unit, staff member or role in Min SIP that is not in the file stays
  as it is; the report lists it under "Finns i Min SIP men inte i filen". Deactivating someone is done on the
  administration pages. A deactivated staff member stays deactivated.
- **All or nothing**: a single error anywhere blocks the whole file; applying is one transaction.

``check`` is the dry run (it writes nothing); ``apply`` writes, audited as ``organisation.imported``. The
upload page keeps the file between the check and applying it (``keep_upload``, ``apply_upload``), so what is
applied is exactly the file that was checked.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select

from citizen_app.extensions import db
from citizen_app.models import (
    OrganisationUpload,
    Principal,
    PrincipalKind,
    StaffMembership,
    StaffRole,
    StaffUser,
    Unit,
    UnitKind,
    utcnow,
)
from citizen_app.services import N_, InvalidInput, NotAllowed, NotFound, audit
from citizen_app.services.row_counts import rows_changed

_E = TypeVar("_E", bound=enum.Enum)

PRINCIPAL = "huvudman"
UNIT = "enhet"
STAFF = "personal"
KINDS = (PRINCIPAL, UNIT, STAFF)

COLUMNS = (
    "typ",
    "hsa_id",
    "namn",
    "huvudmanstyp",
    "huvudman",
    "enhetstyp",
    "adress",
    "telefon",
    "epost",
    "enhet",
    "roll",
    "titel",
)
REQUIRED_COLUMNS = ("typ", "hsa_id", "namn")
# Other spellings of a header, after lower case and spaces, hyphens and dots made "_"
ALIASES = {"hsaid": "hsa_id", "e_post": "epost", "mejl": "epost", "email": "epost", "e_mail": "epost"}

PRINCIPAL_KINDS = {
    "kommun": PrincipalKind.MUNICIPALITY,
    "region": PrincipalKind.REGION,
    "annan": PrincipalKind.OTHER,
}
UNIT_KINDS = {
    "vårdcentral": UnitKind.PRIMARY_CARE,
    "socialtjänst": UnitKind.SOCIAL_SERVICES,
    "psykiatri": UnitKind.PSYCHIATRY,
    "bup": UnitKind.CHILD_PSYCHIATRY,
    "sjukhus": UnitKind.HOSPITAL,
    "hemtjänst": UnitKind.HOME_CARE,
    "skola": UnitKind.SCHOOL,
    "försäkringskassan": UnitKind.SOCIAL_INSURANCE,
    "arbetsförmedlingen": UnitKind.EMPLOYMENT,
    "annan": UnitKind.OTHER,
}
ROLES = {"samordnare": StaffRole.COORDINATOR, "medarbetare": StaffRole.MEMBER}
# The file's words for what Min SIP has, for the report (StrEnum members of two enums may be equal strings,
# so one table each).
PRINCIPAL_WORD = {kind: word for word, kind in PRINCIPAL_KINDS.items()}
UNIT_WORD = {kind: word for word, kind in UNIT_KINDS.items()}
ROLE_WORD = {role: word for word, role in ROLES.items()}

# Two letters of country, the organisation's number, a hyphen and the catalogue's own part: SE2321000016-15CV.
HSA_ID = re.compile(r"[A-Z]{2}[0-9]{6,14}-[A-Z0-9]{1,40}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"[0-9+()\- ]{5,40}")
LIMITS = {"hsa_id": 64, "namn": 200, "adress": 300, "telefon": 40, "epost": 200, "titel": 200}

# Labels of the fields a change names (columns of the report).
LABELS = {
    "hsa_id": N_("HSA-id"),
    "namn": N_("Namn"),
    "huvudmanstyp": N_("Typ av huvudman"),
    "huvudman": N_("Huvudman"),
    "enhetstyp": N_("Typ av enhet"),
    "adress": N_("Adress"),
    "telefon": N_("Telefon"),
    "epost": N_("E-post"),
    "titel": N_("Titel"),
    "roll": N_("Roll"),
}


class Outcome(enum.StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Message:
    """A Swedish msgid and its values, translated where it is shown: ``_(text, **values)``."""

    text: str
    values: dict = field(default_factory=dict)

    def __str__(self) -> str:  # the Swedish text, for the command line
        return self.text % self.values if self.values else self.text


@dataclass(frozen=True)
class Change:
    """One field of one line: ``label`` is a msgid (LABELS), ``old`` is "" for a new value."""

    label: str
    old: str
    new: str


@dataclass
class Line:
    """What one line of the file does (or would do)."""

    number: int
    kind: str  # huvudman, enhet, personal ("" when the type could not be read)
    hsa_id: str
    name: str
    unit: str = ""  # personal: the unit's name (or what the file says when it is unknown)
    outcome: Outcome = Outcome.UNCHANGED
    changes: list[Change] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class Absent:
    """Something in Min SIP the file does not mention: kept as it is."""

    kind: str  # huvudman, enhet, personal (a role in a unit)
    hsa_id: str
    name: str
    unit: str = ""


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    file_errors: list[Message] = field(default_factory=list)  # the file as a whole (header, encoding)
    notes: list[Message] = field(default_factory=list)  # read, but worth knowing (an ignored column)
    not_in_file: list[Absent] = field(default_factory=list)
    applied: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(line.errors for line in self.lines)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(line.errors) for line in self.lines)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def changes_anything(self) -> bool:
        return any(line.outcome in (Outcome.CREATED, Outcome.CHANGED) for line in self.lines)

    @property
    def digest(self) -> str:
        """The hash of what the report says would change: applying after a check must find the same."""
        said = [
            [line.number, line.outcome.value, [[c.label, c.old, c.new] for c in line.changes]]
            for line in self.lines
        ]
        return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode("utf-8")).hexdigest()

    def as_receipt(self) -> dict:
        """What was changed, kept with the upload: the lines that created or changed something."""
        return {
            "created": self.count(Outcome.CREATED),
            "changed": self.count(Outcome.CHANGED),
            "unchanged": self.count(Outcome.UNCHANGED),
            "lines": [
                {
                    "number": line.number,
                    "kind": line.kind,
                    "hsa_id": line.hsa_id,
                    "name": line.name,
                    "unit": line.unit,
                    "outcome": line.outcome.value,
                    "changes": [{"label": c.label, "old": c.old, "new": c.new} for c in line.changes],
                }
                for line in self.lines
                if line.outcome in (Outcome.CREATED, Outcome.CHANGED)
            ],
        }


class InvalidFile(InvalidInput):
    """The file cannot be read at all (empty, not text, not a CSV file): ``errors["file"]``."""


class HasErrors(NotAllowed):
    """A file with errors is never applied, not a line of it."""

    def __init__(self, report: Report) -> None:
        super().__init__(N_("Filen har fel. Inget har ändrats."))
        self.report = report


class ChangedSinceCheck(NotAllowed):
    """Min SIP changed between the check and applying: the new report must be read first."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            N_("Något har ändrats i Min SIP sedan filen kontrollerades. Läs igenom ändringarna igen.")
        )
        self.report = report


class NotTheCheckedFile(NotAllowed):
    pass


class AlreadyApplied(NotAllowed):
    pass


# --- Reading the file ---------------------------------------------------------------------------------------

EMPTY_FILE = N_("Filen är tom.")
NOT_TEXT = N_("Filen är inte en CSV-fil. Spara den som CSV i Excel och försök igen.")


def read_text(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM is dropped) or, failing that, Windows-1252 (Excel's older CSV)."""
    if not data.strip():
        raise InvalidFile({"file": EMPTY_FILE})
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):  # UTF-16, a spreadsheet (.xlsx is a zip), a binary
        raise InvalidFile({"file": NOT_TEXT})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidFile({"file": NOT_TEXT}) from None
    return text


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header_name(raw: str) -> str:
    name = re.sub(r"[\s.\-]+", "_", raw.strip().lstrip("\ufeff").lower()).strip("_")
    return ALIASES.get(name, name)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]
    extra: bool  # more cells than the header has


def _rows(text: str, report: Report) -> list[_Row]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        report.file_errors.append(Message(EMPTY_FILE))
        return []
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[first]))
    header: list[str] | None = None
    rows: list[_Row] = []
    start = 1
    for cells in reader:
        number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [_header_name(cell) for cell in cells]
            for name in REQUIRED_COLUMNS:
                if name not in header:
                    report.file_errors.append(
                        Message(N_("Kolumnen ”%(column)s” saknas på första raden."), {"column": name})
                    )
            for name in header:
                if name and name not in COLUMNS:
                    report.notes.append(Message(N_("Kolumnen ”%(column)s” läses inte."), {"column": name}))
            seen = [name for name in header if name]
            for name in sorted({name for name in seen if seen.count(name) > 1}):
                report.file_errors.append(
                    Message(N_("Kolumnen ”%(column)s” finns två gånger på första raden."), {"column": name})
                )
            if report.file_errors:
                return []
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name in COLUMNS}
        extra = any(cell.strip() for cell in cells[len(header) :])
        rows.append(_Row(number, values, extra))
    if header is not None and not rows:
        report.file_errors.append(Message(N_("Filen har inga rader under rubrikraden.")))
    return rows


# --- What the file asks for ---------------------------------------------------------------------------------


@dataclass
class _Wanted:
    line: Line
    cells: dict[str, str]


def _cell(row: _Row, name: str) -> str:
    return row.cells.get(name, "")


def _check_shape(row: _Row, line: Line) -> None:
    """Checks that need nothing but the line itself."""
    if row.extra:
        line.errors.append(Message(N_("Raden har fler fält än rubrikraden. Kontrollera avgränsaren.")))
    if not line.hsa_id:
        line.errors.append(Message(N_("HSA-id saknas.")))
    elif not HSA_ID.fullmatch(line.hsa_id) or len(line.hsa_id) > LIMITS["hsa_id"]:
        line.errors.append(
            Message(
                N_("”%(value)s” ser inte ut som ett HSA-id. Ett HSA-id ser ut så här: SE2321000016-15CV."),
                {"value": _cell(row, "hsa_id")},
            )
        )
    if not line.name:
        line.errors.append(Message(N_("Namn saknas.")))
    for name, limit in LIMITS.items():
        if name != "hsa_id" and len(_cell(row, name)) > limit:
            line.errors.append(
                Message(
                    N_("Kolumnen ”%(column)s” har för lång text. Den får vara högst %(limit)s tecken."),
                    {"column": name, "limit": limit},
                )
            )
    email = _cell(row, "epost")
    if email and not EMAIL.fullmatch(email):
        line.errors.append(Message(N_("”%(value)s” ser inte ut som en e-postadress."), {"value": email}))
    phone = _cell(row, "telefon")
    if phone and not PHONE.fullmatch(phone):
        line.errors.append(Message(N_("”%(value)s” ser inte ut som ett telefonnummer."), {"value": phone}))


def _choice(row: _Row, line: Line, column: str, words: dict[str, _E], unknown: str) -> _E | None:
    value = _cell(row, column)
    if not value:
        return None
    found = words.get(value.lower())
    if found is None:
        line.errors.append(Message(unknown, {"value": value, "words": ", ".join(words)}))
    return found


# --- The state of Min SIP -----------------------------------------------------------------------------------


@dataclass
class _State:
    principals: list[Principal]
    units: list[Unit]
    staff: dict[str, StaffUser]  # by upper-case HSA-id: everyone with an HSA-id
    memberships: dict[tuple[int, int], StaffMembership]  # (staff id, unit id) of those staff

    @classmethod
    def load(cls) -> _State:
        principals = list(db.session.scalars(select(Principal).order_by(Principal.name)))
        units = list(db.session.scalars(select(Unit).order_by(Unit.name)))
        staff = {
            person.hsa_id.upper(): person
            for person in db.session.scalars(select(StaffUser).where(StaffUser.hsa_id.is_not(None)))
            if person.hsa_id
        }
        ids = [person.id for person in staff.values()]
        memberships = {
            (m.staff_id, m.unit_id): m
            for m in (
                db.session.scalars(select(StaffMembership).where(StaffMembership.staff_id.in_(ids)))
                if ids
                else []
            )
        }
        return cls(principals, units, staff, memberships)


def _by_hsa(items: Iterable, hsa_id: str):
    return next((item for item in items if item.hsa_id and item.hsa_id.upper() == hsa_id), None)


def _by_name_without_hsa(items: Iterable, name: str):
    return next((item for item in items if not item.hsa_id and item.name == name), None)


def _change(changes: list[Change], column: str, old: str | None, new: str | None) -> None:
    """A change when the file says something (not empty) that differs from what Min SIP has."""
    if new and (old or "") != new:
        changes.append(Change(LABELS[column], old or "", new))


# --- The check (dry run) and applying ----------------------------------------------------------------------


@dataclass
class _Plan:
    """The report, and for each line the thing it is about (existing, or None when it is created)."""

    report: Report
    principals: list[tuple[_Wanted, Principal | None]] = field(default_factory=list)
    units: list[tuple[_Wanted, Unit | None, str]] = field(default_factory=list)  # + the principal's key
    staff: list[tuple[_Wanted, StaffUser | None, str, bool]] = field(
        default_factory=list
    )  # + unit key, first


def _plan(text: str) -> _Plan:
    report = Report()
    plan = _Plan(report)
    rows = _rows(text, report)
    if report.file_errors:
        return plan
    state = _State.load()
    first_line_of: dict[str, tuple[str, int]] = {}  # HSA-id → (kind, line) of its first line
    wanted: dict[str, list[_Wanted]] = {kind: [] for kind in KINDS}
    for row in rows:
        kind = _cell(row, "typ").lower()
        line = Line(
            row.number, kind if kind in KINDS else "", _cell(row, "hsa_id").upper(), _cell(row, "namn")
        )
        report.lines.append(line)
        if kind not in KINDS:
            line.errors.append(
                Message(
                    N_("Okänd typ ”%(value)s”. Skriv huvudman, enhet eller personal."),
                    {"value": _cell(row, "typ")},
                )
                if kind
                else Message(N_("Typ saknas. Skriv huvudman, enhet eller personal."))
            )
            continue
        _check_shape(row, line)
        if line.hsa_id:
            earlier = first_line_of.setdefault(line.hsa_id, (kind, line.number))
            if earlier[0] != kind or (earlier[1] != line.number and kind != STAFF):
                line.errors.append(
                    Message(
                        N_("HSA-id %(hsa_id)s finns redan på rad %(line)s."),
                        {"hsa_id": line.hsa_id, "line": earlier[1]},
                    )
                )
        wanted[kind].append(_Wanted(line, row.cells))

    _plan_principals(plan, state, wanted[PRINCIPAL])
    unit_keys = _plan_units(plan, state, wanted[UNIT])
    _plan_staff(plan, state, wanted[STAFF], unit_keys)
    _absent(plan, state, wanted)
    for line in report.lines:
        if line.errors:
            line.outcome = Outcome.ERROR
    return plan


def _unique_names(lines: list[tuple[Line, object | None]], existing: list, used_by_another: str) -> None:
    """Names are unique among principals, and among units: after the import as well as before."""
    final: dict[str, tuple[Line | None, object | None]] = {}
    claimed = {id(thing) for _line, thing in lines if thing is not None}
    for thing in existing:
        if id(thing) not in claimed:
            final[thing.name] = (None, thing)
    for line, thing in lines:
        if not line.name:
            continue
        other_line, other = final.get(line.name, (None, None))
        if other_line is not None:
            line.errors.append(
                Message(
                    N_("Namnet ”%(name)s” finns redan på rad %(line)s."),
                    {"name": line.name, "line": other_line.number},
                )
            )
        elif other is not None and other is not thing:
            line.errors.append(
                Message(used_by_another, {"name": line.name, "hsa_id": getattr(other, "hsa_id", None) or "–"})
            )
        else:
            final[line.name] = (line, thing)


def _plan_principals(plan: _Plan, state: _State, wanted: list[_Wanted]) -> None:
    found = []
    for want in wanted:
        line = want.line
        principal = _by_hsa(state.principals, line.hsa_id) or _by_name_without_hsa(
            state.principals, line.name
        )
        kind = _choice(
            _Row(line.number, want.cells, False),
            line,
            "huvudmanstyp",
            PRINCIPAL_KINDS,
            N_("Okänd huvudmanstyp ”%(value)s”. Skriv en av: %(words)s."),
        )
        if principal is None:
            line.outcome = Outcome.CREATED
            if kind is None and not want.cells.get("huvudmanstyp"):
                line.errors.append(Message(N_("Huvudmanstyp saknas. Skriv kommun, region eller annan.")))
        else:
            _change(line.changes, "hsa_id", principal.hsa_id, line.hsa_id)
            _change(line.changes, "namn", principal.name, line.name)
            _change(
                line.changes,
                "huvudmanstyp",
                PRINCIPAL_WORD[principal.kind],
                PRINCIPAL_WORD[kind] if kind else None,
            )
            line.outcome = Outcome.CHANGED if line.changes else Outcome.UNCHANGED
        found.append((line, principal))
        plan.principals.append((want, principal))
    _unique_names(
        found,
        state.principals,
        N_("Namnet ”%(name)s” används redan av en annan huvudman i Min SIP (HSA-id %(hsa_id)s)."),
    )


def _plan_units(plan: _Plan, state: _State, wanted: list[_Wanted]) -> dict[str, tuple[str, Unit | None]]:
    """Plans the units; gives every unit a staff line may name (HSA-id or name) → (its name, the unit)."""
    principal_names = {
        want.line.hsa_id: want.line.name
        for want, _p in plan.principals
        if want.line.hsa_id and not want.line.errors
    }
    found = []
    for want in wanted:
        line = want.line
        row = _Row(line.number, want.cells, False)
        unit = _by_hsa(state.units, line.hsa_id) or _by_name_without_hsa(state.units, line.name)
        kind = _choice(
            row, line, "enhetstyp", UNIT_KINDS, N_("Okänd enhetstyp ”%(value)s”. Skriv en av: %(words)s.")
        )
        principal_key = want.cells.get("huvudman", "")
        principal_name = None
        if principal_key:
            key = principal_key.upper()
            if key in principal_names:
                principal_name = principal_names[key]
            else:
                principal = _by_hsa(state.principals, key) or next(
                    (p for p in state.principals if p.name == principal_key), None
                )
                if principal is None:
                    line.errors.append(
                        Message(
                            N_("Huvudmannen ”%(value)s” finns inte i filen eller i Min SIP."),
                            {"value": principal_key},
                        )
                    )
                else:
                    principal_name = principal.name
        if unit is None:
            line.outcome = Outcome.CREATED
            if not principal_key:
                line.errors.append(Message(N_("Huvudman saknas. Skriv huvudmannens HSA-id.")))
            if not want.cells.get("enhetstyp"):
                line.errors.append(
                    Message(N_("Enhetstyp saknas. Skriv till exempel vårdcentral eller skola."))
                )
        else:
            _change(line.changes, "hsa_id", unit.hsa_id, line.hsa_id)
            _change(line.changes, "namn", unit.name, line.name)
            _change(line.changes, "huvudman", unit.principal.name, principal_name)
            _change(line.changes, "enhetstyp", UNIT_WORD[unit.kind], UNIT_WORD[kind] if kind else None)
            for column, attribute in (("adress", "address"), ("telefon", "phone"), ("epost", "email")):
                _change(line.changes, column, getattr(unit, attribute), want.cells.get(column))
            line.outcome = Outcome.CHANGED if line.changes else Outcome.UNCHANGED
        found.append((line, unit))
        plan.units.append((want, unit, principal_key))
    _unique_names(
        found,
        state.units,
        N_("Namnet ”%(name)s” används redan av en annan enhet i Min SIP (HSA-id %(hsa_id)s)."),
    )
    keys: dict[str, tuple[str, Unit | None]] = {}
    for unit in state.units:
        keys[unit.name] = (unit.name, unit)
        if unit.hsa_id:
            keys[unit.hsa_id.upper()] = (unit.name, unit)
    for want, unit, _principal in plan.units:
        if want.line.hsa_id and not want.line.errors:
            keys[want.line.hsa_id] = (want.line.name, unit)
    return keys


def _plan_staff(
    plan: _Plan, state: _State, wanted: list[_Wanted], unit_keys: dict[str, tuple[str, Unit | None]]
) -> None:
    first_of: dict[str, _Wanted] = {}
    units_of: dict[tuple[str, str], int] = {}  # (staff HSA-id, unit name) → line
    for want in wanted:
        line = want.line
        row = _Row(line.number, want.cells, False)
        role = _choice(
            row, line, "roll", ROLES, N_("Okänd roll ”%(value)s”. Skriv samordnare eller medarbetare.")
        )
        if not want.cells.get("roll"):
            line.errors.append(Message(N_("Roll saknas. Skriv samordnare eller medarbetare.")))
        unit_key = want.cells.get("enhet", "")
        unit_name, unit = None, None
        if not unit_key:
            line.errors.append(Message(N_("Enhet saknas. Skriv enhetens HSA-id.")))
        else:
            known = unit_keys.get(unit_key.upper()) or unit_keys.get(unit_key)
            if known is None:
                line.errors.append(
                    Message(
                        N_("Enheten ”%(value)s” finns inte i filen eller i Min SIP."), {"value": unit_key}
                    )
                )
            else:
                unit_name, unit = known
        line.unit = unit_name or unit_key
        person = state.staff.get(line.hsa_id) if line.hsa_id else None
        first = first_of.setdefault(line.hsa_id, want) if line.hsa_id else want
        if first is not want:
            for column in ("namn", "titel", "telefon", "epost"):
                said, again = first.cells.get(column, ""), want.cells.get(column, "")
                if said and again and said != again:
                    line.errors.append(
                        Message(
                            N_("Samma person har något annat i kolumnen ”%(column)s” på rad %(line)s."),
                            {"column": column, "line": first.line.number},
                        )
                    )
        if unit_name is not None and line.hsa_id:
            earlier = units_of.setdefault((line.hsa_id, unit_name), line.number)
            if earlier != line.number:
                line.errors.append(
                    Message(N_("Personen finns redan i samma enhet på rad %(line)s."), {"line": earlier})
                )
        if person is None:
            line.outcome = Outcome.CREATED  # the person, with a role in this unit
        else:
            if first is want:
                _change(line.changes, "namn", person.display_name, want.cells.get("namn"))
                for column, attribute in (("titel", "title"), ("telefon", "phone"), ("epost", "email")):
                    _change(line.changes, column, getattr(person, attribute), want.cells.get(column))
            membership = state.memberships.get((person.id, unit.id)) if unit is not None else None
            if role is not None and (membership is None or membership.role != role):
                _change(
                    line.changes, "roll", ROLE_WORD[membership.role] if membership else "", ROLE_WORD[role]
                )
            line.outcome = Outcome.CHANGED if line.changes else Outcome.UNCHANGED
        plan.staff.append((want, person, unit_name or "", first is want))


def _absent(plan: _Plan, state: _State, wanted: dict[str, list[_Wanted]]) -> None:
    """What Min SIP has that the file does not mention: listed, never removed."""
    named = {id(thing) for _w, thing in plan.principals if thing is not None}
    named |= {id(thing) for _w, thing, _k in plan.units if thing is not None}
    absent = plan.report.not_in_file
    for principal in state.principals:
        if id(principal) not in named:
            absent.append(Absent(PRINCIPAL, principal.hsa_id or "", principal.name))
    for unit in state.units:
        if id(unit) not in named:
            absent.append(Absent(UNIT, unit.hsa_id or "", unit.name))
    in_file = {(want.line.hsa_id, unit_name) for want, _p, unit_name, _f in plan.staff}
    units = {unit.id: unit for unit in state.units}
    people = {person.id: person for person in state.staff.values()}
    roles = [(people[staff_id], units[unit_id].name) for staff_id, unit_id in state.memberships]
    for person, unit_name in sorted(roles, key=lambda pair: (pair[0].display_name, pair[0].id, pair[1])):
        if ((person.hsa_id or "").upper(), unit_name) not in in_file:
            absent.append(Absent(STAFF, person.hsa_id or "", person.display_name, unit_name))


def check(text: str) -> Report:
    """The dry run: what importing the file would change, line by line. Writes nothing."""
    return _plan(text).report


def apply(actor: StaffUser | None, text: str, *, expected: str | None = None, filename: str = "") -> Report:
    """Import the file: all of it, or nothing when any line has an error (``HasErrors``).

    ``expected`` is the digest of the report the administrator read: when Min SIP has changed since, nothing
    is written and ``ChangedSinceCheck`` carries the new report. Flushes; the caller commits (one
    transaction).
    """
    plan = _plan(text)
    report = plan.report
    if report.has_errors:
        raise HasErrors(report)
    if expected is not None and expected != report.digest:
        raise ChangedSinceCheck(report)
    principals: dict[str, Principal] = {}
    for want, principal in plan.principals:
        cells = want.cells
        kind = PRINCIPAL_KINDS.get(cells.get("huvudmanstyp", "").lower())
        if principal is None:
            principal = Principal(name=want.line.name, kind=kind, hsa_id=want.line.hsa_id)
            db.session.add(principal)
        else:
            principal.hsa_id, principal.name = want.line.hsa_id, want.line.name
            if kind is not None:
                principal.kind = kind
        principals[want.line.hsa_id] = principal
    db.session.flush()
    all_principals = list(db.session.scalars(select(Principal)))
    units: dict[str, Unit] = {}
    for want, unit, principal_key in plan.units:
        cells = want.cells
        unit_kind = UNIT_KINDS.get(cells.get("enhetstyp", "").lower())
        principal = (
            principals.get(principal_key.upper())
            or _by_hsa(all_principals, principal_key.upper())
            or next((p for p in all_principals if p.name == principal_key), None)
            if principal_key
            else None
        )
        if unit is None:
            unit = Unit(name=want.line.name, kind=unit_kind, hsa_id=want.line.hsa_id, principal=principal)
            db.session.add(unit)
        else:
            unit.hsa_id, unit.name = want.line.hsa_id, want.line.name
            if unit_kind is not None:
                unit.kind = unit_kind
            if principal is not None:
                unit.principal = principal
        for column, attribute in (("adress", "address"), ("telefon", "phone"), ("epost", "email")):
            if cells.get(column):
                setattr(unit, attribute, cells[column])
        units[want.line.hsa_id] = unit
    db.session.flush()
    units_by_name = {unit.name: unit for unit in db.session.scalars(select(Unit))}
    people: dict[str, StaffUser] = {}
    for want, person, _unit_name, first in plan.staff:
        if not first:
            continue
        if person is None:
            person = StaffUser(hsa_id=want.line.hsa_id, display_name=want.line.name)
            db.session.add(person)
        person.display_name = want.line.name
        for column, attribute in (("titel", "title"), ("telefon", "phone"), ("epost", "email")):
            if want.cells.get(column):
                setattr(person, attribute, want.cells[column])
        people[want.line.hsa_id] = person
    db.session.flush()
    ids = [person.id for person in people.values()]
    memberships = {
        (m.staff_id, m.unit_id): m
        for m in (
            db.session.scalars(select(StaffMembership).where(StaffMembership.staff_id.in_(ids)))
            if ids
            else []
        )
    }
    for want, _person, unit_name, _first in plan.staff:
        person, unit = people[want.line.hsa_id], units_by_name[unit_name]
        role = ROLES[want.cells["roll"].lower()]
        membership = memberships.get((person.id, unit.id))
        if membership is None:
            db.session.add(StaffMembership(staff_id=person.id, unit_id=unit.id, role=role))
        elif membership.role != role:
            membership.role = role
    db.session.flush()
    report.applied = True
    receipt = report.as_receipt()
    audit.record(
        actor,
        "organisation.imported",
        filename=filename,
        sha256=text_hash(text),
        created=receipt["created"],
        changed=receipt["changed"],
        unchanged=receipt["unchanged"],
        lines=[
            {
                "line": each["number"],
                "kind": each["kind"],
                "hsa_id": each["hsa_id"],
                "outcome": each["outcome"],
            }
            for each in receipt["lines"]
        ],
    )
    return report


# --- The upload page: the file kept between the check and applying it ------------------------------------

MAX_FILENAME = 200


# A checked file not applied holds staff names, HSA-ids and phone numbers: kept one day at most.
UNAPPLIED_KEPT = timedelta(days=1)


def forget_unapplied(now: datetime | None = None) -> int:
    """Delete files checked but never applied, a day after they were uploaded (``flask run-jobs``)."""
    cutoff = (now or utcnow()) - UNAPPLIED_KEPT
    return (
        rows_changed(
            delete(OrganisationUpload).where(
                OrganisationUpload.applied_at.is_(None), OrganisationUpload.uploaded_at < cutoff
            )
        )
        or 0
    )


def keep_upload(actor: StaffUser, filename: str, data: bytes) -> OrganisationUpload:
    """Keep the administrator's file for the check page (``InvalidFile`` when it cannot be read at all).

    Their earlier files not applied are forgotten: one file waits per administrator.
    """
    text = read_text(data)
    db.session.execute(
        delete(OrganisationUpload)
        .where(OrganisationUpload.uploaded_by_id == actor.id, OrganisationUpload.applied_at.is_(None))
        .execution_options(synchronize_session="fetch")
    )
    upload = OrganisationUpload(
        uploaded_by_id=actor.id,
        filename=(filename or "")[:MAX_FILENAME],
        sha256=text_hash(text),
        content=text,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def find_upload(actor: StaffUser, public_id: str) -> OrganisationUpload:
    """The administrator's own upload; another administrator's id finds nothing."""
    upload = db.session.scalar(
        select(OrganisationUpload).where(
            OrganisationUpload.public_id == public_id, OrganisationUpload.uploaded_by_id == actor.id
        )
    )
    if upload is None:
        raise NotFound(N_("Filen finns inte längre. Välj filen igen."))
    return upload


def apply_upload(actor: StaffUser, upload: OrganisationUpload, sha256: str, expected: str) -> Report:
    """Apply the kept file, if it is the one the page showed (``sha256``) with the changes it showed.

    The upload's row is locked first (PostgreSQL): the same file sent from two tabs at once is applied once,
    the second finds it applied.
    """
    db.session.scalar(
        select(OrganisationUpload)
        .where(OrganisationUpload.id == upload.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if upload.applied_at is not None:
        raise AlreadyApplied(N_("Ändringarna i filen är redan genomförda."))
    if not sha256 or sha256 != upload.sha256 or text_hash(upload.content) != upload.sha256:
        raise NotTheCheckedFile(N_("Det här är inte filen som kontrollerades. Välj filen igen."))
    report = apply(actor, upload.content, expected=expected, filename=upload.filename)
    upload.applied_at = utcnow()
    upload.receipt = report.as_receipt()
    upload.content = ""  # what changed is in the receipt and the audit log; the file itself is not kept
    db.session.flush()
    return report
