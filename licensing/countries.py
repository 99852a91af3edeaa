"""Usage locations are ISO 3166-1 alpha-2 codes, as Microsoft's `usageLocation` is."""

from __future__ import annotations

from iso3166 import countries_by_alpha2

from licensing.errors import InvalidRequest


def is_country(code: str) -> bool:
    return code in countries_by_alpha2


def normalize_country(code: str) -> str:
    """`us` and ` US ` become `US`; anything that is not an alpha-2 code is refused with the reason."""
    cleaned = code.strip().upper()
    if not is_country(cleaned):
        raise InvalidRequest(f"'{code}' is not an ISO 3166-1 alpha-2 country code (for example US, DE, GB).")
    return cleaned
