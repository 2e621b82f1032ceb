"""Push delivery: claim outbox rows, encrypt, send, record — the worker side of the outbox.

Claim: PostgreSQL takes rows with `FOR UPDATE SKIP LOCKED`; SQLite takes them with one
`UPDATE … RETURNING` inside BEGIN IMMEDIATE (the write lock serialises claimers). Both set a lease:
status `sending`, `lease_owner`, and `next_attempt_at = lease_until`, so a row whose worker died becomes
claimable again when its lease runs out — once; a second lost lease fails it (a poison message must not
kill workers forever). Two workers never hold the same row: a claim only takes rows whose
`next_attempt_at` has passed, and a live lease keeps it in the future.

Sending: one aiohttp session, an explicit total timeout, a semaphore per push-service origin, aes128gcm
by http_ece with a fresh ephemeral key per message, and one VAPID signature per origin and key reused
until an hour before it expires. Results are written in batches (one transaction per ~20 ms), with one
push_attempt row per HTTP request.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import logging
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

from backend.db.columns import utcnow
from backend.db.engine import is_sqlite, write_transaction
from backend.push.schemas import b64url_decode
from backend.push.tables import PushMessage
from backend.push.vapid import Keyring, VapidHeaders, load_keyring, origin_of
from backend.settings import Settings, get_settings

log = logging.getLogger("gandan.push")

_RETURNING = "id, subscription_id, payload, topic, urgency, ttl_s, created_at, deadline, attempts, reclaims, origin"

SQLITE_CLAIM = f"""
UPDATE push_message
   SET status = 'sending', lease_owner = {{}}, lease_until = {{}}, next_attempt_at = {{}},
       attempts = attempts + 1, reclaims = reclaims + (CASE WHEN status = 'sending' THEN 1 ELSE 0 END)
 WHERE id IN (SELECT id FROM push_message WHERE next_attempt_at <= {{}} ORDER BY next_attempt_at LIMIT {{}})
RETURNING {_RETURNING}
"""

POSTGRES_CLAIM = f"""
UPDATE push_message AS m
   SET status = 'sending', lease_owner = {{}}, lease_until = {{}}, next_attempt_at = {{}},
       attempts = m.attempts + 1, reclaims = m.reclaims + (CASE WHEN m.status = 'sending' THEN 1 ELSE 0 END)
  FROM (SELECT id FROM push_message WHERE next_attempt_at <= {{}}
         ORDER BY next_attempt_at LIMIT {{}} FOR UPDATE SKIP LOCKED) AS c
 WHERE m.id = c.id
RETURNING {", ".join("m." + c.strip() for c in _RETURNING.split(","))}
"""


@dataclass(frozen=True)
class PushConfig:
    timeout_s: float = 10.0
    concurrency_per_origin: int = 50
    batch: int = 200
    lease_s: float = 60.0
    poll_s: float = 1.0
    backoff_base_s: float = 10.0
    backoff_max_s: float = 1800.0
    max_attempts: int = 12
    default_retry_after_s: float = 60.0
    subject: str = "mailto:hotro@gandan.dongthap.gov.vn"

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> PushConfig:
        s = settings or get_settings()
        config = cls(
            timeout_s=s.push_timeout_s,
            concurrency_per_origin=s.push_concurrency_per_origin,
            batch=s.push_batch,
            lease_s=s.push_lease_s,
            poll_s=s.push_poll_s,
            backoff_base_s=s.push_backoff_base_s,
            max_attempts=s.push_max_attempts,
            subject=s.vapid_subject,
        )
        return replace(config, **overrides)


@dataclass
class Claimed:
    """An outbox row leased to this worker, with its subscription's current endpoint and keys."""

    id: int
    subscription_id: uuid.UUID
    origin: str
    payload: bytes
    topic: str
    urgency: str
    ttl_s: int
    created_at: dt.datetime
    deadline: dt.datetime
    attempts: int
    reclaims: int
    lease_until: dt.datetime
    endpoint: str | None = None
    p256dh: bytes = b""
    auth: bytes = b""
    key_id: str = ""


