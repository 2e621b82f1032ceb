"""Creators of one id at the same instant: one row, written once; every other creator is told `already_exists`.

Each test starts many writers at once on their own connections and transactions. On PostgreSQL the first writer to
reach its commit waits there until every other one is blocked on a lock, so all of them have started before anything
is committed: exactly the moment where a writer that found no row would have "created" it a second time. SQLite
admits one writer at a time (BEGIN IMMEDIATE), and the same tests check the same outcome there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import uuid
from typing import Any

import msgspec
import pytest

from backend.syncapi.services import get_sync_engine
from sync.db import Tx
from sync.engine import Actor, AlreadyExists, server_actor
from sync.messages import Mutation, PullRequest, PushRequest
from tests.conftest import IS_POSTGRES
from tests.sync.kit import CAO_LANH, Device, db_fetch

WRITERS = 8


class HoldFirst:
    """Awaited by every writer just before it commits: the first one waits until the others are all blocked."""

    def __init__(self, others: int) -> None:
        self.others = others
        self.held = False

    async def __call__(self, tx: Tx, *_: Any) -> None:
        if self.held or not IS_POSTGRES:
            return
        self.held = True
        for _ in range(2000):
            row = await tx.fetchrow(
                "SELECT count(*) AS n FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            assert row is not None
            if int(row["n"]) >= self.others:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the other {self.others} writers never all waited for this one")


def _actor() -> Actor:
    return Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({CAO_LANH}))


def _session(title: str) -> dict[str, Any]:
    return {"commune_id": CAO_LANH, "kind": "village_outreach", "title": title, "held_on": "2026-11-02"}


def _create(seq: int, entity_id: uuid.UUID, changed: dict[str, Any], entity: str = "outreach_session") -> Mutation:
    return Mutation(id=uuid.uuid4(), seq=seq, name="create", entity=entity, entity_id=entity_id, changed=changed)


def _push(actor: Actor, *mutations: Mutation) -> PushRequest:
    return PushRequest(protocol=1, schema=2, client_id=actor.client_id, mutations=list(mutations))


def _stored_row(run_db: Any, entity_id: uuid.UUID) -> dict[str, Any]:
    (row,) = db_fetch(run_db, "SELECT * FROM outreach_session WHERE id = $1", entity_id)
    row["field_versions"] = msgspec.json.decode(row["field_versions"])
    return row


def test_one_id_created_by_many_devices_at_once_is_created_once(client, run_db):
    engine = get_sync_engine()
    shared = uuid.uuid4()
    actors = [_actor() for _ in range(WRITERS)]
    own = [uuid.uuid4() for _ in actors]
    requests = [
        _push(a, _create(1, shared, _session(f"Thiết bị {i}")), _create(2, own[i], _session(f"Buổi riêng {i}")))
        for i, a in enumerate(actors)
    ]

    async def scenario() -> list[Any]:
        await engine.ensure_state()
        engine.before_commit = HoldFirst(WRITERS - 1)
        try:
            return await asyncio.gather(*(engine.push(r, a) for r, a in zip(requests, actors, strict=True)))
        finally:
            engine.before_commit = None

    responses = run_db(scenario)
    firsts = [r.results[0] for r in responses]
    winners = [i for i, r in enumerate(firsts) if r.status == "applied"]
    assert len(winners) == 1, [(r.status, r.reason) for r in firsts]
    winner = winners[0]
    losers = [i for i in range(WRITERS) if i != winner]
    assert all((firsts[i].status, firsts[i].reason) == ("rejected", "already_exists") for i in losers)
    # The losing devices' queues go on: their next mutation applied, and everything up to it is acknowledged.
    assert all(r.results[1].status == "applied" and r.last_seq == 2 for r in responses)

    # The row is the winner's, written once: its values and every field version are the winner's.
    row = _stored_row(run_db, shared)
    assert row["title"] == f"Thiết bị {winner}" and row["version"] == firsts[winner].version
    assert {author[1] for author in row["field_versions"].values()} == {str(actors[winner].client_id)}
    (change,) = db_fetch(run_db, "SELECT data FROM sync_change WHERE entity_id = $1", shared)
    assert msgspec.json.decode(change["data"])["title"] == f"Thiết bị {winner}"

    # Exactly once: each loser's mutation is stored rejected with what it carried, and a replay answers the same.
    for i in losers:
        (stored,) = db_fetch(
            run_db,
            "SELECT status, reason, payload FROM sync_mutation WHERE client_id = $1 AND seq = 1",
            actors[i].client_id,
        )
        assert (stored["status"], stored["reason"]) == ("rejected", "already_exists")
        assert msgspec.json.decode(stored["payload"])["changed"]["title"] == f"Thiết bị {i}"
    replayed = run_db(lambda: engine.push(requests[losers[0]], actors[losers[0]]))
    assert replayed.results == responses[losers[0]].results
    assert _stored_row(run_db, shared)["version"] == row["version"]


def test_a_child_created_under_a_lost_create_lands_under_the_winners_row(client, run_db):
    """Two devices create the same session at once, each with a question under it: both questions are kept, under
    the one session, and the session keeps the first creator's values."""
    engine = get_sync_engine()
    shared = uuid.uuid4()
    actors = [_actor() for _ in range(2)]
    questions = [uuid.uuid4() for _ in actors]
    requests = [
        _push(
            a,
            _create(1, shared, _session(f"Thiết bị {i}")),
            _create(
                2,
                questions[i],
                {"session_id": str(shared), "commune_id": CAO_LANH, "text": f"Câu hỏi {i}"},
                entity="outreach_question",
            ),
        )
        for i, a in enumerate(actors)
    ]

    async def scenario() -> list[Any]:
        engine.before_commit = HoldFirst(1)
        try:
            return await asyncio.gather(*(engine.push(r, a) for r, a in zip(requests, actors, strict=True)))
        finally:
            engine.before_commit = None

    responses = run_db(scenario)
    assert sorted(r.results[0].status for r in responses) == ["applied", "rejected"]
    assert all(r.results[1].status == "applied" for r in responses)
    winner = next(i for i, r in enumerate(responses) if r.results[0].status == "applied")
    assert _stored_row(run_db, shared)["title"] == f"Thiết bị {winner}"
    rows = db_fetch(run_db, "SELECT session_id FROM outreach_question WHERE session_id = $1", shared)
    assert len(rows) == 2


