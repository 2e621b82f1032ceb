"""Fixtures of the push tests: the receiver, clean push tables, and helpers to queue and deliver."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from backend.db.engine import write_transaction
from backend.push import outbox
from backend.push.delivery import DeliveryWorker, Outcome, PushConfig
from backend.push.schemas import PushPayload, SubscriptionIn
from backend.push.tables import PushAttempt, PushMessage, PushSubscription
from backend.push.vapid import load_keyring
from tests.push.receiver import PushReceiver, Subscription

# Fast retries and short timeouts, so that the whole suite stays quick.
TEST_CONFIG = PushConfig(timeout_s=2.0, backoff_base_s=0.05, lease_s=30.0, poll_s=0.05, batch=200)


@pytest.fixture(scope="session")
def receiver() -> Iterator[PushReceiver]:
    r = PushReceiver().start()
    yield r
    r.stop()


@pytest.fixture(autouse=True)
def _clean_push(client: TestClient[Any], receiver: PushReceiver) -> Iterator[None]:
    async def clean() -> None:
        await PushAttempt.delete(force=True)
        await PushMessage.delete(force=True)
        await PushSubscription.delete(force=True)

    client.blocking_portal.call(clean)
    receiver.reset()
    yield


class Push:
    """What the tests do with the outbox, run on the app's event loop (where the database pool lives)."""

    def __init__(self, client: TestClient[Any], receiver: PushReceiver) -> None:
        self.client = client
        self.receiver = receiver

    def run(self, fn: Callable[[], Any]) -> Any:
        return self.client.blocking_portal.call(fn)

    def subscribe(
        self, origin: str, owner: uuid.UUID | None = None, lang: str = "vi"
    ) -> tuple[uuid.UUID, Subscription]:
        owner = owner or uuid.uuid4()
        sub = self.receiver.subscription(origin)
        body = msgspec.convert(sub.as_json(lang=lang), SubscriptionIn)
        self.run(lambda: outbox.subscribe_for_appointment(owner, body))
        return owner, sub

    def subscribe_many(self, origin: str, owner: uuid.UUID, n: int) -> None:
        """n browsers following one appointment, written in one bulk insert (set-up speed only)."""
        key_id = load_keyring().current.key_id
        rows = []
        for _ in range(n):
            sub = self.receiver.subscription(origin)
            rows.append(
                PushSubscription(
                    id=uuid.uuid4(),
                    owner_key=outbox._owner_key("appointment", owner, sub.endpoint),
                    endpoint=sub.endpoint,
                    p256dh=sub.p256dh,
                    auth=sub.as_json()["keys"]["auth"],
                    key_id=key_id,
                    appointment_id=owner,
                )
            )
        self.run(lambda: PushSubscription.insert(*rows).run())

    def enqueue(self, owner: uuid.UUID, text: str = "x", **options: Any) -> int:
        payload = PushPayload(event="test", title="Thử", body=text, tag="t")
        options.setdefault("topic", owner.hex)

        async def go() -> int:
            async with write_transaction():
                return await outbox.enqueue(payload=payload, appointment_id=owner, **options)

        n: int = self.run(go)
        return n

    def deliver(self, config: PushConfig = TEST_CONFIG, **overrides: Any) -> list[Outcome]:
        """One claim → send → record round."""
        config = replace(config, **overrides)

        async def go() -> list[Outcome]:
            async with DeliveryWorker(config) as worker:
                return await worker.deliver_batch()

        result: list[Outcome] = self.run(go)
        return result

    def deliver_until(self, done: Callable[[], bool], timeout: float = 10, **overrides: Any) -> None:
        """Rounds until `done()` (retries become due after their backoff)."""
        end = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < end, "push delivery did not settle in time"
            if not self.deliver(**overrides):
                time.sleep(0.02)

    def messages(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.run(lambda: PushMessage.select().order_by(PushMessage.id).run())
        return rows

    def attempts(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.run(
            lambda: PushAttempt.select().order_by(PushAttempt._meta.primary_key).run()
        )
        return rows

    def subscriptions(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.run(lambda: PushSubscription.select().run())
        return rows


@pytest.fixture
def push(client: TestClient[Any], receiver: PushReceiver) -> Push:
    return Push(client, receiver)
