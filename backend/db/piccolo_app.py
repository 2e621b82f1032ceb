"""The single Piccolo app "core"; its migrations live in the top-level migrations/ folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import AuditLog, Device, DeviceSession, LoginAttempt, StaffUser
from backend.catalog.tables import AdminUnit, LegacyUnit, Procedure

MIGRATIONS_FOLDER = Path(__file__).resolve().parent.parent.parent / "migrations"

TABLES = [AdminUnit, LegacyUnit, Procedure, StaffUser, Device, DeviceSession, LoginAttempt, AuditLog]

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(MIGRATIONS_FOLDER),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
