"""Outreach sessions and their questions: synced tables (recorded offline on officers' tablets)."""

from piccolo.columns import UUID, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.db.columns import ServerNow


class OutreachSession(Table, tablename="outreach_session"):
    """A village outreach, a radio dialogue or a business coffee, held in one commune."""

    id = UUID(primary_key=True)  # generated on the tablet
    commune_id = Varchar(length=10, index=True)
    kind = Varchar(length=20)  # village_outreach | radio_dialogue | business_coffee
    title = Varchar(length=200)
    place = Varchar(length=200, default="")
    held_on = Date()
    attendance = Integer(default=0)
    notes = Text(default="")
    # Sync columns (see sync/registry.py).
    version = BigInt(default=0)
    updated_at = Timestamptz(default=ServerNow())
    deleted_at = Timestamptz(null=True, default=None)
    field_versions = Text(default="{}")


class OutreachQuestion(Table, tablename="outreach_question"):
    """A question or petition raised by a citizen at a session, routed and answered."""

    id = UUID(primary_key=True)
    session_id = UUID(index=True)
    commune_id = Varchar(length=10, index=True)
    asker_name = Varchar(length=120, default="")
    text = Text()
    category = Varchar(length=40, default="other")
    channel = Varchar(length=20, default="in_person")
    status = Varchar(length=12, default="open")  # open | forwarded | answered
    answer = Text(default="")
    photo_sha256 = Varchar(length=64, null=True, default=None)
    version = BigInt(default=0)
    updated_at = Timestamptz(default=ServerNow())
    deleted_at = Timestamptz(null=True, default=None)
    field_versions = Text(default="{}")
