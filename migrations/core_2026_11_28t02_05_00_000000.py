"""Sync: composite and unique indexes that Piccolo columns cannot declare (raw SQL, same on SQLite and PostgreSQL).

A separate migration because Piccolo runs a migration's raw steps before its table creation.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-28T02:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync indexes"

STATEMENTS = [
    # A second guard against applying one device's mutation twice.
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_mutation_client_seq ON sync_mutation (client_id, seq)",
    "CREATE INDEX IF NOT EXISTS sync_mutation_mutation_id ON sync_mutation (mutation_id)",
    "CREATE INDEX IF NOT EXISTS sync_mutation_rejected ON sync_mutation (user_id, received_at) "
    "WHERE status = 'rejected'",
    # One change-log row per entity; pull is a range scan over (commune_id, change_no).
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_change_entity ON sync_change (entity, entity_id)",
    "CREATE INDEX IF NOT EXISTS sync_change_scope ON sync_change (commune_id, change_no)",
    "CREATE INDEX IF NOT EXISTS sync_change_tombstones ON sync_change (changed_at) WHERE deleted",
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_attachment_ref_key ON sync_attachment_ref (sha256, commune_id)",
]

DROPS = [
    "DROP INDEX IF EXISTS sync_mutation_client_seq",
    "DROP INDEX IF EXISTS sync_mutation_mutation_id",
    "DROP INDEX IF EXISTS sync_mutation_rejected",
    "DROP INDEX IF EXISTS sync_change_entity",
    "DROP INDEX IF EXISTS sync_change_scope",
    "DROP INDEX IF EXISTS sync_change_tombstones",
    "DROP INDEX IF EXISTS sync_attachment_ref_key",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in DROPS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
