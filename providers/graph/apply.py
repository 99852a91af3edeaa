"""Applying license changes through $batch: per user, PATCH usageLocation (if asked) then one assignLicense."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from licensing.results import ErrorCode
from licensing.tenants import OperationStatus
from providers.graph.errors import classify, service_dependency
from providers.graph.ids import SkuId
from providers.graph.models import Change, Outcome
from providers.graph.retry import Backoff
from providers.graph.transport import BATCH_LIMIT, Reply, Transport

JSON_HEADERS = {"Content-Type": "application/json"}
# Told each time a $batch completes; False: send no more.
Progress = Callable[[], bool]


def apply_changes(
    transport: Transport,
    tenant: str,
    changes: Sequence[Change],
    *,
    deadline: float,
    in_flight: int,
    plans_of: Callable[[SkuId], frozenset[str]],
    progress: Progress | None = None,
) -> list[Outcome]:
    """One Outcome per change, in order. Several batches run at once, each retrying only its throttled parts.

    `progress` is called as each batch completes; once it returns False no further batch is sent (their changes
    come back FAILED, not sent), so a save whose owner lost its lease stops changing the tenant.
    """
    stop = threading.Event()

    def run(chunk: list[Change]) -> list[Outcome]:
        if stop.is_set():
            return [_not_sent(c) for c in chunk]
        replies = transport.batch(tenant, [r for c in chunk for r in _requests(c)], Backoff(deadline))
        if progress is not None and not progress():
            stop.set()
        return [_outcome(c, replies, plans_of) for c in chunk]

    with ThreadPoolExecutor(max_workers=max(1, in_flight)) as pool:
        return [o for outcomes in pool.map(run, _chunks(changes)) for o in outcomes]


def _not_sent(change: Change) -> Outcome:
    message = "licensebot stopped sending this save before this user's change; nothing was changed for this user."
    return Outcome(change.user_id, OperationStatus.FAILED, code=ErrorCode.PROVIDER_UNAVAILABLE, message=message)


def _chunks(changes: Sequence[Change]) -> Iterator[list[Change]]:
    # A user's PATCH and assignLicense share a batch, since dependsOn cannot reach into another batch.
    chunk: list[Change] = []
    size = 0
    for change in changes:
        n = _size(change)
        # Request ids are per user, so a user's second change waits for the next batch.
        if chunk and (size + n > BATCH_LIMIT or any(c.user_id == change.user_id for c in chunk)):
            yield chunk
            chunk, size = [], 0
        chunk.append(change)
        size += n
    if chunk:
        yield chunk


def _size(change: Change) -> int:
    return (change.usage_location is not None) + bool(change.add or change.remove)


def _requests(change: Change) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if change.usage_location is not None:
        out.append(
            {
                "id": f"{change.user_id}:location",
                "method": "PATCH",
                "url": f"/users/{change.user_id}",
                "headers": JSON_HEADERS,
                "body": {"usageLocation": change.usage_location},
            }
        )
    if change.add or change.remove:
        body = {
            "addLicenses": [{"skuId": s, "disabledPlans": list(change.disabled.get(s, ()))} for s in change.add],
            "removeLicenses": list(change.remove),
        }
        request = {
            "id": f"{change.user_id}:licenses",
            "method": "POST",
            "url": f"/users/{change.user_id}/assignLicense",
            "headers": JSON_HEADERS,
            "body": body,
        }
        if out:  # Graph must have the location before it checks the licenses against it
            request["dependsOn"] = [out[0]["id"]]
        out.append(request)
    return out


def _outcome(change: Change, replies: dict[str, Reply], plans_of: Callable[[SkuId], frozenset[str]]) -> Outcome:
    location = replies.get(f"{change.user_id}:location")
    licenses = replies.get(f"{change.user_id}:licenses")
    location_set = location is not None and 200 <= location.status < 300
    if location is not None and not location_set:
        return _problem(change, location, location_set=False, plans_of=plans_of)
    if licenses is None:
        return Outcome(change.user_id, OperationStatus.APPLIED, location_set=location_set)
    if licenses.status == 200:  # its body is the default property set: it says nothing of the licenses
        return Outcome(change.user_id, OperationStatus.APPLIED, location_set=location_set)
    return _problem(change, licenses, location_set=location_set, plans_of=plans_of)


def _problem(
    change: Change, reply: Reply, *, location_set: bool, plans_of: Callable[[SkuId], frozenset[str]]
) -> Outcome:
    if reply.unavailable:
        return Outcome(
            change.user_id,
            OperationStatus.FAILED,
            code=ErrorCode.PROVIDER_UNAVAILABLE,
            location_set=location_set,
            message="Microsoft Graph kept throttling or was unavailable; nothing was changed for this user.",
        )
    if reply.status == 0 or reply.status >= 500:
        return Outcome(
            change.user_id,
            OperationStatus.UNKNOWN,
            location_set=location_set,
            message="No answer from Microsoft Graph; the change may or may not have been applied.",
        )
    message = _graph_message(reply.body)
    words = service_dependency(message, add=change.add, remove=change.remove, disabled=change.disabled)
    if change.disabled and words:
        return Outcome(
            change.user_id, OperationStatus.FAILED, ErrorCode.SERVICE_DEPENDENCY, words, location_set=location_set
        )
    code, sku = classify(
        reply.status, message, add=change.add, remove=change.remove, location_set=location_set, plans_of=plans_of
    )
    return Outcome(
        change.user_id, OperationStatus.FAILED, code=code, message=message, sku=sku, location_set=location_set
    )


def _graph_message(body: Any) -> str:
    try:
        return str(body["error"]["message"])
    except (KeyError, TypeError):
        return "Microsoft Graph refused the change."
