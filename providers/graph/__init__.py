"""Microsoft Graph: sign-in per customer tenant, licenses inventory, users, and batched license changes."""

from providers.graph.client import GraphClient
from providers.graph.config import GraphConfig
from providers.graph.errors import AuthError, GraphError, RequestError, UnavailableError
from providers.graph.ids import SkuId
from providers.graph.models import Change, GraphUser, License, Outcome, Sku

__all__ = [
    "AuthError",
    "Change",
    "GraphClient",
    "GraphConfig",
    "GraphError",
    "GraphUser",
    "License",
    "Outcome",
    "RequestError",
    "Sku",
    "SkuId",
    "UnavailableError",
]
