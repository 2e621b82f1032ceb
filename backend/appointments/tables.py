"""Home-visit appointments (model 4: "Hẹn giờ thực hiện TTHC tại nhà người dân") and the commune's service hours."""

from piccolo.columns import JSON, UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.db.columns import ServerNow


class Appointment(Table, tablename="appointment"):
    """A citizen's request for an officer to come home at a chosen time.

    The id may come from the citizen's app (a booking queued offline is retried with the same id), and the
    secret of the capability link is stored only as a digest.

    A synced entity ("appointment", see backend/appointments/sync.py): officers' tablets pull the rows of
    their communes and push status updates. Every write goes through the sync engine (REST changes with
    `server_write`), so `version` is the change number of the last write and doubles as the optimistic
    lock of REST updates.
    """

    id = UUID(primary_key=True)
    reference = Varchar(length=12, unique=True)  # shown to the citizen, e.g. "K7M3-9PQ2"
    token_hash = Varchar(length=64)
    commune_id = Varchar(length=10, index=True)
    procedure_code = Varchar(length=20)
    kind = Varchar(length=20)  # guide | receive_dossier | return_result | postal_delivery
    address_detail = Text()
    legacy_address = Text(default="")  # the old address as the citizen wrote it, when it was mapped
    citizen_name = Varchar(length=120)
    citizen_phone = Varchar(length=20, index=True)
    notes = Text(default="")
    language = Varchar(length=2, default="vi")
    channel = Varchar(length=20, default="app")
    consent_version = Varchar(length=20)
    consent_at = Timestamptz()
    consent_withdrawn_at = Timestamptz(null=True, default=None)
    slot_start = Timestamptz(index=True)
    slot_end = Timestamptz()
    officer_id = UUID(null=True, default=None, index=True)
    status = Varchar(length=20, index=True)
    status_reason = Text(default="")
    dossier_code = Varchar(length=40, default="")
    created_by = UUID(null=True, default=None)  # the staff member who took it on the citizen's behalf
    client_hash = Varchar(length=64, default="")  # digest of the requester's IP, for rate limits only
    created_at = Timestamptz(default=ServerNow())
    # Sync columns (see sync/registry.py).
    updated_at = Timestamptz(default=ServerNow())
    version = BigInt(default=0)
    deleted_at = Timestamptz(null=True, default=None)
    field_versions = Text(default="{}")


class AppointmentEvent(Table, tablename="appointment_event"):
    """The appointment's history, in the citizen's words: what changed, when, by whom, why."""

    appointment_id = UUID(index=True)
    at = Timestamptz(default=ServerNow())
    status = Varchar(length=20)
    action = Varchar(length=30)
    reason = Text(default="")
    slot_start = Timestamptz(null=True, default=None)
    actor_user = UUID(null=True, default=None)
    actor = Varchar(length=20)  # citizen | staff | system


class CommuneService(Table, tablename="commune_service"):
    """How a commune serves home visits: hours, capacity, slot lengths. Absent → the defaults apply."""

    commune_id = Varchar(length=10, primary_key=True)
    # {"mon": [["07:30","11:30"],["13:30","17:00"]], …, "sat": [], "sun": []} in Asia/Ho_Chi_Minh
    hours = JSON(default={})
    parallel_visits = Integer(null=True, default=None)  # officers out at once; None → officers assigned
    daily_capacity = Integer(default=16)
    slot_minutes = JSON(default={})  # per visit kind
    buffer_minutes = Integer(default=15)  # travel between visits
    min_notice_minutes = Integer(default=120)
    horizon_days = Integer(default=30)


class Holiday(Table, tablename="holiday"):
    """A day without home visits (public holidays, configurable by admins)."""

    day = Date(primary_key=True)
    name = Varchar(length=120)


class LetterTask(Table, tablename="letter_task"):
    """A letter to write: an apology when the agency missed a visit (model 3), later congratulations etc."""

    id = UUID(primary_key=True)
    kind = Varchar(length=20)  # apology | congratulation | condolence
    appointment_id = UUID(null=True, default=None, index=True)
    commune_id = Varchar(length=10, index=True)
    reason = Text(default="")
    status = Varchar(length=12, default="todo")  # todo | sent | dropped
    created_at = Timestamptz(default=ServerNow())
    created_by = UUID(null=True, default=None)
