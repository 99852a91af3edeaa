"""Licensing core benchmarks: prints figures and ratios (never asserts on time).

    .venv/bin/python bench/bench_core.py                   # SQLite only
    LICENSEBOT_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_core.py

Targets (issue 2): apply 1,000 users x 3 products < 1 s with a statement count that does not grow with users;
a page of users with a search over a 100,000-user customer p95 < 20 ms; summary of 100 users x 50 products < 20 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, insert, text

from licensing import queries, service
from licensing.directory import Snapshot, import_directory
from licensing.model import Customer, Operator, Product, Role, Subscription, User
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import UserLicenseRow
from storage.uow import SqlUnitOfWork

ADMIN = "UBENCH01"
FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Max", "Noor", "Oli"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones", "Khan", "Lopez"]


def products(n: int) -> list[Product]:
    return [Product(f"SKU{i:02d}", f"Product {i:02d}") for i in range(n)]


def users(customer: str, n: int, licenses: Callable[[int], frozenset[str]] = lambda i: frozenset()) -> list[User]:
    rnd = random.Random(7)
    return [
        User(
            customer,
            f"user{i:06d}@{customer}.example",
            f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {i}",
            "US",
            licenses(i),
        )
        for i in range(n)
    ]


@contextmanager
def database(kind: str) -> Iterator[tuple[str, str | None]]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as d:
            yield f"sqlite:///{d}/bench.db", None
        return
    url = os.environ["LICENSEBOT_TEST_PG_URL"]
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        self.n += 1


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_apply(kind: str) -> None:
    with database(kind) as (url, schema):
        upgrade(url, schema=schema)
        engine = make_engine(url, schema=schema)
        uow = SqlUnitOfWork(make_session_factory(engine))
        snap = Snapshot(
            products=tuple(products(3)),
            customers=(Customer("acme", "Acme"),),
            subscriptions=tuple(Subscription("acme", f"SKU{i:02d}", 5_000) for i in range(3)),
            users=tuple(users("acme", 3_000)),
            operators=(Operator(ADMIN, Role.ADMIN_AGENT),),
        )
        import_directory(snap, uow=uow)
        counter = Counter(engine)
        skus = [f"SKU{i:02d}" for i in range(3)]
        stmts = {}
        times = []
        for size, start in ((100, 2_000), (1_000, 0), (1_000, 1_000)):  # two 1,000-user runs on fresh users
            ids = [f"user{i:06d}@acme.example" for i in range(start, start + size)]
            change = service.make_change("acme", ids, assign=skus)
            counter.n = 0
            t = time.perf_counter()
            result = service.apply(change, actor=ADMIN, uow=uow)
            elapsed = (time.perf_counter() - t) * 1000
            assert len(result.updated) == size, "benchmark setup is wrong: every user should be updated"
            stmts[size] = counter.n
            if size == 1_000:
                times.append(elapsed)
        # The floor: the same 3,000 license rows inserted with one raw executemany, nothing else.
        rows = [{"customer_id": "acme", "user_id": f"user{i:06d}@acme.example", "sku": "SKU00"} for i in range(3_000)]
        with engine.begin() as c:
            c.execute(text("DELETE FROM user_licenses WHERE sku = 'SKU00'"))
        with engine.begin() as c:
            t = time.perf_counter()
            c.execute(insert(UserLicenseRow.__table__), rows)
            floor = (time.perf_counter() - t) * 1000
        best = min(times)
        print(
            f"[{kind}] apply 1,000 users x 3 products: {best:.0f} ms (runs: {', '.join(f'{x:.0f}' for x in times)})"
            f"; statements: {stmts[100]} for 100 users, {stmts[1_000]} for 1,000"
            f"; raw executemany of 3,000 rows: {floor:.0f} ms; ratio {best / floor:.1f}x"
        )
        engine.dispose()


def bench_reads(kind: str, n_users: int, runs: int) -> None:
    with database(kind) as (url, schema):
        upgrade(url, schema=schema)
        engine = make_engine(url, schema=schema)
        uow = SqlUnitOfWork(make_session_factory(engine))
        prods = products(50)
        owned = tuple(Subscription("big", p.sku, n_users) for p in prods)
        t = time.perf_counter()
        big = users("big", n_users, lambda i: frozenset({f"SKU{i % 50:02d}", f"SKU{(i * 7) % 50:02d}"}))
        import_directory(
            Snapshot(
                tuple(prods), (Customer("big", "Big Co"),), owned, tuple(big), (Operator(ADMIN, Role.ADMIN_AGENT),)
            ),
            uow=uow,
        )
        print(f"[{kind}] loaded {n_users:,} users x 50 products in {time.perf_counter() - t:.1f} s")
        rnd = random.Random(1)
        terms = [rnd.choice(FIRST).lower()[:3] for _ in range(runs // 2)] + [
            str(rnd.randint(0, n_users)) for _ in range(runs // 2)
        ]
        page_ms = []
        for term in terms:
            page = rnd.randint(1, 5)
            page_ms += timed(lambda t=term, p=page: queries.page_users("big", actor=ADMIN, query=t, page=p, uow=uow), 1)
        plain = timed(lambda: queries.page_users("big", actor=ADMIN, page=rnd.randint(1, n_users // 10), uow=uow), runs)
        print(
            f"[{kind}] page of users, search over {n_users:,}: p50 {pct(page_ms, 50):.1f} ms, "
            f"p95 {pct(page_ms, 95):.1f} ms; no search, random page: p95 {pct(plain, 95):.1f} ms"
        )
        selected = [u.id for u in rnd.sample(big, 100)]
        summ = timed(lambda: queries.summary("big", selected, actor=ADMIN, uow=uow), runs)
        print(
            f"[{kind}] summary 100 users x 50 products: p50 {pct(summ, 50):.1f} ms, p95 {pct(summ, 95):.1f} ms, "
            f"mean {statistics.mean(summ):.1f} ms"
        )
        engine.dispose()


def main() -> None:
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("LICENSEBOT_TEST_PG_URL") else [])
    n_users = int(os.environ.get("BENCH_USERS", "100000"))
    for kind in kinds:
        bench_apply(kind)
        bench_reads(kind, n_users, runs=200)


if __name__ == "__main__":
    main()
