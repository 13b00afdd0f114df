"""The population register's two adapters [issue 18]: the county's extract as a CSV or JSON file, and the
register service over HTTP, asked against a real register server started by the tests
(tests/support/register_server.py, speaking the documented contract)."""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import date

import pytest
from cryptography.fernet import Fernet

from citizen_app.config import ConfigError, build_config
from citizen_app.services import demo
from citizen_app.services.population_register import (
    NotInRegister,
    RegisterPerson,
    RegisterUnavailable,
    configured_source,
)
from citizen_app.services.population_register.file_source import FileSource
from citizen_app.services.population_register.http_source import HttpSource
from tests.support.register_server import RegisterServer

ELSA = (demo.test_identity_number(date(2012, 3, 4), 982), "Elsa Berg", "2012-03-04")
MARIA = (demo.test_identity_number(date(1980, 5, 1), 983), "Maria Berg", "1980-05-01")
JOHAN = (demo.test_identity_number(date(1979, 9, 9), 984), "Johan Berg", "1979-09-09")
IDA = (demo.test_identity_number(date(2014, 6, 6), 985), "Ida Ek", "2014-06-06")


def _person(entry) -> RegisterPerson:
    return RegisterPerson(entry[0], entry[1], date.fromisoformat(entry[2]))


def _dashed(number: str) -> str:
    return number[:8] + "-" + number[8:]


# --- The file adapter ---------------------------------------------------------------------------------------


def _csv(tmp_path, text: str, name: str = "extract.csv") -> FileSource:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return FileSource(str(path))


CSV_HEADER = (
    "child_identity_number,child_name,child_birth_date,"
    "guardian_identity_number,guardian_name,guardian_birth_date\n"
)


def test_a_csv_extract_names_each_childs_guardians_with_custody(tmp_path):
    source = _csv(
        tmp_path,
        CSV_HEADER
        + f"{ELSA[0]},Elsa Berg,2012-03-04,{MARIA[0]},Maria Berg,1980-05-01\n"
        + f"{_dashed(ELSA[0])},Elsa Berg,,{_dashed(JOHAN[0])},Johan Berg,\n"
        + f"{IDA[0]},Ida Ek,,,,\n",
    )
    assert source.custodians_of(ELSA[0]) == [_person(MARIA), _person(JOHAN)]
    assert source.custodians_of(IDA[0]) == []  # in the register, with nobody having custody
    assert source.children_in_custody_of(JOHAN[0]) == [_person(ELSA)]
    assert source.children_in_custody_of(IDA[0]) == []


def test_a_child_not_in_the_extract_is_unknown_to_the_register(tmp_path):
    source = _csv(tmp_path, CSV_HEADER + f"{ELSA[0]},Elsa Berg,,{MARIA[0]},Maria Berg,\n")
    with pytest.raises(NotInRegister):
        source.custodians_of(IDA[0])


def test_a_csv_from_a_swedish_spreadsheet_with_semicolons_and_a_bom_is_read(tmp_path):
    source = _csv(
        tmp_path,
        "\ufeffchild_identity_number;child_name;guardian_identity_number;guardian_name\n"
        f"{ELSA[0]};Elsa Berg;{MARIA[0]};Maria Berg\n",
    )
    assert source.custodians_of(ELSA[0]) == [_person(MARIA)]


def test_one_bad_row_makes_the_whole_file_unreadable_without_naming_the_number(tmp_path):
    bad = "19800501-0000"
    source = _csv(
        tmp_path,
        CSV_HEADER + f"{ELSA[0]},Elsa Berg,,{MARIA[0]},Maria Berg,\n{ELSA[0]},Elsa Berg,,{bad},Johan Berg,\n",
    )
    with pytest.raises(RegisterUnavailable) as refused:
        source.custodians_of(ELSA[0])
    assert "line 3" in str(refused.value) and bad not in str(refused.value)


def test_a_csv_without_the_required_columns_is_refused(tmp_path):
    source = _csv(tmp_path, "barn,namn\n1,2\n")
    with pytest.raises(RegisterUnavailable, match="child_identity_number"):
        source.custodians_of(ELSA[0])


