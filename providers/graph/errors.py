"""Graph's failures: of a whole call (the exceptions), and of one user's assignLicense (`classify`, to
licensebot's stable codes, licensing.results.ErrorCode).

Graph says why it refused a change only in the error's message, so `classify` matches texts: the messages Graph
returns for a refused assignLicense (Microsoft's reference page "user: assignLicense" documents the call, not these
texts). fakes/m365/rules.py answers with the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from licensing.results import ErrorCode
from licensing.services import plan_table
from providers.graph.ids import SkuId

_NO_SEATS = re.compile(r"Subscription with SKU (?P<sku>[0-9a-fA-F-]{36}) does not have any available licenses")
_DEPENDS = re.compile(r"service plan (?P<plan>[0-9a-fA-F-]{36}) depends on the service plan")
_NEEDS = re.compile(r"depends on the service plan\(s\) (?P<needs>[0-9a-fA-F-]{36}(?:, [0-9a-fA-F-]{36})*)")


class GraphError(Exception):
    """Base for failures of a whole call (not of one user's change)."""


class AuthError(GraphError):
    """No token: Entra ID refused the app (wrong secret, unknown tenant, no consent…). Never holds the secret."""

    def __init__(self, tenant: str, error: str, description: str) -> None:
        super().__init__(f"sign-in to tenant {tenant} failed: {error}: {description}")
        self.tenant = tenant
        self.error = error


class UnavailableError(GraphError):
    """Graph kept throttling or could not be reached until the deadline."""


class RequestError(GraphError):
    """Graph answered with an unexpected status; `message` is Graph's own."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Graph answered {status}: {message}")
        self.status = status
        self.message = message


def classify(
    status: int,
    message: str,
    *,
    add: Iterable[SkuId],
    remove: Iterable[SkuId],
    location_set: bool = False,
    plans_of: Callable[[SkuId], frozenset[str]] = lambda sku: frozenset(),
) -> tuple[ErrorCode, SkuId | None]:
    """(code, sku) for one failed assignLicense; `location_set` = this change set the usage location first."""
    add, remove = list(add), list(remove)
    only = add[0] if len(add) == 1 and not remove else (remove[0] if len(remove) == 1 and not add else None)
    if status == 404:
        return ErrorCode.UNKNOWN_USER, None
    if status == 403:
        return ErrorCode.FORBIDDEN, None
    if found := _NO_SEATS.search(message):
        return ErrorCode.INSUFFICIENT_LICENSES, SkuId(found["sku"].lower())
    if "invalid usage location" in message:
        # A location we just set that is still "invalid" means the product is not sold there (inference).
        return (ErrorCode.LOCATION_NOT_ALLOWED if location_set else ErrorCode.USAGE_LOCATION_MISSING), only
    if "are mutually exclusive" in message:
        return ErrorCode.MUTUALLY_EXCLUSIVE, only
    if found := _DEPENDS.search(message):
        return _dependency(found["plan"].lower(), add, remove, plans_of), only
    if "inherited from a group" in message:
        return ErrorCode.GROUP_ASSIGNED, only
    return ErrorCode.PROVIDER_ERROR, only


def _dependency(
    plan: str, add: list[SkuId], remove: list[SkuId], plans_of: Callable[[SkuId], frozenset[str]]
) -> ErrorCode:
    # Graph uses one text for both directions; which one it is follows from the change.
    if not remove:
        return ErrorCode.DEPENDENCY_MISSING
    if not add:
        return ErrorCode.DEPENDENCY_IN_USE
    return ErrorCode.DEPENDENCY_MISSING if any(plan in plans_of(sku) for sku in add) else ErrorCode.DEPENDENCY_IN_USE


def service_dependency(
    message: str, *, add: Iterable[SkuId], remove: Iterable[SkuId], disabled: Mapping[SkuId, Iterable[str]]
) -> str | None:
    """For a change that turns services on or off, Graph's "depends on" refusal in words naming both services
    ("Exchange Online Archiving depends on Exchange Online (Plan 2)…"); None when the refusal is about something
    else, or about products the change adds or removes rather than its services."""
    found, needs = _DEPENDS.search(message), _NEEDS.search(message)
    if found is None or needs is None:
        return None
    needed = [n.strip().lower() for n in needs["needs"].split(",")]
    off = {p.lower() for plans in disabled.values() for p in plans}
    only_services = not list(remove) and set(add) <= disabled.keys()
    if not (off & set(needed)) and not only_services:
        return None
    table = plan_table()

    def title(plan_id: str) -> str:
        plan = table.by_id.get(plan_id)
        return plan.title if plan else plan_id

    either = " or ".join(title(n) for n in needed)
    return f"{title(found['plan'].lower())} depends on {either}: Microsoft 365 refused this user's services change."
