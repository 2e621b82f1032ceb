"""Wire schemas of the push domain (msgspec): subscriptions in, keys and delivery status out, the payload."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec

from backend.settings import get_settings

Lang = Literal["vi", "en"]
Urgency = Literal["very-low", "low", "normal", "high"]
MessageStatus = Literal["pending", "sending", "sent", "failed", "expired"]

B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
# Plain http is accepted only for the test suite's own push receiver.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_PAYLOAD_BYTES = 3072


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def endpoint_problem(endpoint: str) -> str | None:
    """Why this endpoint cannot be a push service (None when it can)."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return "endpoint is not a valid URL"
    if not host or parts.username or parts.password:
        return "endpoint must be an absolute URL without credentials"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and host in LOOPBACK_HOSTS and get_settings().env in ("test", "development"):
        return None
    return "endpoint must use https://"


class SubscriptionKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: Annotated[str, msgspec.Meta(max_length=100, pattern=B64URL)]
    auth: Annotated[str, msgspec.Meta(max_length=32, pattern=B64URL)]

    def __post_init__(self) -> None:
        try:
            point, secret = b64url_decode(self.p256dh), b64url_decode(self.auth)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("keys must be base64url") from exc
        if len(point) != 65 or point[0] != 4:
            raise ValueError("keys.p256dh must be an uncompressed P-256 point (65 bytes)")
        if len(secret) != 16:
            raise ValueError("keys.auth must be 16 bytes")


class SubscriptionIn(msgspec.Struct, forbid_unknown_fields=True):
    """`PushSubscription.toJSON()` as the browser gives it, plus language, VAPID key id and old endpoint.

    `old_endpoint` comes from the service worker's `pushsubscriptionchange` event: the rows of the old
    endpoint move to the new one, so nothing the browser followed is lost.
    """

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=2048)]
    keys: SubscriptionKeys
    expirationTime: int | float | None = None  # the browser's own field name
    lang: Lang = "vi"
    old_endpoint: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    key_id: Annotated[str, msgspec.Meta(max_length=32)] | None = None  # from GET /api/push/vapid-key

    def __post_init__(self) -> None:
        problem = endpoint_problem(self.endpoint)
        if problem:
            raise ValueError(problem)


class UnsubscribeIn(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=2048)]


class SubscriptionOut(msgspec.Struct):
    id: uuid.UUID
    key_id: str
    lang: Lang
    created_at: dt.datetime


class VapidKeyOut(msgspec.Struct):
    public_key: str  # base64url of the uncompressed P-256 point: PushManager.subscribe's applicationServerKey
    key_id: str  # a subscription made with another key id must subscribe again


class PushPayload(msgspec.Struct):
    """What the service worker receives. Ids, a title, a short text and a link: never personal data."""

    event: str
    title: str
    body: str
    url: str = "/"
    tag: str = ""  # the notification tag: a newer message about the same appointment replaces the older
    appointment_id: str | None = None
    reference: str | None = None
    dossier_code: str | None = None
    lang: Lang = "vi"
    v: int = 1


class MessageOut(msgspec.Struct):
    id: int
    status: MessageStatus
    subscription_id: uuid.UUID
    origin: str
    topic: str
    urgency: Urgency
    event: str
    attempts: int
    created_at: dt.datetime
    deadline: dt.datetime
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    last_status: int | None
    last_error: str
