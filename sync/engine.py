"""The sync engine: apply pushed mutations exactly once, serve pulls in commit order.

Push, in one write transaction per batch:
  1. lock the device's row and read its last seq; replayed seqs get their stored results back;
     a gap stops the batch;
  2. check each mutation against the input rules (sync/inputs.py: text, numbers, client_ts); a mutation that
     breaks one is rejected alone;
  3. claim the ids the batch creates and the files it references (advisory locks on PostgreSQL), then read
     every row the batch touches with one query per table (locked FOR UPDATE on PostgreSQL);
  4. apply the mutations in memory, in seq order: validation, scope, per-field conflict rules;
     versions are provisional ("pending") numbers at this point;
  5. take the change numbers by bumping the counter row LAST: its row lock is held until commit, so
     change numbers are handed out in commit order on PostgreSQL too (SQLite's BEGIN IMMEDIATE already
     gives one global order);
  6. write everything in bulk (executemany): rows (created ones INSERTed, never upserted), change log,
     scope heads, conflicts, results;
  7. run the entities' after-write hooks (history, audit, tasks) in the same transaction.

Server-side writes (`server_create`, `server_write`) are the other way rows change: a domain's REST
handler calls them inside its own write transaction, which they join. They take a change number the
same way (row lock, then the counter, held until commit), record field versions with the writer as
author, and move the row in the change log, so devices pull them in commit order and a device's later
edit of the same field follows the usual conflict rules.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import itertools
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from sync import inputs
from sync.clock import utcnow
from sync.db import Database, Row, Tx
from sync.messages import (
    PROTOCOL_MAX,
    PROTOCOL_MIN,
    Acks,
    Change,
    ConflictOut,
    Cursor,
    Mutation,
    MutationResult,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    Range,
    RejectedOut,
    Resolution,
    ServerVersions,
    Status,
)
from sync.registry import (
    ATTACHMENT_ENTITY,
    CONFLICT_ENTITY,
    EntitySpec,
    Registry,
    WriteContext,
    WriteKind,
)

# Provisional versions handed out while a batch is applied in memory; mapped to real change numbers
# once the counter is taken. They compare greater than any real version, which is what they will be.
PENDING = 1 << 62
NAMESPACE = uuid.UUID("6f1c1c52-3d2b-4f5e-9a53-7f3b0e6f2a10")
# The author of server-side writes that no device made (a citizen's booking, a system job).
SERVER_CLIENT = uuid.uuid5(NAMESPACE, "server")
NAMES = ("create", "update", "delete", "resolve_conflict")
_CONFLICT_JSON = ("base_value", "server_value", "client_value", "resolution")

_json = msgspec.json.Encoder()
_cursor_decoder = msgspec.json.Decoder(Cursor)


class SyncError(Exception):
    """A request the engine refuses as a whole (the API maps `status` to the HTTP status)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class StaleWrite(SyncError):
    """A server-side write expected a version the row no longer has (someone changed it meanwhile)."""

    def __init__(self, message: str) -> None:
        super().__init__(409, "stale", message)


class AlreadyExists(SyncError):
    """A server-side create with an id that is taken (a device or another request created it first)."""

    def __init__(self, message: str) -> None:
        super().__init__(409, "already_exists", message)


@dataclass(frozen=True)
class Actor:
    """Who pushes or pulls: the device, its user, and the communes of the session (the scope)."""

    client_id: uuid.UUID
    user_id: uuid.UUID | None
    communes: frozenset[str]
    role: str | None = None  # the session's role, passed on to guards and hooks


def server_actor(user_id: uuid.UUID | None = None, client_id: uuid.UUID | None = None) -> Actor:
    """The author of a server-side write: a staff member on a device, or the server itself."""
    return Actor(client_id=client_id or SERVER_CLIENT, user_id=user_id, communes=frozenset())


