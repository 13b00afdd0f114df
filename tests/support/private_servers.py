"""A private redis-server and a private PostgreSQL cluster that a fault test starts, stops and starts again.

They run on their own ports (Redis 6393, PostgreSQL 5443 unless told otherwise; under pytest-xdist each
worker adds 10 × its number, so two workers never start servers on the same port), never on the shared
servers other test runs use. Without the binaries the tests that need them are skipped with a message.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

POSTGRES_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _own_port(port: int) -> int:
    """The port for this test process: pytest-xdist's worker gwN uses port + 10 × N."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return port + 10 * int(worker.removeprefix("gw") or 0)


def _wait_until(check, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


class PrivateRedis:
    """``redis-server --port N`` with no persistence: killing it loses everything queued, as a crash would."""

    def __init__(self, port: int = 6393) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    @classmethod
    def or_skip(cls, port: int = 6393) -> PrivateRedis:
        port = _own_port(port)
        if shutil.which("redis-server") is None:
            pytest.skip(
                "redis-server is not installed (apt-get install -y redis-server): Redis fault tests skipped"
            )
        if _port_is_open(port):
            pytest.fail(
                f"port {port} is taken: another run of the Redis fault tests, or a stray redis-server"
            )
        return cls(port)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(lambda: _port_is_open(self.port), 10, f"redis-server on port {self.port} starting")

    def kill(self) -> None:
        """SIGKILL, as if the machine running Redis went away."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None
        _wait_until(lambda: not _port_is_open(self.port), 10, f"redis-server on port {self.port} stopping")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb in a temporary folder, trust authentication, user postgres).

    PostgreSQL refuses to run as root, so when the tests run as root the server runs as the ``postgres`` user.
    """

    def __init__(self, port: int = 5443) -> None:
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        self.bin_dir = next((d for d in POSTGRES_BIN_DIRS if (d / "pg_ctl").exists()), None)
        self.folder = Path(tempfile.mkdtemp(prefix="minsip-private-pg-"))
        self.data = self.folder / "data"
        self.run_as: str | None = None

    @classmethod
    def or_skip(cls, port: int = 5443) -> PrivatePostgres:
        port = _own_port(port)
        server = cls(port)
        if server.bin_dir is None:
            shutil.rmtree(server.folder, ignore_errors=True)
            pytest.skip(
                "PostgreSQL server binaries (initdb, pg_ctl) are missing: database fault tests skipped"
            )
        if _port_is_open(port):
            shutil.rmtree(server.folder, ignore_errors=True)
            pytest.fail(f"port {port} is taken: another run of the database fault tests, or a stray postgres")
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(server.folder, ignore_errors=True)
                pytest.skip("running as root without a 'postgres' user: PostgreSQL cannot be started")
            server.run_as = "postgres"
            os.chown(server.folder, account.pw_uid, account.pw_gid)
        return server

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as when the database server goes away."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if _port_is_open(self.port):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
