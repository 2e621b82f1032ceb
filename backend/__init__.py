"""Gần Dân: public services at the citizen's door."""

import os

# Piccolo finds its configuration through this variable; point it at ours wherever the process starts.
os.environ.setdefault("PICCOLO_CONF", "backend.db.conf")

__version__ = "0.1.0"