def _nfc(value: Any) -> Any:
    """Vietnamese text typed on different keyboards arrives composed or decomposed; store it composed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """A value as it travels in JSON (dates and UUIDs as strings), for comparisons and conflict records."""
    return msgspec.to_builtins(value)


def encode_cursor(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(_json.encode(cursor)).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return _cursor_decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        return None


@dataclass
class _Op:
    """A mutation on its way through a batch."""

    m: Mutation
    spec: EntitySpec | None
    payload: Any = None  # the decoded create/update struct or Resolution
    result: MutationResult | None = None
    client_ts: dt.datetime | None = None  # m.client_ts, parsed and checked
    commune_id: str | None = None
    # For after-write hooks: the row before and after this mutation's write (kind None: nothing written).
    kind: WriteKind | None = None
    before: Row | None = None
    after: Row | None = None


@dataclass
class _Batch:
    """In-memory state of one write transaction."""

    actor: Actor
    now: dt.datetime
    rows: dict[str, dict[uuid.UUID, Row]] = field(default_factory=dict)
    dirty: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    created: dict[str, set[uuid.UUID]] = field(default_factory=dict)  # rows this batch inserts (never upserts)
    conflicts: dict[uuid.UUID, Row] = field(default_factory=dict)
    dirty_conflicts: set[uuid.UUID] = field(default_factory=set)
    attachments: dict[str, str] = field(default_factory=dict)  # sha256 → status (known to the db)
    refs: set[tuple[str, str]] = field(default_factory=set)  # (sha256, commune) already stored
    new_refs: dict[tuple[str, str], int] = field(default_factory=dict)  # → pending version
    stamps: int = 0

    def stamp(self) -> int:
        self.stamps += 1
        return PENDING + self.stamps


Hook = Callable[[Tx, int], Awaitable[None]]


class SyncEngine:
    def __init__(self, db: Database, registry: Registry) -> None:
        self.db = db
        self.registry = registry
        self._state_ready = False
        # For tests: awaited inside the write transaction after the change numbers are taken.
        self.before_commit: Hook | None = None

    # ------------------------------------------------------------------ server state

    @property
    def versions(self) -> ServerVersions:
        return ServerVersions(
            protocol=Range(min=PROTOCOL_MIN, max=PROTOCOL_MAX),
            schema=Range(min=self.registry.schema_min, max=self.registry.schema_max),
        )

    async def ensure_state(self) -> None:
        """Create the server's identity on first use (idempotent, safe under concurrency)."""
        if self._state_ready:
            return
        async with self.db.write() as tx:
            await tx.execute(
                "INSERT INTO sync_server (id, server_id, epoch, counter, tombstone_horizon, created_at) "
                "VALUES (1, $1, 1, 0, 0, $2) ON CONFLICT (id) DO NOTHING",
                uuid.uuid4(),
                utcnow(),
            )
        self._state_ready = True

    async def server_state(self) -> Row:
        await self.ensure_state()
        async with self.db.read() as tx:
            row = await tx.fetchrow("SELECT * FROM sync_server WHERE id = 1")
        assert row is not None
        return row

    async def new_epoch(self) -> int:
        """Start a new epoch (after restoring a backup): every cursor issued before gets `reset`."""
        await self.ensure_state()
        async with self.db.write() as tx:
            row = await tx.fetchrow("UPDATE sync_server SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch")
        assert row is not None
        return int(row["epoch"])

    async def purge_tombstones(self, older_than: dt.timedelta) -> int:
        """Forget tombstones older than the retention period; cursors from before them get `reset`."""
        await self.ensure_state()
        async with self.db.write() as tx:
            gone = await tx.fetch(
                "DELETE FROM sync_change WHERE deleted AND changed_at < $1 RETURNING change_no",
                utcnow() - older_than,
            )
            if gone:
                horizon = max(int(r["change_no"]) for r in gone)
                await tx.execute(
                    "UPDATE sync_server SET tombstone_horizon = $1 WHERE id = 1 AND tombstone_horizon < $2",
                    horizon,
                    horizon,
                )
        return len(gone)

    # ------------------------------------------------------------------ push

    def check_versions(self, protocol: int, schema: int) -> None:
        if not PROTOCOL_MIN <= protocol <= PROTOCOL_MAX:
            raise SyncError(426, "protocol", f"protocol {protocol} is not supported ({PROTOCOL_MIN}–{PROTOCOL_MAX})")
        if schema > self.registry.schema_max:
            raise SyncError(
                409, "schema_newer", f"schema {schema} is newer than this server's {self.registry.schema_max}"
            )

    async def push(self, request: PushRequest, actor: Actor) -> PushResponse:
        self.check_versions(request.protocol, request.schema)
        seqs = [m.seq for m in request.mutations]
        if any(b <= a for a, b in itertools.pairwise(seqs)):
            raise SyncError(400, "seq_order", "mutations must be in increasing seq order")
        await self.ensure_state()
        async with self.db.write() as tx:
            row = await tx.fetchrow(
                "INSERT INTO sync_client (client_id, last_seq, user_id, updated_at) VALUES ($1, 0, $2, $3) "
                "ON CONFLICT (client_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING last_seq",
                actor.client_id,
                actor.user_id,
                utcnow(),
            )
            assert row is not None
            last = int(row["last_seq"])
            replayed = [m.seq for m in request.mutations if m.seq <= last]
            to_apply: list[Mutation] = []
            expected: int | None = None
            for m in request.mutations:
                if m.seq <= last:
                    continue
                if m.seq != last + len(to_apply) + 1:
                    expected = last + len(to_apply) + 1
                    break
                to_apply.append(m)
            results = _own_results(request.mutations, await self._stored_results(tx, actor.client_id, replayed))
            if to_apply:
                results += await self._apply(tx, to_apply, actor, request.schema, record=True)
                last += len(to_apply)
                await tx.execute(
                    "UPDATE sync_client SET last_seq = $1, user_id = $2 WHERE client_id = $3",
                    last,
                    actor.user_id,
                    actor.client_id,
                )
        return PushResponse(results=results, last_seq=last, expected_seq=expected, server=self.versions)

    async def resolve(self, conflict_id: uuid.UUID, resolution: Resolution, actor: Actor) -> MutationResult:
        """A supervisor's resolution from the web: the same rules as a `resolve_conflict` mutation."""
        mutation = Mutation(
            id=uuid.uuid4(),
            seq=1,
            name="resolve_conflict",
            entity=CONFLICT_ENTITY,
            entity_id=conflict_id,
            changed=msgspec.to_builtins(resolution),
        )
        await self.ensure_state()
        async with self.db.write() as tx:
            (result,) = await self._apply(tx, [mutation], actor, self.registry.schema_max, record=False)
        return result

    # ------------------------------------------------------------------ server-side writes

    def _server_spec(self, entity: str) -> EntitySpec:
        spec = self.registry.get(entity)
        if spec is None:
            raise ValueError(f"unknown entity {entity!r}")
        return spec

    async def server_create(self, entity: str, values: Mapping[str, Any], actor: Actor) -> Row:
        """Insert a row the server creates (e.g. a citizen's booking) and log it for pull.

        `values` holds `id`, `commune_id` and any of the table's other columns (secrets included: only
        the entity's wire fields are ever pulled). Joins the caller's write transaction when one is open,
        so the row, its change number and the caller's other writes commit together.
        Returns the stored row (`version` is its change number).
        """
        spec = self._server_spec(entity)
        reserved = set(values) & {"version", "updated_at", "deleted_at", "field_versions"}
        if reserved or "id" not in values or "commune_id" not in values:
            raise ValueError(f"{entity}: give id and commune_id, and no sync columns {sorted(reserved)}")
        async with self.db.write() as tx:
            # Claimed like a device's create, so that a concurrent creator of the same id is seen, not overwritten.
            await tx.claim([_create_claim(spec, values["id"])])
            if await tx.fetchrow(f"SELECT id FROM {spec.table} WHERE id = $1", values["id"]) is not None:
                raise AlreadyExists(f"{entity} {values['id']} exists already")
            now = utcnow()
            no = await _take_numbers(tx, 1)
            author = [no, str(actor.client_id), str(actor.user_id) if actor.user_id else None]
            row: Row = {
                **values,
                "version": no,
                "updated_at": now,
                "deleted_at": None,
                "field_versions": {name: list(author) for name in spec.wire_fields if name in values},
            }
            columns = list(row)
            placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
            await tx.execute(
                f"INSERT INTO {spec.table} ({', '.join(columns)}) VALUES ({placeholders})",
                *(_json.encode(row[c]).decode() if c == "field_versions" else row[c] for c in columns),
            )
            stored = await tx.fetchrow(f"SELECT * FROM {spec.table} WHERE id = $1", values["id"])
            assert stored is not None
            stored["field_versions"] = row["field_versions"]  # the columns left to their defaults included
            await self._log_row(tx, spec, stored, now)
        return stored

    async def server_write(
        self,
        entity: str,
        row_id: uuid.UUID,
        values: Mapping[str, Any],
        actor: Actor,
        *,
        expect_version: int | None = None,
    ) -> Row:
        """Change a synced row from the server side (a REST handler) and log it for pull.

        Locks the row; with `expect_version`, a row changed meanwhile raises `StaleWrite` (HTTP 409) and
        writes nothing. Only the values that differ are written; each changed wire field gets this write
        as its field version, authored by `actor`, so a device's later edit based on an older version
        is a conflict, exactly as if another device had written it. `values` may hold columns that are
        not pulled (e.g. consent timestamps); `commune_id` cannot change. Joins the caller's write
        transaction when one is open. Returns the row as stored (unchanged when nothing differed).
        Guards and after-write hooks are not run: the caller owns its rules and history.
        """
        spec = self._server_spec(entity)
        reserved = set(values) & {"id", "version", "updated_at", "deleted_at", "field_versions"}
        if reserved:
            raise ValueError(f"{entity}: {sorted(reserved)} are written by the engine")
        async with self.db.write() as tx:
            row = await tx.fetchrow(f"SELECT * FROM {spec.table} WHERE id = $1{tx.for_update}", row_id)
            if row is None:
                raise SyncError(404, "not_found", f"no {entity} {row_id}")
            if expect_version is not None and int(row["version"]) != expect_version:
                raise StaleWrite(f"{entity} {row_id} was changed meanwhile (version {row['version']})")
            unknown = set(values) - set(row)
            if unknown:
                raise ValueError(f"{entity}: unknown columns {sorted(unknown)}")
            if "commune_id" in values and values["commune_id"] != row["commune_id"]:
                raise ValueError(f"{entity}: commune_id cannot change")
            changed = {k: v for k, v in values.items() if _plain(row[k]) != _plain(v)}
            row["field_versions"] = msgspec.json.decode(row["field_versions"] or "{}")
            if not changed:
                return row
            now = utcnow()
            no = await _take_numbers(tx, 1)  # after the row lock, like a batch: no lock cycles
            author = [no, str(actor.client_id), str(actor.user_id) if actor.user_id else None]
            for name in changed:
                if name in spec.wire_fields:
                    row["field_versions"][name] = list(author)
            row.update(changed)
            row["version"] = no
            row["updated_at"] = now
            columns = [*changed, "version", "updated_at", "field_versions"]
            sets = ", ".join(f"{c} = ${i + 1}" for i, c in enumerate(columns))
            await tx.execute(
                f"UPDATE {spec.table} SET {sets} WHERE id = ${len(columns) + 1}",
                *(_json.encode(row[c]).decode() if c == "field_versions" else row[c] for c in columns),
                row_id,
            )
            await self._log_row(tx, spec, row, now)
        return row

    async def _log_row(self, tx: Tx, spec: EntitySpec, row: Row, now: dt.datetime) -> None:
        deleted = row["deleted_at"] is not None
        data = None if deleted else _json.encode(_wire_row(spec, row)).decode()
        no = int(row["version"])
        change = (no, spec.name, row["id"], row["commune_id"], deleted, data, now)
        await self._write_changes(tx, [change], {row["commune_id"]: no})

    async def _stored_results(self, tx: Tx, client_id: uuid.UUID, seqs: list[int]) -> list[MutationResult]:
        if not seqs:
            return []
        rows = await tx.fetch(
            "SELECT * FROM sync_mutation WHERE client_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
            client_id,
            min(seqs),
            max(seqs),
        )
        wanted = set(seqs)
        return [_result_of(r) for r in rows if int(r["seq"]) in wanted]

    async def _apply(
        self, tx: Tx, mutations: list[Mutation], actor: Actor, schema: int, *, record: bool
    ) -> list[MutationResult]:
        batch = _Batch(actor=actor, now=utcnow())
        batch.stamp()  # every batch takes at least one number, so batch_no orders batches strictly
        ops = [self._decode(m, schema, batch.now) for m in mutations]
        await self._load(tx, batch, ops)
        for op in ops:
            if op.result is None:
                self._apply_one(batch, op)
        # Take the change numbers last: the counter row stays locked until commit.
        end = await _take_numbers(tx, batch.stamps)
        base = end - batch.stamps

        def final(v: int | None) -> int | None:
            return base + (v - PENDING) if v is not None and v > PENDING else v

        results = []
        for op in ops:
            assert op.result is not None
            op.result.version = final(op.result.version)
            # Details may quote what a device sent: keep them storable and encodable, as answered now and replayed.
            op.result.detail = inputs.printable(op.result.detail)
            results.append(op.result)
        await self._write(tx, batch, final)
        await self._after_write(batch, ops, final)
        if record:
            await self._record(tx, batch, ops, end)
        if self.before_commit is not None:
            await self.before_commit(tx, base + 1)
        return results

    # ---- decoding

    def _decode(self, m: Mutation, schema: int, now: dt.datetime) -> _Op:
        # The input rules first (sync/inputs.py): what no database can store, or no clock shows, rejects this
        # mutation alone, before any of it is read.
        try:
            for name, value in (("name", m.name), ("entity", m.entity), ("changed", m.changed), ("base", m.base)):
                inputs.check_value(value, name)
            client_ts = inputs.client_ts(m.client_ts, now)
        except inputs.InputError as exc:
            return _rejected(m, None, "invalid", str(exc))
        op = self._decode_checked(m, schema)
        op.client_ts = client_ts
        return op

    def _decode_checked(self, m: Mutation, schema: int) -> _Op:
        if m.name not in NAMES:
            return _rejected(m, None, "unknown_name", f"unknown mutation name {m.name!r}")
        if m.name == "resolve_conflict":
            if m.entity != CONFLICT_ENTITY:
                return _rejected(m, None, "invalid", f"resolve_conflict works on {CONFLICT_ENTITY!r}")
            try:
                resolution = msgspec.convert(_nfc(m.changed), Resolution)
            except msgspec.ValidationError as exc:
                return _rejected(m, None, "invalid", str(exc))
            return _Op(m=m, spec=None, payload=resolution)
        spec = self.registry.get(m.entity)
        if spec is None:
            return _rejected(m, None, "unknown_entity", f"unknown entity {m.entity!r}")
        queued_under = m.schema or schema
        if not self.registry.schema_min <= queued_under <= self.registry.schema_max:
            return _rejected(m, None, "schema_unsupported", f"schema {queued_under} is no longer accepted")
        if m.name == "delete":
            if not spec.deletable:
                return _rejected(m, spec, "not_allowed", f"{spec.name} cannot be deleted from a device")
            return _Op(m=m, spec=spec)
        if m.name == "create" and spec.create is None:
            return _rejected(m, spec, "not_allowed", f"{spec.name} cannot be created from a device")
        try:
            changed = self.registry.upcast(spec, m.name, _nfc(m.changed), queued_under)
            struct = spec.create if m.name == "create" and spec.create is not None else spec.update
            payload = msgspec.convert(changed, struct)
        except msgspec.ValidationError as exc:
            return _rejected(m, spec, "invalid", str(exc))
        except (ValueError, TypeError, KeyError) as exc:  # an upcaster met a shape it cannot read
            return _rejected(m, spec, "invalid", f"cannot upcast from schema {queued_under}: {exc}")
        return _Op(m=m, spec=spec, payload=payload)

    # ---- loading

    async def _load(self, tx: Tx, batch: _Batch, ops: list[_Op]) -> None:
        """Read everything the batch touches: one query per table, in a fixed order (no lock cycles)."""
        ids: dict[str, set[uuid.UUID]] = {s.name: set() for s in self.registry.specs}
        parents: dict[str, set[uuid.UUID]] = {s.name: set() for s in self.registry.specs}
        hashes: set[str] = set()
        creates: set[str] = set()
        for op in ops:
            if op.result is not None or op.spec is None:
                continue
            if op.m.name == "create":
                creates.add(_create_claim(op.spec, op.m.entity_id))
            for name in op.spec.attachments:
                value = getattr(op.payload, name, None) if op.payload is not None else None
                if isinstance(value, str):
                    hashes.add(value)
        # Claimed before anything is read or locked: a concurrent batch or server-side write creating the same id
        # (or completing the same file) waits here until the other commits, and the reads below see its row. Without
        # it, two transactions would both find no row and both "create" it, the later one overwriting the first.
        await tx.claim([*creates, *(_attachment_claim(sha) for sha in hashes)])
        conflict_ids = {op.m.entity_id for op in ops if op.result is None and op.m.name == "resolve_conflict"}
        edited = {op.m.entity_id for op in ops if op.result is None and op.m.name == "update"}
        if conflict_ids or edited:
            # Conflicts to resolve, and this device's open conflicts on the rows it edits (a later edit of
            # the same field updates them). Locked before the rows, like every batch: no lock cycles.
            own_open = f"{tx.any('entity_id', '$2', 'uuid')} AND client_id = $3 AND resolved_at IS NULL"
            rows = await tx.fetch(
                f"SELECT * FROM sync_conflict WHERE {tx.any('id', '$1', 'uuid')} OR ({own_open}) "
                f"ORDER BY id{tx.for_update}",
                tx.list_param(conflict_ids),
                tx.list_param(edited),
                batch.actor.client_id,
            )
            for r in rows:
                for name in _CONFLICT_JSON:
                    r[name] = _decode_json(r[name])
                batch.conflicts[r["id"]] = r
                if r["entity"] in ids:
                    ids[r["entity"]].add(r["entity_id"])
        for op in ops:
            if op.result is not None or op.spec is None:
                continue
            ids[op.spec.name].add(op.m.entity_id)
            if op.m.name == "delete":
                parents[op.spec.name].add(op.m.entity_id)
            if op.spec.parent is not None and op.payload is not None:
                parent_id = getattr(op.payload, op.spec.parent.field, msgspec.UNSET)
                if isinstance(parent_id, uuid.UUID):
                    ids[op.spec.parent.entity].add(parent_id)
        for spec in self.registry.specs:
            wanted = ids[spec.name]
            # Children of rows being deleted are loaded too, for the cascade.
            child_of = parents[spec.parent.entity] if spec.parent is not None else set()
            if not wanted and not child_of:
                batch.rows[spec.name] = {}
                continue
            where = tx.any("id", "$1", "uuid")
            args: list[Any] = [tx.list_param(wanted)]
            if child_of and spec.parent is not None:
                where += f" OR ({tx.any(spec.parent.field, '$2', 'uuid')} AND deleted_at IS NULL)"
                args.append(tx.list_param(child_of))
            rows = await tx.fetch(f"SELECT * FROM {spec.table} WHERE {where} ORDER BY id{tx.for_update}", *args)
            for r in rows:
                r["field_versions"] = msgspec.json.decode(r["field_versions"] or "{}")
            batch.rows[spec.name] = {r["id"]: r for r in rows}
        if hashes:
            rows = await tx.fetch(
                f"SELECT sha256, status FROM sync_attachment WHERE {tx.any('sha256', '$1', 'text')}",
                tx.list_param(hashes),
            )
            batch.attachments = {r["sha256"]: r["status"] for r in rows}
            rows = await tx.fetch(
                f"SELECT sha256, commune_id FROM sync_attachment_ref WHERE {tx.any('sha256', '$1', 'text')}",
                tx.list_param(hashes),
            )
            batch.refs = {(r["sha256"], r["commune_id"]) for r in rows}

    # ---- applying

    def _apply_one(self, batch: _Batch, op: _Op) -> None:
        m = op.m
        if m.name == "resolve_conflict":
            self._resolve(batch, op)
        elif m.name == "create":
            self._create(batch, op)
        elif m.name == "update":
            self._update(batch, op)
        else:
            self._delete(batch, op)

    def _in_scope(self, batch: _Batch, op: _Op, commune_id: str) -> bool:
        op.commune_id = commune_id
        if commune_id in batch.actor.communes:
            return True
        op.result = _result(op.m, "rejected", "out_of_scope", f"commune {commune_id} is not in your assignment")
        return False

    def _check_parent(self, batch: _Batch, op: _Op, values: Mapping[str, Any], commune_id: str) -> bool:
        spec = op.spec
        assert spec is not None
        if spec.parent is None:
            return True
        parent = batch.rows[spec.parent.entity].get(values[spec.parent.field])
        if parent is None or parent["commune_id"] != commune_id:
            op.result = _result(op.m, "rejected", "parent_not_found", f"no {spec.parent.entity} with that id")
            return False
        if parent["deleted_at"] is not None:
            op.result = _result(op.m, "rejected", "parent_deleted", f"the {spec.parent.entity} was deleted")
            return False
        return True

    def _guard(self, batch: _Batch, op: _Op, kind: WriteKind, before: Row | None, after: Mapping[str, Any]) -> bool:
        """The entity's own rule on the write (state machine, ownership): a refusal rejects the mutation."""
        assert op.spec is not None
        if op.spec.guard is None:
            return True
        refusal = op.spec.guard(before, after, _context(batch, op, kind))
        if refusal is None:
            return True
        op.result = _result(op.m, "rejected", refusal[0], refusal[1])
        return False

    def _check_row(self, op: _Op, row: Mapping[str, Any]) -> bool:
        assert op.spec is not None
        reason = op.spec.check(row) if op.spec.check is not None else None
        if reason is not None:
            op.result = _result(op.m, "rejected", "invalid", reason)
            return False
        return True

    def _touch(self, batch: _Batch, spec: EntitySpec, row: Row, fields: Iterable[str]) -> int:
        version = batch.stamp()
        author = [version, str(batch.actor.client_id), str(batch.actor.user_id) if batch.actor.user_id else None]
        for name in fields:
            row["field_versions"][name] = author
        row["version"] = version
        row["updated_at"] = batch.now
        batch.dirty.setdefault(spec.name, set()).add(row["id"])
        for name in spec.attachments if row["deleted_at"] is None else ():
            sha = row.get(name)
            if isinstance(sha, str) and (sha, row["commune_id"]) not in batch.refs:
                batch.refs.add((sha, row["commune_id"]))
                batch.new_refs[(sha, row["commune_id"])] = batch.stamp()
        return version

    def _create(self, batch: _Batch, op: _Op) -> None:
        spec, m = op.spec, op.m
        assert spec is not None
        values = msgspec.structs.asdict(op.payload)
        commune_id = values.pop("commune_id")
        if not self._in_scope(batch, op, commune_id):
            return
        if m.entity_id in batch.rows[spec.name]:
            op.result = _result(m, "rejected", "already_exists", f"{spec.name} {m.entity_id} exists already")
            return
        row: Row = {"id": m.entity_id, "commune_id": commune_id, **values, "deleted_at": None, "field_versions": {}}
        if not self._check_parent(batch, op, row, commune_id) or not self._check_row(op, row):
            return
        if not self._guard(batch, op, "create", None, row):
            return
        batch.rows[spec.name][m.entity_id] = row
        batch.created.setdefault(spec.name, set()).add(m.entity_id)
        version = self._touch(batch, spec, row, spec.fields)
        op.kind, op.after = "create", _snapshot(row)
        op.result = _result(m, "applied", version=version)

    def _update(self, batch: _Batch, op: _Op) -> None:
        spec, m = op.spec, op.m
        assert spec is not None
        row = batch.rows[spec.name].get(m.entity_id)
        if row is None:
            op.result = _result(m, "rejected", "not_found", f"no {spec.name} {m.entity_id}")
            return
        if not self._in_scope(batch, op, row["commune_id"]):
            return
        changed = {k: v for k, v in msgspec.structs.asdict(op.payload).items() if v is not msgspec.UNSET}
        if row["deleted_at"] is not None:
            # An edit of a deleted row is a conflict, never a revival; a person may restore it.
            cid = self._conflict(batch, op, row, None, None, changed, kind="deleted")
            op.result = _result(m, "rejected", "deleted", f"{spec.name} was deleted", conflicts=[cid])
            return
        apply: dict[str, Any] = {}
        conflicts: list[uuid.UUID] = []
        undo: dict[uuid.UUID, tuple[Row, bool]] = {}  # open conflicts this edit updated: their state before
        before = _snapshot(row)
        me = str(batch.actor.client_id)
        # Another device wrote some field after the version this edit was based on: a parallel update.
        stale = any(w[0] > m.base_version and w[1] != me for w in row["field_versions"].values())
        for name, value in changed.items():
            if _plain(row.get(name)) == _plain(value):
                continue  # already that value: nothing to do, nothing to conflict on
            written = row["field_versions"].get(name) or [0, None, None]
            # Changed since the edit's base by another device: keep the server value, record both.
            # (A later write by this same device is not a conflict: its edits follow each other.)
            if written[0] > m.base_version and written[1] != me:
                conflicts.append(self._conflict(batch, op, row, name, written, value, kind="field", undo=undo))
                continue
            apply[name] = value
        candidate = {**row, **apply}
        if apply:
            moved = spec.parent is not None and spec.parent.field in apply
            if (moved and not self._check_parent(batch, op, candidate, row["commune_id"])) or not self._check_row(
                op, candidate
            ):
                self._drop_conflicts(batch, conflicts, undo)  # the whole mutation is rejected
                return
        if (apply or conflicts) and not self._guard(batch, op, "update", before, candidate):
            self._drop_conflicts(batch, conflicts, undo)
            return
        if apply:
            row.update(apply)
            version = self._touch(batch, spec, row, apply)
            op.kind, op.before, op.after = "update", before, _snapshot(row)
        else:
            version = row["version"]
        if conflicts:
            op.result = _result(m, "conflict", "field_conflict", version=version, conflicts=conflicts)
        else:
            op.result = _result(m, "merged" if stale and apply else "applied", version=version)

    def _delete(self, batch: _Batch, op: _Op) -> None:
        spec, m = op.spec, op.m
        assert spec is not None
        row = batch.rows[spec.name].get(m.entity_id)
        if row is None:
            op.result = _result(m, "rejected", "not_found", f"no {spec.name} {m.entity_id}")
            return
        if not self._in_scope(batch, op, row["commune_id"]):
            return
        if row["deleted_at"] is None:
            before = _snapshot(row)
            self._tombstone(batch, spec, row)
            op.kind, op.before, op.after = "delete", before, _snapshot(row)
        op.result = _result(m, "applied", version=row["version"])

    def _tombstone(self, batch: _Batch, spec: EntitySpec, row: Row) -> None:
        row["deleted_at"] = batch.now
        self._touch(batch, spec, row, ())
        for child in self.registry.children_of(spec.name):
            assert child.parent is not None
            for child_row in batch.rows[child.name].values():
                if child_row[child.parent.field] == row["id"] and child_row["deleted_at"] is None:
                    self._tombstone(batch, child, child_row)

    def _conflict(
        self,
        batch: _Batch,
        op: _Op,
        row: Row,
        name: str | None,
        written: list[Any] | None,
        value: Any,
        *,
        kind: str,
        undo: dict[uuid.UUID, tuple[Row, bool]] | None = None,
    ) -> uuid.UUID:
        m, spec = op.m, op.spec
        assert spec is not None
        if kind == "field" and name is not None:
            # This device's conflict on this field is still open: its newer value updates that record, so a
            # person settles one question (the server's value or the device's latest), not one per edit.
            for open_conflict in batch.conflicts.values():
                if (
                    open_conflict["entity_id"] == row["id"]
                    and open_conflict["field"] == name
                    and open_conflict["kind"] == "field"
                    and open_conflict["client_id"] == batch.actor.client_id
                    and open_conflict["resolved_at"] is None
                ):
                    cid: uuid.UUID = open_conflict["id"]
                    if undo is not None and cid not in undo:
                        undo[cid] = (dict(open_conflict), cid in batch.dirty_conflicts)
                    open_conflict.update(
                        client_value=_plain(value),
                        server_value=_plain(row.get(name)),
                        server_version=written[0] if written else row["version"],
                        server_client_id=uuid.UUID(written[1]) if written and written[1] else None,
                        server_user_id=uuid.UUID(written[2]) if written and written[2] else None,
                        client_user_id=batch.actor.user_id,
                        client_ts=op.client_ts,
                        version=batch.stamp(),
                    )
                    batch.dirty_conflicts.add(cid)
                    return cid
        cid = uuid.uuid5(NAMESPACE, f"{m.id}:{name or '*'}")
        base = m.base or {}
        batch.conflicts[cid] = {
            "id": cid,
            "entity": spec.name,
            "entity_id": row["id"],
            "commune_id": row["commune_id"],
            "field": name,
            "kind": kind,
            "base_value": _plain(base.get(name) if name else base or None),
            "server_value": _plain(row.get(name)) if name else None,
            "client_value": _plain(value),
            "base_version": m.base_version,
            "server_version": written[0] if written else row["version"],
            "server_client_id": uuid.UUID(written[1]) if written and written[1] else None,
            "server_user_id": uuid.UUID(written[2]) if written and written[2] else None,
            "client_id": batch.actor.client_id,
            "client_user_id": batch.actor.user_id,
            "mutation_id": m.id,
            "client_ts": op.client_ts,
            "created_at": batch.now,
            "resolved_at": None,
            "resolved_by": None,
            "resolution": None,
            "version": batch.stamp(),
        }
        batch.dirty_conflicts.add(cid)
        return cid

    def _drop_conflicts(
        self, batch: _Batch, cids: list[uuid.UUID], undo: dict[uuid.UUID, tuple[Row, bool]] | None = None
    ) -> None:
        for cid in cids:
            if undo and cid in undo:  # an open conflict this edit updated: put it back as it was
                previous, was_dirty = undo.pop(cid)
                batch.conflicts[cid] = previous
                if not was_dirty:
                    batch.dirty_conflicts.discard(cid)
                continue
            batch.conflicts.pop(cid, None)
            batch.dirty_conflicts.discard(cid)

    def _resolve(self, batch: _Batch, op: _Op) -> None:
        m = op.m
        resolution: Resolution = op.payload
        conflict = batch.conflicts.get(m.entity_id)
        if conflict is None:
            op.result = _result(m, "rejected", "not_found", "no such conflict")
            return
        if not self._in_scope(batch, op, conflict["commune_id"]):
            return
        if conflict["resolved_at"] is not None:
            op.result = _result(m, "rejected", "already_resolved", "the conflict was resolved already")
            return
        spec = self.registry.get(conflict["entity"])
        row = batch.rows[spec.name].get(conflict["entity_id"]) if spec is not None else None
        if spec is None or row is None:
            op.result = _result(m, "rejected", "not_found", "the conflicting record is gone")
            return
        op.spec = spec
        if resolution.choice != "server":
            chosen = conflict["client_value"] if resolution.choice == "client" else resolution.value
            changed = chosen if conflict["field"] is None else {conflict["field"]: chosen}
            if not isinstance(changed, dict):
                op.result = _result(m, "rejected", "invalid", "a row resolution needs an object of fields")
                return
            try:
                update = msgspec.convert(_nfc(changed), spec.update)
            except msgspec.ValidationError as exc:
                op.result = _result(m, "rejected", "invalid", str(exc))
                return
            values = {k: v for k, v in msgspec.structs.asdict(update).items() if v is not msgspec.UNSET}
            if conflict["field"] is not None and row["deleted_at"] is not None:
                op.result = _result(m, "rejected", "deleted", f"{spec.name} was deleted")
                return
            candidate = {**row, **values, "deleted_at": None}
            before = _snapshot(row)
            if not self._check_row(op, candidate) or not self._guard(batch, op, "resolve", before, candidate):
                return
            # A person chose the device's side: this is the one way a deleted row comes back.
            row.update(values)
            row["deleted_at"] = None
            self._touch(batch, spec, row, values)
            op.kind, op.before, op.after = "resolve", before, _snapshot(row)
        conflict["resolved_at"] = batch.now
        conflict["resolved_by"] = batch.actor.user_id
        conflict["resolution"] = _plain(resolution)
        conflict["version"] = batch.stamp()
        batch.dirty_conflicts.add(conflict["id"])
        op.result = _result(m, "applied", version=conflict["version"])

    # ---- writing

    async def _write(self, tx: Tx, batch: _Batch, final: Callable[[int | None], int | None]) -> None:
        changes: list[tuple[Any, ...]] = []
        heads: dict[str, int] = {}

        def change(entity: str, row_id: uuid.UUID, commune: str, deleted: bool, data: bytes | None, no: int) -> None:
            changes.append((no, entity, row_id, commune, deleted, data.decode() if data else None, batch.now))
            heads[commune] = max(heads.get(commune, 0), no)

        for spec in self.registry.specs:
            dirty = batch.dirty.get(spec.name)
            if not dirty:
                continue
            columns = spec.columns
            created = batch.created.get(spec.name, set())
            new_rows: list[tuple[Any, ...]] = []
            old_rows: list[tuple[Any, ...]] = []
            for row_id in sorted(dirty):
                row = batch.rows[spec.name][row_id]
                row["version"] = final(row["version"])
                for author in row["field_versions"].values():
                    author[0] = final(author[0])
                values = tuple(_json.encode(row[c]).decode() if c == "field_versions" else row[c] for c in columns)
                (new_rows if row_id in created else old_rows).append(values)
                deleted = row["deleted_at"] is not None
                data = None if deleted else _json.encode(_wire_row(spec, row))
                change(spec.name, row_id, row["commune_id"], deleted, data, row["version"])
            # A create is a plain INSERT: it never overwrites a row (the claim in _load made any earlier creator's row
            # visible, so the id was free; should a writer outside the engine have taken it meanwhile, the batch fails
            # and is retried rather than overwrite). Rows read from the database are updated in place: only the columns
            # devices write, so the server's other columns (secrets, bookkeeping) are left alone.
            placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
            await tx.executemany(f"INSERT INTO {spec.table} ({', '.join(columns)}) VALUES ({placeholders})", new_rows)
            sets = ", ".join(f"{c} = ${i + 1}" for i, c in enumerate(columns[1:]))
            await tx.executemany(
                f"UPDATE {spec.table} SET {sets} WHERE id = ${len(columns)}", [(*v[1:], v[0]) for v in old_rows]
            )
        if batch.dirty_conflicts:
            rows = []
            for cid in sorted(batch.dirty_conflicts):
                c = batch.conflicts[cid]
                c["version"] = final(c["version"])
                c["server_version"] = final(c["server_version"])
                rows.append(c)
                change(CONFLICT_ENTITY, cid, c["commune_id"], False, _json.encode(_conflict_out(c)), c["version"])
            columns = ConflictOut.__struct_fields__
            json_columns = set(_CONFLICT_JSON)
            placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
            await tx.executemany(
                f"INSERT INTO sync_conflict ({', '.join(columns)}) VALUES ({placeholders}) "
                f"ON CONFLICT (id) DO UPDATE SET {updates}",
                [tuple(_json.encode(r[c]).decode() if c in json_columns else r[c] for c in columns) for r in rows],
            )
        if batch.new_refs:
            new_files = sorted({sha for sha, _ in batch.new_refs if sha not in batch.attachments})
            await tx.executemany(
                "INSERT INTO sync_attachment (sha256, status, created_at) VALUES ($1, 'missing', $2) "
                "ON CONFLICT (sha256) DO NOTHING",
                [(sha, batch.now) for sha in new_files],
            )
            await tx.executemany(
                "INSERT INTO sync_attachment_ref (sha256, commune_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                sorted(batch.new_refs),
            )
            for (sha, commune), pending in sorted(batch.new_refs.items()):
                no = final(pending)
                assert no is not None
                status = batch.attachments.get(sha, "missing")
                data = _json.encode({"sha256": sha, "status": status})
                change(ATTACHMENT_ENTITY, attachment_entity_id(sha, commune), commune, False, data, no)
        await self._write_changes(tx, changes, heads)

    async def _after_write(self, batch: _Batch, ops: list[_Op], final: Callable[[int | None], int | None]) -> None:
        """The entities' after-write hooks, in seq order, inside the batch's transaction (exactly once)."""
        for op in ops:
            spec = op.spec
            if op.kind is None or op.after is None or spec is None or spec.after_write is None:
                continue
            version = final(op.after["version"]) or 0
            after = {**op.after, "version": version}
            before = {**op.before, "version": final(op.before["version"])} if op.before is not None else None
            ctx = _context(batch, op, op.kind, version)
            await spec.after_write(before, after, ctx)

    async def _write_changes(self, tx: Tx, changes: list[tuple[Any, ...]], heads: Mapping[str, int]) -> None:
        # One row per entity: the upsert moves the entity's row to its new change number.
        await tx.executemany(
            "INSERT INTO sync_change (change_no, entity, entity_id, commune_id, deleted, data, changed_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (entity, entity_id) DO UPDATE SET "
            "change_no = excluded.change_no, commune_id = excluded.commune_id, deleted = excluded.deleted, "
            "data = excluded.data, changed_at = excluded.changed_at",
            changes,
        )
        await tx.executemany(
            "INSERT INTO sync_scope_head (commune_id, change_no) VALUES ($1, $2) "
            "ON CONFLICT (commune_id) DO UPDATE SET change_no = excluded.change_no",
            sorted(heads.items()),
        )

    async def _record(self, tx: Tx, batch: _Batch, ops: list[_Op], batch_no: int) -> None:
        rows = []
        for op in ops:
            r, m = op.result, op.m
            assert r is not None
            kept = r.status != "applied"  # what the officer typed stays visible when not applied as sent
            rows.append(
                (
                    batch.actor.client_id,
                    m.seq,
                    m.id,
                    batch.actor.user_id,
                    inputs.printable(m.name),  # a name or entity breaking the text rules is stored legibly
                    inputs.printable(m.entity),
                    m.entity_id,
                    # sync_mutation.commune_id is varchar(10): a commune no schema checked is not recorded there.
                    op.commune_id if isinstance(op.commune_id, str) and len(op.commune_id) <= 10 else None,
                    r.status,
                    r.reason,
                    r.detail,
                    r.version,
                    _json.encode(r.conflict_ids).decode(),
                    _payload(m) if kept else None,
                    op.client_ts,
                    batch.now,
                    batch_no,
                )
            )
        await tx.executemany(
            "INSERT INTO sync_mutation (client_id, seq, mutation_id, user_id, name, entity, entity_id, commune_id, "
            "status, reason, detail, version, conflict_ids, payload, client_ts, received_at, batch_no) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            rows,
        )

    # ------------------------------------------------------------------ attachments

    async def attachment_completed(self, sha256: str, size: int, content_type: str) -> bool:
        """A file arrived and was verified: mark it present and tell the communes that reference it.

        `content_type` is the one its upload began with. A file already present keeps what it was stored with:
        nothing is written and False is returned (a second upload cannot relabel it).
        """
        await self.ensure_state()
        now = utcnow()
        async with self.db.write() as tx:
            # Batches that reference the file take the same claim: either the batch commits first and its commune is
            # among the refs read below, or it waits and then reads the status `present`. Never a stale `missing`.
            await tx.claim([_attachment_claim(sha256)])
            known = await tx.fetchrow("SELECT status FROM sync_attachment WHERE sha256 = $1", sha256)
            if known is not None and known["status"] == "present":
                return False
            await tx.execute(
                "INSERT INTO sync_attachment (sha256, status, size, content_type, created_at, completed_at) "
                "VALUES ($1, 'present', $2, $3, $4, $5) ON CONFLICT (sha256) DO UPDATE SET status = 'present', "
                "size = excluded.size, content_type = excluded.content_type, completed_at = excluded.completed_at",
                sha256,
                size,
                content_type,
                now,
                now,
            )
            refs = await tx.fetch(
                "SELECT commune_id FROM sync_attachment_ref WHERE sha256 = $1 ORDER BY commune_id", sha256
            )
            if not refs:
                return True
            counter = await tx.fetchrow(
                "UPDATE sync_server SET counter = counter + $1 WHERE id = 1 RETURNING counter", len(refs)
            )
            assert counter is not None
            first = int(counter["counter"]) - len(refs) + 1
            data = _json.encode({"sha256": sha256, "status": "present"}).decode()
            changes = [
                (
                    first + i,
                    ATTACHMENT_ENTITY,
                    attachment_entity_id(sha256, r["commune_id"]),
                    r["commune_id"],
                    False,
                    data,
                    now,
                )
                for i, r in enumerate(refs)
            ]
            await self._write_changes(tx, changes, {c[3]: c[0] for c in changes})
        return True

    async def attachment_row(self, sha256: str) -> Row | None:
        async with self.db.read() as tx:
            return await tx.fetchrow("SELECT * FROM sync_attachment WHERE sha256 = $1", sha256)

    async def attachment_in_scope(self, sha256: str, communes: Iterable[str]) -> bool:
        async with self.db.read() as tx:
            row = await tx.fetchrow(
                f"SELECT 1 AS ok FROM sync_attachment_ref WHERE sha256 = $1 AND {tx.any('commune_id', '$2', 'text')}",
                sha256,
                tx.list_param(communes),
            )
        return row is not None

    # ------------------------------------------------------------------ pull

    async def pull(self, request: PullRequest, actor: Actor) -> PullResponse:
        self.check_versions(request.protocol, request.schema)
        if request.schema < self.registry.schema_min:
            raise SyncError(426, "schema_old", f"schema {request.schema} is too old: update the app")
        await self.ensure_state()
        limit = request.limit
        async with self.db.read() as tx:
            state = await tx.fetchrow(
                "SELECT server_id, epoch, counter, tombstone_horizon FROM sync_server WHERE id = 1"
            )
            assert state is not None
            cursor = decode_cursor(request.cursor) if request.cursor else None
            reset_reason = None
            if request.cursor and cursor is None:
                reset_reason = "unreadable_cursor"
            elif cursor is not None and cursor.s != state["server_id"]:
                reset_reason = "other_server"
            elif cursor is not None and cursor.e != state["epoch"]:
                reset_reason = "other_epoch"
            elif cursor is not None and _missed_tombstones(cursor, int(state["tombstone_horizon"])):
                reset_reason = "expired"
            positions = dict(cursor.p) if cursor is not None and reset_reason is None else {}
            ack_from = cursor.a if cursor is not None and cursor.c == actor.client_id else 0
            scope = sorted(actor.communes)
            removed = sorted(c for c in positions if c not in actor.communes)

            heads = {}
            if scope:
                rows = await tx.fetch(
                    f"SELECT commune_id, change_no FROM sync_scope_head WHERE {tx.any('commune_id', '$1', 'text')}",
                    tx.list_param(scope),
                )
                heads = {r["commune_id"]: int(r["change_no"]) for r in rows}
            fetched: list[Row] = []
            drained: dict[str, bool] = {}
            for commune in scope:
                position = positions.get(commune, 0)
                if heads.get(commune, 0) <= position:
                    continue
                # A first sync needs no tombstones.
                live = "" if position else " AND NOT deleted"
                rows = await tx.fetch(
                    "SELECT change_no, entity, entity_id, commune_id, deleted, data FROM sync_change "
                    f"WHERE commune_id = $1 AND change_no > $2{live} ORDER BY change_no LIMIT $3",
                    commune,
                    position,
                    limit + 1,
                )
                drained[commune] = len(rows) <= limit
                fetched.extend(rows)
            fetched.sort(key=lambda r: int(r["change_no"]))
            page, has_more = fetched[:limit], len(fetched) > limit
            new_positions = {c: positions.get(c, 0) for c in scope}
            left: dict[str, int] = {}
            for r in fetched[limit:]:
                left[r["commune_id"]] = left.get(r["commune_id"], 0) + 1
            for r in page:
                new_positions[r["commune_id"]] = int(r["change_no"])
            # A commune with nothing left is complete up to the counter read in this snapshot (change numbers
            # follow commit order), which also keeps its position above any later tombstone horizon.
            for commune in scope:
                if drained.get(commune, True) and not left.get(commune):
                    new_positions[commune] = max(new_positions[commune], int(state["counter"]))

            client = await tx.fetchrow("SELECT last_seq FROM sync_client WHERE client_id = $1", actor.client_id)
            last_seq = int(client["last_seq"]) if client else 0
            acks: list[MutationResult] = []
            if last_seq > ack_from:
                rows = await tx.fetch(
                    "SELECT * FROM sync_mutation WHERE client_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                    actor.client_id,
                    ack_from,
                    limit + 1,
                )
                if len(rows) > limit:
                    has_more = True
                    rows = rows[:limit]
                acks = [_result_of(r) for r in rows]
            next_cursor = Cursor(
                s=state["server_id"],
                e=int(state["epoch"]),
                p=new_positions,
                a=acks[-1].seq if acks else ack_from,
                c=actor.client_id,
                h=int(state["tombstone_horizon"]),
            )
        changes = [
            Change(
                entity=r["entity"],
                id=r["entity_id"],
                commune_id=r["commune_id"],
                op="delete" if r["deleted"] else "put",
                change_no=int(r["change_no"]),
                data=msgspec.Raw(r["data"].encode()) if r["data"] is not None and not r["deleted"] else None,
            )
            for r in page
        ]
        return PullResponse(
            changes=changes,
            removed_communes=removed,
            acks=Acks(last_seq=last_seq, results=acks),
            next_cursor=encode_cursor(next_cursor),
            has_more=has_more,
            reset=reset_reason is not None,
            reset_reason=reset_reason,
            server=self.versions,
        )

    # ------------------------------------------------------------------ lists for people

    async def conflicts(
        self, communes: Iterable[str], *, open_only: bool = True, limit: int = 200
    ) -> list[ConflictOut]:
        async with self.db.read() as tx:
            rows = await tx.fetch(
                f"SELECT * FROM sync_conflict WHERE {tx.any('commune_id', '$1', 'text')}"
                + (" AND resolved_at IS NULL" if open_only else "")
                + " ORDER BY created_at DESC LIMIT $2",
                tx.list_param(communes),
                limit,
            )
        for r in rows:
            for name in _CONFLICT_JSON:
                r[name] = _decode_json(r[name])
        return [_conflict_out(r) for r in rows]

    async def rejected(
        self, *, communes: Iterable[str] | None = None, user_id: uuid.UUID | None = None, limit: int = 200
    ) -> list[RejectedOut]:
        """Rejected mutations of one user, or of a set of communes (for supervisors)."""
        async with self.db.read() as tx:
            if user_id is not None:
                rows = await tx.fetch(
                    "SELECT * FROM sync_mutation WHERE status = 'rejected' AND user_id = $1 "
                    "ORDER BY received_at DESC LIMIT $2",
                    user_id,
                    limit,
                )
            else:
                rows = await tx.fetch(
                    "SELECT * FROM sync_mutation WHERE status = 'rejected' AND "
                    f"{tx.any('commune_id', '$1', 'text')} ORDER BY received_at DESC LIMIT $2",
                    tx.list_param(communes or ()),
                    limit,
                )
        return [
            RejectedOut(
                mutation_id=r["mutation_id"],
                client_id=r["client_id"],
                seq=int(r["seq"]),
                user_id=r["user_id"],
                name=r["name"],
                entity=r["entity"],
                entity_id=r["entity_id"],
                commune_id=r["commune_id"],
                reason=r["reason"],
                detail=r["detail"],
                payload=_decode_json(r["payload"]),
                client_ts=r["client_ts"],
                received_at=r["received_at"],
            )
            for r in rows
        ]


