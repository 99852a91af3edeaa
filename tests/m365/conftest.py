from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fakes.m365 import FakeM365
from tests.m365.fixtures import m365_fixture, running_m365_fixture  # noqa: F401


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


@pytest.fixture
def graph(m365: FakeM365) -> Iterator[Graph]:
    m365.add_tenant("contoso.onmicrosoft.com")
    graph = Graph(m365, "contoso.onmicrosoft.com")
    yield graph
    graph.http.close()