@dataclass
class Outcome:
    """What became of one claimed row. `status` "gone" means 404/410: prune if the endpoint is unchanged."""

    message: Claimed
    status: str  # sent | failed | expired | pending | gone
    next_attempt_at: dt.datetime | None = None
    last_status: int | None = None
    error: str = ""
    refund: bool = False  # nothing was sent: give back the attempt counted at claim
    attempt: tuple[dt.datetime, int | None, str, int] | None = None  # at, HTTP status, error, ms
    endpoint: str = ""  # the endpoint the request went to
    pause_until: dt.datetime | None = None  # 429: hold the origin's other rows back too


# --- database side -----------------------------------------------------------------------------------


def _as_dt(value: Any) -> dt.datetime:
    at: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _marks(n: int) -> str:
    return ", ".join(["{}"] * n)


async def claim(worker_id: str, limit: int, lease_s: float, now: dt.datetime | None = None) -> list[Claimed]:
    """Lease up to `limit` due rows to this worker and load their subscriptions, in one transaction."""
    now = now or utcnow()
    lease_until = now + dt.timedelta(seconds=lease_s)
    sql = SQLITE_CLAIM if is_sqlite() else POSTGRES_CLAIM
    async with write_transaction():
        rows = await PushMessage.raw(sql, worker_id, lease_until, lease_until, now, limit)
        if not rows:
            return []
        sub_ids = list({_as_uuid(r["subscription_id"]) for r in rows})
        subs = await PushMessage.raw(
            f"SELECT id, endpoint, p256dh, auth, key_id FROM push_subscription WHERE id IN ({_marks(len(sub_ids))})",
            *sub_ids,
        )
    by_id = {_as_uuid(s["id"]): s for s in subs}
    claimed = []
    for r in rows:
        message = Claimed(
            id=int(r["id"]),
            subscription_id=_as_uuid(r["subscription_id"]),
            origin=r["origin"],
            payload=r["payload"].encode(),
            topic=r["topic"],
            urgency=r["urgency"],
            ttl_s=int(r["ttl_s"]),
            created_at=_as_dt(r["created_at"]),
            deadline=_as_dt(r["deadline"]),
            attempts=int(r["attempts"]),
            reclaims=int(r["reclaims"]),
            lease_until=lease_until,
        )
        sub = by_id.get(message.subscription_id)
        if sub is not None:
            message.endpoint = sub["endpoint"]
            message.p256dh = b64url_decode(sub["p256dh"])
            message.auth = b64url_decode(sub["auth"])
            message.key_id = sub["key_id"]
        claimed.append(message)
    return sorted(claimed, key=lambda m: m.id)


