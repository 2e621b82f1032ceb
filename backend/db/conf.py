"""Piccolo's configuration: the engine is chosen by DATABASE_URL (SQLite file under var/ when empty)."""

from piccolo.conf.apps import AppRegistry

from backend.db.engine import make_engine

DB = make_engine()

APP_REGISTRY = AppRegistry(apps=["backend.db.piccolo_app"])
