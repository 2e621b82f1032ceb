"""How a domain makes its tables syncable without touching the engine.

A domain registers an `EntitySpec`: the entity name used on the wire, its table, the msgspec structs
that validate create and update payloads, and optionally a parent (checked on create, cascaded on
delete), attachment fields (SHA-256 references), a whole-row check, and upcasters that turn payloads
queued under an older schema into the current shape.

Entities the server owns (e.g. appointments, created and rescheduled through REST) add:
  - `create=None` (devices cannot create them) and `deletable=False`;
  - `read_only`: columns devices receive but never write; only server-side writes change them;
  - `guard`: a rule that sees the row before and after a device's write and the actor, e.g. a state
    machine or "only the assigned officer"; a refusal rejects the mutation with its reason;
  - `after_write`: awaited inside the push transaction after a device's write is stored (history,
    audit log, follow-up tasks), so the side effects commit together with the write, exactly once.

A synced table must have these columns besides the writable fields:
    id UUID primary key · commune_id · version · updated_at · deleted_at · field_versions (Text, JSON)
Other columns (secrets, bookkeeping) may exist: they are never pulled, and devices never write them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import msgspec

# (mutation name, changed fields at schema n) → changed fields at schema n + 1
Upcaster = Callable[[str, dict[str, Any]], dict[str, Any]]
# The row as it would be after the write → None when acceptable, else a reason for people.
RowCheck = Callable[[Mapping[str, Any]], str | None]

WriteKind = Literal["create", "update", "delete", "resolve"]


@dataclass(frozen=True)
class WriteContext:
    """Who writes, and how, as seen by a guard or an after-write hook."""

    kind: WriteKind
    client_id: uuid.UUID  # the device
    user_id: uuid.UUID | None
    role: str | None  # the session's role, when the API knows it
    mutation_id: uuid.UUID
    client_ts: dt.datetime | None
    version: int = 0  # the change number of the write (after-write hooks only)


# (row before, row after, context) → None when allowed, else (reason code, detail for people).
# `before` is None for a create. Runs for device creates, updates and resolutions that write values.
Guard = Callable[[Mapping[str, Any] | None, Mapping[str, Any], WriteContext], tuple[str, str] | None]
# (row before, row after, context), awaited in the push transaction after the write is stored.
AfterWrite = Callable[[Mapping[str, Any] | None, Mapping[str, Any], WriteContext], Awaitable[None]]

SYNC_COLUMNS = ("id", "commune_id", "version", "updated_at", "deleted_at", "field_versions")


@dataclass(frozen=True)
class Parent:
    field: str  # the column holding the parent's id
    entity: str  # the parent entity's name


@dataclass(frozen=True)
class EntitySpec:
    name: str
    table: str
    # Every writable field, commune_id included; None: devices cannot create this entity (`not_allowed`).
    create: type[msgspec.Struct] | None
    update: type[msgspec.Struct]  # the fields an update may change, each defaulting to UNSET
    parent: Parent | None = None
    attachments: tuple[str, ...] = ()
    check: RowCheck | None = None
    upcasters: Mapping[int, Upcaster] = field(default_factory=dict)
    read_only: tuple[str, ...] = ()  # pulled, but written only by the server (server_write / server_create)
    deletable: bool = True  # False: a device's delete is rejected (`not_allowed`)
    guard: Guard | None = None
    after_write: AfterWrite | None = None

    @property
    def creatable(self) -> bool:
        return self.create is not None

    @cached_property  # asked for on every row written; msgspec's introspection is slow
    def fields(self) -> tuple[str, ...]:
        """The columns devices may write, in a fixed order (commune_id is set on create only)."""
        struct = self.create if self.create is not None else self.update
        return tuple(f.name for f in msgspec.structs.fields(struct) if f.name != "commune_id")

    @cached_property
    def wire_fields(self) -> tuple[str, ...]:
        """The entity's fields as pulled, besides id, commune_id, version and updated_at."""
        return (*self.fields, *self.read_only)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return ("id", "commune_id", *self.fields, "version", "updated_at", "deleted_at", "field_versions")


class Registry:
    """Entity types known to the engine, and the range of client schemas it accepts."""

    def __init__(self, schema_min: int, schema_max: int) -> None:
        if not 1 <= schema_min <= schema_max:
            raise ValueError("need 1 <= schema_min <= schema_max")
        self.schema_min = schema_min
        self.schema_max = schema_max
        self._specs: dict[str, EntitySpec] = {}

    def register(self, spec: EntitySpec) -> None:
        if spec.name in self._specs or spec.name in RESERVED_ENTITIES:
            raise ValueError(f"entity {spec.name!r} is already registered")
        update_names = {f.name for f in msgspec.structs.fields(spec.update)}
        if spec.create is not None:
            create_names = {f.name for f in msgspec.structs.fields(spec.create)}
            if "commune_id" not in create_names:
                raise ValueError(f"{spec.name}: the create struct needs commune_id (the sync scope)")
        else:
            create_names = update_names | {"commune_id"}
        clash = set(SYNC_COLUMNS) & (create_names - {"commune_id"} | set(spec.read_only))
        if clash:
            raise ValueError(f"{spec.name}: fields {sorted(clash)} are reserved for sync")
        if not update_names <= create_names - {"commune_id"}:
            raise ValueError(f"{spec.name}: update fields must be writable fields other than commune_id")
        if set(spec.read_only) & create_names:
            raise ValueError(f"{spec.name}: read-only fields cannot also be writable")
        if spec.parent is not None and spec.parent.entity not in self._specs:
            raise ValueError(f"{spec.name}: register parent {spec.parent.entity!r} first")
        for version in spec.upcasters:
            if not self.schema_min <= version < self.schema_max:
                raise ValueError(f"{spec.name}: upcaster from schema {version} is outside the accepted range")
        self._specs[spec.name] = spec

    def get(self, name: str) -> EntitySpec | None:
        return self._specs.get(name)

    @property
    def specs(self) -> list[EntitySpec]:
        """In registration order: parents before children (also the order rows are locked in)."""
        return list(self._specs.values())

    def children_of(self, name: str) -> list[EntitySpec]:
        return [s for s in self._specs.values() if s.parent is not None and s.parent.entity == name]

    def upcast(self, spec: EntitySpec, name: str, changed: dict[str, Any], schema: int) -> dict[str, Any]:
        """Bring a payload queued under `schema` up to the current schema, one step at a time."""
        for version in range(schema, self.schema_max):
            step = spec.upcasters.get(version)
            if step is not None:
                changed = step(name, changed)
        return changed


# Entity names the engine itself syncs.
CONFLICT_ENTITY = "sync_conflict"
ATTACHMENT_ENTITY = "attachment"
RESERVED_ENTITIES = frozenset({CONFLICT_ENTITY, ATTACHMENT_ENTITY})