async def record(outcomes: Sequence[Outcome], worker_id: str) -> None:
    """Write the outcomes of one batch and its attempt log in one transaction."""
    if not outcomes:
        return
    now = utcnow()
    async with write_transaction():
        gone = [o for o in outcomes if o.status == "gone"]
        for endpoint in {o.endpoint for o in gone}:
            # Only rows still holding the endpoint that answered 404/410 are deleted: a row that moved to
            # a new endpoint meanwhile (pushsubscriptionchange) survives, and its message goes there.
            pruned = await PushMessage.raw("DELETE FROM push_subscription WHERE endpoint = {} RETURNING id", endpoint)
            pruned_ids = {_as_uuid(p["id"]) for p in pruned}
            mine = [o for o in gone if o.endpoint == endpoint]
            others = list({o.message.subscription_id for o in mine} - pruned_ids)
            moved = (
                {
                    _as_uuid(r["id"])
                    for r in await PushMessage.raw(
                        f"SELECT id FROM push_subscription WHERE id IN ({_marks(len(others))})", *others
                    )
                }
                if others
                else set()
            )
            for o in mine:
                if o.message.subscription_id in moved:
                    o.status, o.next_attempt_at = "pending", now  # goes to the endpoint's successor
                else:
                    o.status, o.next_attempt_at = "failed", None
                    o.error = f"{o.last_status} from the push service: subscription removed"

        sent_by_code: dict[int | None, list[int]] = {}
        for o in outcomes:
            if o.status == "sent":
                sent_by_code.setdefault(o.last_status, []).append(o.message.id)
        for code, ids in sent_by_code.items():
            for chunk in _chunks(ids, 500):
                # A success is final whoever holds the lease now: the message did reach the push service.
                await PushMessage.raw(
                    "UPDATE push_message SET status = 'sent', next_attempt_at = NULL, lease_until = NULL, "
                    "lease_owner = '', last_status = {}, last_error = '', sent_at = {} "
                    f"WHERE id IN ({_marks(len(chunk))})",
                    code,
                    now,
                    *chunk,
                )
        for o in outcomes:
            if o.status == "sent":
                continue
            # Anything else only if we still hold the lease; otherwise another worker owns the row now.
            await PushMessage.raw(
                "UPDATE push_message SET status = {}, next_attempt_at = {}, lease_until = NULL, lease_owner = '', "
                "last_status = COALESCE({}, last_status), last_error = {}, attempts = attempts - {} "
                "WHERE id = {} AND lease_owner = {} AND status = 'sending'",
                o.status,
                o.next_attempt_at if o.status == "pending" else None,
                o.last_status,
                o.error[:300],
                1 if o.refund else 0,
                o.message.id,
                worker_id,
            )
        for o in outcomes:
            if o.pause_until is not None:
                await PushMessage.raw(
                    "UPDATE push_message SET next_attempt_at = {} "
                    "WHERE origin = {} AND status = 'pending' AND next_attempt_at < {}",
                    o.pause_until,
                    o.message.origin,
                    o.pause_until,
                )
        attempts = [(o.message.id, *o.attempt, o.message.origin) for o in outcomes if o.attempt is not None]
        for chunk in _chunks(attempts, 400):
            await PushMessage.raw(
                "INSERT INTO push_attempt (message_id, at, status_code, error, duration_ms, origin) VALUES "
                + ", ".join(["({}, {}, {}, {}, {}, {})"] * len(chunk)),
                *[value for row in chunk for value in row],
            )


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- HTTP side ---------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: dt.datetime, default_s: float) -> dt.datetime:
    """Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); a bad or missing one → default."""
    if value:
        value = value.strip()
        if value.isdigit():
            return now + dt.timedelta(seconds=int(value))
        with contextlib.suppress(TypeError, ValueError, IndexError):
            at = email.utils.parsedate_to_datetime(value)
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
            return max(at, now)
    return now + dt.timedelta(seconds=default_s)


