"""Sync under faults: real stations, a real server, a network that misbehaves.

Five station processes (``tests/server/sync_station.py``), each with its own store,
station key and enrolment, record sessions through the real recorder while their sync
threads push batches to ``kiosk-server run`` through ``tools.faultproxy`` at a 30 %
fault rate (drops, delays, resets, duplicates, truncated answers), one connection per
request so every request can meet a fault. Then the server is SIGKILLed and restarted
mid-sync, and separately station processes are SIGKILLed and restarted.

Each time, afterwards: every event every station holds is on the server exactly once
(nothing lost, nothing duplicated), every session's chain verifies on the server and
when recomputed here from what the server holds (its event spans and the batch bodies
they name, each span's hashes those of its events), the station audit logs arrived
whole and signed, there are no flags, and every station's ``acked_through`` is its
newest batch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select, text

from bench.sync import ServerProcess, prepare
from server.protocol import GENESIS_HASH, event_hash
from tests.conftest import ARTEFACTS
from tests.helpers import ensure_admin
from tools.faultproxy import ProxyThread

ROOT = Path(__file__).resolve().parents[2]
STATIONS = 5
SESSIONS = 2
MAX_EVENTS = 120  # per batch: a short-battery session (~500 events) takes several
FAULT_RATE = 0.3

pytestmark = pytest.mark.slow


# -- setting up ---------------------------------------------------------------------------


def _enrolled_store(path: Path, server_url: str, code: str) -> str:
    """A new station store enrolled directly with the server; its station id."""
    from kiosk.access.auth import Actor
    from kiosk.store import open_store
    from kiosk.store.models import User
    from kiosk.sync.enrolment import enrol

    store = open_store(path)
    try:
        username, _ = ensure_admin(store)
        with store.reader() as s:
            user = s.scalars(select(User).where(User.username == username)).one()
            actor = Actor.of(user)
        return enrol(store, actor, server_url, code).station_id
    finally:
        store.close()


@dataclass
class Station:
    index: int
    store: Path
    station_id: str
    lines: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    child: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = None
    starts: int = 0

    def start(self, url: str, seed: int) -> None:
        self.starts += 1
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.server.sync_station",
                str(self.store),
                url,
                str(SESSIONS),
                str(seed * 10 + self.index),
                str(MAX_EVENTS),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=(self.store.parent / f"stderr-{self.starts}.txt").open("w"),
            text=True,
        )
        self.reader = threading.Thread(target=self._read, args=(self.child,), daemon=True)
        self.reader.start()

    def _read(self, child: subprocess.Popen[str]) -> None:
        assert child.stdout is not None
        for line in child.stdout:
            self.lines.append(line.strip())
            self.times.append(time.monotonic())

    def saw(self, prefix: str) -> bool:
        return any(line.startswith(prefix) for line in self.lines)

    def kill(self) -> None:
        assert self.child is not None
        self.child.kill()
        self.child.wait()
        assert self.reader is not None
        self.reader.join(5)
        self.lines.append("KILLED")
        self.times.append(time.monotonic())

    def wait(self, timeout_s: float) -> None:
        assert self.child is not None
        try:
            self.child.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        assert self.reader is not None
        self.reader.join(5)
        stderr = (self.store.parent / f"stderr-{self.starts}.txt").read_text()[-3000:]
        assert self.child.returncode == 0, (
            f"station {self.index} ended {self.child.returncode}: {self.lines[-5:]}\n{stderr}"
        )
        assert self.lines[-1].startswith("DONE"), self.lines


def _wait_until(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


# -- checking ------------------------------------------------------------------------------


def _station_side(station: Station) -> dict[str, Any]:
    from kiosk.store import open_store
    from kiosk.sync.outbox import outbox_status

    store = open_store(station.store, read_only=True)
    try:
        with store.reader() as s:
            events = s.execute(text("SELECT session_id, seq, hash FROM events")).all()
            audit = s.execute(text("SELECT seq, hash, signature FROM audit_log ORDER BY seq")).all()
        status = outbox_status(store)
    finally:
        store.close()
    first_signed = min((seq for seq, _h, sig in audit if sig is not None), default=0)
    return {
        "events": {(sid, seq): digest for sid, seq, digest in events},
        "audit": [(seq, digest) for seq, digest, _sig in audit],
        # Written when the store was created, before its key existed: no signature of
        # their own, vouched for by the next signed entry through the chain.
        "before_key": {seq for seq, _h, sig in audit if sig is None and seq < first_signed},
        "acked_through": status.acked_through,
        "built_through": status.built_through,
        "pending": status.pending,
    }


def _server_tables() -> dict[str, str]:
    """The server's table names, from its models (raw SQL below, so that nothing in the
    check goes through the code under test)."""
    from server.db import models

    return {
        "spans": models.EventSpan.__tablename__,
        "batches": models.Batch.__tablename__,
        "flags": models.Flag.__tablename__,
        "chains": models.SessionChain.__tablename__,
        "audit": models.AuditEntry.__tablename__,
        "stations": models.Station.__tablename__,
    }


def _server_events(conn: Any, t: dict[str, str], station_id: str) -> tuple[list[Any], list[Any]]:
    """The events the server holds for a station, sorted by (session_id, seq), read here
    as stored: each span names events of its batch's body (the first of a seq sent twice
    in it) and holds their hashes (32 bytes each, in seq order). Raw SQL and plain JSON,
    so nothing of it goes through the code under test. Also the (session_id, seq) of
    each event a span names whose hash, or whose presence, its batch's body denies."""
    bodies = {
        r.batch_seq: r.body
        for r in conn.execute(
            text(f"SELECT batch_seq, body FROM {t['batches']} WHERE station_id = :id"),
            {"id": station_id},
        )
    }
    spans = conn.execute(
        text(
            f"SELECT session_id, first_seq, last_seq, batch_seq, hashes FROM {t['spans']}"
            " WHERE station_id = :id"
        ),
        {"id": station_id},
    ).all()
    parsed: dict[int, dict[tuple[str, int], dict[str, Any]]] = {}
    rows, denied = [], []
    for span in spans:
        if span.batch_seq not in parsed:
            firsts: dict[tuple[str, int], dict[str, Any]] = {}
            for e in json.loads(bytes(bodies.get(span.batch_seq) or b'{"events":[]}'))["events"]:
                firsts.setdefault((e["session_id"], e["seq"]), e)
            parsed[span.batch_seq] = firsts
        hashes = bytes(span.hashes)
        for k, seq in enumerate(range(span.first_seq, span.last_seq + 1)):
            event = parsed[span.batch_seq].get((span.session_id, seq))
            if event is None or event["hash"] != hashes[32 * k : 32 * (k + 1)].hex():
                denied.append((span.session_id, seq))
            else:
                rows.append(SimpleNamespace(**event))
    return sorted(rows, key=lambda r: (r.session_id, r.seq)), denied