def test_server_creates_and_device_creates_of_one_id_at_once(client, run_db):
    """REST writes (`server_create`) and device pushes race for one id: one of them creates it; every other server
    write gets AlreadyExists (HTTP 409 for its caller), never a database error, and no push overwrites it."""
    engine = get_sync_engine()
    shared = uuid.uuid4()
    servers = WRITERS // 2
    actors = [_actor() for _ in range(WRITERS - servers)]
    hold = HoldFirst(WRITERS - 1)

    async def by_server(i: int) -> Any:
        values = {**_session(f"Máy chủ {i}"), "id": shared, "held_on": dt.date(2026, 11, 2)}
        values.update(place="", attendance=0, notes="")
        try:
            async with engine.db.write() as tx:
                row = await engine.server_create("outreach_session", values, server_actor())
                await hold(tx)
        except AlreadyExists:
            return "already_exists"
        return row["title"]

    async def by_device(i: int, actor: Actor) -> Any:
        response = await engine.push(_push(actor, _create(1, shared, _session(f"Thiết bị {i}"))), actor)
        result = response.results[0]
        return result.reason if result.status == "rejected" else f"Thiết bị {i}"

    async def scenario() -> list[Any]:
        await engine.ensure_state()
        engine.before_commit = hold
        try:
            return await asyncio.gather(
                *(by_server(i) for i in range(servers)), *(by_device(i, a) for i, a in enumerate(actors))
            )
        finally:
            engine.before_commit = None

    outcomes = run_db(scenario)
    created = [o for o in outcomes if o != "already_exists"]
    assert len(created) == 1, outcomes
    assert _stored_row(run_db, shared)["title"] == created[0]


