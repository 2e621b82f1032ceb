"""The sync protocol, free of any web framework: wire types, registry, engine, file store (see PROTOCOL.md)."""
