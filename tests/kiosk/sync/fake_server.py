"""A centre server in memory with the protocol's semantics, and a transport that breaks.

:class:`FakeServer` does what ``server/PROTOCOL.md`` asks of the server: one-time
enrolment codes, signatures over the raw body checked against the enrolled
certificate, batches kept by ``(station, batch_seq)`` with a 409 for a different body
under a kept number, contiguous application from ``applied_through + 1``, every event
and audit entry checked against the chains it continues (hash, link, sequence,
signature, checkpoints), commands redelivered until acknowledged. It keeps what it
applied in the order it applied it, so tests can compare with the station's store.

:func:`faulty` wraps it in an ``httpx.MockTransport`` that drops requests, drops
answers after the server acted, answers 500, cuts answers short and delivers a
request twice, at random from a seed.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from kiosk.store.audit import audit_hash
from server import protocol

CODE = "K7QF-2M9X-P4TW-8HJD"


class FakeServer:
    def __init__(self, *, personal_data: bool = False, heartbeat_s: float = 0.05) -> None:
        self.personal_data = personal_data
        self.heartbeat_s = heartbeat_s
        self.codes = {CODE}
        self.lock = threading.Lock()
        self.station_id: str | None = None
        self.cert_pem = ""
        self.revoked = False
        self.kept: dict[int, tuple[bytes, bytes]] = {}  # batch_seq -> (digest, body)
        self.bodies_seen: dict[int, list[bytes]] = {}  # every body received, per batch_seq
        self.applied_through = 0
        self.events: list[dict[str, Any]] = []  # in the order applied
        self.heads: dict[str, tuple[int, str]] = {}
        self.audit: list[dict[str, Any]] = []
        self.audit_head = (0, protocol.GENESIS_HASH)
        self.records: dict[str, dict[Any, dict[str, Any]]] = {}
        self.flags: list[dict[str, str]] = []
        self.commands: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, list[dict[str, Any]]] = {}
        self.heartbeats: list[dict[str, Any]] = []
        self.request_threads: list[int] = []
        self.requests = 0
        self.down = False

    # -- what a proctor does at the centre ------------------------------------------------

    def command(self, kind: str, session_id: str, **fields: str) -> str:
        cid = str(uuid.uuid4())
        with self.lock:
            self.commands[cid] = {
                "id": cid,
                "kind": kind,
                "session_id": session_id,
                "reason": fields.get("reason", ""),
                "text": fields.get("text", ""),
                "issued_by": "pat",
                "issued_at": "2026-12-04T10:00:00+00:00",
            }
        return cid

    # -- the HTTP side --------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests += 1
            self.request_threads.append(threading.get_ident())
            if self.down:
                raise httpx.ConnectError("connection refused")
            body = request.read()
            path = request.url.path
            if path == "/sync/v1/enrol":
                return self._enrol(body)
            refused = self._authenticate(request, body)
            if refused is not None:
                return refused
            if path == "/sync/v1/batches":
                return self._batch(body)
            if path == "/sync/v1/heartbeat":
                self.heartbeats.append(json.loads(body))
                pending = [c for cid, c in self.commands.items() if cid not in self.acks]
                return httpx.Response(200, json={"commands": pending})
            if path.startswith("/sync/v1/commands/") and path.endswith("/ack"):
                cid = path.split("/")[4]
                if cid not in self.commands:
                    return _error(404, "unknown_command", "no such command")
                self.acks.setdefault(cid, []).append(json.loads(body))
                return httpx.Response(200, json={})
            return _error(404, "not_found", f"no {path}")

    def _enrol(self, body: bytes) -> httpx.Response:
        request = json.loads(body)
        if request.get("code") not in self.codes:
            return _error(403, "enrolment_code_invalid", "the code is used, expired or unknown")
        self.codes.discard(request["code"])
        self.station_id = str(uuid.uuid4())
        self.cert_pem = request["certificate_pem"]
        return httpx.Response(
            201,
            json={
                "station_id": self.station_id,
                "centre_id": "centre-1",
                "centre_name": "North Centre",
                "personal_data": self.personal_data,
                "heartbeat_s": self.heartbeat_s,
                "server_time": "2026-12-04T10:00:00+00:00",
            },
        )

    def _authenticate(self, request: httpx.Request, body: bytes) -> httpx.Response | None:
        if request.headers.get(protocol.HEADER_STATION) != self.station_id:
            return _error(401, "unknown_station", "enrol first")
        if self.revoked:
            return _error(403, "station_revoked", "the centre revoked this station")
        signature = request.headers.get(protocol.HEADER_SIGNATURE, "")
        if not protocol.verify_signature(self.cert_pem, protocol.body_digest(body), signature):
            return _error(401, "bad_signature", "the signature does not verify")
        return None

    def _batch(self, body: bytes) -> httpx.Response:
        batch = json.loads(body)
        seq = batch["batch_seq"]
        self.bodies_seen.setdefault(seq, []).append(body)
        digest = protocol.body_digest(body)
        if seq in self.kept and self.kept[seq][0] != digest:
            return _error(409, "batch_conflict", f"batch {seq} was stored with other content")
        self.kept.setdefault(seq, (digest, body))
        while self.applied_through + 1 in self.kept:
            self.applied_through += 1
            self._apply(json.loads(self.kept[self.applied_through][1]))
        return httpx.Response(200, json={"acked_through": self.applied_through, "flags": []})

    def _flag(self, code: str, message: str) -> None:
        self.flags.append({"code": code, "message": message})

    def _apply(self, batch: dict[str, Any]) -> None:
        for e in batch["events"]:
            seq, head = self.heads.get(e["session_id"], (0, protocol.GENESIS_HASH))
            recomputed = protocol.event_hash(
                e["prev_hash"],
                e["session_id"],
                e["seq"],
                e["t_ns"],
                e["game_run_id"],
                e["trial_index"],
                e["kind"],
                e["payload"],
            )
            if e["seq"] != seq + 1 or e["prev_hash"] != head or recomputed != e["hash"]:
                self._flag("chain_break", f"{e['session_id']} seq {e['seq']}")
            self.heads[e["session_id"]] = (e["seq"], e["hash"])
            self.events.append(e)
        fingerprint = protocol.certificate_fingerprint(self.cert_pem)
        for a in batch["audit"]:
            seq, head = self.audit_head
            recomputed = audit_hash(
                a["prev_hash"],
                a["seq"],
                a["at_utc_ns"],
                a["actor"],
                a["action"],
                a["target"],
                a["details"],
            )
            if a["seq"] != seq + 1 or a["prev_hash"] != head or recomputed != a["hash"]:
                self._flag("chain_break", f"audit {a['seq']}")
            # A store's first entries predate its key: unsigned, vouched for by later ones.
            if a["signature"] is not None and (
                a["key_id"] != fingerprint
                or not protocol.verify_signature(
                    self.cert_pem, bytes.fromhex(a["hash"]), a["signature"]
                )
            ):
                self._flag("bad_audit_signature", f"audit {a['seq']}")
            if a["action"] == "sealed":
                for table, session_id, value in json.loads(a["details"])["seals"]:
                    if table == "chain" and value is not None:
                        self._checkpoint(session_id, value, a["seq"])
            self.audit_head = (a["seq"], a["hash"])
            self.audit.append(a)
        for table, rows in batch["records"].items():
            key = "candidate_id" if table == "candidate_personal" else "id"
            for row in rows:
                self.records.setdefault(table, {})[row[key]] = row

    def _checkpoint(self, session_id: str, value: str, audit_seq: int) -> None:
        seq_text, digest = value.split(":", 1)
        seq = int(seq_text)
        if seq == 0:
            return
        held = [e for e in self.events if e["session_id"] == session_id and e["seq"] == seq]
        if not held or held[0]["hash"] != digest:
            self._flag("checkpoint_mismatch", f"audit {audit_seq}: {session_id} at {seq}")


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json=protocol.error_body(code, message))


def transport(server: FakeServer) -> httpx.MockTransport:
    return httpx.MockTransport(server.handle)


def faulty(server: FakeServer, seed: int, rate: float = 0.5) -> httpx.MockTransport:
    """Half the requests (``rate``) meet one of five faults, chosen at random."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def drop_request(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused (injected)")

    def drop_answer(request: httpx.Request) -> httpx.Response:
        server.handle(request)
        raise httpx.ReadError("connection reset after the server acted (injected)")

    def error_500(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="Internal Server Error")

    def cut_short(request: httpx.Request) -> httpx.Response:
        answer = server.handle(request)
        answer.read()
        half = answer.content[: len(answer.content) // 2]
        return httpx.Response(answer.status_code, content=half)

    def twice(request: httpx.Request) -> httpx.Response:
        server.handle(request)
        return server.handle(request)

    faults: list[Callable[[httpx.Request], httpx.Response]] = [
        drop_request,
        drop_answer,
        error_500,
        cut_short,
        twice,
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            roll = rng.random()
            fault = rng.choice(faults)
        if roll < rate:
            return fault(request)
        return server.handle(request)

    return httpx.MockTransport(handler)