def _check(database_url: str, stations: list[Station], scenario: str, proxy: ProxyThread) -> None:
    from server.db.engine import make_engine

    t = _server_tables()
    scenario = f"{scenario}-{database_url.split(':')[0].split('+')[0]}"

    engine = make_engine(database_url)
    report: dict[str, Any] = {"scenario": scenario, "proxy": dict(proxy.counts), "stations": []}
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            flags = conn.execute(
                text(f"SELECT station_id, session_id, code, message FROM {t['flags']}")
            ).all()
            for station in stations:
                mine = _station_side(station)
                for flag in flags:
                    if flag.station_id == station.station_id:
                        problems.append(f"station {station.index}: flag {tuple(flag)}")
                rows, denied = _server_events(conn, t, station.station_id)
                held = Counter((r.session_id, r.seq) for r in rows)
                duplicated = sum(n - 1 for n in held.values() if n > 1)
                lost = [key for key in mine["events"] if key not in held]
                extra = [key for key in held if key not in mine["events"]]
                differ = denied + [
                    (r.session_id, r.seq)
                    for r in rows
                    if mine["events"].get((r.session_id, r.seq), r.hash) != r.hash
                ]
                # The server's rows, chained again here: seq from 1, links, hashes.
                broken = []
                prev_sid, prev_seq, prev_hash = None, 0, GENESIS_HASH
                for r in rows:
                    if r.session_id != prev_sid:
                        prev_sid, prev_seq, prev_hash = r.session_id, 0, GENESIS_HASH
                    recomputed = event_hash(
                        r.prev_hash,
                        r.session_id,
                        r.seq,
                        r.t_ns,
                        r.game_run_id,
                        r.trial_index,
                        r.kind,
                        r.payload,
                    )
                    if r.seq != prev_seq + 1 or r.prev_hash != prev_hash or recomputed != r.hash:
                        broken.append((r.session_id, r.seq))
                    prev_seq, prev_hash = r.seq, r.hash
                chains = conn.execute(
                    text(
                        "SELECT c.session_id, c.head_seq, c.head_hash, c.broken FROM"
                        f" {t['chains']} c WHERE c.session_id IN (SELECT DISTINCT session_id"
                        f" FROM {t['spans']} WHERE station_id = :id)"
                    ),
                    {"id": station.station_id},
                ).all()
                heads: dict[str, tuple[int, str]] = {}
                for key, digest in mine["events"].items():
                    if key[1] > heads.get(key[0], (0, ""))[0]:
                        heads[key[0]] = (key[1], digest)
                for c in chains:
                    if c.broken or heads.get(c.session_id) != (c.head_seq, c.head_hash):
                        broken.append((c.session_id, "head"))
                audit = conn.execute(
                    text(
                        f"SELECT seq, hash, verified FROM {t['audit']} WHERE station_id = :id"
                        " ORDER BY seq"
                    ),
                    {"id": station.station_id},
                ).all()
                unverified = [
                    a.seq for a in audit if not a.verified and a.seq not in mine["before_key"]
                ]
                applied = conn.execute(
                    text(f"SELECT applied_through FROM {t['stations']} WHERE id = :id"),
                    {"id": station.station_id},
                ).scalar_one()
                row = {
                    "station": station.index,
                    "starts": station.starts,
                    "events_sent": len(mine["events"]),
                    "events_received": len(rows),
                    "lost": len(lost),
                    "duplicated": duplicated,
                    "unexpected": len(extra),
                    "different": len(differ),
                    "chain_problems": len(broken),
                    "sessions": len(heads),
                    "audit_sent": len(mine["audit"]),
                    "audit_received": len(audit),
                    "audit_unverified": len(unverified),
                    "acked_through": mine["acked_through"],
                    "built_through": mine["built_through"],
                    "server_applied_through": applied,
                }
                report["stations"].append(row)
                if lost or duplicated or extra or differ or broken:
                    problems.append(
                        f"station {station.index}: lost {lost[:5]}, duplicated {duplicated}, "
                        f"unexpected {extra[:5]}, different {differ[:5]}, chain {broken[:5]}"
                    )
                if [(a.seq, a.hash) for a in audit] != mine["audit"] or unverified:
                    problems.append(
                        f"station {station.index}: audit {len(audit)} of {len(mine['audit'])} "
                        f"on the server, unverified {unverified[:5]}"
                    )
                if not (
                    mine["pending"] == 0
                    and mine["acked_through"] == mine["built_through"] == applied
                    and applied > 1
                ):
                    problems.append(f"station {station.index}: outbox {row}")
                if len(heads) < SESSIONS:
                    problems.append(f"station {station.index}: only {len(heads)} sessions")
    finally:
        engine.dispose()
    totals = {
        key: sum(r[key] for r in report["stations"])
        for key in ("events_sent", "events_received", "lost", "duplicated", "built_through")
    }
    report["totals"] = totals
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"sync-faults-{scenario}.json").write_text(json.dumps(report, indent=2))
    print(f"\n{scenario}: {totals} proxy {dict(proxy.counts)}")
    assert not problems, "\n".join(problems)
    # The faults really happened, to batches as well as heartbeats.
    faults = sum(n for kind, n in proxy.counts.items() if kind != "pass")
    assert faults >= 10, proxy.counts


