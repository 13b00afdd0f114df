"""Who is whose guardian with custody: the population register (folkbokföringen) [issue 18] [DA 4.2].

Guardianship with custody (vårdnad) never comes from the citizen: Min SIP asks the register. One interface,
``RelationsSource``, answers two questions, each about one identity number:

- ``custodians_of(child)``: which guardians with custody does this child have;
- ``children_in_custody_of(person)``: which children is this person guardian with custody of.

Two adapters, chosen by configuration (``configured_source``):

- ``file_source.FileSource``: the county's register extract, a CSV or JSON file (``MINSIP_REGISTER_FILE``),
  for pilots; the format is in file_source.py and the README.
- ``http_source.HttpSource``: the county's register service (``MINSIP_REGISTER_URL`` with a token or a user
  name and password), speaking the contract in http_source.py and the README.

With neither configured (the demo, a pilot without a register) the relations in the database are kept as they
are. What the answers do to the database (custody gained or lost, people created, the audit log) is
``reconcile.py``: at sign-in (``refresh_at_sign_in``), every day for the children with an open SIP
(``refresh_open_sips``, run by ``flask run-jobs`` beside the reminders), and by hand with
``flask register refresh``.
"""

from __future__ import annotations

from flask import current_app

from citizen_app.services.population_register.file_source import FileSource
from citizen_app.services.population_register.http_source import HttpSource
from citizen_app.services.population_register.source import (
    BadRegisterData,
    NotInRegister,
    RegisterPerson,
    RegisterUnavailable,
    RelationsSource,
    register_person,
)


def configured_source() -> RelationsSource | None:
    """The adapter the configuration names (``MINSIP_REGISTER_FILE`` or ``MINSIP_REGISTER_URL``), or None."""
    config = current_app.config
    if config.get("REGISTER_URL"):
        return HttpSource.from_config(config)
    if config.get("REGISTER_FILE"):
        path = config["REGISTER_FILE"]
        if path not in _file_sources:  # kept, so the file is read again only when it changes
            _file_sources[path] = FileSource(path)
        return _file_sources[path]
    return None


_file_sources: dict[str, FileSource] = {}


__all__ = [
    "BadRegisterData",
    "FileSource",
    "HttpSource",
    "NotInRegister",
    "RegisterPerson",
    "RegisterUnavailable",
    "RelationsSource",
    "configured_source",
    "register_person",
]
