"""Clients for the outside services that hold the licenses (Microsoft Graph today)."""
