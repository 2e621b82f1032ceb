"""Bookkeeping tables of the sync engine (registered in the "core" Piccolo app).

Composite indexes and unique constraints that Piccolo cannot declare are created with raw SQL by the
migration "sync indexes" (UNIQUE(client_id, seq), one change row per entity, (commune_id, change_no)).
"""

from __future__ import annotations

import datetime as dt

from piccolo.columns import UUID, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync.clock import utcnow


class ServerNow(TimestamptzNow):
    """Default of a timestamp column: CURRENT_TIMESTAMP in the database, the server's clock for rows made in Python."""

    def python(self) -> dt.datetime:
        return utcnow()


class SyncServer(Table, tablename="sync_server"):
    """One row (id = 1): who this server is, its epoch, and the commit-ordered change counter.

    The counter row is updated at the end of every writing transaction; its row lock is held until
    commit, so change numbers follow commit order on PostgreSQL too.
    """

    id = Integer(primary_key=True)
    server_id = UUID()
    epoch = Integer(default=1)
    counter = BigInt(default=0)
    tombstone_horizon = BigInt(default=0)  # tombstones with change_no <= this were purged
    created_at = Timestamptz(default=ServerNow())


class SyncClient(Table, tablename="sync_client"):
    """A device's push state: the last mutation seq applied (or rejected) for it."""

    client_id = UUID(primary_key=True)
    last_seq = BigInt(default=0)
    user_id = UUID(null=True, default=None)
    updated_at = Timestamptz(default=ServerNow())


class SyncMutation(Table, tablename="sync_mutation"):
    """The stored result of every mutation received, returned again when its seq is replayed.

    UNIQUE(client_id, seq) is a second guard against double application.
    `payload` keeps what the officer typed when the mutation was not applied as sent.
    """

    client_id = UUID()
    seq = BigInt()
    mutation_id = UUID()
    user_id = UUID(null=True, default=None)
    name = Varchar(length=40)
    entity = Varchar(length=40)
    entity_id = UUID()
    commune_id = Varchar(length=10, null=True, default=None, index=True)
    status = Varchar(length=12)  # applied | merged | conflict | rejected
    reason = Varchar(length=40, null=True, default=None)
    detail = Text(null=True, default=None)
    version = BigInt(null=True, default=None)
    conflict_ids = Text(default="[]")
    payload = Text(null=True, default=None)
    client_ts = Timestamptz(null=True, default=None)
    received_at = Timestamptz(default=ServerNow())
    batch_no = BigInt(default=0)  # the change counter at the batch's commit: commit order of batches


class SyncChange(Table, tablename="sync_change"):
    """The latest state of each synced entity, keyed by a commit-ordered change number.

    One row per entity: a write deletes the entity's previous row, so pulling from scratch reads each
    entity once and pulling from a cursor is one index range scan over (commune_id, change_no).
    Deletes leave a tombstone row (deleted = true) until purged past the retention horizon.
    """

    change_no = BigInt(primary_key=True)
    entity = Varchar(length=40)
    entity_id = UUID()
    commune_id = Varchar(length=10)
    deleted = Boolean(default=False)
    data = Text(null=True, default=None)  # JSON of the entity as pulled
    changed_at = Timestamptz(default=ServerNow())


class SyncScopeHead(Table, tablename="sync_scope_head"):
    """The last change number per commune, so that a no-change pull is one small lookup."""

    commune_id = Varchar(length=10, primary_key=True)
    change_no = BigInt(default=0)


class SyncConflict(Table, tablename="sync_conflict"):
    """Both sides of a field edited on two devices (or an edit of a deleted row), until a person resolves it."""

    id = UUID(primary_key=True)
    entity = Varchar(length=40)
    entity_id = UUID(index=True)
    commune_id = Varchar(length=10, index=True)
    field = Varchar(length=60, null=True, default=None)  # None: the whole row (kind = deleted)
    kind = Varchar(length=20)  # field | deleted
    base_value = Text(null=True, default=None)  # JSON
    server_value = Text(null=True, default=None)
    client_value = Text(null=True, default=None)
    base_version = BigInt(default=0)
    server_version = BigInt(default=0)
    server_client_id = UUID(null=True, default=None)
    server_user_id = UUID(null=True, default=None)
    client_id = UUID()
    client_user_id = UUID(null=True, default=None)
    mutation_id = UUID()
    client_ts = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=ServerNow())
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = UUID(null=True, default=None)
    resolution = Text(null=True, default=None)  # JSON {choice, value}
    version = BigInt(default=0)


class SyncAttachment(Table, tablename="sync_attachment"):
    """A content-addressed file: expected (referenced, not uploaded), partial, or present and verified."""

    sha256 = Varchar(length=64, primary_key=True)
    status = Varchar(length=10, default="missing")  # missing | present
    size = BigInt(null=True, default=None)
    content_type = Varchar(length=100, default="application/octet-stream")
    created_at = Timestamptz(default=ServerNow())
    completed_at = Timestamptz(null=True, default=None)


class SyncAttachmentRef(Table, tablename="sync_attachment_ref"):
    """Which communes' records reference a file: its status is pulled by the devices of those communes."""

    sha256 = Varchar(length=64)
    commune_id = Varchar(length=10)


SYNC_TABLES: list[type[Table]] = [
    SyncServer,
    SyncClient,
    SyncMutation,
    SyncChange,
    SyncScopeHead,
    SyncConflict,
    SyncAttachment,
    SyncAttachmentRef,
]