# ---------------------------------------------------------------------- helpers


def _create_claim(spec: EntitySpec, row_id: uuid.UUID) -> str:
    """The claim every creator of a row takes first (push batches and server_create alike)."""
    return f"sync:create:{spec.table}:{row_id}"


def _attachment_claim(sha256: str) -> str:
    """The claim on a file's bookkeeping: batches referencing it and its completion take turns."""
    return f"sync:attachment:{sha256}"


def attachment_entity_id(sha256: str, commune_id: str) -> uuid.UUID:
    """The id under which a file's status is pulled by one commune's devices."""
    return uuid.uuid5(NAMESPACE, f"attachment:{sha256}:{commune_id}")


def _missed_tombstones(cursor: Cursor, horizon: int) -> bool:
    """Tombstones up to `horizon` were purged after this cursor was issued: did it still need some?"""
    return horizon > cursor.h and any(0 < p < horizon for p in cursor.p.values())


def _own_results(pushed: list[Mutation], stored: list[MutationResult]) -> list[MutationResult]:
    """Stored results of replayed seqs, but only where the stored mutation is the one being pushed.

    Another mutation under the same seq means two queues used one device id (a copied or reused id): handing
    back the other's result would make this device drop its own change as done. It is rejected instead, so
    it stays visible with its payload.
    """
    ids = {m.seq: m.id for m in pushed}
    return [
        r
        if ids.get(r.seq) == r.id
        else MutationResult(
            id=ids[r.seq],
            seq=r.seq,
            status="rejected",
            reason="seq_reused",
            detail="Another change was already stored under this seq for this device · "
            "Một thay đổi khác đã được lưu với số thứ tự này của thiết bị",
        )
        for r in stored
    ]


