"""Where Partner Center is, and what the app's token is for. The credentials are the Graph app's (GraphConfig)."""

from __future__ import annotations

DEFAULT_PARTNER_CENTER_URL = "https://api.partnercenter.microsoft.com"
# The API's resource id, whatever URL the API is reached at (tests reach a fake on loopback).
PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default"