def test_a_json_extract_names_each_childs_guardians_with_custody(tmp_path):
    path = tmp_path / "extract.json"
    path.write_text(
        json.dumps(
            {
                "extract_date": "2026-12-01",
                "children": [
                    {
                        "identity_number": ELSA[0],
                        "name": "Elsa Berg",
                        "birth_date": "2012-03-04",
                        "custodians": [
                            {"identity_number": MARIA[0], "name": "Maria Berg", "birth_date": "1980-05-01"},
                            {"identity_number": _dashed(JOHAN[0]), "name": "Johan Berg"},
                        ],
                    },
                    {"identity_number": IDA[0], "name": "Ida Ek", "custodians": []},
                ],
            }
        ),
        encoding="utf-8",
    )
    source = FileSource(str(path))
    assert source.custodians_of(ELSA[0]) == [_person(MARIA), _person(JOHAN)]
    assert source.custodians_of(IDA[0]) == []
    assert source.children_in_custody_of(MARIA[0]) == [_person(ELSA)]
    assert source.extract().extract_date == "2026-12-01"


def test_a_json_extract_with_a_custodian_without_a_name_is_refused(tmp_path):
    path = tmp_path / "extract.json"
    path.write_text(
        json.dumps(
            {
                "children": [
                    {
                        "identity_number": ELSA[0],
                        "name": "Elsa",
                        "custodians": [{"identity_number": MARIA[0]}],
                    }
                ]
            }
        )
    )
    with pytest.raises(RegisterUnavailable, match="child number 1: a name is missing"):
        FileSource(str(path)).custodians_of(ELSA[0])


def test_a_changed_file_is_read_again(tmp_path):
    source = _csv(tmp_path, CSV_HEADER + f"{ELSA[0]},Elsa Berg,,{MARIA[0]},Maria Berg,\n")
    assert source.custodians_of(ELSA[0]) == [_person(MARIA)]
    (tmp_path / "extract.csv").write_text(
        CSV_HEADER + f"{ELSA[0]},Elsa Berg,,{JOHAN[0]},Johan Berg,1979-09-09\n", encoding="utf-8"
    )
    assert source.custodians_of(ELSA[0]) == [_person(JOHAN)]


def test_a_missing_file_means_the_register_is_away(tmp_path):
    with pytest.raises(RegisterUnavailable):
        FileSource(str(tmp_path / "gone.csv")).custodians_of(ELSA[0])


# --- The HTTP adapter against a real register server --------------------------------------------------------


@pytest.fixture
def register():
    server = RegisterServer(token="register-token-for-tests")
    server.start()
    server.set_custodians(ELSA, [MARIA, JOHAN])
    yield server
    server.stop()


def _http(server: RegisterServer, **options) -> HttpSource:
    return HttpSource(server.url, token=options.pop("token", "register-token-for-tests"), **options)


def test_the_register_service_names_a_childs_guardians_with_custody(register):
    source = _http(register)
    assert source.custodians_of(ELSA[0]) == [_person(MARIA), _person(JOHAN)]
    assert source.children_in_custody_of(MARIA[0]) == [_person(ELSA)]


def test_identity_numbers_go_in_the_body_never_in_the_address(register):
    _http(register).custodians_of(ELSA[0])
    path, body, authorization = register.requests[-1]
    assert path == "/v1/custodians" and ELSA[0] not in path
    assert body == {"identity_number": ELSA[0]}
    assert authorization == "Bearer register-token-for-tests"


def test_a_person_the_register_service_does_not_know_is_unknown(register):
    with pytest.raises(NotInRegister):
        _http(register).custodians_of(IDA[0])
    with pytest.raises(NotInRegister):
        _http(register).children_in_custody_of(IDA[0])


def test_the_register_service_with_a_user_name_and_password():
    server = RegisterServer(username="minsip", password="secret-for-tests")
    server.start()
    try:
        server.set_custodians(ELSA, [MARIA])
        source = HttpSource(server.url, username="minsip", password="secret-for-tests")
        assert source.custodians_of(ELSA[0]) == [_person(MARIA)]
        wrong = HttpSource(server.url, username="minsip", password="wrong")
        with pytest.raises(RegisterUnavailable, match="401"):
            wrong.custodians_of(ELSA[0])
    finally:
        server.stop()


