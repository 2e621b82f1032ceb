"""HTTP endpoints of the sync protocol (sync/PROTOCOL.md) under /api/sync/."""
