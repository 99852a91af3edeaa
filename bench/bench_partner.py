"""Partner Center benchmark: Approve = buy against the fake Partner Center over HTTPS on loopback. Prints figures;
asserts nothing.

    .venv/bin/python bench/bench_partner.py        # SQLite in a temporary directory

1. 50 approvals, each its own request on one subscription: wall time per purchase, and HTTP requests to Partner
   Center per purchase (the reads before the change included; the sync after it left out).
2. The same with a 429 (Retry-After: 1 s) on 5 PATCHes (one in ten): total time against the no-fault time plus the sum
   of the Retry-After waits (target: within 10%), and still one accepted change per approval.
3. Right-size: what one customer's drill-down on the App Home (and `licenses show`) adds, `reducible` asked 20 times
   (the first with no subscription's product known yet): wall time and Partner Center requests per call; then 20
   reductions of 1 approved, each its own request: wall time and requests per reduction.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.m365 import FakeM365
from fakes.m365.seed import VISIO
from fakes.partner_center import Subscription
from licensing import purchases
from licensing.connected import orders, rightsize
from licensing.connected.sync import sync_tenant
from licensing.directory import import_directory
from licensing.directory.file import parse_directory
from providers.graph import GraphClient, GraphConfig
from providers.graph.tenant import GraphTenants
from providers.partner_center import PartnerCenterClient
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

DIRECTORY = """
products: [{sku: VISIOCLIENT, name: Visio Plan 2}]
customers: [{id: big, name: Big Corp, tenant_id: big.onmicrosoft.com}]
operators: [{slack_user_id: UADMIN01, role: admin_agent}]
"""
APPROVALS = 50


def run(m365: FakeM365, uow: object, client: PartnerCenterClient, sub: str) -> tuple[float, Counter[str]]:
    before = Counter(m365.requests)
    ids = [purchases.request_more("big", "VISIOCLIENT", 1, actor="UADMIN01", uow=uow()).id for _ in range(APPROVALS)]  # type: ignore[operator]
    start = time.perf_counter()
    for request_id in ids:
        orders.approve_and_buy(
            request_id,
            sub,
            actor="UADMIN01",
            uow=uow(),
            partner=client,
            provider=None,
            holder="bench",  # type: ignore[operator]
        )
    elapsed = time.perf_counter() - start
    after = Counter(m365.requests)
    return elapsed, Counter({k: after[k] - before[k] for k in after if after[k] != before[k]})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeM365() as m365:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        sessions = make_session_factory(make_engine(url))
        import_directory(parse_directory(DIRECTORY), uow=SqlUnitOfWork(sessions))
        partner = m365.add_tenant("partner.onmicrosoft.com", skus=[])
        big = m365.add_tenant("big.onmicrosoft.com")
        m365.partner.partner_tenant_id = partner.id
        m365.partner.add_customer(big.id, "Big Corp", "big.onmicrosoft.com")
        sub = m365.partner.add_subscription(big.id, VISIO, "Visio Plan 2", 10, max_quantity=10_000)
        config = GraphConfig(
            client_id=m365.client_id,
            client_secret=m365.client_secret,
            graph_url=m365.graph_url,
            login_url=m365.login_url,
            ca_bundle=m365.ca_pem_path,
        )
        client = PartnerCenterClient(config, "partner.onmicrosoft.com", url=m365.partner_center_url)
        uow = lambda: SqlUnitOfWork(sessions)  # noqa: E731

        plain, counts = run(m365, uow, client, sub.id)
        to_pc = sum(n for k, n in counts.items() if " /v1/" in k)
        print(f"1. {APPROVALS} approvals: {plain:.2f} s, {1000 * plain / APPROVALS:.1f} ms per purchase")
        print(f"   Partner Center requests: {to_pc} ({to_pc / APPROVALS:.2f} per purchase); by kind:")
        for key, n in sorted(counts.items()):
            kind = key.replace(big.id, "{customer}").replace(sub.id, "{subscription}")
            print(f"     {n:5d}  {kind}")
        print(f"   accepted changes: {len(m365.partner.patches)}, quantity now {m365.partner.quantity(big.id, sub.id)}")

        m365.partner.patches.clear()
        throttled = APPROVALS // 10  # the first PATCHes are refused, one each, then retried after Retry-After
        m365.fail_next(throttled, status=429, retry_after=1, method="PATCH", path=r"/subscriptions/[^/]+$")
        faulty, _ = run(m365, uow, client, sub.id)
        expected = plain + throttled * 1.0
        print(
            f"2. with {throttled} PATCHes answered 429 (Retry-After: 1 s): {faulty:.2f} s against "
            f"{expected:.2f} s expected (no-fault time + waits): {100 * (faulty - expected) / expected:+.1f}%"
        )
        print(f"   accepted changes: {len(m365.partner.patches)} for {APPROVALS} approvals")
        client.close()
        right_size(m365, uow, config, sub)


def right_size(m365: FakeM365, uow: Callable[[], SqlUnitOfWork], config: GraphConfig, sub: Subscription) -> None:
    sub.cancellable_until = datetime.now(UTC).date() + timedelta(days=7)
    client = PartnerCenterClient(config, "partner.onmicrosoft.com", url=m365.partner_center_url)  # no product known
    with GraphClient(config) as graph:
        sync_tenant("big", provider=GraphTenants(graph), uow=uow())
    start, before = time.perf_counter(), _asked(m365)
    for _ in range(20):
        found = rightsize.reducible("big", uow=uow(), partner=client, today=datetime.now(UTC).date())
    took, asked = time.perf_counter() - start, _asked(m365) - before
    print(f"3. reducible x20: {1000 * took / 20:.1f} ms per call, {asked / 20:.2f} Partner Center requests per call")
    print(f"   {found['VISIOCLIENT'].unused} unused, reducible until {found['VISIOCLIENT'].until}")
    ids = [rightsize.request_reduction("big", "VISIOCLIENT", 1, actor="UADMIN01", uow=uow()).id for _ in range(20)]
    start, before, patches = time.perf_counter(), _asked(m365), len(m365.partner.patches)
    for request_id in ids:
        orders.approve_and_buy(
            request_id, sub.id, actor="UADMIN01", uow=uow(), partner=client, provider=None, holder="bench"
        )
    took, asked = time.perf_counter() - start, _asked(m365) - before
    print(
        f"   20 reductions: {1000 * took / 20:.1f} ms per reduction, {asked / 20:.2f} requests each, "
        f"{len(m365.partner.patches) - patches} accepted changes"
    )
    client.close()


def _asked(m365: FakeM365) -> int:
    return sum(n for k, n in m365.requests.items() if " /v1/" in k)


if __name__ == "__main__":
    main()
