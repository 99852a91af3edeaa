"""Real Microsoft SKU and service plan ids (from Microsoft's published table) for realistic fake tenants."""

from __future__ import annotations

from fakes.m365.model import Rules, ServicePlan, Sku

EXCHANGE_S_STANDARD = ServicePlan("9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD")
EXCHANGE_S_ENTERPRISE = ServicePlan("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE")
SHAREPOINTSTANDARD = ServicePlan("c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD")
SHAREPOINTENTERPRISE = ServicePlan("5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE")
TEAMS1 = ServicePlan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1")
OFFICESUBSCRIPTION = ServicePlan("43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION")
EXCHANGE_S_ARCHIVE_ADDON = ServicePlan("176a09a6-7ec5-4039-ac02-b2791c6ba793", "EXCHANGE_S_ARCHIVE_ADDON")
VISIO_CLIENT_SUBSCRIPTION = ServicePlan("663a804f-1c30-4ff0-9915-9db84f0d1cea", "VISIO_CLIENT_SUBSCRIPTION")
VISIOONLINE = ServicePlan("2bdbaf8f-738f-4ac7-9234-3c3ee2ce7d0f", "VISIOONLINE")
SHAREPOINTSTORAGE = ServicePlan("be5a7ed5-c598-4fcd-a061-5e6724c68a58", "SHAREPOINTSTORAGE")

E1 = "18181a46-0d4e-45cd-891e-60aabd171b4e"  # STANDARDPACK, Office 365 E1
E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"  # ENTERPRISEPACK, Office 365 E3
EXCHANGE_P1 = "4b9405b0-7788-4568-add1-99614e613b69"  # EXCHANGESTANDARD
ARCHIVING = "ee02fd1b-340e-4a4b-b355-4a514e4c8943"  # EXCHANGEARCHIVE_ADDON, needs an Exchange mailbox plan
VISIO = "c5928f49-12ba-48f7-ada3-0d743a3601d5"  # VISIOCLIENT
EXTRA_STORAGE = "99049c9c-6011-4908-bf17-15f496e6519d"  # SHAREPOINTSTORAGE, tenant-wide only


def standard_skus(seats: int = 25) -> list[Sku]:
    """A typical small customer: E1, E3, Exchange Plan 1, archiving, Visio (not sold in CU) and extra storage."""
    return [
        Sku(E1, "STANDARDPACK", (EXCHANGE_S_STANDARD, SHAREPOINTSTANDARD, TEAMS1), enabled=seats),
        Sku(
            E3,
            "ENTERPRISEPACK",
            (EXCHANGE_S_ENTERPRISE, SHAREPOINTENTERPRISE, TEAMS1, OFFICESUBSCRIPTION),
            enabled=seats,
        ),
        Sku(EXCHANGE_P1, "EXCHANGESTANDARD", (EXCHANGE_S_STANDARD,), enabled=seats),
        Sku(ARCHIVING, "EXCHANGEARCHIVE_ADDON", (EXCHANGE_S_ARCHIVE_ADDON,), enabled=seats),
        Sku(
            VISIO,
            "VISIOCLIENT",
            (VISIO_CLIENT_SUBSCRIPTION, VISIOONLINE),
            enabled=seats,
            blocked_countries=frozenset({"CU"}),
        ),
        Sku(EXTRA_STORAGE, "SHAREPOINTSTORAGE", (SHAREPOINTSTORAGE,), enabled=1, applies_to="Company"),
    ]


def standard_rules() -> Rules:
    """Exchange and SharePoint plans 1 and 2 do not stack; archiving needs a mailbox plan."""
    return Rules(
        exclusive={
            frozenset({EXCHANGE_S_STANDARD.id, EXCHANGE_S_ENTERPRISE.id}),
            frozenset({SHAREPOINTSTANDARD.id, SHAREPOINTENTERPRISE.id}),
        },
        depends={EXCHANGE_S_ARCHIVE_ADDON.id: (EXCHANGE_S_STANDARD.id, EXCHANGE_S_ENTERPRISE.id)},
    )
