"""A push service for the tests: real HTTP servers on 127.0.0.1/localhost, one per origin, in a thread.

It checks every request the way a strict push service would — TTL, Urgency, Topic, body size, the VAPID
JWT (ES256 with the `k=` key, aud = its own origin, expiry within 24 h, a real `sub`) — and decrypts the
aes128gcm body with its own RFC 8291/8188 code built on `cryptography` primitives (not pywebpush, not
http_ece), using P-256 subscription keys it generated itself. Tests script its answers per origin.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
URGENCIES = {"very-low", "low", "normal", "high"}


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def decrypt_aes128gcm(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """RFC 8291 §3.4 key derivation + RFC 8188 record decoding."""
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    as_public_raw = body[21 : 21 + idlen]
    if idlen != 65 or rs < 18:
        raise ValueError(f"bad aes128gcm header (idlen {idlen}, rs {rs})")
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_raw)
    ua_public_raw = ua_private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    ikm = _hkdf(ecdh_secret, auth_secret, b"WebPush: info\x00" + ua_public_raw + as_public_raw, 32)
    cek = _hkdf(ikm, salt, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(ikm, salt, b"Content-Encoding: nonce\x00", 12)
    records = body[21 + idlen :]
    plain = b""
    for seq, start in enumerate(range(0, len(records), rs)):
        record_nonce = (int.from_bytes(nonce, "big") ^ seq).to_bytes(12, "big")
        padded = AESGCM(cek).decrypt(record_nonce, records[start : start + rs], None)
        unpadded = padded.rstrip(b"\x00")
        last = start + rs >= len(records)
        if not unpadded or unpadded[-1] != (2 if last else 1):
            raise ValueError("bad record delimiter")
        plain += unpadded[:-1]
    return plain


def verify_vapid(authorization: str, origin: str) -> tuple[str, dict[str, Any]]:
    """Check `vapid t=<jwt>, k=<key>`; returns the token and its claims, or raises ValueError."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError("Authorization scheme is not vapid")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, sig_b64 = token.split(".")
    header = json.loads(b64d(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError(f"alg {header.get('alg')}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
    sig = b64d(sig_b64)
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ValueError("bad JWT signature") from exc
    claims = json.loads(b64d(claims_b64))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    left = claims.get("exp", 0) - time.time()
    if not 0 < left <= 24 * 3600:
        raise ValueError(f"exp {left:.0f} s from now")
    sub = str(claims.get("sub", ""))
    if not re.match(r"^(mailto:[^@]+@[^@]+\.[a-z]{2,}|https://[^/]+\.[^/]+)", sub) or "localhost" in sub:
        raise ValueError(f"sub {sub!r}")
    return token, claims


@dataclass
class Subscription:
    origin: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64e(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def as_json(self, **extra: Any) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64e(self.auth)}, **extra}


@dataclass
class Received:
    origin: str
    endpoint: str
    at: float
    headers: dict[str, str]
    token: str = ""
    payload: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    answered: int | None = None


@dataclass
class Origin:
    origin: str
    script: deque[tuple[int | str, dict[str, str]]] = field(default_factory=deque)  # next answers
    default: int | str = 201  # a status, or "hang" to never answer


class PushReceiver:
    def __init__(self, hosts: tuple[str, ...] = ("127.0.0.1", "127.0.0.1", "localhost")) -> None:
        self.hosts = hosts
        self.origins: list[str] = []
        self._origins: dict[str, Origin] = {}
        self._subs: dict[str, Subscription] = {}
        self.received: list[Received] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="push-receiver", daemon=True)
        self._runner: web.AppRunner | None = None
        self._lock = threading.Lock()
        self._verified: dict[str, str] = {}  # token → origin it was verified for

    # --- control (from the test thread) ---

    def start(self) -> PushReceiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            for o in self._origins.values():
                o.script.clear()
                o.default = 201

    def answer(self, origin: str, *statuses: int | str, headers: dict[str, str] | None = None) -> None:
        """Queue the next answers of an origin (a status, or "hang")."""
        for status in statuses:
            self._origins[origin].script.append((status, headers or {}))

    def set_default(self, origin: str, status: int | str) -> None:
        self._origins[origin].default = status

    def subscription(self, origin: str) -> Subscription:
        path = secrets.token_urlsafe(16)
        sub = Subscription(
            origin, f"{origin}/push/{path}", ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16)
        )
        self._subs[path] = sub
        return sub

    def at(self, origin: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.origin == origin]

    def problems(self) -> list[str]:
        with self._lock:
            return [f"{r.endpoint}: {p}" for r in self.received for p in r.problems]

    def tokens(self, origin: str | None = None) -> set[str]:
        with self._lock:
            return {r.token for r in self.received if r.token and (origin is None or r.origin == origin)}

    # --- the servers ---

    async def _start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/push/{path}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        for host in self.hosts:
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            origin = f"http://{host}:{port}"
            self.origins.append(origin)
            self._origins[origin] = Origin(origin)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        origin = f"http://{request.host}"
        body = await request.read()
        sub = self._subs.get(request.match_info["path"])
        got = Received(origin=origin, endpoint=str(request.url), at=time.time(), headers=dict(request.headers))
        with self._lock:
            self.received.append(got)
        if origin not in self._origins or sub is None:
            got.problems.append("unknown origin or endpoint")
            got.answered = 404
            return web.Response(status=404)
        self._check(request, body, sub, origin, got)
        o = self._origins[origin]
        status, headers = o.script.popleft() if o.script else (o.default, {})
        if status == "hang":
            await asyncio.sleep(3600)  # cancelled when the client goes away or the server stops
        got.answered = int(status)
        return web.Response(status=int(status), headers=headers, text="" if int(status) < 300 else "scripted")

    def _check(self, request: web.Request, body: bytes, sub: Subscription, origin: str, got: Received) -> None:
        h = request.headers
        if not h.get("TTL", "").isdigit():
            got.problems.append(f"TTL {h.get('TTL')!r}")
        if h.get("Urgency") not in URGENCIES:
            got.problems.append(f"Urgency {h.get('Urgency')!r}")
        if not TOPIC.match(h.get("Topic", "")):
            got.problems.append(f"Topic {h.get('Topic')!r}")
        if h.get("Content-Encoding") != "aes128gcm":
            got.problems.append(f"Content-Encoding {h.get('Content-Encoding')!r}")
        if len(body) > 4096:
            got.problems.append(f"body of {len(body)} bytes")
        try:
            token = h.get("Authorization", "").split("t=", 1)[1].split(",", 1)[0].strip()
            if self._verified.get(token) != origin:  # a token is verified once per origin, then trusted
                verify_vapid(h.get("Authorization", ""), origin)
                self._verified[token] = origin
            elif json.loads(b64d(token.split(".")[1]))["exp"] <= time.time():
                raise ValueError("expired token reused")
            got.token = token
        except (ValueError, KeyError, IndexError) as exc:
            got.problems.append(f"VAPID: {exc}")
        try:
            got.payload = json.loads(decrypt_aes128gcm(body, sub.private_key, sub.auth))
        except Exception as exc:
            got.problems.append(f"decrypt: {type(exc).__name__} {exc}")
