"""GraphClient: what licensebot asks of Microsoft Graph for one customer tenant at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Self
from urllib.parse import quote

from providers.graph.apply import Progress, apply_changes
from providers.graph.auth import TokenSource
from providers.graph.catalog import Catalog, default_catalog
from providers.graph.config import GraphConfig
from providers.graph.errors import RequestError, UnavailableError
from providers.graph.http import make_session
from providers.graph.models import Change, GraphUser, Outcome, Sku, parse_sku, parse_user
from providers.graph.retry import Backoff, deadline_after
from providers.graph.transport import BATCH_LIMIT, Observe, Transport

USER_FIELDS = "id,displayName,userPrincipalName,usageLocation,assignedLicenses,licenseAssignmentStates"


class GraphClient:
    def __init__(self, config: GraphConfig, *, catalog: Catalog | None = None, observe: Observe | None = None) -> None:
        self.config = config
        self.catalog = catalog or default_catalog()
        self._session = make_session(config.ca_bundle, pool_size=max(10, config.batches_in_flight * 2))
        self.tokens = TokenSource(config, self._session)
        self._transport = Transport(config, self._session, self.tokens, observe)

    def __repr__(self) -> str:
        return f"GraphClient(client_id={self.config.client_id!r}, graph_url={self.config.graph_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def subscribed_skus(self, tenant: str) -> list[Sku]:
        """The tenant's products that can be assigned to users, with seats owned and assigned."""
        data = self._transport.get_json(tenant, "/subscribedSkus")
        return [parse_sku(s, self.catalog) for s in data.get("value", []) if s.get("appliesTo") == "User"]

    def users(self, tenant: str) -> Iterator[GraphUser]:
        """Every user of the tenant with their licenses, 999 a page, following every nextLink."""
        url: str | None = f"/users?$select={USER_FIELDS}&$top=999"
        while url:
            page = self._transport.get_json(tenant, url)
            yield from (parse_user(u) for u in page.get("value", []))
            url = page.get("@odata.nextLink")

    def get_users(self, tenant: str, ids: Iterable[str]) -> dict[str, GraphUser | None]:
        """Users as Graph has them now (by object id or userPrincipalName), 20 per $batch, several batches at once;
        None for a user Graph does not know."""
        wanted = list(dict.fromkeys(ids))
        chunks = [wanted[i : i + BATCH_LIMIT] for i in range(0, len(wanted), BATCH_LIMIT)]

        def read(chunk: list[str]) -> dict[str, GraphUser | None]:
            # Request ids are positions: a userPrincipalName may hold characters an id should not.
            requests_ = [
                {"id": str(n), "method": "GET", "url": f"/users/{quote(uid, safe='@')}?$select={USER_FIELDS}"}
                for n, uid in enumerate(chunk)
            ]
            replies = self._transport.batch(tenant, requests_, Backoff(deadline_after(self.config.retry_deadline)))
            found: dict[str, GraphUser | None] = {}
            for n, uid in enumerate(chunk):
                reply = replies[str(n)]
                if reply.status == 200:
                    found[uid] = parse_user(reply.body)
                elif reply.status == 404:
                    found[uid] = None
                else:
                    raise _unreadable(uid, reply.status)
            return found

        with ThreadPoolExecutor(max_workers=max(1, min(len(chunks), self.config.batches_in_flight))) as pool:
            return {uid: user for part in pool.map(read, chunks) for uid, user in part.items()}

    def apply(self, tenant: str, changes: Sequence[Change], progress: Progress | None = None) -> list[Outcome]:
        """Applies each user's change (location, then adds and removes in one step); one Outcome per change."""
        return apply_changes(
            self._transport,
            tenant,
            changes,
            deadline=deadline_after(self.config.retry_deadline),
            in_flight=self.config.batches_in_flight,
            plans_of=self.catalog.plans,
            progress=progress,
        )


def _unreadable(user_id: str, status: int) -> Exception:
    if status == 0 or status in (429, 503, 504):
        return UnavailableError(f"could not read user {user_id} back from Graph")
    return RequestError(status, f"reading user {user_id} failed")
