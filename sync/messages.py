"""Wire types of the sync protocol (see PROTOCOL.md). Inputs forbid unknown fields; nothing is array_like."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

PROTOCOL_MIN = 1
PROTOCOL_MAX = 1
MAX_BATCH = 1000
MAX_PAGE = 1000

Status = Literal["applied", "merged", "conflict", "rejected"]

Seq = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Version = Annotated[int, msgspec.Meta(ge=0, le=2**62)]
SchemaVersion = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
# Documented as a date-time (RFC 3339), read as text: see Mutation.client_ts.
ClientTs = Annotated[str, msgspec.Meta(extra_json_schema={"extra": {"format": "date-time"}})]
# A change number or seq as the server hands it out; anything larger in a cursor makes it unreadable (a reset).
Position = Annotated[int, msgspec.Meta(ge=0, le=2**62)]


class Mutation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One change queued on a device. `seq` numbers the device's mutations 1, 2, 3 … without gaps."""

    id: uuid.UUID
    seq: Seq
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    entity: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    entity_id: uuid.UUID
    base_version: Version = 0
    changed: dict[str, Any] = {}
    # The device's values of the changed fields before the edit: shown in a conflict record as "base".
    base: dict[str, Any] | None = None
    # The device's clock (RFC 3339 with an offset), for display only. Read as text and checked per mutation
    # (sync/inputs.py): a clock gone wild rejects that one mutation, never the batch.
    client_ts: ClientTs | None = None
    # The schema the mutation was queued under, when older than the request's (the app was updated
    # while it waited in the queue).
    schema: SchemaVersion | None = None


class PushRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    protocol: int
    schema: int
    client_id: uuid.UUID
    mutations: Annotated[list[Mutation], msgspec.Meta(max_length=MAX_BATCH)]


class MutationResult(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    seq: int
    status: Status
    reason: str | None = None
    detail: str | None = None
    version: int | None = None
    conflict_ids: list[uuid.UUID] = []


class Range(msgspec.Struct):
    min: int
    max: int


class ServerVersions(msgspec.Struct):
    protocol: Range
    schema: Range


class PushResponse(msgspec.Struct, kw_only=True):
    results: list[MutationResult]
    last_seq: int
    # Set when the batch stopped at a gap in seq: the seq the server needs next.
    expected_seq: int | None = None
    server: ServerVersions


class PullRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    protocol: int
    schema: int
    client_id: uuid.UUID
    cursor: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE)] = MAX_PAGE


class Change(msgspec.Struct, kw_only=True):
    entity: str
    id: uuid.UUID
    commune_id: str
    op: Literal["put", "delete"]
    change_no: int
    # The entity's fields as JSON (raw bytes copied from the change log at run time); None for a delete.
    data: Any = None


class Acks(msgspec.Struct, kw_only=True):
    """This device's mutation results since the cursor, read in the same snapshot as the changes."""

    last_seq: int
    results: list[MutationResult]


class PullResponse(msgspec.Struct, kw_only=True):
    changes: list[Change]
    # Communes that left this device's scope: drop every local row of them.
    removed_communes: list[str]
    acks: Acks
    next_cursor: str
    has_more: bool
    # True: replace local synced data with what follows (keep unpushed mutations).
    reset: bool = False
    reset_reason: str | None = None
    server: ServerVersions


class Cursor(msgspec.Struct, kw_only=True):
    """Decoded form of the opaque cursor. Short names keep it small; clients never look inside."""

    s: uuid.UUID  # server id
    e: int  # epoch
    p: dict[str, Position]  # position per commune (last change_no delivered)
    a: Position = 0  # last acknowledged seq delivered
    c: uuid.UUID | None = None  # the client it was issued to
    h: Position = 0  # the tombstone horizon when it was issued


class ConflictOut(msgspec.Struct, kw_only=True):
    """A conflict as pulled (entity "sync_conflict") and listed for supervisors."""

    id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    commune_id: str
    field: str | None
    kind: Literal["field", "deleted"]
    base_value: Any
    server_value: Any
    client_value: Any
    base_version: int
    server_version: int
    server_client_id: uuid.UUID | None
    server_user_id: uuid.UUID | None
    client_id: uuid.UUID
    client_user_id: uuid.UUID | None
    mutation_id: uuid.UUID
    client_ts: dt.datetime | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: uuid.UUID | None
    resolution: Any
    version: int


class Resolution(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How a person settles a conflict: keep the server value, take the device's, or write another."""

    choice: Literal["server", "client", "value"]
    value: Any = None


class RejectedOut(msgspec.Struct, kw_only=True):
    mutation_id: uuid.UUID
    client_id: uuid.UUID
    seq: int
    user_id: uuid.UUID | None
    name: str
    entity: str
    entity_id: uuid.UUID
    commune_id: str | None
    reason: str | None
    detail: str | None
    payload: Any
    client_ts: dt.datetime | None
    received_at: dt.datetime


class AttachmentStatus(msgspec.Struct, kw_only=True):
    sha256: str
    status: Literal["unknown", "missing", "partial", "present"]
    size: int | None
    received: int


class ServerInfo(msgspec.Struct, kw_only=True):
    server_id: uuid.UUID
    epoch: int
    versions: ServerVersions
    entities: list[str]
    max_batch: int
    max_page: int
    attachment_max_bytes: int
    chunk_max_bytes: int
