"""Delivery against the test push service: headers, VAPID, encryption, and every kind of answer."""

from __future__ import annotations

import datetime as dt
import functools
import uuid

import msgspec

from backend.db.columns import utcnow
from backend.push import outbox
from backend.push.delivery import DeliveryWorker, claim, parse_retry_after, record
from backend.push.schemas import SubscriptionIn
from tests.conftest import Travel
from tests.push.conftest import TEST_CONFIG, Push


def test_a_batch_to_three_origins_carries_each_its_own_audience(push: Push) -> None:
    """Regression for pywebpush's shared claims dict: every origin must see aud = itself."""
    owners = []
    for origin in push.receiver.origins:
        for _ in range(3):
            owner, _sub = push.subscribe(origin, lang="vi")
            push.enqueue(owner, text=f"to {origin}", urgency="high", ttl_s=600)
            owners.append(owner)
    outcomes = push.deliver()
    assert [o.status for o in outcomes] == ["sent"] * 9
    assert push.receiver.problems() == []  # aud, exp, sub, signature, TTL, Urgency, Topic, decryption
    for origin in push.receiver.origins:
        got = push.receiver.at(origin)
        assert len(got) == 3
        assert {r.payload["body"] for r in got if r.payload} == {f"to {origin}"}
        assert all(r.headers["Urgency"] == "high" and 590 <= int(r.headers["TTL"]) <= 600 for r in got)
        assert {r.headers["Topic"] for r in got} <= {o.hex for o in owners}
    assert len(push.receiver.tokens()) == 3  # one VAPID token per origin
    assert {m["status"] for m in push.messages()} == {"sent"}
    assert len(push.attempts()) == 9 and {a["status_code"] for a in push.attempts()} == {201}


def test_a_thousand_sends_to_one_origin_cost_one_vapid_signature(push: Push) -> None:
    origin = push.receiver.origins[0]
    owner = uuid.uuid4()
    push.subscribe_many(origin, owner, 1000)  # one appointment, 1,000 browsers: one enqueue, 1,000 rows
    assert push.enqueue(owner, text="một nghìn") == 1000

    async def go() -> tuple[int, int]:
        async with DeliveryWorker(TEST_CONFIG) as worker:
            sent = 0
            while batch := await worker.deliver_batch():
                sent += sum(o.status == "sent" for o in batch)
            return sent, worker.sender.vapid.signatures

    sent, signatures = push.run(go)
    assert (sent, signatures) == (1000, 1)
    assert len(push.receiver.at(origin)) == 1000 and push.receiver.problems() == []
    assert len(push.receiver.tokens(origin)) == 1


def test_410_removes_the_subscription(push: Push) -> None:
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner)
    push.receiver.answer(origin, 410)
    [outcome] = push.deliver()
    assert outcome.status == "failed"
    assert push.subscriptions() == []
    [message] = push.messages()
    assert (message["status"], message["last_status"]) == ("failed", 410)
    assert message["next_attempt_at"] is None


def test_410_spares_a_subscription_whose_endpoint_changed_meanwhile(push: Push) -> None:
    """pushsubscriptionchange arrives while the message is on the wire to the old endpoint."""
    origin = push.receiver.origins[0]
    owner, old = push.subscribe(origin)
    push.enqueue(owner)
    claimed = push.run(lambda: claim("w1", 10, 30))
    new = push.receiver.subscription(origin)
    moved = msgspec.convert(new.as_json(old_endpoint=old.endpoint), SubscriptionIn)
    push.run(lambda: outbox.subscribe_for_appointment(owner, moved))
    push.receiver.answer(origin, 410)

    async def send_and_record() -> None:
        async with DeliveryWorker(TEST_CONFIG, worker_id="w1") as worker:
            await record([await worker.sender.send(m) for m in claimed], "w1")

    push.run(send_and_record)
    [row] = push.subscriptions()
    assert row["endpoint"] == new.endpoint
    assert push.messages()[0]["status"] == "pending"  # goes to the new endpoint next
    [outcome] = push.deliver()
    assert outcome.status == "sent"
    assert [r.endpoint for r in push.receiver.at(origin)] == [old.endpoint, new.endpoint]
    assert push.receiver.problems() == []


def test_400_and_413_are_permanent(push: Push) -> None:
    origin = push.receiver.origins[0]
    for status in (400, 413):
        owner, _ = push.subscribe(origin)
        push.enqueue(owner)
        push.receiver.answer(origin, status)
        [outcome] = push.deliver()
        assert outcome.status == "failed" and outcome.last_status == status
    assert len(push.subscriptions()) == 2  # the subscription itself is fine
    assert all(m["next_attempt_at"] is None for m in push.messages())


def test_429_pauses_that_origin_only(push: Push) -> None:
    slow, other, third = push.receiver.origins
    for origin in (slow, other, third):
        for _ in range(3):
            owner, _ = push.subscribe(origin)
            push.enqueue(owner)
    push.receiver.answer(slow, 429, headers={"Retry-After": "120"})
    before = utcnow()
    outcomes = push.deliver(concurrency_per_origin=1)
    assert len(push.receiver.at(slow)) == 1  # the rest of that origin waits, unsent
    assert len(push.receiver.at(other)) == 3 and len(push.receiver.at(third)) == 3
    assert sorted(o.status for o in outcomes) == ["pending"] * 3 + ["sent"] * 6
    held = [m for m in push.messages() if m["origin"] == slow]
    assert all(m["status"] == "pending" for m in held)
    assert all(m["next_attempt_at"] >= before + dt.timedelta(seconds=119) for m in held)
    assert sorted(m["attempts"] for m in held) == [0, 0, 1]  # only the one that was sent counts
    assert push.deliver() == []  # nothing is due before Retry-After