# -- the scenarios ------------------------------------------------------------------------


@dataclass
class Rig:
    database_url: str
    server: ServerProcess
    proxy: ProxyThread
    stations: list[Station]
    seed: int
    started: float = 0.0

    def start_all(self) -> None:
        self.started = time.monotonic()
        for station in self.stations:
            station.start(self.proxy.url, self.seed)

    def wait_all(self, timeout_s: float = 480.0) -> None:
        deadline = time.monotonic() + timeout_s
        for station in self.stations:
            station.wait(max(1.0, deadline - time.monotonic()))
        for station in self.stations:
            steps = [
                f"{line} {t - self.started:.1f}s"
                for line, t in zip(station.lines, station.times, strict=True)
            ]
            print(f"station {station.index}: {', '.join(steps)}")


@pytest.fixture
def rig(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    seed = 1 + sum(map(ord, request.node.name)) % 1000
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    codes = prepare(database_url, STATIONS)
    stations = []
    for k, code in enumerate(codes):
        path = tmp_path / f"station{k}" / "kiosk.db"
        stations.append(Station(k, path, _enrolled_store(path, server.url, code)))
    proxy = ProxyThread(("127.0.0.1", server.port), rate=FAULT_RATE, seed=seed, paths=["/sync/"])
    proxy.start()
    try:
        yield Rig(database_url, server, proxy, stations, seed)
    except BaseException:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        for station in stations:
            if station.child is not None and station.child.poll() is None:
                station.child.kill()
                station.child.wait()
        proxy.stop()
        server.stop()


@pytest.mark.soak
def test_five_stations_sync_whole_through_a_faulty_network(rig: Rig) -> None:
    rig.start_all()
    rig.wait_all()
    _check(rig.database_url, rig.stations, "network", rig.proxy)


@pytest.mark.soak
def test_the_server_killed_and_restarted_mid_sync_loses_nothing(rig: Rig) -> None:
    rig.start_all()
    for mark in ("SESSION 1", "SESSION 2"):
        _wait_until(lambda m=mark: any(s.saw(m) for s in rig.stations), 300, mark)
        rig.server.kill()
        time.sleep(0.5)  # stations meet a closed port meanwhile, through the proxy
        rig.server.start()
    rig.wait_all()
    _check(rig.database_url, rig.stations, "server-kill", rig.proxy)


# What a station's outbox does after its process dies does not depend on the server's
# database: SQLite only, to keep the file's time down.
@pytest.mark.soak
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_stations_killed_and_restarted_mid_sync_resume_from_their_outbox(rig: Rig) -> None:
    rig.start_all()
    first, second = rig.stations[0], rig.stations[1]
    # One dies between its sessions while its first one is still being sent; another
    # while it records its second session (that session stays unfinished and is resumed
    # as a new one on restart, what was recorded of it is still sent).
    _wait_until(lambda: first.saw("SESSION 1"), 300, "station 0's first session")
    first.kill()
    _wait_until(lambda: second.saw("SESSION 1"), 300, "station 1's first session")
    time.sleep(0.3)
    second.kill()
    first.start(rig.proxy.url, rig.seed + 1)
    second.start(rig.proxy.url, rig.seed + 2)
    rig.wait_all()
    _check(rig.database_url, rig.stations, "station-kill", rig.proxy)


# -- found by the fault runs: a new store's unsigned first audit entries raised flags ---------


def test_a_new_station_s_first_batch_raises_no_flag(database_url: str, tmp_path: Path) -> None:
    from kiosk.store import open_store
    from kiosk.sync.service import Syncer
    from server.db.engine import make_engine

    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    try:
        (code,) = prepare(database_url, 1)
        path = tmp_path / "station" / "kiosk.db"
        _enrolled_store(path, server.url, code)
        store = open_store(path)
        try:
            from kiosk.sync.enrolment import sync_settings

            settings = sync_settings(store)
            assert settings is not None
            syncer = Syncer.open(store, settings)
            try:
                assert [b.batch_seq for b in syncer.build()] == [1]
                assert syncer.send() == 1
            finally:
                syncer.close()
        finally:
            store.close()
    finally:
        server.stop()
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            flags = conn.execute(
                text(f"SELECT code, message FROM {_server_tables()['flags']}")
            ).all()
    finally:
        engine.dispose()
    assert flags == []
