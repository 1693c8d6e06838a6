"""Sync benchmark: what the centre server takes in, and how fast consoles hear of it.

The server runs as ``kiosk-server run`` processes of their own, on PostgreSQL when
``KIOSK_BENCH_PG_URL`` (or ``KIOSK_TEST_PG_URL``) names one — in a schema of its own,
dropped at the end — else on a SQLite file, which the table says. On PostgreSQL there
are ``API_PROCESSES`` of them (one per core, as a centre deploys the stateless server
behind a load balancer; each station talks to one, as a balancer would send it); on
SQLite one. Twenty simulated stations enrol with their own keys and certificates and
send signed, chained batches over HTTP, each station one batch at a time, as the
protocol demands. Their batches are built and signed before the clock starts, so the
figures are the server's.

Each process gets a database pool of a connection for each station and a few more
(``KIOSK_SERVER_DB_POOL_SIZE``, unless set), as a centre of 20 stations would configure
it. Each figure is given against a baseline measured in the same run, with the aim it
is held to and whether it was met, and the load average before and after (the
machine's other work shows in every figure).

- **ingest, saturated**: every station sends its batches back to back; events per
  second from the first request to the last acknowledgement, against the **baseline**
  of the raw ``COPY`` of the same events as one row each (a row-per-event server's
  floor): nothing parsed or verified, one transaction per batch, with ``COPY`` on
  PostgreSQL (``executemany`` on SQLite) into a table of one row per event with the
  keys, index and foreign key such a server needs, in the same database (the server
  itself keeps events in their batches' bodies and writes a few span rows per
  batch). Aim: 50,000 events/s. The p99 batch acknowledgement latency
  under that load is given too (20 batches always in flight: it is mostly waiting).
- **ingest, paced**: each station sends a ``PACED_EVENTS_PER_BATCH``-event batch every
  ``PACED_INTERVAL_S`` (1,000 events/s from 20 stations: a busy centre's live rate
  several times over, as a station builds a batch from what committed in the last
  half second); the p99 acknowledgement latency, against the baseline of the p99 time
  to write and commit one batch of the same size raw. Aim: 50 ms.

A batch the server fails (5xx, or no answer in 60 s) is resent after a short jittered
wait, as the sync client does; the table says how many were.
- **fan-out**: 50 WebSocket console subscribers on the first process; stations beat
  in turn, each to its own process (so, with several, through ``LISTEN/NOTIFY``), and
  the time from sending a heartbeat to each subscriber's ``station`` message carrying
  it; the p99, against the baseline of a heartbeat's own round trip. Aim: 250 ms.

``python -m bench sync [--quick]``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import print_table, write_results

STATIONS = 20
SUBSCRIBERS = 50
POOL_SIZE = STATIONS + 4
# API processes on PostgreSQL: the server is stateless, and a process is one
# interpreter, so a centre runs one per core behind its load balancer.
API_PROCESSES = 2
EVENTS_PER_BATCH = 500
PACED_EVENTS_PER_BATCH = 25
PACED_INTERVAL_S = 0.5
PG_ENV = ("KIOSK_BENCH_PG_URL", "KIOSK_TEST_PG_URL")
# The centre server's targets: 20 stations' events on PostgreSQL on 2 cores, a batch's
# acknowledgement, and a station's change reaching 50 consoles.
AIM_EVENTS_PER_S = 50_000
AIM_ACK_P99_MS = 50
AIM_FANOUT_P99_MS = 250
CONSOLE_USER, CONSOLE_PASSWORD = "bench-proctor", "bench proctor password"
CENTRE = "Bench centre"


# -- the database ------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    backend: str
    note: str
    cleanup: Any = None


@contextlib.contextmanager
def bench_database(folder: Path) -> Iterator[Database]:
    """A fresh schema on the PostgreSQL the environment names, else a SQLite file."""
    base = next((os.environ[name] for name in PG_ENV if os.environ.get(name)), None)
    if base is None:
        url = f"sqlite:///{folder / 'bench-server.sqlite3'}"
        yield Database(url, "sqlite", "SQLite (no KIOSK_BENCH_PG_URL / KIOSK_TEST_PG_URL set)")
        return
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"kiosk_bench_{os.getpid()}_{secrets.token_hex(3)}"
    parsed = make_url(base).set(drivername="postgresql")
    plain = parsed.render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield Database(
            scoped.render_as_string(hide_password=False),
            "postgresql",
            f"PostgreSQL {parsed.host}:{parsed.port or 5432}/{parsed.database}, schema {schema}",
        )
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def prepare(url: str, stations: int) -> list[str]:
    """Migrate, add the centre and its console user; enrolment codes for ``stations``."""
    from server.accounts import add_user, create_centre, create_enrolment_code
    from server.db.engine import make_engine, make_sessionmaker
    from server.db.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as db, db.begin():
            centre = create_centre(db, "bench", CENTRE)
            add_user(db, "bench", centre, CONSOLE_USER, "proctor", CONSOLE_PASSWORD)
            return [create_enrolment_code(db, "bench", centre)[0] for _ in range(stations)]
    finally:
        engine.dispose()


# -- the server process ------------------------------------------------------------------


def server_env() -> dict[str, str]:
    """The server configured for this load: a database connection pooled for each
    station sending at once and a few more for the consoles (a pool smaller than the
    requests in flight opens and closes a connection for each one beyond it), unless
    ``KIOSK_SERVER_DB_POOL_SIZE`` says otherwise."""
    return {
        "KIOSK_SERVER_DB_POOL_SIZE": os.environ.get("KIOSK_SERVER_DB_POOL_SIZE", str(POOL_SIZE))
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("kiosk-server")
    return [str(script), "run", "--host", "127.0.0.1", "--port", str(port)]


class ServerProcess:
    """``kiosk-server run`` in a process of its own, on one loopback port for its life:
    ``start()`` waits for ``/health``; ``kill()`` is a SIGKILL; ``start()`` again
    restarts it on the same port."""

    def __init__(
        self, url: str, log: Path, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.database_url = url
        self.log = log
        self.env = env or {}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.child: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 180.0) -> str:
        import httpx

        env = {**os.environ, **self.env, "KIOSK_SERVER_DATABASE_URL": self.database_url}
        with self.log.open("ab") as out:
            self.child = subprocess.Popen(
                server_command(self.port), env=env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.child.poll() is not None:
                raise RuntimeError(f"the server exited ({self.child.returncode}); see {self.log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self.url
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /health in {timeout_s:.0f} s")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, transactions in flight die with it."""
        if self.child is not None and self.child.poll() is None:
            self.child.kill()
            self.child.wait()

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(15)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def running_servers(
    url: str, folder: Path, count: int, env: dict[str, str] | None = None
) -> Iterator[list[str]]:
    """``count`` ``kiosk-server run`` processes on one database, each on a free loopback
    port (``env`` added to their environment; logs ``server-K.log`` in ``folder``);
    yields their base URLs. Started one after the other: the first migrates."""
    servers = [ServerProcess(url, folder / f"server-{k + 1}.log", env=env) for k in range(count)]
    try:
        yield [server.start() for server in servers]
    except BaseException:
        for server in servers:
            print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        for server in servers:
            server.stop()


