"""The single Piccolo app "core"; its migrations live in the top-level migrations/ folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import AuditLog, Device, DeviceSession, LoginAttempt, StaffUser
from backend.appointments.tables import Appointment, AppointmentEvent, CommuneService, Holiday, LetterTask
from backend.catalog.tables import AdminUnit, LegacyUnit, Procedure
from backend.outreach.tables import OutreachQuestion, OutreachSession
from backend.push.tables import PushAttempt, PushMessage, PushSubscription
from sync.tables import SYNC_TABLES

MIGRATIONS_FOLDER = Path(__file__).resolve().parent.parent.parent / "migrations"

TABLES = [AdminUnit, LegacyUnit, Procedure, StaffUser, Device, DeviceSession, LoginAttempt, AuditLog]
TABLES += [*SYNC_TABLES, OutreachSession, OutreachQuestion]
TABLES += [Appointment, AppointmentEvent, CommuneService, Holiday, LetterTask]
TABLES += [PushSubscription, PushMessage, PushAttempt]

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(MIGRATIONS_FOLDER),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
