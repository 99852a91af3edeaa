"""Real processes racing for the same seats and the same idempotency key, on both databases.

Each racer is a separate process with its own engine, released together by a barrier: what the bot and a CLI
running at once would do. The database-level lock taken by `CustomerRepository.lock()` is what must serialize them.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from licensing.directory import Snapshot, check_directory, import_directory
from licensing.model import Customer, Operator, Product, Role, ScheduledAction, ScheduledChange, Subscription, User
from licensing.purchases import request_more
from licensing.results import AuditQuery
from licensing.types import Desired
from storage.uow import SqlUnitOfWork
from tests.integration import racers

pytestmark = pytest.mark.slow  # starts processes

E5 = "ENTERPRISEPREMIUM"
ADMIN = "UADMIN"
TIMEOUT_S = 60


def seats_left(uow: SqlUnitOfWork, *, quantity: int, holders: int, racers: int) -> list[str]:
    """contoso owns `quantity` E5 seats, `holders` of them taken; returns the ids of `racers` users without one."""
    held = [User("contoso", f"h{i}", f"Holder {i}", "US", frozenset({E5})) for i in range(holders)]
    free = [User("contoso", f"r{i}", f"Racer {i}", "US") for i in range(racers)]
    import_directory(
        Snapshot(
            products=(Product(E5, "Office 365 E5"),),
            customers=(Customer("contoso", "Contoso"),),
            subscriptions=(Subscription("contoso", E5, quantity),),
            users=(*held, *free),
            operators=(Operator(ADMIN, Role.ADMIN_AGENT, "Ada"),),
        ),
        uow=uow,
    )
    return [u.id for u in free]


def run_racers(target: Callable[..., None], argsets: list[tuple[Any, ...]]) -> list[Any]:
    """Start one process per argument set, released together by a barrier; each puts one result on the queue
    (its arguments are `start, results, *args`). Returns the results, killing any racer left over."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(len(argsets))
    results: multiprocessing.Queue[Any] = ctx.Queue()
    procs = [ctx.Process(target=target, args=(args[0], start, results, *args[1:])) for args in argsets]
    for p in procs:
        p.start()
    try:
        return [results.get(timeout=TIMEOUT_S) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=TIMEOUT_S)
            if p.is_alive():
                p.kill()
                p.join()
        results.close()
        results.join_thread()


def race(url: str, users: list[str], *, key: str | None = None) -> list[racers.Outcome]:
    return run_racers(racers.assign, [(url, ADMIN, u, E5, key) for u in users])


def test_racers_for_the_last_seats_never_oversell(migrated_url: str, uow: SqlUnitOfWork) -> None:
    users = seats_left(uow, quantity=5, holders=2, racers=6)
    outcomes = race(migrated_url, users)
    assert [o for o in outcomes if o[1] == "error"] == []
    assert Counter((status, codes) for _, status, codes, _, _ in outcomes) == {
        ("updated", ()): 3,
        ("failed", ("insufficient_licenses",)): 3,
    }
    with uow:
        sub = uow.subscriptions.for_customer("contoso")[E5]
        holders = [u for u in uow.users.all_for_customer("contoso") if E5 in u.licenses]
    assert (sub.assigned, len(holders)) == (5, 5)
    assert {u.id for u in holders} == {"h0", "h1"} | {o[0] for o in outcomes if o[1] == "updated"}
    assert check_directory(uow=uow) == []


def test_racers_with_the_same_idempotency_key_change_it_once(migrated_url: str, uow: SqlUnitOfWork) -> None:
    (user,) = seats_left(uow, quantity=5, holders=0, racers=1)
    outcomes = race(migrated_url, [user] * 4, key="slack-action-123")
    assert [o for o in outcomes if o[1] == "error"] == []
    assert sorted(replayed for *_, replayed in outcomes) == [False, True, True, True]
    assert {(status, batch) for _, status, _, batch, _ in outcomes} == {("updated", outcomes[0][3])}
    with uow:
        assert uow.subscriptions.for_customer("contoso")[E5].assigned == 1
        assert len(uow.audit.for_batch(outcomes[0][3] or "")) == 1
    assert check_directory(uow=uow) == []


def race_decisions(url: str, target: Callable[..., None], request_id: int, racers_: list[tuple[str, str]]) -> list[str]:
    return sorted(result[1] for result in run_racers(target, [(url, who, request_id, how) for who, how in racers_]))


def purchase_world(uow: SqlUnitOfWork) -> int:
    """contoso owns 5 E5 seats and asked for 3 more; three deciders may decide."""
    seats_left(uow, quantity=5, holders=0, racers=0)
    with uow:
        uow.operators.upsert([Operator(f"USALES{i}", Role.SALES_AGENT) for i in range(3)])
        uow.commit()
    return request_more("contoso", E5, 3, actor=ADMIN, uow=uow).id


def test_a_double_click_on_approve_decides_once_and_raises_the_quantity_once(
    migrated_url: str, uow: SqlUnitOfWork
) -> None:
    request_id = purchase_world(uow)
    clicks = [("USALES0", "approve"), ("USALES1", "approve"), ("USALES2", "decline"), (ADMIN, "approve")]
    outcomes = race_decisions(migrated_url, racers.decide, request_id, clicks)
    assert len([o for o in outcomes if o == "already"]) == 3, outcomes
    with uow:
        quantity = uow.subscriptions.for_customer("contoso")[E5].quantity
        stored = uow.purchases.get(request_id)
    assert stored is not None and stored.status.value in outcomes
    assert quantity == (8 if stored.status.value == "approved" else 5)


def test_the_guarded_update_alone_lets_exactly_one_rival_win(migrated_url: str, uow: SqlUnitOfWork) -> None:
    request_id = purchase_world(uow)
    clicks = [("USALES0", "approved"), ("USALES1", "declined"), ("USALES2", "approved")]
    outcomes = race_decisions(migrated_url, racers.guarded_update, request_id, clicks)
    assert outcomes.count("already") == 2 and not [o for o in outcomes if o.startswith("error")], outcomes
    with uow:
        stored = uow.purchases.get(request_id)
    assert stored is not None and stored.status.value in outcomes


def test_replicas_running_the_scheduled_job_at_once_run_each_change_once(migrated_url: str, uow: SqlUnitOfWork) -> None:
    users = seats_left(uow, quantity=8, holders=0, racers=8)
    due = datetime(2027, 3, 10, 23, tzinfo=UTC)
    with uow:
        for u in users:
            uow.scheduled.add(
                ScheduledChange(
                    0, "contoso", (u,), {E5: Desired.ASSIGN}, ScheduledAction.START, due, ADMIN, due - timedelta(days=1)
                )
            )
        uow.commit()
    ran = run_racers(
        racers.run_scheduled,
        [(migrated_url, f"replica-{i}", (due + timedelta(seconds=5)).isoformat()) for i in range(4)],
    )
    finished = sorted(i for _, ids in ran for i in ids)
    assert finished == list(range(1, 9)), ran
    with uow:
        held = uow.users.get_many("contoso", users)
        seats = uow.subscriptions.for_customer("contoso")[E5]
        assigns = [e for e in uow.audit.export(AuditQuery(), chunk=100) if e.entry.action == "assign"]
    assert all(E5 in u.licenses for u in held.values()) and seats.assigned == 8
    assert sorted(e.entry.user_id for e in assigns) == sorted(users)  # each user's assignment applied once
