"""Fuzzing the HTTP API with Schemathesis: how many generated requests, how many answered 5xx (target: 0).

    INDEN_BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/test python bench/fuzz.py \\
        [--requests 20000] [--max-time 900] [--workers 2]

Needs PostgreSQL: INDEN_BENCH_DATABASE_URL, else INDEN_TEST_DATABASE_URL. The script (re)creates its own database
`inden_bench_fuzz` on that server (the named database is only used to connect), migrates it, makes an admin key and
starts `inden serve --workers N`. Then it runs `schemathesis run` over the server's own `/openapi.json` with the
admin key (all operations but `DELETE /v1/keys/{id}`, with which it would revoke its own key), every phase
(examples, coverage, fuzzing, stateful) and both kinds of data (valid and invalid), round
after round with a new seed until `--requests` requests were sent or `--max-time` seconds passed. Each round's
NDJSON report is read back: the figure is the count of requests and of answers with a status >= 500, per
operation when any. It ends with a one-line `SUMMARY` and exits 1 if any answer was a 5xx.

The same-run baseline is the server's own log: a 5xx the API answers is logged as `unhandled error` with its
traceback, and the script prints how many such lines the log holds (it must equal the 5xx count: nothing hidden).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

BENCH_DB = "inden_bench_fuzz"
BIN = Path(sys.executable).parent
INDEN = str(BIN / "inden")
SCHEMATHESIS = str(BIN / "schemathesis")


@dataclass
class FuzzCount:
    """What a Schemathesis NDJSON report says the server answered."""

    requests: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failing: Counter[str] = field(default_factory=Counter)  # "METHOD path" -> 5xx answers

    def add(self, other: FuzzCount) -> None:
        self.requests += other.requests
        self.server_errors += other.server_errors
        self.statuses.update(other.statuses)
        self.failing.update(other.failing)


def count_report(path: Path) -> FuzzCount:
    """Count every recorded interaction of a `schemathesis run --report ndjson` file."""
    count = FuzzCount()
    with path.open() as report:
        for line in report:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished.get("recorder") or {}
            for interaction in (recorder.get("interactions") or {}).values():
                response = interaction.get("response")
                if response is None:
                    continue
                status = int(response["status_code"])
                count.requests += 1
                count.statuses[status] += 1
                if status >= 500:
                    count.server_errors += 1
                    count.failing[str(recorder.get("label", interaction["request"]["method"]))] += 1
    return count


def run_schemathesis(base_url: str, key: str, *, report: Path, max_examples: int, max_time: float | None,
                     seed: int, workers: int = 1) -> FuzzCount:
    """One `schemathesis run` against `base_url` with `key`; what it sent and what came back."""
    command = [SCHEMATHESIS, "run", f"{base_url}/openapi.json", "-H", f"Authorization: Bearer {key}",
               "--checks", "not_a_server_error", "--max-examples", str(max_examples), "--seed", str(seed),
               "--no-shrink", "--workers", str(workers), "--report", "ndjson", "--report-ndjson-path", str(report),
               "--suppress-health-check", "all", "--warnings", "off", "--request-timeout", "30",
               # Revoking keys is left out: the fuzzer would revoke its own key and hear only 401s after.
               "--exclude-path", "/v1/keys/{key_id}"]
    if max_time is not None:
        command += ["--max-time", str(max(1, int(max_time)))]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    if not report.exists():
        raise RuntimeError(f"schemathesis wrote no report:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return count_report(report)


def _recreate(url: str) -> str:
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    return make_url(url).set(database=BENCH_DB).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--max-time", type=float, default=900.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--examples", type=int, default=100, help="max examples per operation and round")
    args = parser.parse_args()
    url = os.environ.get("INDEN_BENCH_DATABASE_URL") or os.environ.get("INDEN_TEST_DATABASE_URL")
    if not url:
        sys.exit("set INDEN_BENCH_DATABASE_URL (or INDEN_TEST_DATABASE_URL) to a PostgreSQL URL")
    database = _recreate(url)
    env = {**os.environ, "INDEN_DATABASE_URL": database, "INDEN_LOG_FORMAT": "json"}  # English messages
    subprocess.run([INDEN, "db", "upgrade"], env=env, check=True, capture_output=True)
    key = subprocess.run([INDEN, "keys", "create", "--role", "admin"], env=env, check=True, capture_output=True,
                         text=True).stdout.strip()
    port = random.randint(20_000, 40_000)
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as directory:
        log_path = Path(directory) / "serve.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen([INDEN, "serve", "--port", str(port), "--workers", str(args.workers)], env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    try:
                        if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.2)
                total, rounds, started = FuzzCount(), 0, time.monotonic()
                while total.requests < args.requests and time.monotonic() - started < args.max_time:
                    rounds += 1
                    seed = random.randrange(2**64)
                    count = run_schemathesis(base_url, key, report=Path(directory) / f"round-{rounds}.ndjson",
                                             max_examples=args.examples, max_time=None, seed=seed)
                    total.add(count)
                    print(f"round {rounds} (seed {seed}): {count.requests} requests, {count.server_errors} x 5xx",
                          flush=True)
                elapsed = time.monotonic() - started
            finally:
                server.terminate()
                server.wait(timeout=30)
        logged = log_path.read_text(errors="replace").count("unhandled error")
    print(f"statuses: {dict(sorted(total.statuses.items()))}")
    for operation, errors in total.failing.most_common():
        print(f"  5xx {errors:5d}  {operation}")
    print(f"server log: {logged} unhandled error(s)")
    print(f"SUMMARY fuzz: {total.requests} requests in {rounds} round(s), {elapsed:.0f} s, "
          f"{total.server_errors} x 5xx (PostgreSQL, {args.workers} workers)")
    return 1 if total.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
