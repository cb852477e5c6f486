"""Flash-sale throughput: concurrent `POST /v1/orders` on one hot SKU, against a same-run raw-SQL baseline.

    INDEN_BENCH_DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/test python bench/flash_sale.py \\
        [--seconds 20] [--clients 64] [--workers N] [--sweep] [--skus 10000] [--no-sqlite]

Needs PostgreSQL: INDEN_BENCH_DATABASE_URL, else INDEN_TEST_DATABASE_URL. The script (re)creates its own database
`inden_bench` on that server (the named database is only used to connect), migrates it, makes a staff key and starts
`inden serve --workers N`. Each scenario runs two phases, each with `--clients` concurrent clients for `--seconds`
after a short warm-up, with a million units per SKU (policy allow):

1. API: every client posts one-unit orders for distinct customers over a keep-alive HTTP/1.1 connection. The load
   generator is one asyncio process with a minimal HTTP/1.1 client (`--client httpx` swaps in httpx.AsyncClient,
   which costs the generator about ten times more CPU per request, CPU the server then lacks on 2 cores).
2. raw: the server is stopped; every client runs the least SQL that reserves a unit and records an order, in one
   transaction per order over its own connection: a conditional `UPDATE products SET allocated = allocated + 1
   WHERE id = :id AND on_hand - allocated >= 1` and an `INSERT INTO orders`.

Scenarios: **hot** — every order for one SKU (the flash sale; target API >= 1.0 x raw, p99 <= 250 ms);
**uniform** — orders spread evenly over `--skus` SKUs (no target: nothing to coalesce, it shows what HTTP and Python
cost per order beside the raw transaction); **SQLite hot** — the hot SKU on the embedded default database (a file
in a temporary folder; its raw phase runs the same SQL through Python's sqlite3 from as many threads; target
>= 500 orders/s).

It prints orders/s, p50/p99 latency, 5xx count (must be 0) and the CPU cores each party kept busy in the window
(`server`: inden serve and its workers; `postgres`; `loadgen`: this script; `rest`: everything else, i.e. the
kernel's share of networking and I/O and any other program, so run the bench on an otherwise idle machine). It
checks that nothing was oversold (allocated <= on_hand, allocated = orders accepted, `inden audit verify` passes),
prints the ratios API/raw and ends with a one-line `SUMMARY`. Exit code 1 if a check fails.

Concurrent orders for the same SKU are placed in batches (`inden.api.coalesce`): while one batch holds the SKU's row
lock the next gathers, so the lock is taken once per batch instead of once per order. On 2 cores one worker process
is the default (`--sweep` measures 1, 2 and 3).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

BENCH_DB = "inden_bench"
DEFAULT_WORKERS = 1  # see the module docstring; `--sweep` measures 1, 2 and 3
UNITS = 1_000_000
INDEN = str(Path(sys.executable).with_name("inden"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- plumbing ------------------------------------------------------------------------------------------------


def base_url_from_env() -> str:
    url = os.environ.get("INDEN_BENCH_DATABASE_URL") or os.environ.get("INDEN_TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("bench/flash_sale.py needs PostgreSQL: set INDEN_BENCH_DATABASE_URL (or INDEN_TEST_DATABASE_URL), "
                 "e.g. postgresql+psycopg://root@127.0.0.1:5432/test")
    return url


def libpq(url: str) -> str:
    """A SQLAlchemy URL as a conninfo psycopg understands."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fresh_database(server_url: str) -> str:
    """Drop and recreate `inden_bench`, migrate it; returns its SQLAlchemy URL."""
    with psycopg.connect(libpq(server_url), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    url = make_url(server_url).set(database=BENCH_DB).render_as_string(hide_password=False)
    cli(url, "db", "upgrade")
    return url


def cli(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([INDEN, *args], env={**os.environ, "INDEN_DATABASE_URL": database_url},
                          capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        sys.exit(f"`inden {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _process_cpu() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, process group, user+system CPU seconds) of every live process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        found[int(entry.name)] = (comm, int(fields[2]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


class CpuMeter:
    """CPU seconds used by the processes `match(comm, pgrp)` selects, counted monotonically: a process that
    exits keeps what it used up to the last reading (PostgreSQL backends come and go)."""

    def __init__(self, match: Callable[[str, int], bool]) -> None:
        self._match = match
        self._seen: dict[int, float] = {}

    def __call__(self) -> float:
        for pid, (comm, pgrp, used) in _process_cpu().items():
            if self._match(comm, pgrp):
                self._seen[pid] = used
        return sum(self._seen.values())


class Server:
    """`inden serve` in its own process group; `stop()` ends the master and its workers."""

    def __init__(self, database_url: str, *, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [INDEN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            env={**os.environ, "INDEN_DATABASE_URL": database_url}, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        self.cpu_seconds = CpuMeter(lambda _comm, pgrp: pgrp == self.proc.pid)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"inden serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
            with suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)


    def stop(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()


def postgres_cpu() -> CpuMeter:
    return CpuMeter(lambda comm, _pgrp: comm.startswith("postgres"))


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (all cores, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


# --- measuring -----------------------------------------------------------------------------------------------

Record = Callable[[float, float, int], None]  # (started, finished, status) of one request or transaction
Client = Callable[[int, float, Record], Awaitable[None]]  # (client index, stop_at, record)


@dataclass
class Phase:
    """What one phase measured inside its window, plus every outcome including the warm-up."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    all_statuses: Counter[int] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU cores busy in the window, by party
    oversold: int = 0  # units allocated beyond on_hand (must be 0)
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: int) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, len(ordered) * p // 100)] if ordered else float("nan")

    @property
    def server_errors(self) -> int:
        """5xx answers, and requests whose connection the server dropped (status 0)."""
        return sum(n for status, n in self.all_statuses.items() if status >= 500 or status == 0)

    def report(self) -> str:
        cores = ", ".join(f"{who} {used:.2f}" for who, used in self.cpu.items())
        per_order = f", server {self.cpu['server'] / self.rate * 1000:.1f} ms/order" if "server" in self.cpu else ""
        return (f"{self.name:<10} {self.rate:8.1f}/s  p50 {self.percentile(50) * 1000:6.1f} ms  "
                f"p99 {self.percentile(99) * 1000:6.1f} ms  ({len(self.latencies)} in {self.seconds:.0f} s; "
                f"CPU cores busy: {cores}{per_order})")


def run_phase(name: str, client: Client, *, clients: int, seconds: float, warmup: float,
              cpu: dict[str, Callable[[], float]]) -> Phase:
    """`clients` concurrent copies of `client` for warmup + seconds in one event loop. Requests that finish
    inside the window (after the warm-up) count towards rate and latency; every status is kept."""
    phase = Phase(name, seconds=seconds)

    async def main() -> None:
        now = time.perf_counter()
        window_start, stop_at = now + warmup, now + warmup + seconds

        def record(started: float, finished: float, status: int) -> None:
            phase.all_statuses[status] += 1
            if window_start <= finished <= stop_at:
                phase.latencies.append(finished - started)

        async def sample_cpu() -> None:
            await asyncio.sleep(window_start - time.perf_counter())
            before = {who: probe() for who, probe in cpu.items()}
            await asyncio.sleep(stop_at - time.perf_counter())
            phase.cpu = {who: (probe() - before[who]) / seconds for who, probe in cpu.items()}
            # the rest: the kernel's share of networking and I/O, and whatever else runs on the machine
            phase.cpu["rest"] = phase.cpu.pop("machine") - sum(phase.cpu.values())

        await asyncio.gather(sample_cpu(), *(client(i, stop_at, record) for i in range(clients)))

    asyncio.run(main())
    return phase


# --- the API phase -------------------------------------------------------------------------------------------


def order_body(sku: str, client: int, n: int) -> bytes:
    return b'{"customer":{"email":"c%d.%d@bench.example"},"lines":[{"sku":"%s","quantity":1}]}' % (
        client, n, sku.encode())


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns (status, whether the server closes the connection)."""
    status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
    length, close = None, False
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
    if length is None:
        raise RuntimeError("response without Content-Length")
    await reader.readexactly(length)
    return status, close


def pick(skus: list[str]) -> Callable[[], str]:
    """The SKU of the next order: the hot one, or one of many at random (uniform load)."""
    if len(skus) == 1:
        return lambda: skus[0]
    return lambda: random.choice(skus)


def raw_http_client(base_url: str, key: str, skus: list[str]) -> Client:
    """A minimal keep-alive HTTP/1.1 client: a few microseconds of CPU per request."""
    url = httpx.URL(base_url)
    host, port = url.host, url.port or 80
    head = (f"POST /v1/orders HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/json\r\nContent-Length: ").encode()

    sku = pick(skus)

    async def client(index: int, stop_at: float, record: Record) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            n = 0
            while time.perf_counter() < stop_at:
                body = order_body(sku(), index, n)
                n += 1
                started = time.perf_counter()
                try:
                    writer.write(head + b"%d\r\n\r\n" % len(body) + body)
                    status, close = await _read_response(reader)
                except (ConnectionError, asyncio.IncompleteReadError):
                    status, close = 0, True  # the connection dropped: the request failed, carry on over a new one
                record(started, time.perf_counter(), status)
                if close or status >= 500:  # uvicorn closes the connection after an unhandled error
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    return client


def httpx_client(base_url: str, key: str, skus: list[str]) -> Client:
    """httpx.AsyncClient, one per simulated customer (for comparison: far more client CPU per request)."""
    sku = pick(skus)

    async def client(index: int, stop_at: float, record: Record) -> None:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:
            n = 0
            while time.perf_counter() < stop_at:
                body = order_body(sku(), index, n)
                n += 1
                started = time.perf_counter()
                response = await http.post("/v1/orders", content=body)
                record(started, time.perf_counter(), response.status_code)

    return client


def seed_catalogue(database_url: str, skus: list[str]) -> None:
    """The scenario's products (policy allow), each counted in with UNITS through the stock ledger, in one
    transaction (creating 10,000 SKUs through the API would take minutes)."""
    from sqlalchemy import insert

    from inden.db.models import Product
    from inden.db.session import Database
    from inden.db.stock import lock_products, record_movements
    from inden.domain.ledger import MovementKind

    db = Database(database_url)
    now = datetime.now(UTC)
    try:
        with db.transaction() as session:
            session.execute(insert(Product), [
                {"sku": sku, "name": f"Bench {sku}", "backorder_policy": "allow", "lead_time_days": 14, "on_hand": 0,
                 "allocated": 0, "backordered": 0, "created_at": now, "updated_at": now} for sku in skus])
            locked = lock_products(session, skus)
            record_movements(session, [(locked[sku], UNITS) for sku in skus], kind=MovementKind.ADJUSTMENT,
                             reason="bench", ref="bench", now=now)
    finally:
        db.dispose()


def stock_totals(database_url: str, skus: list[str]) -> tuple[int, int, int]:
    """(units on hand, units allocated, products oversold) over the scenario's SKUs."""
    from sqlalchemy import func, select

    from inden.db.models import Product
    from inden.db.session import Database

    db = Database(database_url)
    try:
        with db.transaction() as session:
            on_hand, allocated, oversold = session.execute(
                select(func.sum(Product.on_hand), func.sum(Product.allocated),
                       func.count().filter(Product.allocated > Product.on_hand)).where(Product.sku.in_(skus))
            ).one()
    finally:
        db.dispose()
    return int(on_hand), int(allocated), int(oversold)


@dataclass(frozen=True)
class Scenario:
    name: str  # "hot", "uniform", "SQLite hot"
    database_url: str
    skus: list[str]


def api_phase(scenario: Scenario, key: str, args: argparse.Namespace, *, workers: int, log: Path) -> Phase:
    """Serve with `workers`, sell the scenario's SKUs to `args.clients` clients, check the stock."""
    seed_catalogue(scenario.database_url, scenario.skus)
    server = Server(scenario.database_url, workers=workers, log=log)
    try:
        make = raw_http_client if args.client == "raw" else httpx_client
        cpu: dict[str, Callable[[], float]] = {"server": server.cpu_seconds}
        if scenario.database_url.startswith("postgresql"):
            cpu["postgres"] = postgres_cpu()
        phase = run_phase(f"API {scenario.name} w={workers}", make(server.base_url, key, scenario.skus),
                          clients=args.clients, seconds=args.seconds, warmup=args.warmup,
                          cpu={**cpu, "loadgen": time.process_time, "machine": machine_cpu_seconds})
    finally:
        server.stop()
    check_stock(phase, phase.name, *stock_totals(scenario.database_url, scenario.skus))
    if set(phase.all_statuses) != {201}:
        phase.problems.append(f"{phase.name}: not every order was accepted: {dict(phase.all_statuses)}")
    return phase


def check_stock(phase: Phase, what: str, on_hand: int, allocated: int, oversold_products: int) -> None:
    """No oversell, and exactly one unit reserved per accepted order."""
    phase.oversold = max(0, allocated - on_hand) + oversold_products
    if phase.oversold:
        phase.problems.append(f"{what}: OVERSOLD, allocated {allocated} > on_hand {on_hand}")
    if allocated != phase.all_statuses[201]:
        phase.problems.append(f"{what}: allocated {allocated} != {phase.all_statuses[201]} orders accepted")


# --- the raw-SQL baseline ------------------------------------------------------------------------------------

RESERVE = "UPDATE products SET allocated = allocated + 1 WHERE id = %s AND on_hand - allocated >= 1"
INSERT_ORDER = (
    "INSERT INTO orders (external_id, customer_email, customer_name, customer_locale, fulfilment, priority, status,"
    " created_at) VALUES (NULL, %s, NULL, 'id', 'partial', 0, 'allocated', %s)"
)
INSERT_RAW_PRODUCT = (
    "INSERT INTO products (sku, name, backorder_policy, lead_time_days, on_hand, allocated, backordered,"
    " created_at, updated_at) VALUES (%s, 'raw', 'allow', 14, %s, 0, 0, %s, %s)"
)


def raw_sql_client(conninfo: str, product_ids: list[int]) -> Client:
    """One psycopg connection per client; one transaction per order: reserve a unit, insert the order."""

    async def client(index: int, stop_at: float, record: Record) -> None:
        async with await psycopg.AsyncConnection.connect(conninfo) as conn:
            n = 0
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                async with conn.transaction():
                    reserved = (await conn.execute(RESERVE, (random.choice(product_ids),))).rowcount == 1
                    if reserved:
                        await conn.execute(INSERT_ORDER, (f"c{index}.{n}@raw.example", datetime.now(UTC)))
                n += 1
                record(started, time.perf_counter(), 201 if reserved else 409)

    return client


def raw_sqlite_client(path: str, product_ids: list[int], clients: int) -> Client:
    """The same transaction through Python's sqlite3, one connection and one thread per client."""
    pool = ThreadPoolExecutor(max_workers=clients)
    local = threading.local()

    def transaction(index: int, n: int) -> bool:
        if not hasattr(local, "conn"):
            local.conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            local.conn.execute("PRAGMA journal_mode=WAL")
        conn = local.conn
        conn.execute("BEGIN IMMEDIATE")
        reserved = conn.execute(RESERVE.replace("%s", "?"), (random.choice(product_ids),)).rowcount == 1
        if reserved:
            conn.execute(INSERT_ORDER.replace("%s", "?"), (f"c{index}.{n}@raw.example", datetime.now(UTC).isoformat()))
        conn.execute("COMMIT")
        return reserved

    async def client(index: int, stop_at: float, record: Record) -> None:
        loop = asyncio.get_running_loop()
        n = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            reserved = await loop.run_in_executor(pool, transaction, index, n)
            n += 1
            record(started, time.perf_counter(), 201 if reserved else 409)

    return client


def raw_phase(scenario: Scenario, args: argparse.Namespace) -> Phase:
    """The raw transaction over as many fresh products as the scenario has SKUs."""
    now = datetime.now(UTC)
    prefix = f"RAW-{scenario.name.replace(' ', '-')}-"
    rows = [(f"{prefix}{n:05d}", UNITS, now, now) for n in range(len(scenario.skus))]
    name = f"raw {scenario.name}"
    if scenario.database_url.startswith("postgresql"):
        conninfo = libpq(scenario.database_url)
        with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.executemany(INSERT_RAW_PRODUCT, rows)
            ids = [row[0] for row in conn.execute("SELECT id FROM products WHERE sku LIKE %s", (f"{prefix}%",))]
        client = raw_sql_client(conninfo, ids)
        cpu: dict[str, Callable[[], float]] = {"postgres": postgres_cpu()}
    else:
        path = make_url(scenario.database_url).database or ""
        with sqlite3.connect(path, isolation_level=None) as conn:
            conn.executemany(INSERT_RAW_PRODUCT.replace("%s", "?"), [(a, b, c.isoformat(), d.isoformat())
                                                                     for a, b, c, d in rows])
            ids = [row[0] for row in conn.execute("SELECT id FROM products WHERE sku LIKE ?", (f"{prefix}%",))]
        client = raw_sqlite_client(path, ids, args.clients)
        cpu = {}
    phase = run_phase(name, client, clients=args.clients, seconds=args.seconds, warmup=args.warmup,
                      cpu={**cpu, "loadgen": time.process_time, "machine": machine_cpu_seconds})
    check_stock(phase, name, *stock_totals(scenario.database_url, [sku for sku, *_ in rows]))
    return phase


# --- main ----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per phase (default 20)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each phase")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"inden serve worker processes (default {DEFAULT_WORKERS}, the best on 2 cores)")
    parser.add_argument("--sweep", action="store_true", help="measure the hot SKU with 1, 2 and 3 workers")
    parser.add_argument("--skus", type=int, default=10_000, help="SKUs of the uniform load (0: leave it out)")
    parser.add_argument("--no-sqlite", action="store_true", help="leave out the SQLite hot SKU")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw",
                        help="load generator for the API phase (default: a minimal asyncio HTTP/1.1 client)")
    args = parser.parse_args()

    database_url = fresh_database(base_url_from_env())
    with psycopg.connect(libpq(database_url)) as conn:
        max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
    if args.clients > max_connections - 10:
        sys.exit(f"--clients {args.clients} needs as many PostgreSQL connections in the raw phase; "
                 f"the server allows {max_connections}")
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "inden-bench-serve.log"
    print(f"flash sale: {args.clients} clients, {args.seconds:.0f} s per phase after {args.warmup:.0f} s warm-up, "
          f"database {BENCH_DB}, {os.cpu_count()} CPUs, load generator: {args.client}", flush=True)
    folder = tempfile.TemporaryDirectory(prefix="inden-bench-")
    sqlite_url = f"sqlite:///{folder.name}/inden.db"
    scenarios = [Scenario("hot", database_url, ["HOT-1"])]
    if args.skus:
        scenarios.append(Scenario("uniform", database_url, [f"U-{n:05d}" for n in range(args.skus)]))
    if not args.no_sqlite:
        cli(sqlite_url, "db", "upgrade")
        scenarios.append(Scenario("SQLite hot", sqlite_url, ["HOT-1"]))

    best_runs: list[Phase] = []
    problems: list[str] = []
    for scenario in scenarios:  # every API phase first: the raw phases' rows are outside inden's ledger
        key = cli(scenario.database_url, "keys", "create", "--role", "staff").stdout.strip()
        runs = [api_phase(scenario, key, args, workers=w, log=log)
                for w in ([1, 2, 3] if args.sweep and scenario.name == "hot" else [args.workers])]
        for run in runs:
            print(run.report(), flush=True)
        audit = cli(scenario.database_url, "audit", "verify", check=False)
        if audit.returncode != 0:
            problems.append(f"{scenario.name}: audit failed: {audit.stdout}{audit.stderr}".strip())
        best_runs.append(max(runs, key=lambda r: r.rate))
        problems += [p for run in runs for p in run.problems]
    results: list[tuple[Scenario, Phase, Phase]] = []
    for scenario, best in zip(scenarios, best_runs, strict=True):
        raw = raw_phase(scenario, args)
        print(raw.report(), flush=True)
        problems += raw.problems
        results.append((scenario, best, raw))
    folder.cleanup()

    summary = []
    for scenario, best, raw in results:
        ratio = best.rate / raw.rate
        target = {"hot": "target >= 1.0, p99 <= 250 ms", "SQLite hot": "target >= 500 orders/s"}.get(
            scenario.name, "no target")
        print(f"{scenario.name}: API/raw = {best.rate:.1f} / {raw.rate:.1f} = {ratio:.2f} ({target})")
        summary.append(f"{scenario.name} {best.rate:.0f}/s p99 {best.percentile(99) * 1000:.0f} ms "
                       f"raw {raw.rate:.0f}/s API/raw {ratio:.2f}")
        problems += [f"{best.name}: {best.server_errors} answers 5xx or dropped"] if best.server_errors else []
    for problem in problems:
        print(f"PROBLEM: {problem}")
    verdict = "ok" if not problems else "FAILED"
    print(f"SUMMARY flash_sale {verdict}: " + " | ".join(summary))
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