def _payload(m: Mutation) -> str:
    """A mutation as stored for people to see when it was not applied as sent (lone surrogates made legible)."""
    try:
        return _json.encode(m).decode()
    except UnicodeEncodeError:
        return _json.encode(inputs.scrub(msgspec.to_builtins(m))).decode()


def _decode_json(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)


def _result(
    m: Mutation,
    status: Status,
    reason: str | None = None,
    detail: str | None = None,
    *,
    version: int | None = None,
    conflicts: list[uuid.UUID] | None = None,
) -> MutationResult:
    return MutationResult(
        id=m.id,
        seq=m.seq,
        status=status,
        reason=reason,
        detail=detail,
        version=version,
        conflict_ids=conflicts or [],
    )


def _rejected(m: Mutation, spec: EntitySpec | None, reason: str, detail: str) -> _Op:
    return _Op(m=m, spec=spec, result=_result(m, "rejected", reason, detail))


def _result_of(row: Row) -> MutationResult:
    return MutationResult(
        id=row["mutation_id"],
        seq=int(row["seq"]),
        status=row["status"],
        reason=row["reason"],
        detail=row["detail"],
        version=int(row["version"]) if row["version"] is not None else None,
        conflict_ids=[uuid.UUID(c) for c in msgspec.json.decode(row["conflict_ids"] or "[]")],
    )


