"""What the Microsoft 365 tests share (imported by test modules; fixtures stay in the fixtures plugin)."""

from __future__ import annotations

from typing import Any

import requests

from fakes.m365 import FakeM365
from providers.graph import GraphConfig

TENANT = "contoso.onmicrosoft.com"


def config_for(m365: FakeM365, **overrides: object) -> GraphConfig:
    settings: dict[str, object] = {
        "client_id": m365.client_id,
        "client_secret": m365.client_secret,
        "graph_url": m365.graph_url,
        "login_url": m365.login_url,
        "ca_bundle": m365.ca_pem_path,
        "retry_deadline": 5.0,
        **overrides,
    }
    return GraphConfig(**settings)  # type: ignore[arg-type]


class Graph:
    """A bare HTTP client for poking the fake directly, the way a Graph SDK would."""

    def __init__(self, m365: FakeM365, tenant: str) -> None:
        self.m365 = m365
        self.http = requests.Session()
        self.http.verify = m365.ca_pem_path
        self.token = self.login(tenant).json()["access_token"]

    def login(self, tenant: str, **form: str) -> requests.Response:
        data = {
            "grant_type": "client_credentials",
            "client_id": self.m365.client_id,
            "client_secret": self.m365.client_secret,
            "scope": f"{self.m365.graph_url}/.default",
            **form,
        }
        return self.http.post(
            f"{self.m365.login_url}/{tenant}/oauth2/v2.0/token", data=data, verify=self.m365.ca_pem_path
        )

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        url = path if path.startswith("https://") else f"{self.m365.graph_url}/v1.0{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.http.request(method, url, json=body, headers=headers, verify=self.m365.ca_pem_path)

    def assign(self, user: str, add: list[str] = [], remove: list[str] = []) -> requests.Response:  # noqa: B006
        body = {"addLicenses": [{"skuId": s, "disabledPlans": []} for s in add], "removeLicenses": remove}
        return self.call("POST", f"/users/{user}/assignLicense", body)


def assign_request(n: int, user: str, add: list[str], **extra: Any) -> dict[str, Any]:
    """One $batch request (id `n`) adding `add` to `user`."""
    return {
        "id": str(n),
        "method": "POST",
        "url": f"/users/{user}/assignLicense",
        "headers": {"Content-Type": "application/json"},
        "body": {"addLicenses": [{"skuId": s, "disabledPlans": []} for s in add], "removeLicenses": []},
        **extra,
    }


def remove_request(n: int, user: str, skus: list[str]) -> dict[str, Any]:
    request = assign_request(n, user, [])
    request["body"]["removeLicenses"] = skus
    return request


def statuses(reply: requests.Response) -> dict[str, int]:
    return {r["id"]: r["status"] for r in reply.json()["responses"]}