# -- simulated stations ------------------------------------------------------------------


class SimStation:
    """A station's identity (ECDSA P-256 key, self-signed certificate) and its batches."""

    def __init__(self, name: str) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        self.certificate_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.station_id = ""
        self.batch_seq = 0
        self.heads: dict[str, tuple[int, str]] = {}

    def sign(self, body: bytes) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

        from server.protocol import body_digest

        raw = self.key.sign(body_digest(body), ec.ECDSA(Prehashed(hashes.SHA256())))
        return base64.b64encode(raw).decode()

    def headers(self, body: bytes) -> dict[str, str]:
        from server.protocol import HEADER_SIGNATURE, HEADER_STATION

        return {
            HEADER_STATION: self.station_id,
            HEADER_SIGNATURE: self.sign(body),
            "Content-Type": "application/json",
        }

    def enrol(self, base: str, code: str) -> None:
        import httpx

        from server.protocol import PROTOCOL_VERSION, canonical_json

        body = canonical_json(
            {
                "protocol": PROTOCOL_VERSION,
                "code": code,
                "name": self.name,
                "store_id": uuid.uuid4().hex,
                "certificate_pem": self.certificate_pem,
            }
        )
        answer = httpx.post(
            f"{base}/sync/v1/enrol",
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"enrolment refused: {answer.status_code} {answer.text}")
        self.station_id = answer.json()["station_id"]

    def batch(self, events: int, session_events: int = 500) -> tuple[bytes, int]:
        """The next batch: ``events`` chained events, a new session every
        ``session_events``; its canonical body and its event count."""
        from server.protocol import GENESIS_HASH, PROTOCOL_VERSION, canonical_json, event_hash

        rows = []
        for _ in range(events):
            live = [sid for sid, (seq, _h) in self.heads.items() if seq < session_events]
            sid = live[0] if live else str(uuid.uuid4())
            seq, prev = self.heads.get(sid, (0, GENESIS_HASH))
            seq += 1
            t_ns = 1_000_000_000 + seq * 350_000_000
            kind = "response" if seq % 3 else "stimulus_onset"
            payload = json.dumps(
                {"key": "space", "rt_ms": 300 + seq % 400, "trial": seq // 3, "correct": True},
                sort_keys=True,
                separators=(",", ":"),
            )
            digest = event_hash(prev, sid, seq, t_ns, None, seq // 3, kind, payload)
            rows.append(
                {
                    "session_id": sid,
                    "seq": seq,
                    "t_ns": t_ns,
                    "game_run_id": None,
                    "trial_index": seq // 3,
                    "kind": kind,
                    "payload": payload,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            self.heads[sid] = (seq, digest)
        self.batch_seq += 1
        body = canonical_json(
            {
                "protocol": PROTOCOL_VERSION,
                "station_id": self.station_id,
                "batch_seq": self.batch_seq,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "events": rows,
                "audit": [],
                "records": {},
            }
        )
        return body, len(rows)


@dataclass
class Signed:
    station: SimStation
    body: bytes
    headers: dict[str, str]
    events: int
    batch_seq: int


def signed_batches(stations: list[SimStation], batches: int, per_batch: int) -> list[list[Signed]]:
    out = []
    for station in stations:
        mine = []
        for _ in range(batches):
            body, n = station.batch(per_batch)
            mine.append(Signed(station, body, station.headers(body), n, station.batch_seq))
        out.append(mine)
    return out


# -- ingest ------------------------------------------------------------------------------


@dataclass
class Sent:
    seconds: float
    latencies_ns: list[int]  # first attempt to acknowledgement, per batch
    events: int
    retries: int  # 5xx answers and timeouts, each resent as a station would


async def _send_all(
    bases: list[str], per_station: list[list[Signed]], interval_s: float | None
) -> Sent:
    """Each station sends its batches in order, resending one the server failed (5xx,
    no answer) after a short jittered wait, as the sync client does. Station ``k`` talks
    to the server process ``bases[k % len(bases)]``, as a load balancer would send it."""
    import random

    import httpx

    latencies: list[int] = []
    events = retries = 0
    limits = httpx.Limits(max_connections=len(per_station) + 4)

    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
            )
            for base in bases
        ]

        async def station(batches: list[Signed], offset: float, client: Any) -> None:
            nonlocal events, retries
            await asyncio.sleep(offset)
            for i, item in enumerate(batches):
                if interval_s is not None:
                    await asyncio.sleep(
                        max(0.0, start + offset + i * interval_s - time.perf_counter())
                    )
                t0 = time.perf_counter_ns()
                for attempt in range(12):
                    try:
                        answer = await client.post(
                            "/sync/v1/batches", content=item.body, headers=item.headers
                        )
                    except httpx.TransportError:
                        answer = None
                    if answer is not None and answer.status_code < 500:
                        break
                    retries += 1
                    await asyncio.sleep(random.uniform(0, min(5.0, 0.1 * 2**attempt)))
                latencies.append(time.perf_counter_ns() - t0)
                if answer is None or answer.status_code != 200:
                    what = "no answer" if answer is None else answer.text[:300]
                    raise RuntimeError(f"batch {item.batch_seq} not taken: {what}")
                reply = answer.json()
                if reply["acked_through"] != item.batch_seq or reply.get("flags"):
                    raise RuntimeError(f"unexpected answer to batch {item.batch_seq}: {reply}")
                events += item.events

        start = time.perf_counter()
        spread = interval_s or 0.0
        await asyncio.gather(
            *(
                station(b, spread * k / len(per_station), clients[k % len(clients)])
                for k, b in enumerate(per_station)
            )
        )
        return Sent(time.perf_counter() - start, latencies, events, retries)


# The baseline's table: one row per event, as a row-per-event server stores them (the
# centre server's events table before it kept events in their batches' bodies), with
# its keys, station index and foreign key. Its columns in the order rows are written:
RAW_EVENT_COLUMNS = (
    "session_id",
    "seq",
    "station_id",
    "batch_seq",
    "t_ns",
    "game_run_id",
    "trial_index",
    "kind",
    "payload",
    "prev_hash",
    "hash",
)
RAW_EVENTS_TABLE = (
    "CREATE TABLE bench_raw_events (id {id_type} PRIMARY KEY, session_id VARCHAR(36) "
    "NOT NULL, seq INTEGER NOT NULL, station_id VARCHAR(36) NOT NULL REFERENCES "
    "enrolled_stations (id), batch_seq INTEGER NOT NULL, t_ns BIGINT NOT NULL, "
    "game_run_id VARCHAR(36), trial_index INTEGER, kind VARCHAR(40) NOT NULL, "
    "payload TEXT NOT NULL, prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL, "
    "UNIQUE (session_id, seq))"
)
RAW_EVENTS_INDEX = "CREATE INDEX bench_raw_events_station ON bench_raw_events (station_id)"


def raw_event_row(event: Mapping[str, Any], station_id: str, batch_seq: int) -> tuple[Any, ...]:
    """An event as the baseline's row, its values in :data:`RAW_EVENT_COLUMNS` order."""
    row = {**event, "station_id": station_id, "batch_seq": batch_seq}
    return tuple(row[column] for column in RAW_EVENT_COLUMNS)


def baseline_inserts(url: str, per_station: list[list[Signed]]) -> tuple[float, list[int], int]:
    """The database's floor for the same events stored as one row each (a row-per-event
    server's floor): written raw, one transaction per batch, nothing parsed or verified,
    into a table of its own with the keys, index and foreign key such a server needs
    (:data:`RAW_EVENTS_TABLE`), with ``COPY`` on PostgreSQL and ``executemany`` on
    SQLite: (seconds, per-batch latencies ns, events). Runs after the server is done,
    on the same database."""
    from sqlalchemy.engine import make_url

    from server.batch_schema import parse_batch

    columns = ", ".join(RAW_EVENT_COLUMNS)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        conn: Any = sqlite3.connect(parsed.database or "", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(RAW_EVENTS_TABLE.format(id_type="INTEGER"))
        conn.execute(RAW_EVENTS_INDEX)
        marks = ", ".join("?" * len(RAW_EVENT_COLUMNS))
        sql = f"INSERT INTO bench_raw_events ({columns}) VALUES ({marks})"

        def write(rows: list[tuple[Any, ...]]) -> None:
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany(sql, rows)
            cur.execute("COMMIT")

    else:
        import psycopg

        conn = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(False))
        conn.autocommit = True
        conn.execute(RAW_EVENTS_TABLE.format(id_type="BIGSERIAL"))
        conn.execute(RAW_EVENTS_INDEX)
        copy_sql = f"COPY bench_raw_events ({columns}) FROM STDIN"

        def write(rows: list[tuple[Any, ...]]) -> None:
            with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)

    latencies: list[int] = []
    total = 0
    rounds = [list(r) for r in zip(*per_station, strict=True)]
    start = time.perf_counter()
    try:
        for round_ in rounds:
            for item in round_:
                rows = [
                    raw_event_row(e, item.station.station_id, item.batch_seq)
                    for e in parse_batch(item.body)["events"]
                ]
                t0 = time.perf_counter_ns()
                write(rows)
                latencies.append(time.perf_counter_ns() - t0)
                total += len(rows)
        return time.perf_counter() - start, latencies, total
    finally:
        conn.execute("DROP TABLE bench_raw_events")
        conn.close()


# -- fan-out -----------------------------------------------------------------------------


async def fanout(bases: list[str], stations: list[SimStation], beats: int) -> dict[str, Any]:
    """Heartbeat-to-console latency over ``SUBSCRIBERS`` WebSocket subscribers, all on
    the first server process; station ``k`` beats to ``bases[k % len(bases)]``, so with
    several processes most changes reach the consoles through the database's
    ``LISTEN/NOTIFY``."""
    base = bases[0]
    import httpx
    from websockets.asyncio.client import connect

    from server.protocol import PROTOCOL_VERSION, canonical_json

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.post(
            "/api/v1/auth/token",
            json={"username": CONSOLE_USER, "password": CONSOLE_PASSWORD, "centre": CENTRE},
        )
        if answer.status_code != 200:
            raise RuntimeError(f"no console token: {answer.status_code} {answer.text}")
        token = answer.json()["token"]
        ws_url = base.replace("http://", "ws://") + f"/console/v1/ws?token={token}"
        sent: dict[float, int] = {}
        seen: list[dict[float, int]] = [{} for _ in range(SUBSCRIBERS)]
        sockets = [await connect(ws_url, max_size=None) for _ in range(SUBSCRIBERS)]
        for ws in sockets:
            first = json.loads(await ws.recv())
            if first.get("type") != "snapshot":
                raise RuntimeError(f"first console message is not a snapshot: {first}")

        async def listen(k: int) -> None:
            async for message in sockets[k]:
                now = time.perf_counter_ns()
                doc = json.loads(message)
                if doc.get("type") != "station":
                    continue
                live = doc["station"].get("live") or {}
                marker = live.get("elapsed_s")
                if isinstance(marker, float) and marker not in seen[k]:
                    seen[k][marker] = now

        listeners = [asyncio.create_task(listen(k)) for k in range(SUBSCRIBERS)]
        round_trips: list[int] = []
        for beat in range(beats):
            station = stations[beat % len(stations)]
            beat_url = f"{bases[beat % len(stations) % len(bases)]}/sync/v1/heartbeat"
            marker = 100000.0 + beat + 0.5
            body = canonical_json(
                {
                    "protocol": PROTOCOL_VERSION,
                    "station_id": station.station_id,
                    "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                    "acked_through": station.batch_seq,
                    "outbox_pending": 0,
                    "live": {
                        "session_id": None,
                        "status": "in_progress",
                        "pseudonym": "BENCH",
                        "game": "balloons",
                        "game_index": 1,
                        "games_total": 12,
                        "elapsed_s": marker,
                        "incidents": 0,
                        "quality_flags": [],
                    },
                }
            )
            sent[marker] = time.perf_counter_ns()
            answer = await client.post(beat_url, content=body, headers=station.headers(body))
            round_trips.append(time.perf_counter_ns() - sent[marker])
            if answer.status_code != 200:
                raise RuntimeError(f"heartbeat refused: {answer.status_code} {answer.text}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        for ws in sockets:
            await ws.close()
    delays = [arrived - sent[m] for got in seen for m, arrived in got.items() if m in sent]
    expected = beats * SUBSCRIBERS
    return {"delays": delays, "expected": expected, "round_trips": round_trips}


# -- the benchmark -----------------------------------------------------------------------


def _percentiles(samples_ns: list[int]) -> dict[int, float]:
    """p50 and p99 of ``samples_ns``, in milliseconds (NaN for no samples)."""
    if not samples_ns:
        return {50: float("nan"), 99: float("nan")}
    values = np.percentile(np.asarray(samples_ns, dtype=float) / 1e6, [50, 99])
    return {50: float(values[0]), 99: float(values[1])}


def main(quick: bool = False) -> None:
    batches = 2 if quick else 20
    paced_batches = 3 if quick else 10
    beats = 20 if quick else 100
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-sync-") as tmp:
        folder = Path(tmp)
        with bench_database(folder) as db:
            # SQLite serves from one process (its fan-out does not cross processes).
            processes = API_PROCESSES if db.backend == "postgresql" else 1
            codes = prepare(db.url, STATIONS)
            stations = [SimStation(f"bench station {k + 1}") for k in range(STATIONS)]
            with running_servers(db.url, folder, processes, server_env()) as bases:
                for k, (station, code) in enumerate(zip(stations, codes, strict=True)):
                    station.enrol(bases[k % processes], code)
                saturated = signed_batches(stations, batches, EVENTS_PER_BATCH)
                full = asyncio.run(_send_all(bases, saturated, None))
                paced = signed_batches(stations, paced_batches, PACED_EVENTS_PER_BATCH)
                steady = asyncio.run(_send_all(bases, paced, PACED_INTERVAL_S))
                fan = asyncio.run(fanout(bases, stations, beats))
            b_wall, b_lat, b_events = baseline_inserts(db.url, saturated)
            paced_base_lat = baseline_inserts(db.url, paced)[1]
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    raw = "raw COPY" if db.backend == "postgresql" else "raw executemany"
    server_rate = full.events / full.seconds
    base_rate = b_events / b_wall
    ack = _percentiles(full.latencies_ns)
    base_ack = _percentiles(b_lat)
    paced_ack = _percentiles(steady.latencies_ns)
    paced_base = _percentiles(paced_base_lat)
    fan_delay = _percentiles(fan["delays"])
    round_trip = _percentiles(fan["round_trips"])
    delivered = len(fan["delays"])

    def aim(met: bool, text: str) -> str:
        return f"aim {text}: {'met' if met else 'NOT met'}"

    paced_aim = aim(paced_ack[99] <= AIM_ACK_P99_MS, f"{AIM_ACK_P99_MS} ms")
    fan_aim = aim(fan_delay[99] <= AIM_FANOUT_P99_MS, f"{AIM_FANOUT_P99_MS} ms")

    rows = [
        (
            "database",
            f"{db.note}; pool {server_env()['KIOSK_SERVER_DB_POOL_SIZE']} connections",
            f"load average {load_before:.1f} before, {load_after:.1f} after, on "
            f"{os.cpu_count()} CPUs (shared with this client and the database)",
        ),
        (
            "ingest, saturated",
            f"{server_rate:,.0f} ev/s",
            f"{server_rate / base_rate:.2f}x the {raw} of the same events as one row each "
            f"({base_rate:,.0f} ev/s, one transaction per batch, nothing verified); "
            f"{aim(server_rate >= AIM_EVENTS_PER_S, f'{AIM_EVENTS_PER_S:,} ev/s')}; "
            f"{STATIONS} stations x {batches} batches x {EVENTS_PER_BATCH} events in "
            f"{full.seconds:.1f} s; {full.retries} resent after a 5xx or no answer",
        ),
        (
            "ack p99, saturated",
            f"{ack[99]:.1f} ms",
            f"{ack[99] / base_ack[99]:.1f}x one {raw} batch write (p99 {base_ack[99]:.1f} ms); "
            f"p50 {ack[50]:.1f} ms: {STATIONS} batches in flight at once",
        ),
        (
            "ack p99, paced",
            f"{paced_ack[99]:.1f} ms",
            f"{paced_ack[99] / paced_base[99]:.1f}x one {raw} batch write (p99 "
            f"{paced_base[99]:.1f} ms); {paced_aim}; "
            f"p50 {paced_ack[50]:.1f} ms; {PACED_EVENTS_PER_BATCH}-event batches every "
            f"{PACED_INTERVAL_S} s per station ({steady.events:,} events, {steady.retries} resent)",
        ),
        (
            "console fan-out p99",
            f"{fan_delay[99]:.1f} ms",
            f"{fan_delay[99] / round_trip[99]:.1f}x a heartbeat's round trip (p99 "
            f"{round_trip[99]:.1f} ms); {fan_aim}; "
            f"p50 {fan_delay[50]:.1f} ms; {SUBSCRIBERS} subscribers, "
            f"{delivered}/{fan['expected']} delivered",
        ),
    ]
    print_table(
        f"Sync: the centre server ({processes} kiosk-server run process"
        f"{'es' if processes > 1 else ''} on one database)",
        rows,
    )
    path = write_results(
        "sync",
        [
            {
                "database": db.backend,
                "stations": STATIONS,
                "pool_size": int(server_env()["KIOSK_SERVER_DB_POOL_SIZE"]),
                "api_processes": processes,
                "events": full.events,
                "load_average": load_before,
                "load_average_after": load_after,
                "retries_saturated": full.retries,
                "retries_paced": steady.retries,
                "events_per_s": server_rate,
                "baseline": raw,
                "baseline_events_per_s": base_rate,
                "ratio": server_rate / base_rate,
                "ack_p50_saturated_ms": ack[50],
                "ack_p99_saturated_ms": ack[99],
                "baseline_batch_write_p99_saturated_ms": base_ack[99],
                "ack_p50_paced_ms": paced_ack[50],
                "ack_p99_paced_ms": paced_ack[99],
                "baseline_batch_insert_p99_ms": paced_base[99],
                "ack_p99_paced_ratio": paced_ack[99] / paced_base[99],
                "fanout_p50_ms": fan_delay[50],
                "fanout_p99_ms": fan_delay[99],
                "heartbeat_round_trip_p99_ms": round_trip[99],
                "fanout_ratio": fan_delay[99] / round_trip[99],
                "fanout_delivered": delivered,
                "fanout_expected": fan["expected"],
                "aims_met": {
                    "events_per_s": server_rate >= AIM_EVENTS_PER_S,
                    "ack_p99_paced": paced_ack[99] <= AIM_ACK_P99_MS,
                    "fanout_p99": fan_delay[99] <= AIM_FANOUT_P99_MS,
                },
            }
        ],
    )
    print(f"\nresults: {path}")