async def _take_numbers(tx: Tx, count: int) -> int:
    """Bump the counter by `count` and return its new value; the row stays locked until commit."""
    counter = await tx.fetchrow("UPDATE sync_server SET counter = counter + $1 WHERE id = 1 RETURNING counter", count)
    if counter is None:  # a server-side write before any sync request created the server's identity
        await tx.execute(
            "INSERT INTO sync_server (id, server_id, epoch, counter, tombstone_horizon, created_at) "
            "VALUES (1, $1, 1, 0, 0, $2) ON CONFLICT (id) DO NOTHING",
            uuid.uuid4(),
            utcnow(),
        )
        counter = await tx.fetchrow(
            "UPDATE sync_server SET counter = counter + $1 WHERE id = 1 RETURNING counter", count
        )
    assert counter is not None
    return int(counter["counter"])


def _context(batch: _Batch, op: _Op, kind: WriteKind, version: int = 0) -> WriteContext:
    return WriteContext(
        kind=kind,
        client_id=batch.actor.client_id,
        user_id=batch.actor.user_id,
        role=batch.actor.role,
        mutation_id=op.m.id,
        client_ts=op.client_ts,
        version=version,
    )


def _snapshot(row: Mapping[str, Any]) -> Row:
    """A copy of a row for guards and hooks (without the field versions bookkeeping)."""
    return {k: v for k, v in row.items() if k != "field_versions"}


def _wire_row(spec: EntitySpec, row: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: row[name] for name in ("id", "commune_id", *spec.wire_fields)}
    data["version"] = row["version"]
    data["updated_at"] = row["updated_at"]
    return data


def _conflict_out(row: Mapping[str, Any]) -> ConflictOut:
    return ConflictOut(**{f: row[f] for f in ConflictOut.__struct_fields__})
