"""Push subscriptions, the push outbox and its delivery log."""

from piccolo.columns import UUID, BigInt, BigSerial, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.db.columns import ServerNow


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's push endpoint and keys, followed by one owner: a staff user or an appointment.

    One browser may follow several appointments (a citizen booking for her parents), so the unique key is
    `owner_key` (a digest of owner + endpoint), not the endpoint alone; keys are per endpoint and a
    re-subscription updates them on every row of that endpoint.
    """

    id = UUID(primary_key=True)
    owner_key = Varchar(length=64, unique=True)
    endpoint = Text(index=True)
    p256dh = Varchar(length=100)  # base64url of the 65-byte P-256 point
    auth = Varchar(length=32)  # base64url of the 16-byte auth secret
    key_id = Varchar(length=32)  # the VAPID key the browser subscribed with
    staff_user_id = UUID(null=True, default=None, index=True)
    appointment_id = UUID(null=True, default=None, index=True)
    lang = Varchar(length=2, default="vi")
    user_agent = Varchar(length=300, default="")
    created_at = Timestamptz(default=ServerNow())
    updated_at = Timestamptz(default=ServerNow())


class PushMessage(Table, tablename="push_message"):
    """The outbox: one row per message and target subscription, written in the causing transaction.

    status: pending → sending (leased by one worker) → sent | failed | expired, or back to pending with a
    later `next_attempt_at`. `next_attempt_at` is the claim key: for a leased row it equals `lease_until`
    (so an expired lease is claimable again), and it is NULL once the row is final, which keeps the
    index small and the claim a short range scan.
    """

    id = BigSerial(primary_key=True)
    subscription_id = UUID(index=True)  # no foreign key: the history outlives a pruned subscription
    origin = Varchar(length=255)  # push-service origin at enqueue time (pauses after a 429)
    payload = Text()  # the JSON given to the service worker, ≤ 3 KB
    topic = Varchar(length=32, default="")
    urgency = Varchar(length=8, default="normal")  # very-low | low | normal | high
    ttl_s = Integer()
    deadline = Timestamptz()
    created_at = Timestamptz(default=ServerNow())
    status = Varchar(length=8, default="pending")
    attempts = SmallInt(default=0)
    reclaims = SmallInt(default=0)  # leases that ran out (a worker died); retried once only
    next_attempt_at = Timestamptz(null=True, default=ServerNow(), index=True)
    lease_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=32, default="")
    last_status = SmallInt(null=True, default=None)
    last_error = Varchar(length=300, default="")
    sent_at = Timestamptz(null=True, default=None)


class PushAttempt(Table, tablename="push_attempt"):
    """One HTTP request to a push service (or a timeout): what a supervisor reads when a message failed."""

    message_id = BigInt(index=True)
    at = Timestamptz(default=ServerNow())
    origin = Varchar(length=255)
    status_code = SmallInt(null=True, default=None)
    error = Varchar(length=300, default="")
    duration_ms = Integer(default=0)
