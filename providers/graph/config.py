"""How to reach Microsoft: the partner app's credentials, the endpoints, trust and time limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"


def _ca_from_env() -> str | None:
    return os.environ.get("LICENSEBOT_CA_BUNDLE") or None


@dataclass(frozen=True)
class GraphConfig:
    """One multi-tenant (GDAP) app: a client secret, or a PEM file holding its private key and certificate."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    certificate_path: str | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    login_url: str = DEFAULT_LOGIN_URL
    ca_bundle: str | None = field(default_factory=_ca_from_env)  # extra trusted CAs (PEM), on top of the system's
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retry_deadline: float = 120.0  # seconds one call may spend waiting out throttling before giving up
    batches_in_flight: int = 4

    def __post_init__(self) -> None:
        if (self.client_secret is None) == (self.certificate_path is None):
            raise ValueError("give exactly one of client_secret or certificate_path")

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @property
    def scope(self) -> str:
        return f"{self.graph_url.rstrip('/')}/.default"
