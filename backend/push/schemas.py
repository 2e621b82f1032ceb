"""Wire schemas of the push domain (msgspec): subscriptions in, keys and delivery status out, the payload.

A subscription is checked at the edge, so that the worker never meets one it cannot use:

- `keys.p256dh` is an uncompressed point ON the P-256 curve (65 bytes, 0x04 …), checked with `cryptography`,
  and `keys.auth` is 16 bytes (RFC 8291); anything else would fail every encryption, every time;
- `endpoint` is an absolute https URL without credentials or white space. Plain http is accepted only for
  loopback hosts (127.0.0.0/8, ::1, localhost) and only when GANDAN_ENV is test or development: the test
  suite's push receiver and a developer's laptop. In production the host may not be a loopback, private,
  link-local or otherwise non-public IP address, nor "localhost": the worker POSTs to the endpoint, and a
  subscription must not turn it into a client of the servers next to it. (A public name that resolves to a
  private address is not caught here; firewall the worker's outgoing traffic for that.)
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import uuid
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from backend.core.errors import InvalidInput
from backend.core.text import Input
from backend.settings import get_settings

Lang = Literal["vi", "en"]
Urgency = Literal["very-low", "low", "normal", "high"]
MessageStatus = Literal["pending", "sending", "sent", "failed", "expired"]

B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
# Plain http is accepted only for these hosts, and only in test and development (the test push receiver).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_PAYLOAD_BYTES = 3072


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_internal(host: str) -> bool:
    """A host no public push service has: localhost, or an IP address that is not a global one."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False  # a name


def endpoint_problem(endpoint: str) -> str | None:
    """Why this endpoint cannot be a push service (None when it can). The rules are in the module's docstring."""
    if any(ch.isspace() for ch in endpoint):
        return "endpoint must not contain white space"
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return "endpoint is not a valid URL"
    if not host or parts.username is not None or parts.password is not None:
        return "endpoint must be an absolute URL without credentials"
    env = get_settings().env
    if env in ("test", "development") and _is_loopback(host):
        return None if parts.scheme in ("https", "http") else "endpoint must use https://"
    if parts.scheme != "https":
        return "endpoint must use https://"
    if _is_internal(host):
        return "endpoint must be a public push service, not a local or private address"
    return None


def p256dh_problem(point: bytes) -> str | None:
    """Why these bytes are not a browser's P-256 public key (None when they are)."""
    if len(point) != 65 or point[0] != 4:
        return "keys.p256dh must be an uncompressed P-256 point (65 bytes starting with 0x04)"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return "keys.p256dh is not a point on the P-256 curve"
    return None


class SubscriptionKeys(Input):
    p256dh: Annotated[str, msgspec.Meta(max_length=100, pattern=B64URL)]
    auth: Annotated[str, msgspec.Meta(max_length=32, pattern=B64URL)]

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            point, secret = b64url_decode(self.p256dh), b64url_decode(self.auth)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput("keys must be base64url", "Khóa thông báo không hợp lệ.") from exc
        problem = p256dh_problem(point)
        if problem:
            raise InvalidInput(problem, "Khóa thông báo của trình duyệt không hợp lệ.")
        if len(secret) != 16:
            raise InvalidInput("keys.auth must be 16 bytes", "Khóa xác thực thông báo của trình duyệt không hợp lệ.")


class SubscriptionIn(Input):
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
        super().__post_init__()
        problem = endpoint_problem(self.endpoint)
        if problem:
            raise InvalidInput(problem, "Địa chỉ nhận thông báo của trình duyệt không hợp lệ.")


class UnsubscribeIn(Input):
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