def test_wrong_credentials_are_logged_as_an_error_and_count_as_the_register_away(register, caplog):
    with caplog.at_level(logging.ERROR), pytest.raises(RegisterUnavailable):
        _http(register, token="wrong").custodians_of(ELSA[0])
    assert "refused Min SIP's credentials" in caplog.text and ELSA[0] not in caplog.text


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_register_service_in_trouble_is_away(register, status):
    register.failing = status
    with pytest.raises(RegisterUnavailable, match=str(status)):
        _http(register).custodians_of(ELSA[0])


def test_a_register_service_that_does_not_answer_in_time_is_away(register):
    register.delay = 1.0
    with pytest.raises(RegisterUnavailable, match="within 0.2 s"):
        _http(register, timeout=0.2).custodians_of(ELSA[0])


def test_a_register_service_nobody_listens_on_is_away(register):
    source = _http(register)
    register.stop()
    with pytest.raises(RegisterUnavailable, match="could not be reached"):
        source.custodians_of(ELSA[0])


# --- Which adapter: configuration ---------------------------------------------------------------------------


def test_without_a_register_configured_there_is_no_source(app):
    assert configured_source() is None


def test_the_configuration_chooses_the_adapter(app, tmp_path, register):
    app.config.update(REGISTER_FILE=str(tmp_path / "extract.csv"))
    assert isinstance(configured_source(), FileSource)
    app.config.update(
        REGISTER_FILE=None, REGISTER_URL=register.url, REGISTER_TOKEN="register-token-for-tests"
    )
    source = configured_source()
    assert isinstance(source, HttpSource)
    assert source.custodians_of(ELSA[0]) == [_person(MARIA), _person(JOHAN)]


# --- Settings -----------------------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("MINSIP_"):
            monkeypatch.delenv(name)
    return monkeypatch


def _production(env, tmp_path) -> None:
    env.setenv("MINSIP_SECRET_KEY", secrets.token_urlsafe(48))
    env.setenv("MINSIP_IDENTITY_HASH_KEY", secrets.token_urlsafe(48))
    env.setenv("MINSIP_IDENTITY_ENCRYPTION_KEY", Fernet.generate_key().decode())
    env.setenv("MINSIP_DATABASE_URL", "sqlite:///" + str(tmp_path / "production.sqlite"))


def test_the_register_is_read_from_one_source_only(env, tmp_path):
    env.setenv("MINSIP_REGISTER_FILE", str(tmp_path / "extract.csv"))
    env.setenv("MINSIP_REGISTER_URL", "https://register.example.se/v1")
    env.setenv("MINSIP_REGISTER_TOKEN", "t")
    with pytest.raises(ConfigError, match="not both"):
        build_config("demo", str(tmp_path))


def test_the_register_service_needs_credentials(env, tmp_path):
    env.setenv("MINSIP_REGISTER_URL", "https://register.example.se/v1")
    with pytest.raises(ConfigError, match="MINSIP_REGISTER_TOKEN, or MINSIP_REGISTER_USERNAME"):
        build_config("demo", str(tmp_path))
    env.setenv("MINSIP_REGISTER_USERNAME", "minsip")
    env.setenv("MINSIP_REGISTER_PASSWORD", "secret")
    config = build_config("demo", str(tmp_path))
    assert config["REGISTER_URL"] == "https://register.example.se/v1" and config["REGISTER_TIMEOUT"] == 5


def test_production_asks_the_register_service_over_https_only(env, tmp_path):
    _production(env, tmp_path)
    env.setenv("MINSIP_REGISTER_URL", "http://register.example.se/v1")
    env.setenv("MINSIP_REGISTER_TOKEN", "t")
    with pytest.raises(ConfigError, match="https in production"):
        build_config("production", str(tmp_path))
    env.setenv("MINSIP_REGISTER_URL", "https://register.example.se/v1")
    env.setenv("MINSIP_REGISTER_TIMEOUT", "2.5")
    assert build_config("production", str(tmp_path))["REGISTER_TIMEOUT"] == 2.5


def test_a_timeout_that_is_not_a_number_of_seconds_is_refused(env, tmp_path):
    env.setenv("MINSIP_REGISTER_TIMEOUT", "fem")
    with pytest.raises(ConfigError, match="MINSIP_REGISTER_TIMEOUT"):
        build_config("demo", str(tmp_path))


def test_tests_choose_their_register_themselves(env, tmp_path):
    env.setenv("MINSIP_REGISTER_FILE", str(tmp_path / "extract.csv"))
    assert build_config("test", str(tmp_path))["REGISTER_FILE"] is None
