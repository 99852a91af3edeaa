"""Microsoft Graph benchmark, against the fake Microsoft 365 over HTTPS on loopback. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_graph.py        # SQLite in a temporary directory

1. Sync of a tenant of 10,000 users: wall time and HTTP requests (target <= 12).
2. Apply of 1,000 users x 2 SKUs: each user read first (20 per $batch), then one assignLicense per user (20 per
   $batch), the seats read before and after: HTTP requests to Graph, reads included (target <= 110), and wall time.
3. The same with a 429 (Retry-After: 1 s) on every 100th assignLicense: total time against the sum of the
   Retry-After waits plus the no-fault time (target: within 10%).
4. Services: Microsoft Teams turned off in E3 for the 1,000 users of 2 (each read fresh, then one re-add of E3 with
   their new disabled list): HTTP requests to Graph (target <= 1,000/20 reads + 1,000/20 writes + 5 = 105).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.m365 import FakeM365, generate_users
from fakes.m365.seed import E3, VISIO
from licensing.connected.sync import sync_tenant
from licensing.directory import import_directory
from licensing.directory.file import parse_directory
from licensing.service import apply, make_change
from licensing.services import Switches
from licensing.types import Switch
from providers.graph import GraphClient, GraphConfig
from providers.graph.tenant import GraphTenants
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

DIRECTORY = """
products: []
customers: [{id: big, name: Big Corp, tenant_id: big.onmicrosoft.com}]
operators: [{slack_user_id: UADMIN01, role: admin_agent}]
"""
ASSIGN = "$batch POST /v1.0/users/{id}/assignLicense"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeM365() as m365:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        import_directory(parse_directory(DIRECTORY), uow=SqlUnitOfWork(sessions))
        tenant = m365.add_tenant("big.onmicrosoft.com")
        generate_users(tenant, 10_000)
        for sku in (E3, VISIO):
            tenant.skus[sku].enabled = 5_000
        config = GraphConfig(
            client_id=m365.client_id,
            client_secret=m365.client_secret,
            graph_url=m365.graph_url,
            login_url=m365.login_url,
            ca_bundle=m365.ca_pem_path,
        )
        with GraphClient(config) as client:
            graph = GraphTenants(client)
            before, t0 = m365.graph_requests(), time.perf_counter()
            report = sync_tenant("big", provider=graph, uow=SqlUnitOfWork(sessions))
            took = time.perf_counter() - t0
            print(
                f"1. sync of {report.users:,} users, {report.products} products: {took:.2f} s, "
                f"{m365.graph_requests() - before} HTTP requests to Graph (target <= 12)"
            )
            users = sorted(u.upn for u in tenant.users.values())
            clean = save(m365, graph, sessions, users[:1000], "2. apply 1,000 users x 2 SKUs", target="target <= 110, ")
            waits = storm(m365, every=100, retry_after=1.0)
            faulty = save(m365, graph, sessions, users[1000:2000], "3. the same, a 429 every 100 assignLicense")
            waited = waits()
            print(
                f"   {waited[0]} 429s, Retry-After sum {waited[1]:.1f} s; total {faulty:.2f} s against "
                f"{clean + waited[1]:.2f} s (no-fault + waits): {faulty / (clean + waited[1]) - 1:+.0%}"
            )
            services = {"ENTERPRISEPACK": {"TEAMS1": Switch.OFF}}
            save(
                m365,
                graph,
                sessions,
                users[:1000],
                "4. Teams off in E3 for 1,000 users",
                target="target <= 105, ",
                services=services,
            )
        engine.dispose()


def save(
    m365: FakeM365,
    graph: GraphTenants,
    sessions: object,
    users: list[str],
    label: str,
    *,
    target: str = "",
    services: Switches | None = None,
) -> float:
    before, counts, t0 = m365.graph_requests(), m365.requests, time.perf_counter()
    if services:
        change = make_change("big", users, services=services)
    else:
        change = make_change("big", users, assign=["ENTERPRISEPACK", "VISIOCLIENT"])
    result = apply(change, actor="UADMIN01", uow=SqlUnitOfWork(sessions), provider=graph)  # type: ignore[arg-type]
    took = time.perf_counter() - t0
    updated = len(result.updated)
    made = m365.requests - counts
    print(
        f"{label}: {took:.2f} s, {m365.graph_requests() - before} HTTP requests to Graph ({target}reads "
        f"included; {made['$batch GET /v1.0/users/{id}']:,} users read, {made[ASSIGN]:,} assignLicense inside "
        f"{made['POST /v1.0/$batch']} $batch), {updated:,} updated"
    )
    return took


def storm(m365: FakeM365, *, every: int, retry_after: float):  # type: ignore[no-untyped-def]
    """A watcher that arms one inner 429 each time another `every` assignLicense requests have reached the fake."""
    stop = threading.Event()
    armed = [0]
    start = m365.requests[ASSIGN]

    def watch() -> None:
        while not stop.is_set():
            if m365.requests[ASSIGN] - start >= (armed[0] + 1) * every - 1:
                m365.fail_next(1, status=429, retry_after=retry_after, inner=True, path="assignLicense")
                armed[0] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()

    def done() -> tuple[int, float]:
        stop.set()
        thread.join()
        return armed[0], armed[0] * retry_after

    return done


if __name__ == "__main__":
    main()
