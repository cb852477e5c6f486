"""End-to-end fixtures: a real `inden serve` subprocess on a free loopback port, over a fresh database.

SQLite: a temporary file (`inden` migrates the SQLite default by itself). PostgreSQL, when INDEN_TEST_DATABASE_URL
is set: a database of our own on that server (`inden_e2e_<pid>`, dropped afterwards, or by the next run if this
one is killed), so that we never touch the `public` schema that tests/conftest.py recreates; it is migrated with
`inden db upgrade` and served by two workers.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from psycopg import sql
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("INDEN_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's; Playwright never downloads one
OWNER_EMAIL, STAFF_EMAIL, PASSWORD = "pemilik@toko.id", "staf@toko.id", "kata-sandi-toko-1"
PG_PREFIX = "inden_e2e_"  # + the pid of the pytest process that owns the database
INDEN = str(Path(sys.executable).with_name("inden"))  # the console script of the environment running pytest
Environment = Callable[[str], dict[str, str]]


def inden(database_url: str, *args: str, timeout: float = 120, env: dict[str, str] | None = None,
          stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `inden` CLI against `database_url` (with `env` added to ours, `stdin` as its input); never raises
    on a non-zero exit (callers assert it)."""
    env = {**os.environ, **(env or {}), "INDEN_DATABASE_URL": database_url}
    return subprocess.run([INDEN, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False,
                          input=stdin)


def make_key(database_url: str, role: str) -> str:
    done = inden(database_url, "keys", "create", "--role", role)
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert key and "\n" not in key, f"`inden keys create` must print only the key, got {done.stdout!r}"
    return key


def add_people(database_url: str) -> None:
    """The shop's owner and one staff member, with their passwords set, as a newcomer does."""
    for email, role in ((OWNER_EMAIL, "owner"), (STAFF_EMAIL, "staff")):
        done = inden(database_url, "users", "add", email, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr


def log_in(page: Page, base_url: str, email: str = OWNER_EMAIL, password: str = PASSWORD) -> None:
    """Log in through the back office's form, as a person would (on the login page the browser is on, if it
    was sent there, so that it comes back to where it was going)."""
    if "/login" not in page.url:
        page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/login'] button").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, have the kernel SIGTERM the server should pytest die without its
    teardown (killed outright); uvicorn's master then stops its workers."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


@dataclass
class Server:
    """A running `inden serve` and what a test needs to talk to it."""

    base_url: str
    database_url: str
    staff_key: str
    storefront_key: str
    log_path: Path

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client for the server; authenticated with the staff key unless `key` says otherwise ("" = none)."""
        key = self.staff_key if key is None else key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class _Process:
    """`inden serve` in its own process group, so that teardown ends its workers too."""

    def __init__(self, database_url: str, log_path: Path, *, workers: int, env: Environment | None = None) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        extra = env(self.base_url) if env else {}
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(
            [INDEN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            env={**os.environ, **extra, "INDEN_DATABASE_URL": database_url},
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    def exited(self) -> bool:
        """Whether the master process has exited. It is not reaped here, so its pid (our process group's id)
        cannot be reused before `stop()` has signalled the group."""
        return os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def wait_healthy(self, *, timeout: float = 30) -> bool:
        """True once GET /healthz answers 200; False if the process died first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                return False
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"inden serve did not answer /healthz within {timeout} s")

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL to whatever is left after 15 s, then reap the master."""
        try:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while not self.exited() and time.monotonic() < deadline:
                time.sleep(0.05)
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        finally:
            self._log.close()


def start_server(database_url: str, log_path: Path, *, workers: int, env: Environment | None = None) -> _Process:
    """Start `inden serve` and wait until it is healthy (a few tries, in case another process took the port).
    `env(base_url)` gives settings to add to the server's environment (e.g. INDEN_BASE_URL)."""
    for _ in range(3):
        process = _Process(database_url, log_path, workers=workers, env=env)
        try:
            if process.wait_healthy():
                return process
        except BaseException:
            process.stop()
            raise
        process.stop()
    raise RuntimeError(f"inden serve would not start:\n{log_path.read_text(errors='replace')[-4000:]}")


def _admin_conninfo() -> str:
    assert PG_URL
    return make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _drop_abandoned_databases(admin: psycopg.Connection[Any]) -> None:
    """Drop e2e databases left by runs that were killed before their teardown (their pid is gone); a run
    still going keeps its own."""
    names = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{PG_PREFIX}%"]).fetchall()
    for (name,) in names:
        pid = name.removeprefix(PG_PREFIX)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a new, migrated database for `backend` ("sqlite" or "postgresql"), removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'inden.db'}"  # `inden` migrates the SQLite default on first use
        return
    if not PG_URL:
        pytest.skip("INDEN_TEST_DATABASE_URL is not set")
    name = f"{PG_PREFIX}{os.getpid()}"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(_admin_conninfo(), autocommit=True) as admin:
        _drop_abandoned_databases(admin)
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        upgraded = inden(url, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        yield url
    finally:
        with psycopg.connect(_admin_conninfo(), autocommit=True) as admin:
            admin.execute(drop)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`inden serve` over a fresh database, one per backend for the whole module: one worker on SQLite (it
    refuses more), two on PostgreSQL. The server and all its workers are stopped at teardown, whatever happens."""
    backend: str = request.param
    directory = tmp_path_factory.mktemp(f"e2e-{backend}")
    with fresh_database(backend, directory) as url:
        staff_key = make_key(url, "staff")
        storefront_key = make_key(url, "storefront")
        add_people(url)
        log_path = directory / "serve.log"
        process = start_server(url, log_path, workers=2 if backend == "postgresql" else 1)
        try:
            yield Server(process.base_url, url, staff_key, storefront_key, log_path)
        finally:
            process.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for browser tests: apt-get install chromium (see README)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()