def encrypt(payload: bytes, p256dh: bytes, auth: bytes) -> bytes:
    """RFC 8291 aes128gcm body; a new ephemeral ECDH key for every message, as the RFC requires."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(payload, private_key=ephemeral, dh=p256dh, auth_secret=auth, version="aes128gcm")
    return body


@dataclass
class PushSender:
    """Sends claimed rows; one instance per worker process, owning the HTTP session and per-origin state."""

    config: PushConfig
    keyring: Keyring
    vapid: VapidHeaders = field(init=False)
    session: aiohttp.ClientSession | None = None
    _slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _paused: dict[str, dt.datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.vapid = VapidHeaders(self.config.subject)  # validates the subject: fails at start, not per send

    async def __aenter__(self) -> PushSender:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300),
            timeout=aiohttp.ClientTimeout(total=self.config.timeout_s),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()

    def paused_until(self, origin: str, now: dt.datetime) -> dt.datetime | None:
        until = self._paused.get(origin)
        return until if until is not None and until > now else None

    def precheck(self, m: Claimed, now: dt.datetime) -> Outcome | None:
        """Rows that must not be sent at all: lost twice, past their deadline, unsubscribed, stale key."""
        if m.reclaims > 1:
            return Outcome(m, "failed", error="a worker died twice while sending it; not retried again")
        if m.deadline <= now:
            return Outcome(m, "expired", error="deadline passed before delivery")
        if m.attempts > self.config.max_attempts:
            return Outcome(m, "failed", error=f"gave up after {m.attempts - 1} attempts")
        if m.endpoint is None:
            return Outcome(m, "failed", error="subscription removed")
        if self.keyring.get(m.key_id) is None:
            return Outcome(m, "failed", error="subscribed with an unknown VAPID key; the browser must subscribe again")
        return None

    def _release(self, m: Claimed, at: dt.datetime, why: str) -> Outcome:
        if at >= m.deadline:
            return Outcome(m, "expired", error=f"{why}; deadline reached")
        return Outcome(m, "pending", next_attempt_at=at, error=why, refund=True)

    async def send(self, m: Claimed) -> Outcome:
        now = utcnow()
        early = self.precheck(m, now)
        if early is not None:
            return early
        assert m.endpoint is not None and self.session is not None
        origin = origin_of(m.endpoint)
        slots = self._slots.get(origin)
        if slots is None:
            slots = self._slots[origin] = asyncio.Semaphore(self.config.concurrency_per_origin)
        async with slots:
            now = utcnow()
            paused = self.paused_until(origin, now)
            if paused is not None:
                return self._release(m, paused, f"{origin} paused after 429")
            if (m.lease_until - now).total_seconds() < self.config.timeout_s + 1:
                # Waited too long for a slot: another worker may take the row before we could finish.
                return self._release(m, now, "lease too short to send")
            ttl = int((m.created_at + dt.timedelta(seconds=m.ttl_s) - now).total_seconds())
            if ttl <= 0:
                return Outcome(m, "expired", error="TTL elapsed before delivery")
            key = self.keyring.get(m.key_id)
            assert key is not None
            try:
                body = encrypt(m.payload, m.p256dh, m.auth)
            except ValueError as exc:
                # Keys no browser made (stored before the edge checked them): no retry can ever succeed.
                return Outcome(m, "failed", error=f"the subscription's keys are unusable: {exc}"[:300], refund=True)
            headers = {
                "Authorization": self.vapid.header(origin, key),
                "TTL": str(ttl),
                "Urgency": m.urgency,
                "Topic": m.topic,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
            }
            started = time.perf_counter()
            status: int | None = None
            error, retry_after = "", None
            try:
                async with self.session.post(m.endpoint, data=body, headers=headers, allow_redirects=False) as resp:
                    status = resp.status
                    retry_after = resp.headers.get("Retry-After")
                    if status >= 300:
                        error = (await resp.content.read(300)).decode("utf-8", "replace").strip()
            except TimeoutError:
                error = f"no answer within {self.config.timeout_s:g} s"
            except aiohttp.ClientError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
        ms = int((time.perf_counter() - started) * 1000)
        outcome = self._judge(m, origin, status, error, retry_after, utcnow())
        outcome.attempt = (now, status, error[:300], ms)
        outcome.endpoint = m.endpoint
        return outcome

    def _judge(
        self, m: Claimed, origin: str, status: int | None, error: str, retry_after: str | None, now: dt.datetime
    ) -> Outcome:
        if status is not None and 200 <= status < 300:
            return Outcome(m, "sent", last_status=status)
        if status in (404, 410):
            return Outcome(m, "gone", last_status=status, error=f"{status} from the push service")
        if status == 429:
            until = parse_retry_after(retry_after, now, self.config.default_retry_after_s)
            self._paused[origin] = max(until, self._paused.get(origin, until))
            log.warning("push origin paused", extra={"fields": {"origin": origin, "until": until.isoformat()}})
            outcome = self._release(m, until, "429 Too Many Requests")
            outcome.refund, outcome.last_status, outcome.pause_until = False, 429, until
            return outcome
        if status is None or status >= 500:
            delay = min(self.config.backoff_max_s, self.config.backoff_base_s * 2 ** max(0, m.attempts - 1))
            at = now + dt.timedelta(seconds=delay * random.uniform(0.5, 1.5))
            why = error or f"{status} from the push service"
            if at >= m.deadline:
                return Outcome(m, "expired", last_status=status, error=f"{why}; deadline reached")
            return Outcome(m, "pending", next_attempt_at=at, last_status=status, error=why)
        if status in (401, 403):
            self.vapid.forget(origin)  # the next message signs afresh
        # 400, 413 and every other answer: this message will never be accepted as it is.
        return Outcome(m, "failed", last_status=status, error=error or f"{status} from the push service")


# --- the worker loop ---------------------------------------------------------------------------------


class DeliveryWorker:
    """Claims while it has room, sends concurrently, and writes results every ~20 ms.

    `deliver_batch()` does one claim → send → record round (tests, tools); `run()` is the pipelined loop
    of `gandan worker`: new rows are claimed while earlier ones are still on the wire, so one slow origin
    never holds up the others.
    """

    FLUSH_EVERY_S = 0.02

    def __init__(self, config: PushConfig | None = None, *, worker_id: str | None = None) -> None:
        self.config = config or PushConfig.from_settings()
        self.worker_id = worker_id or uuid.uuid4().hex
        self.sender = PushSender(self.config, load_keyring())
        self._in_flight: dict[int, Claimed] = {}
        self._results: list[Outcome] = []
        self._room = asyncio.Event()

    async def __aenter__(self) -> DeliveryWorker:
        await self.sender.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.sender.__aexit__(*exc)

    async def deliver_batch(self, limit: int | None = None) -> list[Outcome]:
        claimed = await claim(self.worker_id, limit or self.config.batch, self.config.lease_s)
        outcomes = list(await asyncio.gather(*(self.sender.send(m) for m in claimed)))
        await record(outcomes, self.worker_id)
        return outcomes

    async def run(self, stop: asyncio.Event) -> None:
        max_in_flight = 2 * self.config.batch
        flushing = asyncio.Event()  # our own: the caller's `stop` also stops its other tasks
        flusher = asyncio.create_task(self._flush_loop(flushing))
        tasks: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                room = max_in_flight - len(self._in_flight)
                got = 0
                if room >= min(self.config.batch, max_in_flight) // 4 or not self._in_flight:
                    try:
                        claimed = await claim(self.worker_id, min(room, self.config.batch), self.config.lease_s)
                    except Exception:
                        log.exception("push claim failed; will retry")
                        claimed = []
                    got = len(claimed)
                    for m in claimed:
                        if m.id in self._in_flight:  # our own lease ran out and we took it again
                            self._in_flight[m.id].lease_until = m.lease_until
                            continue
                        self._in_flight[m.id] = m
                        task = asyncio.create_task(self._deliver(m))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                if got and got == min(room, self.config.batch):
                    await asyncio.sleep(0)  # more are probably due: claim again at once
                    continue
                self._room.clear()
                wait_for_room = asyncio.create_task(self._room.wait())
                wait_for_stop = asyncio.create_task(stop.wait())
                timeout = self.config.poll_s if not got else min(self.config.poll_s, 0.05)
                await asyncio.wait({wait_for_room, wait_for_stop}, timeout=timeout, return_when="FIRST_COMPLETED")
                wait_for_room.cancel()
                wait_for_stop.cancel()
        finally:
            if tasks:  # let requests on the wire finish; cancelled ones keep their lease and are retried
                _, pending = await asyncio.wait(tasks, timeout=self.config.timeout_s + 1)
                for task in pending:
                    task.cancel()
            flushing.set()
            await flusher
            await self._flush()

    async def _deliver(self, m: Claimed) -> None:
        try:
            outcome = await self.sender.send(m)
        except Exception as exc:  # a bug must not lose the row: back to pending soon
            log.exception("push send crashed")
            outcome = Outcome(m, "pending", next_attempt_at=utcnow() + dt.timedelta(seconds=30), error=repr(exc)[:300])
        self._results.append(outcome)

    async def _flush(self) -> None:
        results, self._results = self._results, []
        if not results:
            return
        try:
            await record(results, self.worker_id)
        except Exception:
            log.exception("recording push results failed; will retry")
            self._results[:0] = results
            return
        for o in results:
            current = self._in_flight.get(o.message.id)
            if current is o.message:
                del self._in_flight[o.message.id]
        self._room.set()

    async def _flush_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.FLUSH_EVERY_S)
            await self._flush()


async def run_push_delivery(stop: asyncio.Event) -> None:
    """The worker process's push task: restarts the loop after an unexpected error, stops with `stop`."""
    while not stop.is_set():
        try:
            async with DeliveryWorker() as worker:
                log.info("push delivery started", extra={"fields": {"worker_id": worker.worker_id}})
                await worker.run(stop)
        except ValueError as exc:  # bad configuration (VAPID subject or keys): say so and stay down
            log.error("push delivery disabled: %s", exc)
            return
        except Exception:
            log.exception("push delivery failed; restarting in 5 s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5)
