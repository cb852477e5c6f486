"""`inden worker` as a real process: SIGTERM stops it cleanly (exit 0); a database it cannot reach is retried
with backoff instead of ending the worker. Bounded: each test waits at most about a minute."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import INDEN


def start_worker(database_url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "INDEN_DATABASE_URL": database_url, "INDEN_LOG_FORMAT": "json"}
    env.pop("INDEN_SMTP_URL", None)
    return subprocess.Popen([INDEN, "worker", "--interval", "1", "--no-plan", *args], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(predicate, *, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_sigterm_stops_the_worker_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    process = start_worker(f"sqlite:///{tmp_path / 'inden.db'}", log)
    try:
        # Up (its signal handler in place; imports take long on a loaded machine), then ticking away.
        assert wait_for(lambda: "worker started" in log.read_text(), seconds=60), log.read_text()
        assert not wait_for(lambda: process.poll() is not None, seconds=3), log.read_text()
    finally:
        code = stop(process)
    assert code == 0, log.read_text()
    assert "worker berhenti" in log.read_text()


def test_a_database_that_cannot_be_reached_is_retried_not_fatal(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    # Nothing listens on port 9 of the loopback: every tick fails to connect.
    process = start_worker("postgresql+psycopg://inden@127.0.0.1:9/inden?connect_timeout=2", log)
    try:
        assert wait_for(lambda: "worker tick failed" in log.read_text(), seconds=60), log.read_text()
        time.sleep(2)
        assert process.poll() is None, log.read_text()  # still running, waiting to try again
    finally:
        code = stop(process)
    assert code == 0, log.read_text()
    text = log.read_text()
    assert '"level": "error"' in text and '"retry_in_s"' in text  # structured (INDEN_LOG_FORMAT=json)


def test_once_exits_1_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    env = {**os.environ, "INDEN_DATABASE_URL": "postgresql+psycopg://inden@127.0.0.1:9/inden?connect_timeout=2"}
    done = subprocess.run([INDEN, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 1 and "Traceback" not in done.stdout
