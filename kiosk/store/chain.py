"""Hash chains over the event stream and the audit log.

Each session's events form one chain::

    hash = sha256(bytes.fromhex(prev_hash) + canonical(event))

where ``canonical`` is a compact JSON array of the stored columns, with the payload
as its stored canonical text (sorted keys, no spaces, UTF-8). The first event of a
session links to :data:`GENESIS_HASH`. Editing, deleting or inserting a row breaks
the chain or its sequence, and the session row keeps the head so that truncating
the tail is seen too. The audit log is one chain across the store, built the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from kiosk.store.models import GENESIS_HASH

__all__ = [
    "GENESIS_HASH",
    "ChainProblem",
    "canonical_payload",
    "event_hash",
    "verify_chain",
]


# Encoders built once: json.dumps() with options builds a new encoder on every call.
_PAYLOAD_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_BODY_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_string = encode_basestring


def _not_json(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# CPython's C encoder built once: the same output as _PAYLOAD_ENCODER.encode() for the
# plain dicts games emit, at a third of the cost (the recorder encodes every event).
_C_ENCODER = (
    c_make_encoder(None, _not_json, encode_basestring, None, ":", ",", True, False, False)
    if c_make_encoder is not None
    else None
)


def canonical_payload(payload: Mapping[str, Any] | None) -> str:
    """The payload as stored: JSON with sorted keys and no spaces; NaN is refused."""
    if _C_ENCODER is None or type(payload) is not dict:
        return _PAYLOAD_ENCODER.encode(payload or {})
    return "".join(_C_ENCODER(payload, 0))


def event_hash(
    prev_hash: str,
    session_id: str,
    seq: int,
    t_ns: int,
    game_run_id: str | None,
    trial_index: int | None,
    kind: str,
    payload_text: str,
) -> str:
    # The same text as _BODY_ENCODER.encode([...]) of these fields, assembled directly:
    # the recorder hashes every event, and building a JSON encoder per call dominates.
    body = (
        f"[{_string(session_id)},{seq},{t_ns},"
        f"{'null' if game_run_id is None else _string(game_run_id)},"
        f"{'null' if trial_index is None else int(trial_index)},"
        f"{_string(kind)},{_string(payload_text)}]"
    ).encode()
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One thing wrong with a chain, said so a person can act on it."""

    seq: int | None
    message: str


def verify_chain(
    rows: Iterable[tuple[int, int, str | None, int | None, str, str, str, str]],
    session_id: str,
    head_seq: int | None = None,
    head_hash: str | None = None,
) -> list[ChainProblem]:
    """Check one session's events, given in ``seq`` order.

    Each row is ``(seq, t_ns, game_run_id, trial_index, kind, payload, prev_hash,
    hash)``. Returns every problem found (empty when the chain holds). When the
    session's recorded head is given, the last event must match it.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev = GENESIS_HASH
    last_seq, last_hash = 0, GENESIS_HASH
    for seq, t_ns, game_run_id, trial_index, kind, payload, prev_hash, stored in rows:
        if seq != expected_seq:
            if seq > expected_seq:
                missing = (
                    f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}-{seq - 1}"
                )
                problems.append(ChainProblem(seq, f"events {missing} are missing before seq {seq}"))
            else:
                problems.append(ChainProblem(seq, f"seq {seq} appears out of order"))
        if prev_hash != prev:
            problems.append(ChainProblem(seq, f"event {seq} does not link to the event before it"))
        try:
            recomputed = event_hash(
                prev_hash, session_id, seq, t_ns, game_run_id, trial_index, kind, payload
            )
        except (ValueError, TypeError):
            recomputed = ""
        if recomputed != stored:
            problems.append(
                ChainProblem(seq, f"event {seq} was changed after it was recorded (hash mismatch)")
            )
        prev = stored
        expected_seq = seq + 1
        last_seq, last_hash = seq, stored
    if head_seq is not None and head_seq != last_seq:
        problems.append(
            ChainProblem(
                None,
                f"the session records {head_seq} events but the store holds events up to "
                f"seq {last_seq}",
            )
        )
    elif head_hash is not None and head_hash != last_hash:
        problems.append(
            ChainProblem(None, "the last event does not match the session's chain head")
        )
    return problems