def test_retry_after_as_seconds_or_http_date() -> None:
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert parse_retry_after("30", now, 60) == now + dt.timedelta(seconds=30)
    assert parse_retry_after("Tue, 01 Dec 2026 08:05:00 GMT", now, 60) == now + dt.timedelta(minutes=5)
    assert parse_retry_after("soon", now, 60) == now + dt.timedelta(seconds=60)
    assert parse_retry_after(None, now, 60) == now + dt.timedelta(seconds=60)


def test_5xx_backs_off_with_jitter_then_succeeds(push: Push, travel: Travel) -> None:
    origin = push.receiver.origins[1]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner)
    push.receiver.answer(origin, 503, 500)
    base = 10.0
    for n, status in enumerate((503, 500)):
        [outcome] = push.deliver(backoff_base_s=base)
        assert (outcome.status, outcome.last_status) == ("pending", status)
        [message] = push.messages()
        sent_at = push.attempts()[-1]["at"]
        delay = (message["next_attempt_at"] - sent_at).total_seconds()
        expected = base * 2**n  # base × 2^(n-1) × jitter 0.5–1.5; the attempt's time is taken before the request
        assert 0.5 * expected <= delay <= 1.5 * expected + 1, delay
        assert push.deliver(backoff_base_s=base) == []  # not due before its backoff is over
        travel.to(message["next_attempt_at"])
    [outcome] = push.deliver(backoff_base_s=base)
    assert outcome.status == "sent"
    [message] = push.messages()
    assert message["attempts"] == 3 and message["last_status"] == 201
    assert [a["status_code"] for a in push.attempts()] == [503, 500, 201]


def test_retries_stop_at_the_deadline(push: Push, travel: Travel) -> None:
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner, deadline=utcnow() + dt.timedelta(minutes=2))
    push.receiver.set_default(origin, 503)
    for _ in range(10):  # backoff 10, 20, 40 s …: the fourth retry would fall after the deadline
        push.deliver(backoff_base_s=10)
        [message] = push.messages()
        if message["status"] != "pending":
            break
        travel.to(message["next_attempt_at"])
    [message] = push.messages()
    assert message["status"] == "expired"
    assert "deadline" in message["last_error"] and message["next_attempt_at"] is None
    sent_before = len(push.receiver.at(origin))
    assert 2 <= sent_before <= 5
    travel(3600)
    assert push.deliver() == [] and len(push.receiver.at(origin)) == sent_before


def test_a_message_past_its_deadline_is_never_sent(push: Push, travel: Travel) -> None:
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner, deadline=utcnow() + dt.timedelta(minutes=1))
    travel(61)
    [outcome] = push.deliver()
    assert outcome.status == "expired" and push.receiver.at(origin) == []


def test_a_push_service_that_never_answers_costs_one_timeout(push: Push) -> None:
    origin = push.receiver.origins[2]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner)
    push.receiver.set_default(origin, "hang")
    [outcome] = push.deliver(timeout_s=0.5)
    assert outcome.status == "pending" and "no answer within 0.5 s" in outcome.error
    [attempt] = push.attempts()
    assert attempt["status_code"] is None and attempt["duration_ms"] >= 450  # it waited for the timeout
    [message] = push.messages()
    assert message["next_attempt_at"] > attempt["at"]  # and will try again later


def test_a_lost_lease_is_sent_again_exactly_once(push: Push, travel: Travel) -> None:
    """A worker claims and dies before recording; after the lease, another worker sends it once."""
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner)
    [lost] = push.run(lambda: claim("dead-worker", 10, 30))
    assert push.deliver() == []  # the lease holds
    travel(31)
    [outcome] = push.deliver()
    assert outcome.status == "sent" and outcome.message.id == lost.id
    [message] = push.messages()
    assert (message["attempts"], message["reclaims"]) == (2, 1)
    assert len(push.receiver.at(origin)) == 1
    assert push.deliver() == []


def test_a_row_that_kills_two_workers_is_not_retried_a_third_time(push: Push, travel: Travel) -> None:
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner)
    for worker in ("w1", "w2"):
        assert len(push.run(functools.partial(claim, worker, 10, 30))) == 1
        travel(31)
    [outcome] = push.deliver()
    assert outcome.status == "failed" and "died twice" in outcome.error
    assert push.receiver.at(origin) == []


def test_a_stale_result_does_not_overwrite_another_workers_lease(push: Push, travel: Travel) -> None:
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner)
    [first] = push.run(lambda: claim("w1", 10, 30))
    travel(31)
    assert len(push.run(lambda: claim("w2", 10, 30))) == 1

    async def late_failure() -> None:
        async with DeliveryWorker(TEST_CONFIG, worker_id="w1") as worker:
            await record([worker.sender._judge(first, origin, 503, "", None, utcnow())], "w1")

    push.run(late_failure)
    [message] = push.messages()
    assert (message["status"], message["lease_owner"]) == ("sending", "w2")
