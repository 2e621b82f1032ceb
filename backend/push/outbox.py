"""Subscriptions and the transactional outbox: what other domains call.

`enqueue…` must run inside the caller's `write_transaction()`, next to the change that causes the
message: either both are committed or neither is, so a notification never announces a change that was
rolled back and a committed change never loses its notification.

Granularity: one outbox row per target subscription, resolved when the message is queued. Delivery state
(attempts, lease, 410 pruning, a 429 pause) belongs to one endpoint, so a row per endpoint lets one failing
browser retry without resending to the others, and the claim needs no fan-out. The language is chosen per
subscription at the same moment. A browser that subscribes after the event does not get it — as expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

import msgspec

from backend.core.errors import AppError
from backend.db.columns import utcnow
from backend.db.engine import get_engine, write_transaction
from backend.push.messages import AppointmentRef, Event, delivery_for, message_for, topic_for
from backend.push.schemas import (
    MAX_PAYLOAD_BYTES,
    Lang,
    MessageOut,
    PushPayload,
    SubscriptionIn,
    SubscriptionOut,
    Urgency,
)
from backend.push.tables import PushMessage, PushSubscription
from backend.push.vapid import load_keyring, origin_of

TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
URGENCIES = ("very-low", "low", "normal", "high")
MAX_TTL_S = 28 * 24 * 3600


class PayloadTooLarge(ValueError):
    """A payload over 3 KB: push services accept 4 KB once encrypted, and the text is meant to be short."""


def _owner_key(kind: str, owner_id: uuid.UUID, endpoint: str) -> str:
    return hashlib.sha256(f"{kind}:{owner_id} {endpoint}".encode()).hexdigest()


# --- subscriptions -----------------------------------------------------------------------------------


async def _subscribe(kind: str, owner_id: uuid.UUID, sub: SubscriptionIn, user_agent: str) -> SubscriptionOut:
    keyring = load_keyring()
    key_id = sub.key_id
    if key_id is not None and keyring.get(key_id) is None:
        raise AppError(
            409,
            "The subscription was made with an unknown push key; subscribe again with the current one",
            "Khóa thông báo đã thay đổi; vui lòng đăng ký nhận thông báo lại.",
        )
    key_id = key_id or keyring.current.key_id
    now = utcnow()
    p256dh, auth = sub.keys.p256dh.rstrip("="), sub.keys.auth.rstrip("=")
    owner_key = _owner_key(kind, owner_id, sub.endpoint)
    async with write_transaction():
        if sub.old_endpoint and sub.old_endpoint != sub.endpoint:
            await _move_endpoint(kind, owner_id, sub.old_endpoint, sub.endpoint, now)
        row = await PushSubscription.objects().get(PushSubscription.owner_key == owner_key)
        if row is None:
            row = PushSubscription(
                id=uuid.uuid4(),
                owner_key=owner_key,
                endpoint=sub.endpoint,
                p256dh=p256dh,
                auth=auth,
                key_id=key_id,
                staff_user_id=owner_id if kind == "staff" else None,
                appointment_id=owner_id if kind == "appointment" else None,
                lang=sub.lang,
                user_agent=user_agent[:300],
                created_at=now,
                updated_at=now,
            )
            await row.save()
        else:
            # Only the caller's own row: another owner of the same endpoint refreshes its keys itself.
            await PushSubscription.update(
                {
                    PushSubscription.p256dh: p256dh,
                    PushSubscription.auth: auth,
                    PushSubscription.key_id: key_id,
                    PushSubscription.lang: sub.lang,
                    PushSubscription.user_agent: user_agent[:300],
                    PushSubscription.updated_at: now,
                }
            ).where(PushSubscription.id == row.id)
    return SubscriptionOut(id=row.id, key_id=key_id, lang=sub.lang, created_at=row.created_at)


async def _move_endpoint(kind: str, owner_id: uuid.UUID, old: str, new: str, now: dt.datetime) -> None:
    """`pushsubscriptionchange`: the browser replaced its endpoint; the caller's row follows it to the new one.

    Only the caller's own row moves. Knowing an endpoint proves nothing about who else follows it: a citizen
    naming an officer's endpoint as `old_endpoint` must not take the officer's notifications. A browser that
    follows several bookings (or is also a staff login) moves each of them with its own request, as the PWA does.
    """
    mine = await (
        PushSubscription.select(PushSubscription.id)
        .where(PushSubscription.owner_key == _owner_key(kind, owner_id, old))
        .first()
    )
    if mine is None:
        return
    new_key = _owner_key(kind, owner_id, new)
    if await PushSubscription.exists().where(PushSubscription.owner_key == new_key):
        await PushSubscription.delete().where(PushSubscription.id == mine["id"])
    else:
        await PushSubscription.update(
            {PushSubscription.endpoint: new, PushSubscription.owner_key: new_key, PushSubscription.updated_at: now}
        ).where(PushSubscription.id == mine["id"])


async def subscribe_staff(user_id: uuid.UUID, sub: SubscriptionIn, user_agent: str = "") -> SubscriptionOut:
    return await _subscribe("staff", user_id, sub, user_agent)


async def subscribe_for_appointment(
    appointment_id: uuid.UUID, subscription: SubscriptionIn, user_agent: str = ""
) -> SubscriptionOut:
    """For the appointments domain's capability-link endpoint: this browser follows this appointment.

    Raises AppError(409) when `subscription.key_id` names a VAPID key the server no longer has.
    """
    return await _subscribe("appointment", appointment_id, subscription, user_agent)


async def unsubscribe(endpoint: str) -> int:
    """Forget an endpoint for every owner (the browser unsubscribed). Knowing the endpoint is the proof."""
    async with write_transaction():
        gone = await PushSubscription.count().where(PushSubscription.endpoint == endpoint)
        await PushSubscription.delete().where(PushSubscription.endpoint == endpoint)
    return int(gone)


# --- the outbox --------------------------------------------------------------------------------------


def encode_payload(payload: PushPayload) -> bytes:
    body = msgspec.json.encode(payload)
    if len(body) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(
            f"push payload ({payload.event}) is {len(body)} bytes; the limit is {MAX_PAYLOAD_BYTES}: "
            "send ids and a short text, and let the app fetch the rest"
        )
    return body


def _require_transaction() -> None:
    if get_engine().current_transaction.get() is None:
        raise RuntimeError("push enqueue must run inside the caller's write_transaction() (outbox rule)")


async def enqueue(
    *,
    payload: PushPayload | Callable[[Lang], PushPayload],
    topic: str,
    urgency: Urgency = "normal",
    ttl_s: int = 24 * 3600,
    deadline: dt.datetime | None = None,
    appointment_id: uuid.UUID | None = None,
    staff_user_id: uuid.UUID | None = None,
) -> int:
    """Queue one message for every subscription of one owner; returns the number of rows written.

    `payload` is a payload or a function of the subscriber's language. Raises PayloadTooLarge (before
    anything is written) when the JSON exceeds 3 KB, and ValueError on a bad topic, urgency or TTL.
    """
    _require_transaction()
    if (appointment_id is None) == (staff_user_id is None):
        raise ValueError("give exactly one owner: appointment_id or staff_user_id")
    if not TOPIC.match(topic):
        raise ValueError(f"push topic must match {TOPIC.pattern}: {topic!r}")
    if urgency not in URGENCIES or not 0 <= ttl_s <= MAX_TTL_S:
        raise ValueError(f"bad urgency {urgency!r} or ttl {ttl_s}")
    build = payload if callable(payload) else (lambda _lang: payload)
    bodies: dict[str, bytes] = {"vi": encode_payload(build("vi"))}  # always checked, subscribers or not
    owner = (
        PushSubscription.appointment_id == appointment_id
        if appointment_id is not None
        else PushSubscription.staff_user_id == staff_user_id
    )
    subs = await PushSubscription.select(PushSubscription.id, PushSubscription.endpoint, PushSubscription.lang).where(
        owner
    )
    now = utcnow()
    limit = now + dt.timedelta(seconds=ttl_s)
    deadline = min(deadline, limit) if deadline else limit
    rows = []
    for sub in subs:
        lang: Lang = "en" if sub["lang"] == "en" else "vi"
        if lang not in bodies:
            bodies[lang] = encode_payload(build(lang))
        rows.append(
            PushMessage(
                subscription_id=sub["id"],
                origin=origin_of(sub["endpoint"])[:255],
                payload=bodies[lang].decode(),
                topic=topic,
                urgency=urgency,
                ttl_s=ttl_s,
                deadline=deadline,
                created_at=now,
                next_attempt_at=now,
            )
        )
    if rows:
        await PushMessage.insert(*rows)
    return len(rows)


async def enqueue_for_appointment(
    appointment_id: uuid.UUID, event: Event, data: AppointmentRef, *, now: dt.datetime | None = None
) -> int:
    """The citizen's notification for an appointment event, in each subscriber's language.

    Call inside the write transaction that records the event. Topic = the appointment, so a push service
    holding an undelivered "confirmed" replaces it with the later "rescheduled".
    """
    delivery = delivery_for(event, data, now or utcnow())
    return await enqueue(
        payload=lambda lang: message_for(event, data, lang),
        topic=topic_for(appointment_id),
        urgency=delivery.urgency,
        ttl_s=delivery.ttl_s,
        deadline=delivery.deadline,
        appointment_id=appointment_id,
    )


async def enqueue_for_staff(
    user_id: uuid.UUID, payload: PushPayload, *, topic: str, urgency: Urgency = "normal", ttl_s: int = 3600
) -> int:
    return await enqueue(payload=payload, topic=topic, urgency=urgency, ttl_s=ttl_s, staff_user_id=user_id)


# --- supervision -------------------------------------------------------------------------------------


async def list_messages(status: str | None, limit: int, before_id: int | None) -> list[MessageOut]:
    query = PushMessage.select().order_by(PushMessage.id, ascending=False).limit(limit)
    if status:
        query = query.where(PushMessage.status == status)
    if before_id:
        query = query.where(PushMessage.id < before_id)
    return [_message_out(row) for row in await query]


def _message_out(row: dict[str, Any]) -> MessageOut:
    try:
        event = msgspec.json.decode(row["payload"]).get("event", "")
    except msgspec.DecodeError:
        event = ""
    return MessageOut(
        id=row["id"],
        status=row["status"],
        subscription_id=row["subscription_id"],
        origin=row["origin"],
        topic=row["topic"],
        urgency=row["urgency"],
        event=event,
        attempts=row["attempts"],
        created_at=row["created_at"],
        deadline=row["deadline"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        last_status=row["last_status"],
        last_error=row["last_error"],
    )
