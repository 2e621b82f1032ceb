"""Acceptance test 6: on PostgreSQL, change numbers follow commit order, so a pull never skips a change."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from backend.syncapi.services import get_sync_engine
from sync.engine import Actor
from sync.messages import Mutation, PullRequest, PushRequest
from tests.conftest import IS_POSTGRES
from tests.sync.kit import CAO_LANH

pytestmark = pytest.mark.skipif(
    not IS_POSTGRES, reason="SQLite has a single writer (BEGIN IMMEDIATE): commit order is change order by design"
)


def _create(actor: Actor, title: str) -> tuple[PushRequest, uuid.UUID]:
    sid = uuid.uuid4()
    changed = {"commune_id": CAO_LANH, "kind": "village_outreach", "title": title, "held_on": "2026-11-02"}
    m = Mutation(id=uuid.uuid4(), seq=1, name="create", entity="outreach_session", entity_id=sid, changed=changed)
    return PushRequest(protocol=1, schema=2, client_id=actor.client_id, mutations=[m]), sid


def _actor() -> Actor:
    return Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({CAO_LANH}))


def test_6_a_late_committing_transaction_is_not_skipped(client, run_db):
    engine = get_sync_engine()
    a, b, watcher = _actor(), _actor(), _actor()
    push_a, sid_a = _create(a, "Giao dịch A (chậm)")
    push_b, sid_b = _create(b, "Giao dịch B (nhanh)")

    async def scenario() -> dict:
        await engine.ensure_state()
        pull = PullRequest(protocol=1, schema=2, client_id=watcher.client_id)
        caught_up = await engine.pull(pull, watcher)
        while caught_up.has_more:
            caught_up = await engine.pull(
                PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=caught_up.next_cursor), watcher
            )
        a_numbered, release_a = asyncio.Event(), asyncio.Event()
        first_numbers: dict[str, int] = {}

        async def hold_a(tx, first_no):  # runs inside the write transaction, numbers taken, not committed
            if not a_numbered.is_set():
                first_numbers["a"] = first_no
                a_numbered.set()
                await release_a.wait()
            else:
                first_numbers["b"] = first_no

        engine.before_commit = hold_a
        try:
            task_a = asyncio.create_task(engine.push(push_a, a))
            await asyncio.wait_for(a_numbered.wait(), 10)
            task_b = asyncio.create_task(engine.push(push_b, b))  # its own connection and transaction
            await asyncio.sleep(0.5)
            b_waited = not task_b.done()  # B cannot take a number until A commits: the counter row is locked
            middle = await engine.pull(
                PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=caught_up.next_cursor), watcher
            )
            release_a.set()
            await asyncio.wait_for(asyncio.gather(task_a, task_b), 10)
            after = await engine.pull(
                PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=middle.next_cursor), watcher
            )
        finally:
            engine.before_commit = None
        return {"b_waited": b_waited, "middle": middle, "after": after, "numbers": first_numbers}

    out = run_db(scenario)
    assert out["b_waited"]
    assert [c.id for c in out["middle"].changes] == []  # neither is visible while A is open
    delivered = [c.id for c in out["after"].changes]
    assert delivered == [sid_a, sid_b]  # A arrives, and in commit order before B
    assert out["numbers"]["a"] < out["numbers"]["b"]
