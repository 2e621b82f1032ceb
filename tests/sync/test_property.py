"""Acceptance test 13: random offline edits on several devices, over a network that drops, duplicates
and reorders requests and responses, end in the same state as a fault-free run, with every mutation
applied or rejected exactly once; and every device's replica converges to the server's state.

The fault-free reference replays the same mutations, on fresh rows and devices, one batch at a time
in the order the faulty run committed them: merge rules depend only on that order (never on clocks),
so the outcomes must match mutation for mutation.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.db.columns import utcnow
from backend.syncapi.services import get_sync_engine
from sync.engine import Actor
from sync.messages import Mutation, PullRequest, PushRequest

ENTITIES = 3
DEVICES = 3
FIELDS = {
    "title": st.sampled_from(["Họp dân ấp 1", "Họp dân ấp 2", "Đối thoại"]),
    "place": st.sampled_from(["Nhà văn hóa", "Chợ", "Trường học"]),
    "attendance": st.integers(0, 3),
}

edit = st.one_of(
    st.tuples(st.just("update"), st.integers(0, ENTITIES - 1), st.fixed_dictionaries({}, optional=FIELDS).filter(bool)),
    st.tuples(st.just("delete"), st.integers(0, ENTITIES - 1), st.just({})),
)
step = st.tuples(
    st.integers(0, DEVICES - 1),
    st.sampled_from(
        ["send", "send", "drop_request", "drop_response", "duplicate", "stash", "deliver_stash", "pull", "pull_lost"]
    ),
    st.integers(1, 4),  # batch size
)
scenario = st.tuples(
    st.lists(st.lists(edit, max_size=6), min_size=DEVICES, max_size=DEVICES),
    st.lists(step, max_size=30),
    st.lists(st.integers(-400, 400), min_size=DEVICES, max_size=DEVICES),  # clock skew per device, days
)


@dataclass
class Sim:
    actor: Actor
    mutations: list[Mutation]
    acked: int = 0
    cursor: str | None = None
    replica: dict[tuple[str, uuid.UUID], Any] = field(default_factory=dict)

    def pending(self, k: int) -> list[Mutation]:
        return [m for m in self.mutations if m.seq > self.acked][:k]


# Each example works in a commune of its own, so that its pulls see only its rows.
_communes = itertools.count(70000)
_commune = ""


def _actor() -> Actor:
    return Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({_commune}))


def _request(actor: Actor, mutations: list[Mutation]) -> PushRequest:
    return PushRequest(protocol=1, schema=2, client_id=actor.client_id, mutations=mutations)


async def _setup(engine) -> tuple[list[uuid.UUID], list[int]]:
    owner = _actor()
    ids = [uuid.uuid4() for _ in range(ENTITIES)]
    mutations = [
        Mutation(
            id=uuid.uuid4(),
            seq=i + 1,
            name="create",
            entity="outreach_session",
            entity_id=sid,
            changed={"commune_id": _commune, "kind": "village_outreach", "title": "Gốc", "held_on": "2026-11-01"},
        )
        for i, sid in enumerate(ids)
    ]
    response = await engine.push(_request(owner, mutations), owner)
    return ids, [r.version for r in response.results]


def _mutations(edits, ids, versions, skew_days: int) -> list[Mutation]:
    clock = utcnow() + dt.timedelta(days=skew_days)
    return [
        Mutation(
            id=uuid.uuid4(),
            seq=n + 1,
            name=kind,
            entity="outreach_session",
            entity_id=ids[e],
            base_version=versions[e],
            changed=changed,
            client_ts=(clock + dt.timedelta(minutes=n)).isoformat(),
        )
        for n, (kind, e, changed) in enumerate(edits)
    ]


async def _pull(engine, sim: Sim, keep: bool) -> bool:
    page = await engine.pull(
        PullRequest(protocol=1, schema=2, client_id=sim.actor.client_id, cursor=sim.cursor, limit=3), sim.actor
    )
    if not keep:
        return True  # the response was lost: cursor and replica stay as they were
    if page.reset:
        sim.replica.clear()
    for c in page.changes:
        key = (c.entity, c.id)
        if c.op == "delete":
            sim.replica.pop(key, None)
        else:
            sim.replica[key] = bytes(c.data)
    sim.cursor = page.next_cursor
    sim.acked = max(sim.acked, page.acks.last_seq)
    return page.has_more


async def _state(tx, ids) -> list[Any]:
    rows = await tx.fetch(
        f"SELECT id, title, place, attendance, deleted_at FROM outreach_session WHERE {tx.any('id', '$1', 'uuid')}",
        tx.list_param(ids),
    )
    by_id = {r["id"]: r for r in rows}
    return [(by_id[i]["title"], by_id[i]["place"], by_id[i]["attendance"], by_id[i]["deleted_at"] is None) for i in ids]


async def _outcomes(tx, actors: list[Actor]) -> tuple[list[list[tuple[int, str, str | None, int]]], list[Any]]:
    per_device = []
    order = []
    for index, actor in enumerate(actors):
        rows = await tx.fetch(
            "SELECT seq, status, reason, conflict_ids, batch_no FROM sync_mutation WHERE client_id = $1 ORDER BY seq",
            actor.client_id,
        )
        per_device.append([(int(r["seq"]), r["status"], r["reason"], len(r["conflict_ids"])) for r in rows])
        order += [(int(r["batch_no"]), index, int(r["seq"])) for r in rows]
    return per_device, sorted(order)


async def _run(plan) -> None:
    global _commune
    _commune = str(next(_communes))
    all_edits, steps, skews = plan
    engine = get_sync_engine()
    await engine.ensure_state()

    # The faulty run.
    ids, versions = await _setup(engine)
    sims = [Sim(_actor(), []) for _ in range(DEVICES)]
    for sim, edits, skew in zip(sims, all_edits, skews, strict=True):
        sim.mutations = _mutations(edits, ids, versions, skew)
    stash: list[tuple[Sim, PushRequest]] = []
    for device, action, k in steps:
        sim = sims[device]
        batch = sim.pending(k)
        if action == "pull" or action == "pull_lost":
            await _pull(engine, sim, keep=action == "pull")
            continue
        if not batch and action != "deliver_stash":
            continue
        request = _request(sim.actor, batch)
        if action in ("send", "duplicate", "drop_response"):
            response = await engine.push(request, sim.actor)
            if action == "duplicate":
                again = await engine.push(request, sim.actor)
                assert again == response
            if action != "drop_response":
                sim.acked = response.last_seq
        elif action == "stash":
            stash.append((sim, request))
        elif action == "deliver_stash" and stash:
            late_sim, late = stash.pop(0)
            await engine.push(late, late_sim.actor)  # a late duplicate; its response goes nowhere
    for late_sim, late in stash:
        await engine.push(late, late_sim.actor)
    for sim in sims:
        while batch := sim.pending(1000):
            sim.acked = (await engine.push(_request(sim.actor, batch), sim.actor)).last_seq
    for sim in sims:
        while await _pull(engine, sim, keep=True):
            pass

    async with engine.db.read() as tx:
        faulty_state = await _state(tx, ids)
        faulty, order = await _outcomes(tx, [s.actor for s in sims])
        expected_last = [len(s.mutations) for s in sims]
        for sim, outcomes, n in zip(sims, faulty, expected_last, strict=True):
            assert [seq for seq, *_ in outcomes] == list(range(1, n + 1))  # each once, none lost
            row = await tx.fetchrow("SELECT last_seq FROM sync_client WHERE client_id = $1", sim.actor.client_id)
            assert (int(row["last_seq"]) if row else 0) == n

    # Every replica holds exactly the server's rows of the scope.
    reference = Sim(_actor(), [])
    while await _pull(engine, reference, keep=True):
        pass
    for sim in sims:
        assert sim.replica == reference.replica  # sessions and conflicts alike

    # The fault-free run: the same mutations, in the committed order, each batch sent once.
    ids2, versions2 = await _setup(engine)
    actors2 = [_actor() for _ in range(DEVICES)]
    remap = [_mutations(edits, ids2, versions2, skew) for edits, skew in zip(all_edits, skews, strict=True)]
    groups: list[tuple[tuple[int, int], list[int]]] = []
    for batch_no, device, seq in order:
        key = (batch_no, device)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(seq)
        else:
            groups.append((key, [seq]))
    for (_, device), seqs in groups:
        await engine.push(_request(actors2[device], [remap[device][s - 1] for s in seqs]), actors2[device])
    async with engine.db.read() as tx:
        clean_state = await _state(tx, ids2)
        clean, _ = await _outcomes(tx, actors2)
    assert faulty_state == clean_state
    assert faulty == clean


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(plan=scenario)
def test_13_faulty_network_converges_to_the_fault_free_run(client, run_db, plan):
    run_db(lambda: _run(plan))
