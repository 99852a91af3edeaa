"""Graph v1.0 resources the bot uses, as one dispatcher shared by direct requests and $batch inner requests."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fakes.m365 import rules
from fakes.m365.directory import Directory
from fakes.m365.errors import GraphError, bad_request, not_found
from fakes.m365.model import Tenant
from fakes.m365.views import (
    LICENSE_DETAILS_PROPERTIES,
    context,
    license_details_json,
    parse_select,
    select_users,
    sku_json,
    user_json,
)

ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def handle(
    directory: Directory, tenant: Tenant, method: str, path: str, query: dict[str, str], body: Any, base: str
) -> Reply:
    """Runs one Graph request (path relative to /v1.0) against `tenant`; Graph errors become error replies."""
    try:
        with directory.lock:
            return _route(tenant, method, path.rstrip("/") or "/", query, body, base)
    except GraphError as e:
        return Reply(e.status, e.body())


def _route(tenant: Tenant, method: str, path: str, query: dict[str, str], body: Any, base: str) -> Reply:
    parts = path.strip("/").split("/")
    if parts == ["subscribedSkus"] and method == "GET":
        return Reply(
            200,
            {
                "@odata.context": f"{base}/$metadata#subscribedSkus",
                "value": [sku_json(tenant, s) for s in tenant.skus.values()],
            },
        )
    if parts == ["users"] and method == "GET":
        return _list_users(tenant, query, base)
    if len(parts) == 2 and parts[0] == "users" and method in ("GET", "PATCH"):
        user = tenant.find_user(parts[1])
        if user is None:
            raise not_found(parts[1])
        if method == "GET":
            select = select_users(query)
            return Reply(
                200, {"@odata.context": context(base, "users", select, entity=True), **user_json(user, select)}
            )
        _patch_user(user, body)
        return Reply(204)
    if len(parts) == 3 and parts[0] == "users" and parts[2] == "assignLicense" and method == "POST":
        user = tenant.find_user(parts[1])
        if user is None:
            raise not_found(parts[1])
        rules.assign_license(tenant, user, body)
        # The user's default properties only: what Graph answers says nothing about the licenses it now holds.
        return Reply(200, {"@odata.context": context(base, "users", None, entity=True), **user_json(user)})
    if len(parts) == 3 and parts[0] == "users" and parts[2] == "licenseDetails" and method == "GET":
        user = tenant.find_user(parts[1])
        if user is None:
            raise not_found(parts[1])
        select = parse_select(query, LICENSE_DETAILS_PROPERTIES, "microsoft.graph.licenseDetails")
        entity_set = f"users('{user.id}')/licenseDetails"
        return Reply(
            200,
            {"@odata.context": context(base, entity_set, select), "value": license_details_json(tenant, user, select)},
        )
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{parts[-1]}'.")


def _list_users(tenant: Tenant, query: dict[str, str], base: str) -> Reply:
    top_raw = query.get("$top", "100")
    if not top_raw.isdigit() or not 1 <= int(top_raw) <= 999:
        raise bad_request(f"Invalid page size specified: '{top_raw}'. Must be between 1 and 999 inclusive.")
    top = int(top_raw)
    select = select_users(query)
    # The skiptoken is the last id served, so users added or removed while paging do not shift the pages.
    after = _decode(query["$skiptoken"]) if "$skiptoken" in query else ""
    ordered = sorted((u for u in tenant.users.values() if u.id > after), key=lambda u: u.id)
    page = ordered[:top]
    result: dict[str, Any] = {
        "@odata.context": context(base, "users", select),
        "value": [user_json(u, select) for u in page],
    }
    if len(ordered) > top:
        params = {k: v for k, v in query.items() if k != "$skiptoken"}
        params["$skiptoken"] = _encode(page[-1].id)
        result["@odata.nextLink"] = f"{base}/users?" + "&".join(f"{k}={quote(v, safe=',')}" for k, v in params.items())
    return Reply(200, result)


def _patch_user(user: Any, body: Any) -> None:
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.")
    if "usageLocation" in body:
        location = body["usageLocation"]
        if location is not None and not (isinstance(location, str) and ISO_COUNTRY.match(location)):
            raise bad_request("Invalid value specified for property 'usageLocation' of resource 'User'.")
        user.usage_location = location
    if "displayName" in body:
        user.display_name = str(body["displayName"])


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _decode(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError as e:
        raise bad_request("Invalid skiptoken.") from e
