"""Audit export benchmark: `licensebot audit export` over a million audit lines, on SQLite and PostgreSQL.
Prints lines per second and the export's peak Python memory (tracemalloc, on a second pass: tracing slows it down);
asserts nothing about time.

    .venv/bin/python bench/bench_audit.py [ROWS]     # PostgreSQL from BENCH_PG_URL (default: 127.0.0.1:5432/test)
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, make_url, text

from cli.audit import write_csv
from licensing import history
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
INSERT = text(
    "INSERT INTO audit (batch_id, at, operator, customer_id, user_id, sku, action, outcome, reason) "
    "VALUES (:b, :at, 'U0ADMIN01', :c, :u, 'ENTERPRISEPACK', 'assign', :o, :r)"
)


def fill(url: str, rows: int) -> None:
    """Lines a second apart over 20 customers, inserted 20,000 at a time."""
    engine = make_engine(url)
    sqlite = url.startswith("sqlite")
    try:
        for start in range(0, rows, 20_000):
            params = []
            for i in range(start, min(rows, start + 20_000)):
                at = T0 + timedelta(seconds=i)
                params.append(
                    {
                        "b": f"batch-{i // 50:07d}",
                        "at": at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at,
                        "c": f"customer{i % 20:02d}",
                        "u": f"user{i % 5000}@example.com",
                        "o": "failed" if i % 10 == 0 else "applied",
                        "r": "insufficient_licenses: No Office 365 E3 license left" if i % 10 == 0 else None,
                    }
                )
            with engine.begin() as conn:
                conn.execute(INSERT, params)
    finally:
        engine.dispose()


def export(url: str, customer: str | None, *, traced: bool) -> tuple[int, float, int]:
    """Lines written, seconds, and peak traced bytes (0 untraced)."""
    engine = make_engine(url)
    uow = SqlUnitOfWork(make_session_factory(engine))
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        with open(os.devnull, "w", newline="") as out:
            count = write_csv(history.export(actor=None, uow=uow, customer_id=customer), out)
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        if traced:
            tracemalloc.stop()
        engine.dispose()
    return count, time.perf_counter() - started, peak


def customers(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO customers (id, name, name_key, search) VALUES (:i, :i, :i, :i)"),
            [{"i": f"customer{n:02d}"} for n in range(20)],
        )
    engine.dispose()


def bench(name: str, url: str, rows: int) -> None:
    upgrade(url)
    customers(url)
    started = time.perf_counter()
    fill(url, rows)
    print(f"{name}: {rows:,} audit lines inserted in {time.perf_counter() - started:.1f} s")
    for customer in (None, "customer07"):
        count, seconds, _ = export(url, customer, traced=False)
        _, _, peak = export(url, customer, traced=True)
        what = "every line" if customer is None else f"one customer of 20 ({customer})"
        print(
            f"  export {what}: {count:,} lines in {seconds:.1f} s = {count / seconds:,.0f} lines/s, "
            f"peak Python memory {peak / 1e6:.1f} MB"
        )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as d:
        bench("SQLite", f"sqlite:///{Path(d) / 'bench.db'}", rows)
    schema = f"bench_audit_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # no server: the SQLite figures stand alone
        print(f"PostgreSQL skipped: {type(e).__name__}")
        return
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
        bench("PostgreSQL", url, rows)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
