"""Schemathesis over the real server's own OpenAPI document: whatever it generates, valid or not, the API
never answers 5xx (issue 13; bench/fuzz.py runs the same for 20,000+ requests and counts them).

On PostgreSQL when INDEN_TEST_DATABASE_URL is set (the database that refuses what SQLite stores), else on
SQLite. Bounded: Schemathesis stops after FUZZ_SECONDS of generating (fuzzing and stateful phases repeat until
then), so the test takes about two minutes with the server's start.
"""

from __future__ import annotations

import random
from pathlib import Path

from bench.fuzz import run_schemathesis

from tests.e2e.conftest import PG_URL, fresh_database, make_key, start_server

FUZZ_SECONDS = 90


def test_generated_requests_never_get_a_server_error(tmp_path: Path) -> None:
    backend = "postgresql" if PG_URL else "sqlite"
    seed = random.randrange(2**64)
    with fresh_database(backend, tmp_path) as url:
        key = make_key(url, "admin")
        server = start_server(url, tmp_path / "serve.log", workers=2 if backend == "postgresql" else 1)
        try:
            count = run_schemathesis(server.base_url, key, report=tmp_path / "schemathesis.ndjson", max_examples=50,
                                     max_time=FUZZ_SECONDS, seed=seed)
        finally:
            server.stop()
    print(f"schemathesis ({backend}, seed {seed}): {count.requests} requests, statuses {dict(count.statuses)}")
    assert count.requests >= 1000, f"too few requests to mean anything: {count.requests}"
    assert count.statuses[401] < count.requests // 10, "the fuzzer lost its key: most requests were refused"
    assert count.server_errors == 0, (f"{count.server_errors} x 5xx (seed {seed}): {dict(count.failing)}; "
                                      f"server log: {(tmp_path / 'serve.log').read_text(errors='replace')[-3000:]}")