@pytest.mark.parametrize("completion_first", [True, False], ids=["completion_first", "record_first"])
def test_a_file_completed_while_a_record_first_references_it_is_pulled_present(client, run_db, completion_first):
    """The upload of a file completes while a push adds the first record that references it: whichever commits
    first, the devices of the record's commune end up with the file `present`, never a stale `missing`."""
    engine = get_sync_engine()
    data = os.urandom(64)
    sha = hashlib.sha256(data).hexdigest()
    actor = _actor()
    sid, qid = uuid.uuid4(), uuid.uuid4()
    request = _push(
        actor,
        _create(1, sid, _session("Buổi có ảnh")),
        _create(
            2,
            qid,
            {"session_id": str(sid), "commune_id": CAO_LANH, "text": "Ảnh con đường", "photo_sha256": sha},
            entity="outreach_question",
        ),
    )

    async def completion_then_push() -> None:
        start = asyncio.Event()

        async def push_when_started() -> Any:
            await start.wait()
            return await engine.push(request, actor)

        # Created outside the transaction below, so that the push runs in a transaction of its own.
        pushing = asyncio.create_task(push_when_started())
        async with engine.db.write() as tx:
            await engine.attachment_completed(sha, len(data), "image/jpeg")
            start.set()
            await HoldFirst(1)(tx)
        await pushing

    async def push_then_completion() -> None:
        hold, numbered = HoldFirst(1), asyncio.Event()

        async def hold_push(tx: Tx, first_no: int) -> None:
            numbered.set()
            await hold(tx)

        engine.before_commit = hold_push
        try:
            pushing = asyncio.create_task(engine.push(request, actor))
            await asyncio.wait_for(numbered.wait(), 10)
            await engine.attachment_completed(sha, len(data), "image/jpeg")
            await pushing
        finally:
            engine.before_commit = None

    async def pull_all() -> list[Any]:
        changes, cursor = [], None
        while True:
            page = await engine.pull(PullRequest(protocol=1, schema=2, client_id=actor.client_id, cursor=cursor), actor)
            changes += page.changes
            cursor = page.next_cursor
            if not page.has_more:
                return changes

    run_db(engine.ensure_state)
    run_db(completion_then_push if completion_first else push_then_completion)
    files = [msgspec.json.decode(c.data) for c in run_db(pull_all) if c.entity == "attachment" and c.data is not None]
    assert [f["status"] for f in files if f["sha256"] == sha] == ["present"]


def test_a_device_that_loses_a_create_keeps_syncing(client, run_db):
    """Over HTTP: the second creator of an id is answered `rejected/already_exists`, its queue moves on, the
    rejection is listed for the officer, and the first creator's row is untouched."""
    first, second = Device(client, "canbo"), Device(client, "canbo2")
    sid = uuid.uuid4()
    for d, title in ((first, "Của máy thứ nhất"), (second, "Của máy thứ hai")):
        d.mutation("create", "outreach_session", sid, _session(title))
    after = second.create_session(title="Buổi tiếp theo")
    assert first.push()["results"][0]["status"] == "applied"
    body = second.push()
    assert [(r["status"], r["reason"]) for r in body["results"]] == [("rejected", "already_exists"), ("applied", None)]
    assert body["last_seq"] == 2 and second.queue == []
    listed = client.get("/api/sync/rejected", headers=second.headers).json()
    mine = [r for r in listed if r["client_id"] == str(second.device_id)]
    assert [(r["reason"], r["payload"]["changed"]["title"]) for r in mine] == [("already_exists", "Của máy thứ hai")]
    second.pull()
    assert second.row("outreach_session", sid)["title"] == "Của máy thứ nhất"
    assert second.row("outreach_session", after) is not None
