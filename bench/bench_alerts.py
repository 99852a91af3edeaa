"""Low-license alerts: what the check inside every Save costs. Prints figures and ratios (never asserts on time).

    .venv/bin/python bench/bench_alerts.py        # SQLite

A Save of one user, alternating assign and revoke of the last Office 365 E3 license, with alerts off, on with
nothing to alert (no threshold: the usual Save pays two small reads), and on with every Save crossing the threshold
(an alert, then a "back above" note: the worst case, writing the state and a message too).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bot.alerts.messages import Messages
from licensing.alert_types import AlertPolicy, AlertWatch
from licensing.service import apply, make_change
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.world import ADMIN, E3, load_world, uid

SAVES = 200


def per_save(watch: AlertWatch | None) -> tuple[float, float]:
    """Milliseconds and SQL statements per save."""
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{d}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        load_world(SqlUnitOfWork(sessions, alerts=watch))
        statements = [0]
        event.listen(engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        started = time.perf_counter()
        for i in range(SAVES):
            what = {"assign": [E3]} if i % 2 == 0 else {"revoke": [E3]}
            apply(make_change("contoso", [uid("bob")], **what), actor=ADMIN, uow=SqlUnitOfWork(sessions, alerts=watch))
        elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed / SAVES * 1000, statements[0] / SAVES


def main() -> None:
    cases = {
        "alerts off": None,
        "on, nothing to alert": AlertWatch(AlertPolicy(), "C1", Messages()),
        "on, every save crosses": AlertWatch(AlertPolicy(default_below=1), "C1", Messages()),
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(5):  # round-robin, so a burst of load elsewhere hits every case alike
        for name, watch in cases.items():
            runs[name].append(per_save(watch))
    base = statistics.median(ms for ms, _ in runs["alerts off"])
    for name, figures in runs.items():
        ms = statistics.median(m for m, _ in figures)
        print(f"{name:<24} {ms:6.2f} ms per save   x{ms / base:.2f}   {figures[0][1]:.0f} statements per save")


if __name__ == "__main__":
    main()
