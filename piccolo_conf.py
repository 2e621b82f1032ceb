"""For the `piccolo` command line (e.g. `piccolo migrations new core --auto`): the app's own configuration."""

from backend.db.conf import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
