"""VAPID (RFC 8292): the server's key pair, its storage, and one cached signature per push-service origin.

Keys come from VAPID_PRIVATE_KEY (base64url of the 32-byte scalar, as `web-push generate-vapid-keys`
prints it, or PEM) or from var/vapid.json, created with mode 0600 on first use. Rotation keeps the old
keys so that subscriptions made with them keep working until the PWA subscribes again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from backend.push.schemas import b64url_decode, b64url_encode
from backend.settings import Settings, get_settings

JWT_LIFETIME_S = 12 * 3600  # RFC 8292 allows up to 24 h
JWT_RENEW_BEFORE_S = 3600  # renew an hour before expiry: never send a token about to lapse in flight
_JWT_HEADER = b64url_encode(b'{"typ":"JWT","alg":"ES256"}')
_MAILTO = re.compile(r"^mailto:[^@\s/]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


@dataclass(frozen=True)
class VapidKey:
    key_id: str
    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # base64url, uncompressed point

    @classmethod
    def from_private(cls, private_key: ec.EllipticCurvePrivateKey) -> VapidKey:
        point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(b64url_encode(hashlib.sha256(point).digest())[:16], private_key, b64url_encode(point))

    def private_text(self) -> str:
        scalar = self.private_key.private_numbers().private_value.to_bytes(32, "big")
        return b64url_encode(scalar)


@dataclass(frozen=True)
class Keyring:
    current: VapidKey
    older: tuple[VapidKey, ...] = ()
    source: str = "file"  # file | environment

    def get(self, key_id: str) -> VapidKey | None:
        for key in (self.current, *self.older):
            if key.key_id == key_id:
                return key
        return None


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the VAPID key must be a P-256 EC key")
        return key
    raw = b64url_decode(text)
    if len(raw) != 32:
        raise ValueError("VAPID_PRIVATE_KEY must be base64url of 32 bytes (or PEM)")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def validate_subject(subject: str) -> str:
    """A contact the push service can reach: mailto: with a real domain, or an https: URL not on localhost."""
    if _MAILTO.match(subject):
        domain = subject.rsplit("@", 1)[1].lower()
        if domain not in ("localhost", "localhost.localdomain"):
            return subject
    parts = urlsplit(subject)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and "." in host and host not in ("localhost",) and not host.startswith("127."):
        return subject
    raise ValueError(f"VAPID_SUBJECT must be mailto:someone@real.domain or an https URL, not {subject!r}")


# --- storage -----------------------------------------------------------------------------------------


def keys_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).var_dir / "vapid.json"


def _from_environment(settings: Settings) -> Keyring:
    key = VapidKey.from_private(parse_private_key(settings.vapid_private_key))
    if settings.vapid_public_key and settings.vapid_public_key.rstrip("=") != key.public_key:
        raise ValueError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")
    return Keyring(current=key, source="environment")


def _read_file(path: Path) -> Keyring:
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = [VapidKey.from_private(parse_private_key(k["private_key"])) for k in data["keys"]]
    return Keyring(current=keys[0], older=tuple(keys[1:]))


def _write_file(path: Path, keyring: Keyring, *, replace: bool) -> None:
    """Write atomically with mode 0600. Without `replace`, a file another process made first wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    body = {
        "keys": [
            {"key_id": k.key_id, "public_key": k.public_key, "private_key": k.private_text(), "saved_at": now}
            for k in (keyring.current, *keyring.older)
        ]
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-", suffix=".json")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # fails if another process created the file meanwhile
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _file_stamp(path: Path) -> tuple[object, ...]:
    info = path.stat()
    return ("file", str(path), info.st_ino, info.st_mtime_ns)


_keyring_cache: tuple[tuple[object, ...], Keyring] | None = None


def load_keyring(settings: Settings | None = None) -> Keyring:
    """The keys in use: from the environment, else var/vapid.json (created on first use).

    Cached per file modification time, so a `gandan vapid --rotate` reaches running processes.
    """
    global _keyring_cache
    settings = settings or get_settings()
    path = keys_path(settings)
    if settings.vapid_private_key:
        stamp: tuple[object, ...] = ("env", settings.vapid_private_key, settings.vapid_public_key)
    else:
        try:
            stamp = _file_stamp(path)
        except FileNotFoundError:
            _write_file(path, Keyring(VapidKey.from_private(ec.generate_private_key(ec.SECP256R1()))), replace=False)
            stamp = _file_stamp(path)
    if _keyring_cache is not None and _keyring_cache[0] == stamp:
        return _keyring_cache[1]
    keyring = _from_environment(settings) if settings.vapid_private_key else _read_file(path)
    _keyring_cache = (stamp, keyring)
    return keyring


def rotate_keys(settings: Settings | None = None, *, forget_old: bool = False) -> Keyring:
    """Make a new current key. Old keys stay (to sign for old subscriptions) unless `forget_old`."""
    settings = settings or get_settings()
    if settings.vapid_private_key:
        raise ValueError("the VAPID keys come from the environment (VAPID_PRIVATE_KEY); change them there")
    old = load_keyring(settings)
    new = VapidKey.from_private(ec.generate_private_key(ec.SECP256R1()))
    keyring = Keyring(current=new, older=() if forget_old else (old.current, *old.older))
    _write_file(keys_path(settings), keyring, replace=True)
    return load_keyring(settings)


# --- signing -----------------------------------------------------------------------------------------


def origin_of(endpoint: str) -> str:
    """The audience of a VAPID token: the push resource's origin, scheme://host[:port]."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def sign_jwt(key: VapidKey, claims: dict[str, object]) -> str:
    body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{_JWT_HEADER}.{body}".encode()
    r, s = decode_dss_signature(key.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return f"{_JWT_HEADER}.{body}.{b64url_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@dataclass
class VapidHeaders:
    """`Authorization: vapid t=…, k=…` per (origin, key), signed once and reused until an hour before expiry.

    Each origin gets its own claims dict built here, so no audience can leak from one origin to another
    (pywebpush writes `aud` and `exp` into the dict its caller passes and reuses).
    """

    subject: str
    lifetime_s: int = JWT_LIFETIME_S
    signatures: int = 0
    _cache: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_subject(self.subject)

    def header(self, origin: str, key: VapidKey) -> str:
        now = time.time()
        cached = self._cache.get((origin, key.key_id))
        if cached is not None and cached[1] - now > JWT_RENEW_BEFORE_S:
            return cached[0]
        exp = int(now) + self.lifetime_s
        token = sign_jwt(key, {"aud": origin, "exp": exp, "sub": self.subject})
        self.signatures += 1
        value = f"vapid t={token}, k={key.public_key}"
        self._cache[(origin, key.key_id)] = (value, exp)
        return value

    def forget(self, origin: str) -> None:
        """After a 401/403 the next message signs afresh (the service may have rejected this token)."""
        for cache_key in [k for k in self._cache if k[0] == origin]:
            del self._cache[cache_key]
