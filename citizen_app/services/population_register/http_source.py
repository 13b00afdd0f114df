"""The county's register service over HTTP (``MINSIP_REGISTER_URL``): the contract Min SIP speaks.

Two questions, each a POST of JSON to a path under the base URL (identity numbers go in the body, never in the
address, so they stay out of access logs):

    POST <base>/custodians                 {"identity_number": "201203049828"}
    200  {"person": {"identity_number": "201203049828", "name": "Elsa Berg", "birth_date": "2012-03-04"},
          "custodians": [{"identity_number": "198005019834", "name": "Maria Berg",
                          "birth_date": "1980-05-01"}]}

    POST <base>/children-in-custody        {"identity_number": "198005019834"}
    200  {"person": {...}, "children": [{"identity_number": "201203049828", "name": "Elsa Berg",
                                         "birth_date": "2012-03-04"}]}

- Identity numbers: 12 digits, no dash. ``birth_date``: YYYY-MM-DD, optional (read from the number when left
  out). ``custodians``/``children``: an empty list when there are none.
- 404: the register does not know the person; Min SIP changes nothing about them.
- Authentication: ``Authorization: Bearer <MINSIP_REGISTER_TOKEN>``, or HTTP Basic with
  ``MINSIP_REGISTER_USERNAME``/``MINSIP_REGISTER_PASSWORD``. A 401 or 403 is logged as an error (the
  credentials are wrong) and treated as the register being away.
- Every other answer (5xx, 429, another 4xx, a body that is not the JSON above), a connection error or no
  answer within ``MINSIP_REGISTER_TIMEOUT`` seconds (default 5, for connecting and for reading each): the
  register is away. Min SIP keeps the relations it knew and tries again at the next sign-in or refresh.
- Requests send ``Accept: application/json`` and ``User-Agent: MinSIP``; answers must be
  ``application/json``. TLS is verified (``MINSIP_REGISTER_CA_BUNDLE``: a county's own CA file).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import requests

from citizen_app.services.population_register.source import (
    BadRegisterData,
    NotInRegister,
    RegisterPerson,
    RegisterUnavailable,
    register_person,
)

log = logging.getLogger(__name__)

CUSTODIANS_PATH = "/custodians"
CHILDREN_PATH = "/children-in-custody"


class HttpSource:
    name = "http"

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 5.0,
        ca_bundle: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "MinSIP"})
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        elif username and password:
            self.session.auth = (username, password)
        if ca_bundle:
            self.session.verify = ca_bundle

    @classmethod
    def from_config(cls, config: Mapping) -> HttpSource:
        return cls(
            config["REGISTER_URL"],
            token=config.get("REGISTER_TOKEN"),
            username=config.get("REGISTER_USERNAME"),
            password=config.get("REGISTER_PASSWORD"),
            timeout=float(config.get("REGISTER_TIMEOUT") or 5),
            ca_bundle=config.get("REGISTER_CA_BUNDLE"),
        )

    def custodians_of(self, child_number: str) -> list[RegisterPerson]:
        return self._ask(CUSTODIANS_PATH, child_number, "custodians")

    def children_in_custody_of(self, person_number: str) -> list[RegisterPerson]:
        return self._ask(CHILDREN_PATH, person_number, "children")

    def _ask(self, path: str, number: str, key: str) -> list[RegisterPerson]:
        try:
            answer = self.session.post(
                self.base_url + path, json={"identity_number": number}, timeout=self.timeout
            )
        except requests.Timeout:
            raise RegisterUnavailable(
                f"the register did not answer {path} within {self.timeout:g} s"
            ) from None
        except requests.RequestException as error:
            raise RegisterUnavailable(f"the register could not be reached ({type(error).__name__})") from None
        if answer.status_code == 404:
            raise NotInRegister("the register does not know the person")
        if answer.status_code in (401, 403):
            log.error(
                "the population register refused Min SIP's credentials (HTTP %s): check "
                "MINSIP_REGISTER_TOKEN or MINSIP_REGISTER_USERNAME/PASSWORD",
                answer.status_code,
            )
            raise RegisterUnavailable(f"the register refused the credentials (HTTP {answer.status_code})")
        if answer.status_code != 200:
            raise RegisterUnavailable(f"the register answered {path} with HTTP {answer.status_code}")
        try:
            body = answer.json()
        except ValueError:
            raise RegisterUnavailable(f"the register's answer to {path} is not JSON") from None
        listed = body.get(key) if isinstance(body, dict) else None
        if not isinstance(listed, list):
            raise RegisterUnavailable(f'the register\'s answer to {path} has no list "{key}"')
        try:
            return [
                register_person(entry.get("identity_number"), entry.get("name"), entry.get("birth_date"))
                for entry in listed
                if isinstance(entry, dict) or _not_an_object()
            ]
        except BadRegisterData as bad:
            raise RegisterUnavailable(f"the register's answer to {path} cannot be read: {bad}") from None


def _not_an_object() -> bool:
    raise BadRegisterData("each entry is an object")
