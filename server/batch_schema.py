"""What a batch holds (PROTOCOL.md, *Batches*), read straight from its bytes into plain
dicts: :func:`parse_batch`. No web framework and no database here, so that whatever
reads a stored batch body reads it as ingest does.

The bounds are the protocol's, set to fit the database's columns when each field was
stored in one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, with_config
from typing_extensions import TypedDict

from server.protocol import MAX_EVENTS_PER_BATCH

__all__ = [
    "BATCH_SCHEMA",
    "MAX_SEQ",
    "AuditIn",
    "BatchIn",
    "EventIn",
    "Hex64",
    "Int32",
    "Int64",
    "Seq",
    "parse_batch",
]

Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
MAX_SEQ = 2**31 - 1  # the highest seq an event or audit entry may carry
Seq = Annotated[int, Field(ge=1, le=MAX_SEQ)]


@with_config(ConfigDict(extra="ignore"))
class EventIn(TypedDict):
    session_id: Annotated[str, Field(min_length=1, max_length=36)]
    seq: Seq
    t_ns: Int64
    game_run_id: Annotated[str | None, Field(max_length=36)]
    trial_index: Int32 | None
    kind: Annotated[str, Field(min_length=1, max_length=40)]
    payload: str
    prev_hash: Hex64
    hash: Hex64


@with_config(ConfigDict(extra="ignore"))
class AuditIn(TypedDict):
    seq: Seq
    at_utc_ns: Int64
    actor: Annotated[str, Field(max_length=80)]
    action: Annotated[str, Field(max_length=60)]
    target: Annotated[str | None, Field(max_length=120)]
    details: str
    prev_hash: Hex64
    hash: Hex64
    signature: NotRequired[str | None]
    key_id: NotRequired[Annotated[str | None, Field(max_length=64)]]


@with_config(ConfigDict(extra="allow"))
class BatchIn(TypedDict):
    protocol: Literal[1]
    station_id: str
    batch_seq: Seq
    created_at: str
    events: Annotated[list[EventIn], Field(max_length=MAX_EVENTS_PER_BATCH)]
    audit: list[AuditIn]
    records: NotRequired[dict[str, list[dict[str, Any]]]]


BATCH_SCHEMA: TypeAdapter[BatchIn] = TypeAdapter(BatchIn)


def parse_batch(body: bytes) -> BatchIn:
    """A batch's bytes as plain dicts, every field checked (JSON parsed and validated
    in one pass by pydantic-core). Raises :class:`pydantic.ValidationError`.

    Values are as validated: a number sent as ``"5"`` or ``5.0`` where an integer
    belongs is ``5``; the event's hash is recomputed with ``5``, and it reads back as
    ``5``."""
    return BATCH_SCHEMA.validate_json(body)
